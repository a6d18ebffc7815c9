"""Ownership: a snapshot is ours only with our tag AND our identifier scheme AND a protected
database (or its standby) as source. Operator snapshots that inherited our tags - e.g. of a
standby restored from one of our copies in a pilot-light failover, with CopyTagsToSnapshot -
are never pruned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contract.names import MANAGED_BY_TAG
from emulator.rds_backend import age_snapshot
from handlers.backup.inventory import Snapshot
from handlers.backup.naming import ParsedId, copy_id, parse_id, snapshot_id
from handlers.backup.ownership import Ownership
from handlers.backup.runner import run_backup
from tests.backup.world import (
    MANAGED_BY,
    PERIOD,
    STANDBY,
    build_world,
    client,
    ours,
    recording_clients,
    seed_snapshots,
)

OWNER = Ownership(MANAGED_BY, {"shop-0": "shop-0-standby", "solo": None})
T = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def snap(identifier: str, instance: str, tags: dict[str, str]) -> Snapshot:
    return Snapshot(identifier=identifier, arn=f"arn:aws:rds:{STANDBY}:1:snapshot:{identifier}",
                    region=STANDBY, instance=instance, status="available", created=T, tags=tags)


def test_parse_id_is_the_inverse_of_the_scheme() -> None:
    assert parse_id(snapshot_id("shop-0", T)) == ParsedId("shop-0", T, False)
    assert parse_id(copy_id(snapshot_id("shop-0", T))) == ParsedId("shop-0", T, True)
    # an instance name that itself contains "-dr-"
    assert parse_id("a-dr-b-dr-202603010900") == ParsedId("a-dr-b", T, False)
    for other in ("pre-migration-0", "shop-0-dr-202613010900",       # month 13
                  "shop-0-dr-20260301090", "shop-0-dr-202603010900-copy-copy",
                  "shop-0-dr-202603010900-final", "0shop-dr-202603010900", "shop-0-dr-x"):
        assert parse_id(other) is None, other


@pytest.mark.parametrize(("identifier", "instance", "tags"), [
    (snapshot_id("shop-0", T), "shop-0", ours("shop-0", "primary")),
    (snapshot_id("shop-0-standby", T), "shop-0-standby", ours("shop-0", "standby")),
    (copy_id(snapshot_id("shop-0", T)), "shop-0", ours("shop-0", "copy")),
    (snapshot_id("solo", T), "solo", ours("solo", "primary")),
    (copy_id(snapshot_id("solo", T)), "", ours("solo", "copy")),  # no source DB reported
])
def test_ours(identifier: str, instance: str, tags: dict[str, str]) -> None:
    assert OWNER.owns(snap(identifier, instance, tags))


@pytest.mark.parametrize(("why", "identifier", "instance", "tags"), [
    ("operator name, all our tags", "pre-migration-0", "shop-0-standby",
     ours("shop-0", "copy")),
    ("another stack's tag", snapshot_id("shop-0", T), "shop-0",
     {**ours("shop-0"), MANAGED_BY_TAG: "ecommerce-dr/staging"}),
    ("no managed-by tag", snapshot_id("shop-0", T), "shop-0",
     {"dr:database": "shop-0", "dr:kind": "primary"}),
    ("database not protected", snapshot_id("orders", T), "orders", ours("orders")),
    ("no database tag", snapshot_id("shop-0", T), "shop-0",
     {MANAGED_BY_TAG: MANAGED_BY, "dr:kind": "primary"}),
    ("scheme id of an unrelated instance", snapshot_id("shop-0-restored", T),
     "shop-0-restored", ours("shop-0", "standby")),
    ("source DB differs from the id", snapshot_id("shop-0", T), "shop-0-standby",
     ours("shop-0")),
    ("kind tag disagrees with the id", snapshot_id("shop-0", T), "shop-0",
     ours("shop-0", "copy")),
    ("copy form of a standby snapshot", copy_id(snapshot_id("shop-0-standby", T)),
     "shop-0-standby", ours("shop-0", "copy")),
    ("standby snapshot of a db without standby", snapshot_id("solo-standby", T),
     "solo-standby", ours("solo", "standby")),
    ("stamp that is no date", "shop-0-dr-202602301200", "shop-0", ours("shop-0")),
])
def test_foreign(why: str, identifier: str, instance: str, tags: dict[str, str]) -> None:
    assert not OWNER.owns(snap(identifier, instance, tags)), why


def test_operator_snapshots_of_a_restored_standby_survive_pruning(aws) -> None:
    """Pilot light after a failover: the standby instance was restored from one of our
    copies and carries our tags with CopyTagsToSnapshot on, so RDS itself stamps our tags on
    the operator's ``pre-migration-<n>`` snapshots (7-10 days old). Past retention, beyond
    keep_newest, in the same (database, kind) group as our copies - still never deleted.
    Our own expired standby snapshots next to them are pruned as before."""
    w = build_world(1, standby=True, keep_newest=1)
    rds = client("rds", STANDBY)
    arn = rds.describe_db_instances(DBInstanceIdentifier="shop-0-standby")[
        "DBInstances"][0]["DBInstanceArn"]
    rds.add_tags_to_resource(ResourceName=arn, Tags=[
        {"Key": k, "Value": v} for k, v in ours("shop-0", "copy").items()])
    rds.modify_db_instance(DBInstanceIdentifier="shop-0-standby", CopyTagsToSnapshot=True,
                           ApplyImmediately=True)
    now = datetime.now(UTC)
    operator = []
    for i, days in enumerate((10, 8.5, 7)):
        sid = f"pre-migration-{i}"
        rds.create_db_snapshot(DBInstanceIdentifier="shop-0-standby", DBSnapshotIdentifier=sid)
        age_snapshot(STANDBY, sid, now - timedelta(days=days))
        operator.append(sid)
    inherited = {t["Key"]: t["Value"] for t in rds.describe_db_snapshots(
        DBSnapshotIdentifier="pre-migration-0")["DBSnapshots"][0]["TagList"]}
    assert inherited[MANAGED_BY_TAG] == MANAGED_BY        # the premise: tags did travel
    mine = seed_snapshots(STANDBY, "shop-0-standby", 3, tags=ours("shop-0", "standby"),
                          prefix="scheme", oldest=now - timedelta(days=5))

    rec = run_backup(w.settings(), period=PERIOD, run_id="pl", clients=recording_clients())

    assert rec.status == "complete", rec.errors
    left = {s["DBSnapshotIdentifier"] for s in w.snapshots(STANDBY)}
    assert set(operator) <= left
    assert sorted(p["snapshot_id"] for p in rec.pruned) == sorted(mine[:2])
    assert mine[2] in left


def test_tagged_foreign_snapshot_is_never_copied(aws) -> None:
    """A primary-Region snapshot with our tags but an operator's name is not a source for a
    cross-Region copy (its copy would be outside our scheme, so never pruned)."""
    w = build_world(1, standby=False)
    rds = client("rds", "us-east-1")
    rds.create_db_snapshot(DBInstanceIdentifier="shop-0", DBSnapshotIdentifier="manual-keep",
                           Tags=[{"Key": k, "Value": v} for k, v in ours("shop-0").items()])
    # newer than this run's own snapshot, so the old code would pick it as the newest
    age_snapshot("us-east-1", "manual-keep", datetime.now(UTC) + timedelta(minutes=5))
    rec = run_backup(w.settings(), period=PERIOD, run_id="c", clients=recording_clients())
    assert rec.status == "complete", rec.errors
    assert [c["source_arn"].rsplit(":", 1)[1] for c in rec.copied] == ["shop-0-dr-202603011000"]


@pytest.mark.parametrize("kind", ["primary", "standby"])
def test_standby_named_like_its_primary_is_still_ours(kind: str) -> None:
    """A standby may carry its primary's identifier (other Region): ``shop-dr-<stamp>`` is
    then ours as either kind; the copy form stays a copy only."""
    owner = Ownership(MANAGED_BY, {"shop": "shop"})
    assert owner.owns(snap(snapshot_id("shop", T), "shop", ours("shop", kind)))
    assert not owner.owns(snap(copy_id(snapshot_id("shop", T)), "shop", ours("shop", kind)))
