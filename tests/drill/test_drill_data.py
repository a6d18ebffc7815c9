"""The drill's data side end to end: every strategy on real PostgreSQL, the replication-lag
scenario (refusal, then the forced loss), the old primary coming back, and cleanup after a
drill that fails or is interrupted. Each drill the tests only read runs once per test session
(shared drills: ``tests/drill/conftest.py``); tests read its report."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest

from dataplane import cleanup
from drill.options import DrillOptions
from drill.pipeline import run_drill
from drill.report import as_dict
from tests.drill.shared import DrillRun


def _drill(reports: Path, data: Path, scenario: str, **kw: Any) -> dict[str, Any]:
    return as_dict(run_drill(DrillOptions(stack="prod", scenario=scenario, reports_dir=reports,
                                          data_dir=data, policy_gate=False, progress=False, **kw)))


def _check(report: dict[str, Any], prefix: str) -> dict[str, Any]:
    hits = [c for c in report["checks"] if c["name"].startswith(prefix)]
    assert len(hits) == 1, f"expected one check starting {prefix!r}: {report['checks']}"
    return hits[0]


def _step(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in report["timeline"] if s["step"] == name)


# -- replication-lag -----------------------------------------------------------------------------

def test_replication_lag_fires_the_alarm_and_readiness_refuses(drill_lag_refused: DrillRun) -> None:
    refused = drill_lag_refused.report
    assert refused["verdict"] == "pass", refused["failures"]
    assert refused["expected"] == "refusal"
    assert _check(refused, "the replication-lag alarm fired")["passed"]
    ref = refused["refusal"]
    assert ref["status"] == "not-ready"
    # The stall lasts max(900, 3600) + 60 s on the drill's clock; the lag is read from the
    # real standby, so it may be a second short of that when the machine is busy.
    (reason,) = ref["reasons"]
    m = re.fullmatch(r"ReplicaLag (\d+) s exceeds the RPO of 3600 s", reason)
    assert m is not None and 3655 <= int(m[1]) <= 3660, reason
    assert _check(refused, "readiness refused to promote")["passed"]
    assert _check(refused, "no promotion request (rds:PromoteReadReplica)")["passed"]
    assert _check(refused, "PostgreSQL: the standby still replicates")["passed"]
    assert refused["api_calls"]["per_step"]["failover"]["by_operation"].get(
        "rds:PromoteReadReplica", 0) == 0
    # nothing failed over: no RTO or RPO achieved, no verification of a failover
    assert refused["rto"]["achieved"] is None and refused["rpo"]["achieved"] is None
    assert {s["step"] for s in refused["timeline"]}.isdisjoint({"verify", "verify-data"})
    data = refused["data"]
    assert data["failed_over"] is False and data["orders"]["lost"] > 0   # what force would lose


def test_replication_lag_forced_loses_exactly_the_stalled_window(drill_lag_forced: DrillRun) -> None:
    forced = drill_lag_forced.report
    assert forced["verdict"] == "pass", forced["failures"]
    assert forced["expected"] == "forced"
    assert forced["refusal"]["status"] == "not-ready"
    triggers = [i["trigger"] for i in forced["invocations"] if i["function"].endswith("failover")]
    assert triggers[-1] == "operator (manual event, force=true)"
    assert forced["api_calls"]["per_step"]["failover"]["by_operation"]["rds:PromoteReadReplica"] == 1
    data = forced["data"]
    lost = data["orders"]["lost"]
    # 2 real seconds of orders at up to 10/s went to the primary only (the drill's own check
    # holds them to the orders acknowledged while the link was stalled, a few straddling)
    assert 5 <= lost <= 30
    assert _check(forced, "the forced failover lost the orders acknowledged while the link")["passed"]
    window = data["data_loss_window"]
    stall = next(s for s in forced["clock_skips"] if s["name"] == "the link stays stalled")
    assert stall["seconds"] == 3660 - 2.0
    assert window["skipped"] == ["the link stays stalled"]
    assert window["skipped_seconds"] == stall["seconds"] and 1.0 < window["measured_seconds"] < 4.0
    # the lag at the failure: the metric (drill clock) carries the stall, PostgreSQL its real part
    lag = data["lag_at_failure"]["AWS/RDS ReplicaLag"]
    assert lag["metric"]["seconds"] > 3600 and 1.0 < lag["postgres"]["seconds"] < 4.0
    assert lag["postgres"]["bytes_behind"] > 0
    # the RPO is missed, as forced: an expected finding, not a failure; its term says what is modelled
    assert forced["rpo"]["achieved"]["met"] is False
    (term,) = forced["rpo"]["achieved"]["terms"]
    assert term["basis"] == "modelled" and "skipped" in term["note"]
    findings = forced["expected_findings"]
    assert findings and findings[0].startswith("RPO target missed as forced")
    assert _check(forced, "no order the standby had already replayed was lost")["passed"]


def test_replication_lag_needs_a_strategy_that_replicates(tmp_path: Path, data_dir_for) -> None:
    from drill.options import DrillError

    with pytest.raises(DrillError, match="needs a database strategy that replicates"):
        _drill(tmp_path, data_dir_for("no-lag"), "replication-lag", strategy="snapshot-restore")


# -- dms and the old primary coming back ---------------------------------------------------------

def test_dms_stops_the_subscription_once_and_fences_the_old_primary(drill_dms: DrillRun) -> None:
    r = drill_dms.report
    assert r["verdict"] == "pass", r["failures"]
    acted = {b["name"]: b["acted"] for b in r["bridges"]}
    assert acted["pg-dms-stop"] == 1 and acted["pg-promotion"] == 0
    promotion = _step(r, "verify-data")["detail"]["promotion"]
    assert promotion["performed"] == 1 and promotion["replicating"] is False
    published = {p["metric"] for p in _step(r, "baseline")["detail"]["replication_metrics"]}
    assert published == {"AWS/DMS CDCLatencySource", "AWS/DMS CDCLatencyTarget"}
    back = _step(r, "primary-recovers")["detail"]
    assert back["old_primary"]["in_recovery"] is False and back["old_primary"]["orders"] > 0
    assert back["orders_after_recovery"]["by_old_primary"] == 0
    assert back["orders_after_recovery"]["acknowledged"] >= 5
    assert _check(r, "no customer order reached the old primary")["passed"]
    orders = r["data"]["orders"]
    assert orders["stranded_on_old_primary"] is not None
    assert orders["stranded_acknowledged_count"] == orders["lost"]
    assert _check(r, "the orders lost are on the old primary")["passed"]


# -- snapshot-restore -----------------------------------------------------------------------------

def test_snapshot_restore_restores_a_real_backup_and_loses_what_came_after(
        drill_pilot: DrillRun) -> None:
    """snapshot-restore on a stack file backing up every 30 min (the README's recipe)."""
    r = drill_pilot.report
    assert r["verdict"] == "pass", r["failures"]
    assert r["drill"]["strategy"] == "snapshot-restore"
    snapshots = next(b for b in r["bridges"] if b["name"] == "pg-snapshots")["actions"]
    assert any("pg_basebackup of primary" in a for a in snapshots)
    assert any("across the link" in a for a in snapshots)
    assert any("accepts connections; instance available" in a for a in snapshots)
    assert _check(r, "PostgreSQL: exactly one server was restored")["passed"]
    data = r["data"]
    assert data["new_writer"]["server"] == "restored-1"
    # every order acknowledged after the backup is lost: the window reaches back to it
    assert data["orders"]["lost"] >= 1
    backup, failure = _step(r, "backup"), _step(r, "inject")
    assert data["data_loss_window"]["measured_seconds"] <= (
        failure["started_offset_seconds"] - backup["started_offset_seconds"] + 1.0)
    assert data["orders"]["replayed_before_failure"] is None   # nothing replicates
    poll = [s for s in r["clock_skips"] if s["name"] == "orchestrator poll wait"]
    assert poll and not poll[0]["in_rto"]   # the restore's poll, inside the modelled restore time


# -- cleanup ----------------------------------------------------------------------------------------

def _postgres_of(run_dir: Path) -> list[int]:
    """PIDs of live processes whose command line names ``run_dir``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(run_dir) in cmdline:
            found.append(int(proc.name))
    return found


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty directory as the system temporary directory for the test."""
    tmp = tmp_path / "systmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)
    return tmp


def _ours(before: list[str]) -> list[str]:
    """Servers registered for last-resort cleanup since ``before`` (the drill's own)."""
    return [label for label in cleanup.live() if "postgres" in label and label not in before]


def test_a_failing_drill_stops_every_server_and_leaves_no_temp_files(
        tmp_path: Path, data_dir_for, private_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: Any) -> None:   # the customers ordering, the metrics publishing, the servers up
        raise RuntimeError("the shop would not take orders")

    monkeypatch.setattr("drill.steps.baseline._customers", boom)
    data, before = data_dir_for("fails"), cleanup.live()
    report = _drill(tmp_path / "reports", data, "happy-path")
    assert report["verdict"] == "fail"
    assert _check(report, "drill ran to the end")["detail"] == "RuntimeError: the shop would not take orders"
    assert _step(report, "baseline")["detail"]["error"] == "RuntimeError: the shop would not take orders"
    assert _step(report, "data-plane")["status"] == "ok"
    assert _postgres_of(data / "run") == [] and not (data / "run").exists()
    assert _ours(before) == []
    assert (data / "primary.log").is_file() and (data / "standby.log").is_file()
    assert (tmp_path / "reports" / "drill-report.json").is_file()
    assert os.listdir(private_tmp) == []


def test_an_interrupted_drill_stops_every_server(
        tmp_path: Path, data_dir_for, private_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*_: Any) -> None:   # Ctrl-C
        raise KeyboardInterrupt

    monkeypatch.setattr("drill.steps.baseline._customers", interrupt)
    data, before = data_dir_for("interrupted"), cleanup.live()
    with pytest.raises(KeyboardInterrupt):
        _drill(tmp_path / "reports", data, "happy-path")
    assert _postgres_of(data / "run") == [] and not (data / "run").exists()
    assert _ours(before) == []
    assert os.listdir(private_tmp) == []


def test_a_second_drill_on_the_same_data_directory_is_refused_before_it_starts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from drill.data.world import locked_data_dir
    from drill.options import DrillError, DrillOptions
    from drill.pipeline import run_drill

    def no_step_may_run(*_: object) -> None:
        raise AssertionError("the refused drill started a step")

    monkeypatch.setattr("emulator.server.Emulator.start", no_step_may_run)
    data, reports = tmp_path / "data", tmp_path / "reports"
    with locked_data_dir(data), pytest.raises(DrillError, match="another drill uses .*--reports-dir"):
        run_drill(DrillOptions(stack="prod", scenario="happy-path", reports_dir=reports,
                               data_dir=data, policy_gate=False, progress=False))
    assert not reports.exists()          # no step ran: no emulator, no report
    with locked_data_dir(data):          # and the refused drill left the lock free
        pass
