"""Unit tests of the drill's parts: target guards, Route 53 answer, throttling, applier rules,
the alarm-evaluation bridge, and the exit code when a target is missed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from moto import mock_aws

from cli import drill as cli
from drill.apply.common import Applied
from drill.apply.inputs import autoname, contains_unknown
from drill.apply.resolve import fits as _fits
from drill.apply.resolve import is_reference as _reference
from drill.aws_target import TargetRefused, check_target, run_game_day
from drill.dns import failover_answer
from drill.scenarios import SCENARIOS, get
from emulator.bridges import AlarmEvaluator, BridgeLog
from emulator.faults import ThrottleStorm
from engine.paths import ROOT

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


# -- --target aws ------------------------------------------------------------------------------

class _Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def __call__(self, service: str, region: str) -> Any:
        self.calls.append((service, region))
        raise AssertionError("no client may be built before the guards pass")


@pytest.mark.parametrize("stack", ["prod", "production", "shop-prod", "PROD", "prod_eu"])
def test_target_aws_refuses_production_stacks_even_when_confirmed(stack: str) -> None:
    rec = _Recorder()
    with pytest.raises(TargetRefused, match="production"):
        run_game_day(stack, confirmed=True, failover_function="f", backup_function="b",
                     region="us-west-2", clients=rec)
    assert rec.calls == []


def test_target_aws_needs_confirmation_and_calls_nothing_without_it() -> None:
    rec = _Recorder()
    with pytest.raises(TargetRefused, match="--confirm-non-production"):
        run_game_day("staging", confirmed=False, failover_function="f", backup_function="b",
                     region="us-west-2", clients=rec)
    assert rec.calls == []
    check_target("staging", confirmed=True)   # allowed
    check_target("reproduce", confirmed=True)  # "prod" inside a word is not a prod stack


def test_cli_target_aws_refusal_exits_2_without_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("boto3.client", lambda *a, **k: pytest.fail("boto3 client built"))
    assert cli.main(["--target", "aws", "--stack", "staging", "--quiet"]) == 2
    assert cli.main(["--target", "aws", "--stack", "prod", "--confirm-non-production",
                     "--failover-function", "f", "--backup-function", "b", "--quiet"]) == 2


def test_target_aws_runs_the_steps_with_stub_clients() -> None:
    import io
    import json

    calls: list[tuple[str, str, str]] = []

    class Stub:
        def __init__(self, service: str, region: str) -> None:
            self.service, self.region = service, region

        def __getattr__(self, op: str) -> Any:
            def call(**kw: Any) -> Any:
                calls.append((self.service, self.region, op))
                if op == "get_function_configuration":
                    return {"Environment": {"Variables": {
                        "PRIMARY_REGION": "us-east-1", "STANDBY_REGION": "us-west-2",
                        "HEALTH_ALARM_NAME": "hc", "GATE_ALARM_NAME": "gate",
                        "STACK_NAME": "staging", "STANDBY_DB_IDENTIFIER": "shop-standby"}}}
                if op == "get_caller_identity":
                    return {"Account": "210987654321", "Arn": "arn:aws:iam::210987654321:user/gd"}
                if op == "get_metric_statistics":
                    return {"Datapoints": [{"Maximum": 1.0}]}
                if op == "describe_alarms":
                    return {"MetricAlarms": [{"StateValue": "ALARM"}]}
                if op == "describe_db_instances":
                    return {"DBInstances": [{"DBInstanceStatus": "available"}]}
                if op == "invoke":
                    body = {"status": "complete"} if kw["FunctionName"] == "b" else \
                        {"status": "completed"}
                    return {"Payload": io.BytesIO(json.dumps(body).encode())}
                return {}
            return call

    out = run_game_day("staging", confirmed=True, failover_function="f", backup_function="b",
                       region="us-west-2", account_id="210987654321", clients=Stub)
    assert (out["status"], out["verdict"]) == ("completed", "pass")
    assert [c["passed"] for c in out["checks"]] == [True, True, True]
    assert ("cloudwatch", "us-east-1", "set_alarm_state") in calls
    assert ("cloudwatch", "us-west-2", "describe_alarms") in calls
    assert not any(service == "route53" for service, _, _ in calls)


# -- Route 53 answer ---------------------------------------------------------------------------

class _R53:
    def list_resource_record_sets(self, HostedZoneId: str) -> dict[str, Any]:  # noqa: N803
        return {"ResourceRecordSets": [
            {"Name": "shop.example.com.", "Type": "CNAME", "Failover": "PRIMARY",
             "SetIdentifier": "p", "HealthCheckId": "hc-p",
             "ResourceRecords": [{"Value": "shop-use1.example.com"}]},
            {"Name": "shop.example.com.", "Type": "CNAME", "Failover": "SECONDARY",
             "SetIdentifier": "s", "ResourceRecords": [{"Value": "shop-usw2.example.com"}]},
            {"Name": "other.example.com.", "Type": "A", "ResourceRecords": [{"Value": "1.2.3.4"}]},
        ]}


@pytest.mark.parametrize(("primary_healthy", "answer", "value"), [
    (True, "PRIMARY", "shop-use1.example.com"),
    (False, "SECONDARY", "shop-usw2.example.com"),
])
def test_failover_answer_follows_primary_health(primary_healthy: bool, answer: str,
                                                value: str) -> None:
    out = failover_answer(_R53(), "Z", "shop.example.com",
                          lambda hc: (primary_healthy, f"{hc} stub"))
    assert (out["answer"], out["values"]) == (answer, [value])
    assert out["records"][1]["why"] == "no health check: always healthy"


def test_failover_answer_needs_both_records() -> None:
    with pytest.raises(LookupError, match="PRIMARY and SECONDARY"):
        failover_answer(_R53(), "Z", "other.example.com", lambda hc: (True, ""))


# -- emulator faults and applier rules ---------------------------------------------------------

def test_throttle_storm_lets_the_last_attempt_through() -> None:
    storm = ThrottleStorm(throttled_attempts=1)
    assert storm.should_throttle("rds", "attempt=1; max=9")
    assert not storm.should_throttle("rds", "ttl=x; attempt=2; max=9")
    assert not storm.should_throttle("rds", "attempt=1; max=1")   # no retry left: let it run
    assert not ThrottleStorm(services=frozenset({"dynamodb"})).should_throttle(
        "rds", "attempt=1; max=9")


def test_applier_resolves_only_references_of_the_right_kind() -> None:
    key = Applied("urn:k", "aws:kms/key:Key", "k", "us-west-2", None, "kid", "arn:kms")
    role = Applied("urn:r", "aws:iam/role:Role", "r", "us-east-1", None, "rname", "arn:role")
    assert _reference("kmsKeyId") and _reference("alarmActions") and _reference("role")
    assert not _reference("policy") and not _reference("environment")
    assert _fits("kmsKeyId", key) and not _fits("kmsKeyId", role)
    assert not _fits("secretsManagerArn", key)
    assert contains_unknown({"a": [1, f'{{"x": "{UNKNOWN}"}}']})
    assert not contains_unknown({"a": [1, "known"]})
    assert autoname("gate", "urn:x") == autoname("gate", "urn:x") != autoname("gate", "urn:y")
    assert autoname("Bucket", "urn:x", lower=True).startswith("bucket-")


def test_scenarios_are_named_and_unknown_names_rejected() -> None:
    assert set(SCENARIOS) == {"happy-path", "primary-region-down", "throttling-storm",
                              "concurrent-triggers", "crash-and-resume", "primary-recovers",
                              "replication-lag", "full-cycle", "failback"}
    with pytest.raises(ValueError, match="allowed: happy-path"):
        get("meteor-strike")


# -- alarm-evaluation bridge -------------------------------------------------------------------

@mock_aws
def test_alarm_evaluation_bridge_latches_with_missing_data_ignored() -> None:
    cw = boto3.client("cloudwatch", region_name="us-west-2")
    cw.put_metric_alarm(AlarmName="gate", Namespace="EcommerceDR/Gate",
                        MetricName="FailoverGateEngaged",
                        Dimensions=[{"Name": "Stack", "Value": "prod"}], Statistic="Maximum",
                        Period=60, EvaluationPeriods=1, Threshold=1,
                        ComparisonOperator="GreaterThanOrEqualToThreshold",
                        TreatMissingData="ignore")
    log = BridgeLog()
    ev = AlarmEvaluator(lambda s, r: boto3.client(s, region_name=r), log)
    ev.as_created("gate", "us-west-2")
    assert ev.evaluate("gate", "us-west-2")["after"] == "INSUFFICIENT_DATA"  # no data: kept
    cw.put_metric_data(Namespace="EcommerceDR/Gate", MetricData=[{
        "MetricName": "FailoverGateEngaged", "Value": 1.0,
        "Dimensions": [{"Name": "Stack", "Value": "prod"}]}])
    out = ev.evaluate("gate", "us-west-2")
    assert (out["before"], out["after"], out["breaching"]) == ("INSUFFICIENT_DATA", "ALARM", 1)
    assert cw.describe_alarms(AlarmNames=["gate"])["MetricAlarms"][0]["StateValue"] == "ALARM"
    assert log.counts["alarm-evaluation"] == 2   # as created, then to ALARM


# -- health-check-status bridge ----------------------------------------------------------------

@mock_aws
def test_health_check_bridge_follows_endpoint_alarm_and_children() -> None:
    from drill.apply.common import Deployment
    from emulator.bridges import HealthCheckEvaluator
    from emulator.endpoints import LoopbackEndpoint

    cw = boto3.client("cloudwatch", region_name="us-west-2")
    cw.put_metric_alarm(AlarmName="gate", Namespace="G", MetricName="M", Statistic="Maximum",
                        Period=60, EvaluationPeriods=1, Threshold=1,
                        ComparisonOperator="GreaterThanOrEqualToThreshold")
    cw.set_alarm_state(AlarmName="gate", StateValue="INSUFFICIENT_DATA", StateReason="new")
    dep = Deployment()
    for hc_id, inputs in {
        "endpoint": {"type": "HTTPS", "fqdn": "shop-use1.example.com", "resourcePath": "/health"},
        "gate": {"type": "CLOUDWATCH_METRIC", "cloudwatchAlarmName": "gate",
                 "cloudwatchAlarmRegion": "us-west-2", "insufficientDataHealthStatus": "Healthy"},
        "both": {"type": "CALCULATED", "childHealthchecks": ["endpoint", "gate"],
                 "childHealthThreshold": 2},
    }.items():
        dep.applied[hc_id] = Applied(hc_id, "aws:route53/healthCheck:HealthCheck", hc_id,
                                     "us-east-1", None, hc_id, inputs=inputs)
    endpoint = LoopbackEndpoint("primary").start()
    try:
        ev = HealthCheckEvaluator(lambda s, r: boto3.client(s, region_name=r), dep.health_checks(),
                                  {"shop-use1.example.com": endpoint.url("")}, BridgeLog())
        assert ev.healthy("endpoint")[0] is True
        assert ev.healthy("gate") == (True, "alarm gate INSUFFICIENT_DATA -> "
                                            "insufficientDataHealthStatus=Healthy")
        assert ev.healthy("both")[0] is True
        cw.set_alarm_state(AlarmName="gate", StateValue="ALARM", StateReason="tripped")
        assert ev.healthy("gate")[0] is False
        assert ev.healthy("both") == (False, "1 of 2 children healthy, threshold 2")
        endpoint.stop_answering()
        assert ev.healthy("endpoint")[0] is False
    finally:
        endpoint.stop_answering()


@mock_aws
@pytest.mark.parametrize(("setting", "healthy"), [
    ("LastKnownStatus", False), ("Healthy", True), ("Unhealthy", False)])
def test_a_gate_check_with_no_data_reports_its_insufficient_data_setting(setting: str,
                                                                         healthy: bool) -> None:
    """A re-created gate alarm starts without data: LastKnownStatus keeps the check's last
    status (unhealthy after the failover), a check never evaluated reports healthy."""
    from drill.apply.common import Deployment
    from emulator.bridges import HealthCheckEvaluator

    cw = boto3.client("cloudwatch", region_name="us-west-2")
    cw.put_metric_alarm(AlarmName="gate", Namespace="G", MetricName="M", Statistic="Maximum",
                        Period=60, EvaluationPeriods=1, Threshold=1,
                        ComparisonOperator="GreaterThanOrEqualToThreshold")
    dep = Deployment()
    inputs = {"type": "CLOUDWATCH_METRIC", "cloudwatchAlarmName": "gate",
              "cloudwatchAlarmRegion": "us-west-2", "insufficientDataHealthStatus": setting}
    for hc_id in ("gate", "new"):
        dep.applied[hc_id] = Applied(hc_id, "aws:route53/healthCheck:HealthCheck", hc_id,
                                     "us-east-1", None, hc_id, inputs=inputs)
    memory: dict[str, bool] = {}

    def evaluator() -> HealthCheckEvaluator:   # the drill makes one per question
        return HealthCheckEvaluator(lambda s, r: boto3.client(s, region_name=r),
                                    dep.health_checks(), {}, BridgeLog(), last_known=memory)

    cw.set_alarm_state(AlarmName="gate", StateValue="ALARM", StateReason="failed over")
    assert evaluator().healthy("gate")[0] is False
    cw.set_alarm_state(AlarmName="gate", StateValue="INSUFFICIENT_DATA", StateReason="re-created")
    assert evaluator().healthy("gate")[0] is healthy
    assert evaluator().healthy("new")[0] is (setting != "Unhealthy")


def test_cli_exits_2_on_invalid_config_naming_the_key(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    doc = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())
    doc["config"]["ecommerce-dr:healthCheck"]["intervalSeconds"] = 15
    stack = tmp_path / "Pulumi.bad.yaml"
    stack.write_text(yaml.safe_dump(doc))
    rc = cli.main(["--stack-file", str(stack), "--no-policy-gate", "--quiet",
                   "--reports-dir", str(tmp_path / "reports")])
    assert rc == 2
    out = capsys.readouterr().out
    assert "ecommerce-dr:healthCheck.intervalSeconds" in out and "10 or 30" in out
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("rate", ["0", "-3", "1000"])
def test_cli_refuses_an_order_rate_out_of_range_before_running(rate: str,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--order-rate", rate, "--quiet", "--no-policy-gate"]) == 2
    assert "order rate must be more than 0 and at most 200" in capsys.readouterr().out


def test_dms_lag_is_read_from_the_forward_task_whichever_was_deployed_first() -> None:
    from types import SimpleNamespace

    from contract.names import Role
    from drill.apply.common import Applied, Deployment
    from drill.replication import DIMENSIONS

    task, inst = "aws:dms/replicationTask:ReplicationTask", "aws:dms/replicationInstance:ReplicationInstance"
    d = Deployment()
    for urn, typ, role, name in [("r", task, str(Role.REVERSE_CDC_TASK), "shop-rcdc"),
                                 ("i", inst, None, "shop-dms"), ("f", task, None, "shop-cdc")]:
        d.applied[urn] = Applied(urn, typ, urn, "us-west-2", role, urn, physical_name=name)
    ctx = SimpleNamespace(need_deployment=lambda: d)
    assert DIMENSIONS["AWS/DMS"](ctx) == [  # type: ignore[arg-type]
        {"Name": "ReplicationInstanceIdentifier", "Value": "shop-dms"},
        {"Name": "ReplicationTaskIdentifier", "Value": "shop-cdc"}]
