"""engine.plan: what the recorder captures, its JSON form, preview vs update semantics."""

from __future__ import annotations

import pytest

from contract.names import Role
from engine.config import stack_config
from engine.mocks import mock_outputs
from engine.plan import UNKNOWN, Plan, PlannedResource
from tests.program.variants import P, plan


def test_plan_round_trips_through_json() -> None:
    p = plan()
    again = Plan.from_json(p.to_json())
    assert again == p
    assert isinstance(again.resources[0], PlannedResource)


def test_by_role_finds_tagged_resources() -> None:
    p = plan()
    (hc,) = p.by_role(Role.ENDPOINT_HEALTH_CHECK)
    assert hc.type == "aws:route53/healthCheck:HealthCheck"
    assert p.by_role("no-such-role") == []


def test_records_provider_region_parent_and_dependencies() -> None:
    p = plan()
    (fn,) = p.by_role(Role.FAILOVER_ORCHESTRATOR)
    assert fn.provider.endswith("pulumi:providers:aws::standby")
    assert "::" not in fn.provider.rsplit("pulumi:providers:aws::", 1)[1]
    assert fn.region == "us-west-2"
    assert fn.parent.endswith("ecommerce-dr:failover_orchestrator:FailoverOrchestrator::failover")
    assert fn.dependencies, "depends_on and input dependencies are recorded"
    assert fn.property_dependencies["role"]


def test_preview_leaves_computed_outputs_unknown_and_update_resolves_them() -> None:
    pre, up = plan(preview=True), plan(preview=False)
    assert pre.preview is True and up.preview is False
    assert pre.outputs["failoverOrchestratorArn"] == UNKNOWN
    assert up.outputs["failoverOrchestratorArn"].startswith("arn:aws:lambda:us-west-2:")
    # known at preview: fixed names and config-derived values
    assert pre.outputs["failoverStateTableName"] == up.outputs["failoverStateTableName"]
    assert pre.outputs["rtoBudgetSeconds"] == 14400
    # unknown resource outputs appear as the sentinel in inputs that use them
    (alarm,) = pre.by_role(Role.HEALTH_ALARM)
    assert alarm.inputs["dimensions"]["HealthCheckId"] == UNKNOWN


def test_inputs_are_camel_case_wire_names_with_integers() -> None:
    (hc,) = plan().by_role(Role.ENDPOINT_HEALTH_CHECK)
    assert "resourcePath" in hc.inputs and "resource_path" not in hc.inputs
    assert isinstance(hc.inputs["requestInterval"], int)


@pytest.mark.parametrize(("typ", "inputs", "expected"), [
    ("aws:rds/instance:Instance", {"identifier": "db1"},
     {"arn": "arn:aws:rds:eu-west-1:111122223333:db:db1"}),
    ("aws:sns/topic:Topic", {"name": "t"}, {"arn": "arn:aws:sns:eu-west-1:111122223333:t"}),
    ("aws:lambda/function:Function", {"name": "f"},
     {"arn": "arn:aws:lambda:eu-west-1:111122223333:function:f"}),
    ("aws:dynamodb/table:Table", {"name": "tb"},
     {"arn": "arn:aws:dynamodb:eu-west-1:111122223333:table/tb"}),
    ("aws:s3/bucket:Bucket", {"bucket": "b"}, {"arn": "arn:aws:s3:::b", "region": "eu-west-1"}),
])
def test_mock_outputs_carry_region_and_account(typ: str, inputs: dict, expected: dict) -> None:
    _, state = mock_outputs(typ, "x", inputs, "eu-west-1", "111122223333")
    for k, v in expected.items():
        assert state[k] == v


def test_stack_config_delivers_strings_and_applies_overrides() -> None:
    cfg = stack_config("prod", config_overrides={f"{P}:rtoMinutes": 120,
                                                 f"{P}:alertEmail": None})
    assert cfg[f"{P}:rtoMinutes"] == "120"
    assert f"{P}:alertEmail" not in cfg
    assert cfg[f"{P}:site"].startswith("{")   # objects as JSON, as the CLI delivers them


def test_summary_counts_resources_by_region_and_lists_outputs() -> None:
    from engine.plan import summary

    text = summary(plan())
    first = text.splitlines()[0]
    p = plan()
    assert first.startswith(f"stack prod: {len(p.custom_resources)} resources, 2 providers, "
                            "7 components")
    assert "  us-east-1         1 x aws:cloudwatch/eventRule:EventRule" in text
    assert '  failoverFqdn = "shop.example.com"' in text
    # unknowns inside an output (ARNs per Region, in a preview) are said to be unknown, not
    # shown as the placeholder string the mocks carry
    text = summary(plan(preview=True))
    assert ('  alertTopicArns = {"us-east-1": "(unknown until deployed)", '
            '"us-west-2": "(unknown until deployed)"}') in text
    assert UNKNOWN not in text


def test_cli_reports_a_config_error_with_exit_code_2(tmp_path, capsys) -> None:
    from cli.plan import main
    from engine.paths import ROOT

    bad = tmp_path / "Pulumi.bad.yaml"
    bad.write_text((ROOT / "Pulumi.prod.yaml").read_text().replace(
        "intervalSeconds: 10", "intervalSeconds: 15"))
    assert main(["--stack", "bad", "--stack-file", str(bad)]) == 2
    assert "ecommerce-dr:healthCheck.intervalSeconds: must be 10 or 30" in capsys.readouterr().err
