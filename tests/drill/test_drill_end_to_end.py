"""The drill end to end on the emulator: real plan, real handlers, reports checked by value.

Each drill runs once per test session (shared drills: ``tests/drill/conftest.py``) and
several tests read its report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.drill.shared import DrillRun


@pytest.fixture
def happy(drill_happy: DrillRun) -> tuple[dict[str, Any], Path]:
    """happy-path with the policy gate: the report and the directory its files went to."""
    return drill_happy.report, drill_happy.reports_dir


@pytest.fixture
def tight_concurrent(drill_tight: DrillRun) -> tuple[int | None, dict[str, Any], str]:
    """concurrent-triggers through the CLI, on a stack whose RTO target (5 min) is shorter
    than the modelled promotion alone (10 min); stdout captured (not a terminal)."""
    return drill_tight.exit_code, drill_tight.report, drill_tight.output


def _check(report: dict[str, Any], prefix: str) -> dict[str, Any]:
    hits = [c for c in report["checks"] if c["name"].startswith(prefix)]
    assert len(hits) == 1, f"expected one check starting {prefix!r}: {report['checks']}"
    return hits[0]


def test_happy_path_passes_with_policy_gate(happy: tuple[dict[str, Any], Path]) -> None:
    report, _ = happy
    assert report["verdict"] == "pass", report["failures"]
    assert report["failures"] == []
    assert report["drill"]["policy_gate"] == "ok"
    assert report["drill"]["failover_status"] in ("completed", "already-failed-over")
    assert all(c["passed"] for c in report["checks"]), report["checks"]


def test_happy_path_dns_moves_from_primary_to_standby(happy: tuple[dict[str, Any], Path]) -> None:
    report, _ = happy
    steps = {s["step"]: s for s in report["timeline"]}
    before = steps["baseline"]["detail"]["dns_answer"]
    after = steps["verify"]["detail"]["dns_answer"]
    assert (before["answer"], before["values"]) == ("PRIMARY", ["shop-use1.example.com"])
    assert (after["answer"], after["values"]) == ("SECONDARY", ["shop-usw2.example.com"])
    primary = next(r for r in after["records"] if r["failover"] == "PRIMARY")
    assert primary["healthy"] is False and "ALARM" in primary["why"]


def test_happy_path_standby_promoted_once_and_alerts_read_from_sqs(
        happy: tuple[dict[str, Any], Path]) -> None:
    report, _ = happy
    verify = next(s for s in report["timeline"] if s["step"] == "verify")["detail"]
    assert verify["database"]["replica_source"] is None
    assert verify["database"]["status"] == "available"
    assert verify["database"]["promote_calls"] == 1
    assert set(verify["alerts"]) == {"us-east-1", "us-west-2"}
    assert all(n >= 1 for n in verify["alerts"].values()), verify["alerts"]


def test_report_rto_rpo_within_targets_and_marked(happy: tuple[dict[str, Any], Path]) -> None:
    report, _ = happy
    rto, rpo = report["rto"]["achieved"], report["rpo"]["achieved"]
    assert rto["target_seconds"] == 240 * 60 and rpo["target_seconds"] == 60 * 60
    assert rto["met"] and rto["total_seconds"] <= rto["target_seconds"]
    assert rpo["met"] and rpo["total_seconds"] <= rpo["target_seconds"]
    bases = {t["name"]: t["basis"] for t in rto["terms"]}
    assert bases["promotion (read-replica)"] == "modelled"
    assert bases["DNS TTL"] == "modelled"
    assert bases["detection (health check + alarm)"] == "modelled"
    measured = [t for t in rto["terms"] if t["basis"] == "measured"]
    assert len(measured) == 1 and measured[0]["seconds"] > 0
    # the modelled AWS-side terms come from the stack config through the shared model
    assert next(t for t in rto["terms"] if t["name"] == "DNS TTL")["seconds"] == 60
    assert next(t for t in rto["terms"] if t["name"].startswith("promotion"))["seconds"] == 600
    # the RPO achieved is the data-loss window read from the promoted standby's database
    (term,) = rpo["terms"]
    assert term["name"].startswith("data-loss window") and term["basis"] == "measured"
    assert term["seconds"] == report["data"]["data_loss_window_seconds"]
    assert "orders read from standby" in term["source"]
    # ... and the backup orchestrator read a lag the drill published from PostgreSQL
    assert _check(report, "the backup orchestrator read a replication lag published")["passed"]
    assert report["rpo"]["reading"]["backup_orchestrator_replication_lag_seconds"] is not None
    assert all(s["basis"] == "measured" for s in report["timeline"])
    assert {m["basis"] for m in report["modelled"]} == {"modelled"}


def test_report_counts_api_calls_and_no_route53_on_failover_path(
        happy: tuple[dict[str, Any], Path]) -> None:
    report, _ = happy
    assert report["route53"] == {"failover_path_calls": 0, "handler_client_calls": 0,
                                 "passed": True}
    failover = report["api_calls"]["per_step"]["failover"]
    assert failover["by_operation"]["rds:PromoteReadReplica"] == 1
    assert failover["by_operation"]["cloudwatch:PutMetricData"] >= 1
    assert not any(k.startswith("route53:") for k in failover["by_operation"])
    assert failover["handlers"] == sum(failover["by_operation"].values())
    assert failover["total"] == failover["handlers"] + failover["harness"]
    # the harness's own calls (alarm-evaluation bridge) are counted apart
    assert "cloudwatch:SetAlarmState" in failover["harness_by_operation"]
    assert "cloudwatch:SetAlarmState" not in failover["by_operation"]
    deploy = report["api_calls"]["per_step"]["deploy"]["harness_by_operation"]
    applied = report["deployment"]["applied_by_type"]
    assert deploy["route53:CreateHealthCheck"] == applied["aws:route53/healthCheck:HealthCheck"] >= 2
    assert deploy["lambda:CreateFunction"] == applied["aws:lambda/function:Function"] == 2


def test_report_names_bridges_and_deployment(happy: tuple[dict[str, Any], Path]) -> None:
    report, _ = happy
    acted = {b["name"]: b["acted"] for b in report["bridges"]}
    assert set(acted) == {"promote-read-replica", "alarm-evaluation", "health-check-status",
                          "pg-promotion", "pg-dms-stop", "pg-snapshots", "pg-replica",
                          "pg-instance", "pg-dms-start", "replication-metrics"}
    assert acted["promote-read-replica"] == 1 and acted["pg-promotion"] == 1
    assert acted["pg-dms-stop"] == 0   # read-replica: no DMS task to stop
    assert acted["pg-replica"] == 0    # no phase deploy: no replica built by the bridge
    assert acted["pg-instance"] == acted["pg-dms-start"] == 0   # nor a dms cycle's CDC
    assert acted["pg-snapshots"] >= 3  # base backups in both Regions and a cross-Region copy
    assert acted["replication-metrics"] >= 2
    assert acted["alarm-evaluation"] >= 1 and acted["health-check-status"] >= 2
    promotion = next(b for b in report["bridges"] if b["name"] == "pg-promotion")
    assert "pg_promote() on standby: timeline 1 -> 2" in promotion["actions"][0]
    dep = report["deployment"]
    assert dep["failed"] == []
    assert dep["applied_by_type"]["aws:lambda/function:Function"] == 2
    assert all(s["reason"] for s in dep["skipped"])
    subs = {s["property"] for s in dep["substituted"]}
    assert "environment.variables.PRIMARY_HEALTH_URL" in subs
    assert "zoneId" in subs


def test_report_files_written(happy: tuple[dict[str, Any], Path]) -> None:
    report, out = happy
    on_disk = json.loads((out / "drill-report.json").read_text())
    assert on_disk["verdict"] == report["verdict"] == "pass"
    md = (out / "drill-report.md").read_text()
    assert "**Verdict: PASS**" in md and "modelled (AWS-side)" in md
    assert "No-Route-53 check: PASS" in md
    assert (out / "drill-timeline.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_primary_region_down_fails_over_by_watchdog_only(drill_region_down: DrillRun) -> None:
    region_down = drill_region_down.report
    assert region_down["verdict"] == "pass", region_down["failures"]
    triggers = [i["trigger"] for i in region_down["invocations"]
                if i["function"].endswith("failover")]
    assert "forwarded alarm event" not in triggers
    assert triggers.count("watchdog") >= 3   # K = 3 consecutive failed probes
    assert _check(region_down, "us-east-1 APIs were unreachable")["passed"]
    failover = next(s for s in region_down["timeline"] if s["step"] == "failover")
    assert failover["detail"]["primary_region_calls_unreachable"] > 0
    # the alert reached the standby Region's topic; the primary's was unreachable
    verify = next(s for s in region_down["timeline"] if s["step"] == "verify")["detail"]
    assert verify["alerts"]["us-west-2"] >= 1 and verify["alerts"]["us-east-1"] == 0
    detection = region_down["rto"]["achieved"]["terms"][0]
    assert detection["name"] == "detection (standby watchdog)"


def test_crash_and_resume_promotes_once_and_counts_the_lease(drill_crash: DrillRun) -> None:
    crash = drill_crash.report
    assert crash["verdict"] == "pass", crash["failures"]
    crashed = [i for i in crash["invocations"] if i["crashed"]]
    assert len(crashed) == 1 and "PromoteReadReplica" in crashed[0]["error"]
    after = crash["invocations"][crash["invocations"].index(crashed[0]) + 1:]
    assert after and after[-1]["status"] in ("completed", "already-failed-over")
    assert crash["api_calls"]["per_step"]["failover"]["by_operation"]["rds:PromoteReadReplica"] == 1
    lease = [t for t in crash["rto"]["achieved"]["terms"]
             if t["name"] == "lock lease of the crashed invocation expires"]
    assert len(lease) == 1 and lease[0]["basis"] == "modelled" and lease[0]["seconds"] > 0


def test_drill_leaves_no_handler_clients_bound_to_its_emulator(
        happy: tuple[dict[str, Any], Path]) -> None:
    from handlers.shared import aws

    # a handler client made now follows the environment again, not the drill's emulator
    assert "127.0.0.1" not in aws.client("rds", "us-west-2").meta.endpoint_url


def test_cli_exits_1_when_the_rto_target_is_missed(
        tight_concurrent: tuple[int, dict[str, Any], str]) -> None:
    rc, report, _ = tight_concurrent
    assert rc == 1
    assert report["verdict"] == "fail"
    assert report["rto"]["achieved"]["met"] is False
    assert report["rto"]["achieved"]["target_seconds"] == 300
    assert any(f.startswith("RTO target missed") for f in report["failures"])


def test_concurrent_triggers_run_exactly_one_failover(
        tight_concurrent: tuple[int, dict[str, Any], str]) -> None:
    _, report, _ = tight_concurrent
    failover = next(s for s in report["timeline"] if s["step"] == "failover")
    statuses = failover["detail"]["concurrent_statuses"]
    assert len(statuses) == 10
    assert sum(s in ("completed", "in-progress") for s in statuses) == 1
    assert "locked" in statuses or "already-failed-over" in statuses
    assert report["api_calls"]["per_step"]["failover"]["by_operation"][
        "rds:PromoteReadReplica"] == 1
    assert _check(report, "exactly one of the concurrent invocations")["passed"]
    # only the RTO target (and its planned worst case) failed; every outside check passed
    assert all(c["passed"] for c in report["checks"]), report["checks"]


def test_crash_and_resume_promotes_once_on_the_postgresql_side(drill_crash: DrillRun) -> None:
    crash = drill_crash.report
    promotion = next(s for s in crash["timeline"] if s["step"] == "verify-data")["detail"]["promotion"]
    assert promotion["performed"] == 1 and promotion["promote_calls"] == 1
    assert (promotion["timeline_before"], promotion["timeline_after"]) == (1, 2)
    assert _check(crash, "PostgreSQL: the standby was promoted exactly once")["passed"]
    (lease,) = [s for s in crash["clock_skips"] if s["name"].startswith("lock lease")]
    assert lease["in_rto"] is True and lease["basis"] == "modelled" and lease["seconds"] > 60


def test_happy_path_data_section_is_measured_from_the_databases(
        happy: tuple[dict[str, Any], Path], data_dir_for) -> None:
    report, out = happy
    data = report["data"]
    assert data["counted"] and data["failed_over"] and data["new_writer"] == {
        "server": "standby", "region": "us-west-2"}
    orders = data["orders"]
    # a streaming replica a few ms behind: nothing the standby had replayed is lost, and
    # the data-loss window is the oldest lost acknowledgement to the failure
    assert orders["replayed_before_failure"] >= 3 and orders["replayed_but_lost"] == []
    assert orders["lost"] == len(orders["lost_order_ids"])
    assert data["data_loss_window_seconds"] <= 1.0
    assert orders["acknowledged"] == orders["acknowledged_by_old_primary"] + \
        orders["acknowledged_by_new_writer"]
    assert orders["acknowledged_by_new_writer"] >= 5 and orders["failed_after_failure"] >= 1
    # the customers' chart adds up to the same orders
    series = data["customers"]["series"]
    assert sum(sum(b["acked"].values()) for b in series) == orders["acknowledged"]
    assert sum(b["failed"] for b in series) == orders["failed"]
    marks = data["customers"]["marks"]
    assert marks["failure"] <= marks["promoted"] <= marks["traffic_shift"]
    # the outage: measured on the emulator, the skipped DNS TTL (modelled) said apart
    outage = data["outage"]
    assert outage["skipped"] == ["DNS TTL: the customers' cached answer expires"]
    assert outage["skipped_seconds"] == 60.0
    assert abs(outage["drill_clock_seconds"] - outage["skipped_seconds"]
               - outage["measured_seconds"]) < 0.002
    assert 0 < outage["measured_seconds"] < 15
    aws = {t["name"]: t for t in outage["modelled_aws_terms"]}
    assert aws["DNS TTL"]["seconds"] == 60 and aws["promotion (read-replica)"]["seconds"] == 600
    assert {t["basis"] for t in aws.values()} == {"modelled"}
    lag = data["lag_at_failure"]["AWS/RDS ReplicaLag"]
    assert lag["metric"]["seconds"] < 5 and lag["postgres"]["state"] in ("caught-up", "streaming")
    dp = report["data_plane"]
    assert dp["basis"] == "measured" and 0 < dp["share_of_wall"] < 1
    assert {"setup", "snapshots", "promotion"} <= set(dp["by_kind"])
    md = (out / "drill-report.md").read_text()
    assert "## Data: orders, loss, lag, outage" in md
    assert f"| orders lost | {orders['lost']} | measured (read from standby) |" in md
    # the servers' logs are kept, their data removed
    kept = data_dir_for("happy")
    assert (kept / "primary.log").is_file() and (kept / "standby.log").is_file()
    assert not (kept / "run").exists()


def test_cli_output_is_not_wrapped_and_names_the_failure(
        tight_concurrent: tuple[int, dict[str, Any], str]) -> None:
    _, report, text = tight_concurrent
    lines = text.splitlines()
    assert "…" not in text
    verdict = next(line for line in lines if line.startswith("FAIL concurrent-triggers"))
    assert report["failures"][0] in verdict    # the cause, on the same line
    assert any(line.startswith("Orders: ") and len(line) > 80 for line in lines)
    assert any(line.startswith("Customer-visible outage: ") for line in lines)
    assert any(line.startswith("RTO achieved ") for line in lines)
    assert not any("worst case" in line for line in lines)   # measured figures are achieved
    step_lines = [line for line in lines if "Fail over: invoke the real orchestrator" in line]
    assert step_lines and "calls" in step_lines[0]
