"""Faults: a Region down, throttling, concurrent and re-invoked runs, a crash midway."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from botocore.retries.standard import ExponentialBackoff
from moto.rds.exceptions import RDSClientError
from moto.rds.models import RDSBackend

from handlers.backup.runner import run_backup
from tests.backup.world import PERIOD, PRIMARY, STANDBY, World, recording_clients


def test_primary_region_down_standby_work_completes(world: World) -> None:
    rec_calls = recording_clients(down={PRIMARY})
    rec = run_backup(world.settings(), period=PERIOD, run_id="p-down", clients=rec_calls)
    assert rec.status == "partial"
    assert rec.regions[PRIMARY] == "unreachable" and rec.regions[STANDBY] == "ok"
    assert {e["region"] for e in rec.errors} == {PRIMARY}
    # the standby Region's own snapshots were still made
    standby_ids = sorted(s["DBSnapshotIdentifier"] for s in world.snapshots(STANDBY))
    assert standby_ids == ["shop-0-standby-dr-202603011000", "shop-1-standby-dr-202603011000"]
    assert world.snapshots(PRIMARY) == []
    # alert reached the standby Region's topic; the primary's was unreachable
    [alert] = world.alerts(STANDBY)
    assert alert["status"] == "partial" and alert["run_id"] == "p-down"
    assert rec.alerts == {STANDBY: "published", PRIMARY: "skipped: Region unreachable"}
    # one call into the dead Region (the listing), then no more: each would sit through
    # its retries
    assert [op for r, _s, op, _p in rec_calls.log if r == PRIMARY] == ["DescribeDBSnapshots"]
    # and the run is on record
    [meta] = world.metadata()
    assert meta["status"] == "partial" and meta["errors"] == rec.errors


def test_standby_region_down_primary_work_completes(world: World) -> None:
    recorder = recording_clients(down={STANDBY})
    rec = run_backup(world.settings(), period=PERIOD, run_id="s-down", clients=recorder)
    assert rec.status == "partial"
    assert sorted(s["DBSnapshotIdentifier"] for s in world.snapshots(PRIMARY)) == [
        "shop-0-dr-202603011000", "shop-1-dr-202603011000"]
    assert [c["kind"] for c in rec.created] == ["primary", "primary"]
    [alert] = world.alerts(PRIMARY)
    assert alert["status"] == "partial"
    # the bucket lives in the standby Region: the failure to record is itself recorded
    assert rec.metadata_key is None and "unreachable" in rec.metadata_error
    assert world.metadata() == []
    assert [op for r, _s, op, _p in recorder.log if r == STANDBY] == ["DescribeDBSnapshots"]


def test_both_regions_down_is_failed(world: World) -> None:
    rec = run_backup(world.settings(), period=PERIOD, run_id="x",
                     clients=recording_clients(down={PRIMARY, STANDBY}))
    assert rec.status == "failed"
    assert rec.created == []
    assert set(rec.alerts.values()) == {"skipped: Region unreachable"}


@pytest.mark.filterwarnings("ignore:Exception\\(RDSClientError\\) with code Throttling")
def test_throttled_calls_are_retried(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    real = RDSBackend.create_db_snapshot
    throttles = {"left": 2}

    def throttled(self, *a, **k):
        if throttles["left"] > 0:
            throttles["left"] -= 1
            raise RDSClientError("Throttling", "Rate exceeded")
        return real(self, *a, **k)

    monkeypatch.setattr(RDSBackend, "create_db_snapshot", throttled)
    # Retries are real (botocore's standard mode from handlers.shared.aws); only the
    # backoff delay is shortened so the test does not sleep for seconds.
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, ctx: 0.01)
    recorder = recording_clients()
    rec = run_backup(world.settings(), period=PERIOD, run_id="t", clients=recorder)
    assert rec.status == "complete", rec.errors
    assert throttles["left"] == 0
    assert len(rec.created) == 4
    creates = len(recorder.ops("CreateDBSnapshot"))
    create_attempts = [u for _, u in recorder.attempts]
    assert creates == 4
    # botocore sent 2 more HTTP requests than operations: the retries
    assert len(create_attempts) == len(recorder.log) + 2


def test_concurrent_invocations_same_period_make_one_snapshot(world: World) -> None:
    results = []

    def invoke(name: str) -> None:
        results.append(run_backup(world.settings(), period=PERIOD, run_id=name,
                                  clients=recording_clients()))

    threads = [threading.Thread(target=invoke, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status for r in results] == ["complete", "complete"], [r.errors for r in results]
    assert len(world.snapshots(PRIMARY)) == 2
    assert len(world.snapshots(STANDBY)) == 4
    made = sum(len(r.created) + len(r.copied) for r in results)
    assert made == 6       # each snapshot made once; the other run saw it as existing


def test_reinvoked_after_crash_midway_finishes_the_work(world: World,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from handlers.backup.steps import snapshot_standby

    def crash(*a, **k):
        raise RuntimeError("simulated crash after the primary step")

    monkeypatch.setattr(snapshot_standby, "run", crash)
    with pytest.raises(RuntimeError, match="simulated crash"):
        run_backup(world.settings(), period=PERIOD, run_id="crashed", clients=recording_clients())
    [meta] = world.metadata()                      # the crashed run is still on record
    assert meta["status"] == "failed" and meta["errors"][0]["step"] == "internal"
    assert len(world.snapshots(PRIMARY)) == 2 and world.snapshots(STANDBY) == []
    monkeypatch.undo()
    rec = run_backup(world.settings(), period=PERIOD, run_id="again", clients=recording_clients())
    assert rec.status == "complete", rec.errors
    assert len(rec.existing) == 2                   # primary snapshots not remade
    assert len(rec.copied) == 2 and len(world.snapshots(STANDBY)) == 4


def test_one_database_failing_does_not_stop_the_others(world: World,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    real = RDSBackend.create_db_snapshot

    def fail_shop0(self, db_instance_identifier, *a, **k):
        if db_instance_identifier == "shop-0":
            raise RDSClientError("InvalidDBInstanceState", "instance is backing-up")
        return real(self, db_instance_identifier, *a, **k)

    monkeypatch.setattr(RDSBackend, "create_db_snapshot", fail_shop0)
    rec = run_backup(world.settings(), period=PERIOD, run_id="one", clients=recording_clients())
    assert rec.status == "partial"
    assert [(e["database"], e["code"]) for e in rec.errors] == [
        ("shop-0", "InvalidDBInstanceState")]
    assert "shop-1-dr-202603011000" in {s["DBSnapshotIdentifier"]
                                        for s in world.snapshots(PRIMARY)}
    assert len(world.alerts(STANDBY)) == 1 and len(world.alerts(PRIMARY)) == 1


def test_later_period_after_outage_uses_newest_available(world: World) -> None:
    # Primary down for one period: the next run snapshots and copies normally.
    run_backup(world.settings(), period=PERIOD, run_id="a", clients=recording_clients(down={PRIMARY}))
    rec = run_backup(world.settings(), period=PERIOD + timedelta(hours=1), run_id="b",
                     clients=recording_clients())
    assert rec.status == "complete", rec.errors
    assert sorted(c["snapshot_id"] for c in rec.copied) == [
        "shop-0-dr-202603011100-copy", "shop-1-dr-202603011100-copy"]
