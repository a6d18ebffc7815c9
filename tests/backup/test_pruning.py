"""Retention and quota pruning: only ours, never the newest N, never foreign/untagged/
automated, and a Region at quota still gets its new snapshots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contract.names import MANAGED_BY_TAG
from emulator.rds_backend import backend, set_snapshot_status
from handlers.backup.inventory import Snapshot
from handlers.backup.naming import parse_id, snapshot_id
from handlers.backup.ownership import Ownership
from handlers.backup.pruning import plan_pruning
from handlers.backup.runner import run_backup
from tests.backup.world import (
    MANAGED_BY,
    PERIOD,
    PRIMARY,
    STANDBY,
    build_world,
    enforce_manual_quota,
    ours,
    recording_clients,
    seed_snapshots,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


#: Protected databases of the pure-plan tests (``shop-0`` with a standby instance).
OWNER = Ownership(MANAGED_BY, {"shop-0": "shop-0-standby", "a": None, "b": None})
#: Snapshot ``s<i>`` gets the identifier our scheme gives the period BASE + i minutes.
BASE = datetime(2026, 1, 1, tzinfo=UTC)


def snap(i: int, hours_old: float, *, tags: dict[str, str] | None = None,
         status: str = "available", db: str = "shop-0", identifier: str | None = None,
         instance: str | None = None) -> Snapshot:
    sid = identifier or snapshot_id(instance or db, BASE + timedelta(minutes=i))
    return Snapshot(identifier=sid, arn=f"arn:aws:rds:{PRIMARY}:1:snapshot:{sid}",
                    region=PRIMARY, instance=instance or db, status=status,
                    created=NOW - timedelta(hours=hours_old),
                    tags=ours(db) if tags is None else tags)


def plan(snaps, **kw):
    args = {"owner": OWNER, "now": NOW, "retention_hours": 24, "keep_newest": 2,
            "quota": 100, "needed": 1} | kw
    return plan_pruning(snaps, **args)


def name(s: Snapshot) -> str:
    """``s<i>`` for a scheme identifier made by :func:`snap`, else the identifier."""
    parsed = parse_id(s.identifier)
    if parsed is None:
        return s.identifier
    return f"s{int((parsed.period - BASE).total_seconds() // 60)}"


def ids(p) -> list[str]:
    return [name(s) for s, _ in p.deletes]


def test_retention_prunes_only_ours_older_than_retention() -> None:
    snaps = [snap(0, 48), snap(1, 30), snap(2, 10), snap(3, 5), snap(4, 1)]
    p = plan(snaps)
    assert ids(p) == ["s0", "s1"]
    assert {r for _, r in p.deletes} == {"retention"}


def test_newest_n_never_pruned_even_when_all_expired() -> None:
    snaps = [snap(i, 100 + i) for i in range(5)]         # all far past retention
    p = plan(snaps, keep_newest=3)
    kept = {name(s) for s in snaps} - set(ids(p))
    assert kept == {"s0", "s1", "s2"}                   # the three newest


def test_foreign_and_untagged_never_pruned() -> None:
    foreign = snap(0, 500, tags={MANAGED_BY_TAG: "ecommerce-dr/other-stack"})
    untagged = snap(1, 500, tags={})
    mine = [snap(i, 500 - i) for i in range(2, 6)]
    p = plan([foreign, untagged, *mine], quota=2, needed=5)   # heavy quota pressure
    assert "s0" not in ids(p) and "s1" not in ids(p)


def test_creating_snapshot_never_pruned() -> None:
    snaps = [snap(0, 100, status="creating"), snap(1, 90), snap(2, 80), snap(3, 70)]
    p = plan(snaps, keep_newest=1)
    assert "s0" not in ids(p)
    assert ids(p) == ["s1", "s2"]


def test_keep_newest_counts_per_database() -> None:
    snaps = [snap(i, 100 + i, db="a") for i in range(3)] + [
        snap(10 + i, 100 + i, db="b") for i in range(3)]
    p = plan(snaps, keep_newest=2)
    assert sorted(ids(p)) == ["s12", "s2"]


def test_quota_prunes_oldest_inside_retention_to_make_room() -> None:
    snaps = [snap(i, 20 - i) for i in range(10)]            # all within 24 h retention
    p = plan(snaps, quota=10, needed=3, keep_newest=2)
    assert ids(p) == ["s0", "s1", "s2"]
    assert {r for _, r in p.deletes} == {"quota"}
    assert p.room == 3


def test_quota_room_short_when_nothing_of_ours_is_prunable() -> None:
    foreign = [snap(i, 5, tags={}) for i in range(9)]
    p = plan([*foreign, snap(20, 1)], quota=10, needed=2, keep_newest=1)
    assert ids(p) == [] and p.room == 0


def test_keep_newest_below_one_is_rejected() -> None:
    with pytest.raises(ValueError, match="keep_newest must be at least 1"):
        plan([], keep_newest=0)


# ---- on moto, with 100+ snapshots ----------------------------------------------------------

def test_region_at_quota_with_100_plus_snapshots_still_creates(aws, monkeypatch) -> None:
    """110 manual snapshots in the primary Region with a quota of 110, enforced by moto
    (MOTO_RDS_SNAPSHOT_LIMIT). Ours: 70 for shop-0 (60 past retention), plus foreign (20)
    and untagged (20) ones, and an automated one. The run must prune only ours and create."""
    w = build_world(2, standby=False, quota=110, keep_newest=3)
    now = datetime.now(UTC)
    old = seed_snapshots(PRIMARY, "shop-0", 60, tags=ours("shop-0"), prefix="scheme",
                         oldest=now - timedelta(hours=200))
    recent = seed_snapshots(PRIMARY, "shop-0", 10, tags=ours("shop-0"), prefix="scheme",
                            oldest=now - timedelta(hours=12), step=timedelta(minutes=30))
    foreign = seed_snapshots(PRIMARY, "shop-1", 20, tags={MANAGED_BY_TAG: "someone-else"},
                             prefix="foreign", oldest=now - timedelta(hours=900))
    untagged = seed_snapshots(PRIMARY, "shop-1", 20, tags=None, prefix="untagged",
                              oldest=now - timedelta(hours=900))
    backend(PRIMARY).create_db_snapshot("shop-1", "auto-1", snapshot_type="automated")
    assert len(w.snapshots(PRIMARY)) == 110
    enforce_manual_quota(monkeypatch, PRIMARY, 110)
    rec = run_backup(w.settings(), period=PERIOD, run_id="q", clients=recording_clients())
    assert rec.status == "complete", rec.errors
    left = {s["DBSnapshotIdentifier"] for s in w.snapshots(PRIMARY)}
    assert {"shop-0-dr-202603011000", "shop-1-dr-202603011000"} <= left
    assert set(foreign) <= left and set(untagged) <= left
    assert "auto-1" in backend(PRIMARY).database_snapshots
    assert set(recent) <= left                          # within retention, room enough
    assert not set(old) & left                          # all 60 expired ones pruned
    assert {p["reason"] for p in rec.pruned} == {"retention"}
    assert len(rec.pruned) == 60


def test_quota_pruning_inside_retention_keeps_newest(aws, monkeypatch) -> None:
    """At quota (100, enforced by moto) with every snapshot of ours inside retention: the run
    prunes exactly as many of our oldest as it needs and keeps the newest N."""
    w = build_world(2, standby=False, quota=100, keep_newest=3)
    now = datetime.now(UTC)
    mine = seed_snapshots(PRIMARY, "shop-0", 80, tags=ours("shop-0"), prefix="scheme",
                          oldest=now - timedelta(hours=20), step=timedelta(minutes=10))
    seed_snapshots(PRIMARY, "shop-1", 20, tags={}, prefix="untagged",
                   oldest=now - timedelta(hours=900))
    enforce_manual_quota(monkeypatch, PRIMARY, 100)
    rec = run_backup(w.settings(), period=PERIOD, run_id="q", clients=recording_clients())
    assert rec.status == "complete", rec.errors
    assert [p["snapshot_id"] for p in rec.pruned] == mine[:2]
    assert {p["reason"] for p in rec.pruned} == {"quota"}
    left = {s["DBSnapshotIdentifier"] for s in w.snapshots(PRIMARY)}
    assert len(left) == 100
    assert set(mine[-3:]) <= left


def test_standby_region_prunes_copies_by_retention(aws) -> None:
    w = build_world(1, standby=False, keep_newest=1)
    now = datetime.now(UTC)
    # seeded "copies" need their source instance in moto's standby-Region backend (a copy
    # keeps its source's DBInstanceIdentifier)
    w.builder.database("shop-0", region=STANDBY)
    copies = seed_snapshots(STANDBY, "shop-0", 5, tags=ours("shop-0", "copy"),
                            prefix="scheme-copy",
                            oldest=now - timedelta(hours=100))
    rec = run_backup(w.settings(), period=PERIOD, run_id="s", clients=recording_clients())
    assert rec.status == "complete", rec.errors
    pruned = sorted(p["snapshot_id"] for p in rec.pruned if p["region"] == STANDBY)
    # pruning runs before this run's copy exists, so the newest seeded copy is still the
    # newest recovery point and is kept; the next run, with a fresh copy in place, prunes it
    assert pruned == sorted(copies[:4])
    rec2 = run_backup(w.settings(), period=PERIOD + timedelta(hours=1), run_id="t",
                      clients=recording_clients())
    assert [p["snapshot_id"] for p in rec2.pruned if p["region"] == STANDBY] == [copies[4]]


def test_snapshot_already_pruned_by_a_concurrent_run_counts_as_pruned(aws) -> None:
    from handlers.backup.inventory import list_manual_snapshots
    from handlers.backup.pruning import PrunePlan, delete_snapshots
    build_world(1, standby=False)
    seed_snapshots(PRIMARY, "shop-0", 2, tags=ours("shop-0"), prefix="x",
                   oldest=datetime.now(UTC) - timedelta(hours=100))
    rds = recording_clients()("rds", PRIMARY)
    snaps = list_manual_snapshots(rds, PRIMARY)
    rds.delete_db_snapshot(DBSnapshotIdentifier="x-0000")      # the other run got there first
    pruned, errors = delete_snapshots(rds, PrunePlan(tuple((s, "retention") for s in snaps), 0))
    assert errors == []
    assert sorted(p["snapshot_id"] for p in pruned) == ["x-0000", "x-0001"]


# ---- failed snapshots ----------------------------------------------------------------------

def test_our_failed_snapshots_are_pruned_at_once_foreign_failed_never() -> None:
    failed_mine = snap(0, 1, status="failed")                    # inside retention
    failed_tagged_foreign = snap(1, 300, status="failed", identifier="pre-migration-0")
    failed_untagged = snap(2, 300, status="failed", tags={})
    available = [snap(10 + i, 5 - i) for i in range(2)]          # the newest two, kept
    p = plan([failed_mine, failed_tagged_foreign, failed_untagged, *available], keep_newest=2)
    assert ids(p) == ["s0"]
    assert [r for _, r in p.deletes] == ["failed"]


def test_failed_snapshot_does_not_count_as_one_of_the_newest_kept() -> None:
    # the newest of ours failed: it is deleted, and the next two available are kept
    snaps = [snap(0, 1, status="failed"), snap(1, 30), snap(2, 40), snap(3, 50)]
    p = plan(snaps, keep_newest=2)
    assert ids(p) == ["s0", "s3"]
    assert [r for _, r in p.deletes] == ["failed", "retention"]


def test_failed_snapshots_of_ours_free_quota_on_moto(aws, monkeypatch) -> None:
    """Primary Region at its quota (5, enforced by moto): 3 failed snapshots of ours and 2
    foreign ones (one failed, carrying our tags under an operator name). Nothing available
    of ours is prunable, so only deleting our failed ones makes room for this run's two."""
    w = build_world(2, standby=False, quota=5, keep_newest=1)
    now = datetime.now(UTC)
    failed = seed_snapshots(PRIMARY, "shop-0", 3, tags=ours("shop-0"), prefix="scheme",
                            oldest=now - timedelta(hours=3))
    foreign = seed_snapshots(PRIMARY, "shop-1", 2, tags=ours("shop-1"), prefix="operator",
                             oldest=now - timedelta(hours=300))
    for sid in [*failed, foreign[0]]:
        set_snapshot_status(PRIMARY, sid, "failed")
    enforce_manual_quota(monkeypatch, PRIMARY, 5)
    rec = run_backup(w.settings(), period=PERIOD, run_id="f", clients=recording_clients())
    assert rec.status == "complete", rec.errors
    assert sorted((p["snapshot_id"], p["reason"]) for p in rec.pruned) == [
        (sid, "failed") for sid in sorted(failed)]
    left = {s["DBSnapshotIdentifier"] for s in w.snapshots(PRIMARY)}
    assert left == {*foreign, "shop-0-dr-202603011000", "shop-1-dr-202603011000"}
