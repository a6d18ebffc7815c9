"""The preview prints the plan's monthly cost line by line, in text and in its JSON document;
an unpriced resource is listed as unpriced with the reason (never a silent $0), and a cost
override file changes both the preview's figure and the pack's budget rule."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from cli import main as cli_main
from cli.exit_codes import ExitCode
from engine.paths import stack_file
from engine.plan import Plan, PlannedResource, record_plan

BASTION_TYPE = "aws:ec2/instance:Instance"   # a type the cost model has no function for


#: The module's tests run on one xdist worker, so its module-scoped fixtures are built once.
pytestmark = pytest.mark.xdist_group("tests/preview/test_preview_cost.py")


@pytest.fixture(scope="module")
def plan_with_bastion(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The prod plan (preview semantics) plus one EC2 instance in the standby Region."""
    plan = record_plan("prod")
    replica = plan.find(type_="aws:rds/instance:Instance")
    bastion = PlannedResource(
        urn=replica.urn.rsplit("::", 2)[0] + f"::{BASTION_TYPE}::bastion", type=BASTION_TYPE,
        name="bastion", custom=True, parent=replica.parent, provider=replica.provider,
        region=replica.region, inputs={"instanceType": "t3.micro"})
    path = tmp_path_factory.mktemp("plan") / "plan.json"
    path.write_text(Plan(plan.stack, [*plan.resources, bastion], plan.outputs).to_json())
    return path


def _json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = cli_main.main(["preview", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_json_carries_cost_lines_objectives_and_violations(
        plan_with_bastion: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = _json(["--plan-file", str(plan_with_bastion)], capsys)
    assert code == doc["exit_code"] == ExitCode.OK
    c = doc["cost"]
    bastion = next(ln for ln in c["lines"] if ln["resource"] == "bastion")
    assert (bastion["basis"], bastion["monthly_usd"]) == ("unpriced", None)
    assert bastion["reason"] == f"no pricing function for {BASTION_TYPE}"
    assert c["complete"] is False and c["unpriced"] == ["bastion"]
    assert c["total_usd"] == pytest.approx(math.fsum(ln["monthly_usd"] or 0 for ln in c["lines"]))
    replica = next(ln for ln in c["lines"] if ln["resource"] == "standby-database-replica")
    assert (replica["component"], replica["basis"]) == ("standby-database", "estimated")
    assert replica["monthly_usd"] == pytest.approx(730 * 0.225 + 100 * 0.115 + 4 * 730 / 24 * 0.02)
    assert {ln["basis"] for ln in c["lines"]} == {"estimated", "unpriced", "no charge"}
    assert c["by_component"]["standby-database"] == pytest.approx(
        math.fsum(ln["monthly_usd"] or 0 for ln in c["lines"] if ln["component"] == "standby-database"))
    assert doc["objectives"]["rto"]["total_seconds"] == 1140
    assert doc["objectives"]["rpo"]["total_seconds"] == 900
    assert doc["violations"] == [] and doc["resources"]["count"] == 57  # 55 + the write switches


def test_text_lists_each_line_with_its_basis_and_the_unpriced_one_with_why(
        plan_with_bastion: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main.main(["preview", "--plan-file", str(plan_with_bastion)]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "Monthly DR cost estimate (USD, 730-hour month)" in out
    rows = [ln for ln in out.splitlines() if "│ bastion " in ln]
    assert len(rows) == 1 and "unpriced" in rows[0] and "no pricing function for" in rows[0]
    replica = next(ln for ln in out.splitlines() if "│ standby-database-replica " in ln)
    assert "estimated" in replica and "178.18" in replica
    assert "INCOMPLETE: 1 unpriced line(s) not in the total: bastion" in out
    assert "DR cost at least $222.08/month (modelled)" in out


def test_cost_override_file_changes_the_preview_and_the_budget_rule(
        plan_with_bastion: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    over = tmp_path / "costs.yaml"
    over.write_text(yaml.safe_dump({"prices": {"rds/instance/postgres/db.r6g.large": {"regions": {
        "us-west-2": {"usd": 0.5, "standing": "user", "source": "our contract",
                      "recorded": "2026-12-01"}}}}}))
    policy = tmp_path / "policy.yaml"
    policy.write_text(yaml.safe_dump({"dr-monthly-cost-within-budget": {"maxMonthlyUsd": 300}}))
    argv = ["--plan-file", str(plan_with_bastion), "--policy-config", str(policy)]
    _, plain = _json(argv, capsys)
    code, doc = _json([*argv, "--cost-overrides", str(over)], capsys)
    assert doc["cost"]["total_usd"] - plain["cost"]["total_usd"] == pytest.approx(730 * (0.5 - 0.225))
    assert str(over) in doc["cost"]["prices"]
    # $222 without the override is within $300; with it the pack prices $423 and says so
    assert [v["policy"] for v in plain["violations"]] == []
    over_budget = [v for v in doc["violations"] if v["policy"] == "dr-monthly-cost-within-budget"]
    assert len(over_budget) == 1 and over_budget[0]["level"] == "advisory"
    assert code == ExitCode.OK   # advisory by default: the exit code is unchanged


def test_invalid_cost_override_exits_2_naming_the_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "costs.yaml"
    bad.write_text("usage:\n  database: {data_gib: -1}\n")
    assert cli_main.main(["preview", "--cost-overrides", str(bad)]) == ExitCode.CANNOT_RUN
    assert "usage.database.data_gib" in capsys.readouterr().err


def test_json_for_a_bad_stack_config_is_a_document_with_the_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stack = yaml.safe_load(stack_file("prod").read_text())
    stack["config"]["ecommerce-dr:rpoMinutes"] = -5
    f = tmp_path / "Pulumi.bad.yaml"
    f.write_text(yaml.safe_dump(stack))
    code, doc = _json(["--stack-file", str(f)], capsys)
    assert code == doc["exit_code"] == ExitCode.CANNOT_RUN
    assert "rpoMinutes" in doc["error"] and doc["cost"] is None and doc["objectives"] is None
