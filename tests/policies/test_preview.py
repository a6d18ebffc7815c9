"""``make preview`` end to end: the program under mocks, the pack over gRPC, the exit codes.

Weakened configs. The program validates its config before declaring anything, so a 2-hour
backup cadence with a 60-minute RPO, or a standby Region equal to the primary, stops at the
config (exit 2, the error names the key). To show that the *policy* also catches such stacks
- a program bug or a hand-edited deployment would not pass through that validation - the
tests also record the valid prod plan and edit the planned inputs (the backup schedule's
``scheduleExpression``; every provider's ``region``), then preview the edited plan (exit 1).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from cli.exit_codes import ExitCode
from cli.preview import main
from contract.names import Role
from engine.plan import Plan, record_plan
from preview.run import run

EXIT_OK, EXIT_MANDATORY, EXIT_CONFIG = ExitCode.OK, ExitCode.FAILED, ExitCode.CANNOT_RUN

ROOT = Path(__file__).resolve().parents[2]


#: The module's tests run on one xdist worker, so its module-scoped fixtures are built once.
pytestmark = pytest.mark.xdist_group("tests/policies/test_preview.py")


@pytest.fixture(scope="module")
def prod_plan() -> Plan:
    return record_plan("prod")


def _stack_file(tmp_path: Path, **changes: object) -> Path:
    doc = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())
    for key, value in changes.items():
        section, _, sub = key.partition(".")
        full = f"ecommerce-dr:{section}"
        if sub:
            doc["config"][full] = {**doc["config"][full], sub: value}
        else:
            doc["config"][full] = value
    path = tmp_path / "Pulumi.weakened.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def test_preview_passes_on_prod(prod_plan: Plan, capsys: pytest.CaptureFixture[str]) -> None:
    result = run("prod", plan=prod_plan)
    assert result.exit_code == EXIT_OK
    assert result.report is not None and result.report.mandatory == []
    assert result.objectives.rto.total_seconds == 1140 and result.objectives.rpo.total_seconds == 900
    out = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert "RTO: worst case 19.0 min vs target 240 min - met" in out
    assert "0 mandatory" in out


def test_two_hour_backups_with_one_hour_rpo_is_a_config_error(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = _stack_file(tmp_path, **{"backup.cadenceMinutes": 120, "rpoMinutes": 60})
    assert main(["--stack", "prod", "--stack-file", str(path)]) == EXIT_CONFIG
    out = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert "ecommerce-dr:backup.cadenceMinutes: must be at most rpoMinutes (60)" in out


def test_two_hour_backup_schedule_in_the_plan_fails_the_policy(prod_plan: Plan, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    plan = copy.deepcopy(prod_plan)
    (schedule,) = plan.by_role(Role.BACKUP_SCHEDULE)
    schedule.inputs["scheduleExpression"] = "rate(2 hours)"
    path = tmp_path / "plan.json"
    path.write_text(plan.to_json())
    assert main(["--plan-file", str(path)]) == EXIT_MANDATORY
    out = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert "backup-schedule-within-rpo" in out and "rto-rpo-objectives" in out
    assert "runs less than once per RPO target of 3600 s (1.00 h)" in out


def test_one_region_stack_is_a_config_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _stack_file(tmp_path, standbyRegion="us-east-1")
    assert main(["--stack-file", str(path)]) == EXIT_CONFIG
    out = " ".join(capsys.readouterr().out.split())
    assert "ecommerce-dr:standbyRegion: must differ from primaryRegion (us-east-1)" in out


def test_one_region_plan_fails_the_policy(prod_plan: Plan) -> None:
    plan = copy.deepcopy(prod_plan)
    for p in plan.providers:
        p.inputs["region"] = "us-east-1"
    for r in plan.resources:
        r.region = "us-east-1"
    result = run("prod", plan=plan)
    assert result.exit_code == EXIT_MANDATORY
    failed = {v.policy for v in result.report.mandatory}
    # The orchestrator is no longer in its standby Region and the replica sits with its source.
    assert {"lambda-orchestrator-in-standby-region", "rds-cross-region-replica"} <= failed


def test_tight_policy_config_fails_with_the_breakdown(prod_plan: Plan, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "policy.yaml"
    cfg.write_text("rto-rpo-objectives:\n  rtoMinutes: 15\n")
    path = tmp_path / "plan.json"
    path.write_text(prod_plan.to_json())
    assert main(["--plan-file", str(path), "--policy-config", str(cfg)]) == EXIT_MANDATORY
    out = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert "RTO worst case 1140 s (19.0 min) vs target 900 s (15.0 min): MISSED" in out
    assert "promotion (read-replica): 600 s (10.0 min) [modelled]" in out


def test_update_plan_decides_the_iam_rule(capsys: pytest.CaptureFixture[str]) -> None:
    # In a preview the role policies are built from unknown ARNs: not decided, and said so.
    plan = record_plan("prod", preview=False)
    result = run("prod", plan=plan)
    assert result.exit_code == EXIT_OK
    assert [n for n in result.report.not_applicable
            if n.policy == "iam-lambda-policy-no-wildcard-action"] == []
    policy = next(r for r in plan.resources if r.name == "failover-function-policy")
    doc = json.loads(policy.inputs["policy"])
    doc["Statement"][0]["Action"] = "dynamodb:*"
    policy.inputs["policy"] = json.dumps(doc)
    result = run("prod", plan=plan)
    assert [(v.policy, v.urn) for v in result.report.mandatory] == [
        ("iam-lambda-policy-no-wildcard-action", policy.urn)]


def test_missing_stack_file_is_a_config_error_not_a_violation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stack", "no-such-stack"]) == EXIT_CONFIG
    assert "no stack file" in capsys.readouterr().out


def test_stack_with_a_tighter_rto_of_its_own_fails_the_policy(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _stack_file(tmp_path, rtoMinutes=5)
    assert main(["--stack-file", str(path)]) == EXIT_MANDATORY
    out = capsys.readouterr().out
    assert "RTO target 300 s is the stack's own RTO_SECONDS" in out


def test_a_missing_stack_file_given_by_path_is_named_without_advice_to_pass_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.yaml"
    assert main(["--stack-file", str(missing)]) == EXIT_CONFIG
    out = capsys.readouterr().out
    assert f"no stack file {missing} (given with --stack-file)" in out
    assert "or pass --stack-file" not in out
