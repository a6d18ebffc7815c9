"""snapshot-restore restores a copy of the primary database (PRIMARY_DB_ARN) only: never
another protected database's copy, nor an operator's snapshot carrying our tags."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import boto3
import pytest

from contract.names import MANAGED_BY_TAG, managed_by_value
from emulator.orchestrators import backup_copy
from handlers.backup import naming
from handlers.failover.app import handle
from handlers.failover.strategies.snapshot_restore import is_copy_of, newest_primary_copy
from tests.failover.world import PRIMARY_ID, STACK, STANDBY, World, context, manual

OTHER_DB = "billing-primary"


def _copy(identifier: str, **tags: str) -> dict[str, Any]:
    return {"DBSnapshotIdentifier": identifier, "DBInstanceIdentifier": PRIMARY_ID,
            "TagList": [{"Key": k, "Value": v} for k, v in {
                MANAGED_BY_TAG: managed_by_value(STACK), naming.DATABASE_TAG: PRIMARY_ID,
                **tags}.items()]}


def test_restore_ignores_another_protected_databases_newer_copy(
        make_world: Callable[..., World]) -> None:
    world = make_world("snapshot-restore")  # shop-primary's copy, 20 min old
    kms = world.env["STANDBY_KMS_KEY_ARN"]
    other = backup_copy(world.builder, OTHER_DB, kms_key_arn=kms, stack=STACK,
                        age=timedelta(minutes=5))
    rds = boto3.client("rds", region_name=STANDBY)
    ours = newest_primary_copy(rds, STACK, PRIMARY_ID)
    assert ours is not None and ours["DBSnapshotIdentifier"].startswith(f"{PRIMARY_ID}-dr-")

    result = handle(manual(), context(), clients=world.clients)
    assert result["status"] == "completed", result
    steps = world.store().get("failover")["steps"]
    assert steps["check_readiness"]["detail"]["snapshot_id"] == ours["DBSnapshotIdentifier"]
    assert steps["promote"]["detail"]["snapshot_id"] == ours["DBSnapshotIdentifier"]
    assert steps["promote"]["detail"]["snapshot_id"] != other


def test_only_another_databases_copy_is_not_ready(make_world: Callable[..., World]) -> None:
    world = make_world("snapshot-restore", copy_age=timedelta(hours=30))
    rds = boto3.client("rds", region_name=STANDBY)
    for snap in rds.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]:
        rds.delete_db_snapshot(DBSnapshotIdentifier=snap["DBSnapshotIdentifier"])
    backup_copy(world.builder, OTHER_DB, kms_key_arn=world.env["STANDBY_KMS_KEY_ARN"], stack=STACK,
                age=timedelta(minutes=5))

    result = handle(manual(), context(), clients=world.clients)
    assert result["status"] == "not-ready", result
    assert world.store().get("failover")["steps"]["check_readiness"]["detail"]["not_ready"] == [
        f"no available copy of {PRIMARY_ID} made by this stack's backups in {STANDBY}"]
    assert world.clients.calls["rds.RestoreDBInstanceFromDBSnapshot"] == 0


def test_operator_snapshot_with_our_tags_is_never_chosen(
        make_world: Callable[..., World]) -> None:
    make_world("snapshot-restore")
    rds = boto3.client("rds", region_name=STANDBY)
    # An operator's snapshot that carries our tags (e.g. copied from a restored instance).
    rds.create_db_instance(DBInstanceIdentifier="ops-db", DBInstanceClass="db.r6g.large",
                           Engine="postgres", MasterUsername="u",
                           MasterUserPassword="not-a-secret-1", AllocatedStorage=20)
    rds.create_db_snapshot(DBInstanceIdentifier="ops-db", DBSnapshotIdentifier="pre-migration-0",
                           Tags=_copy("x")["TagList"])
    chosen = newest_primary_copy(rds, STACK, PRIMARY_ID)
    assert chosen is not None
    assert chosen["DBSnapshotIdentifier"] != "pre-migration-0"
    assert chosen["DBSnapshotIdentifier"].startswith(f"{PRIMARY_ID}-dr-")


@pytest.mark.parametrize("snap,ours", [
    (_copy(f"{PRIMARY_ID}-dr-202611291200-copy"), True),
    (_copy(f"{PRIMARY_ID.upper()}-dr-202611291200-copy"), True),  # RDS ids are case-blind
    (_copy(f"{PRIMARY_ID}-dr-202611291200-copy",
           **{naming.SOURCE_TAG: f"arn:aws:rds:us-east-1:1:snapshot:{PRIMARY_ID}-dr-202611291200"}),
     True),
    (_copy(f"{PRIMARY_ID}-dr-202611291200"), False),              # not the -copy form
    (_copy(f"{PRIMARY_ID}-dr-202613011200-copy"), False),         # month 13: not a stamp
    (_copy(f"{OTHER_DB}-dr-202611291200-copy"), False),           # another database's name
    (_copy(f"{PRIMARY_ID}-dr-202611291200-copy", **{naming.DATABASE_TAG: OTHER_DB}), False),
    ({**_copy(f"{PRIMARY_ID}-dr-202611291200-copy"), "DBInstanceIdentifier": OTHER_DB}, False),
    ({**_copy(f"{PRIMARY_ID}-dr-202611291200-copy"), "SourceDBSnapshotIdentifier":
      f"arn:aws:rds:us-east-1:1:snapshot:{OTHER_DB}-dr-202611291200"}, False),
    (_copy(f"{PRIMARY_ID}-dr-202611291200-copy",
           **{naming.SOURCE_TAG: f"arn:aws:rds:us-east-1:1:snapshot:{PRIMARY_ID}-dr-202611291100"}),
     False),                                                      # source of another period
    ({"DBSnapshotIdentifier": f"{PRIMARY_ID}-dr-202611291200-copy", "TagList": []}, False),
])
def test_copy_of_primary_matches_the_backup_naming_and_tags(snap: dict[str, Any],
                                                            ours: bool) -> None:
    assert is_copy_of(snap, PRIMARY_ID) is ours


def test_selector_accepts_what_the_backup_naming_generates() -> None:
    from datetime import UTC, datetime
    ident = naming.copy_id(naming.snapshot_id(PRIMARY_ID, datetime(2026, 11, 29, 12, tzinfo=UTC)))
    assert is_copy_of(_copy(ident), PRIMARY_ID)


def test_restored_instance_and_its_snapshots_carry_no_managed_by_tag(
        make_world: Callable[..., World]) -> None:
    world = make_world("snapshot-restore")
    result = handle(manual(), context(), clients=world.clients)
    assert result["status"] == "completed", result
    restored_from = world.store().get("failover")["steps"]["promote"]["detail"]["snapshot_id"]
    inst = world.standby_instance()
    tags = {t["Key"]: t["Value"] for t in inst["TagList"]}
    assert MANAGED_BY_TAG not in tags
    assert tags["dr:restored-by"] == STACK
    assert tags["dr:restored-from"] == restored_from
    assert inst["CopyTagsToSnapshot"] is True

    # An operator's snapshot of the new production database gets the instance's tags.
    rds = boto3.client("rds", region_name=STANDBY)
    rds.create_db_snapshot(DBInstanceIdentifier=inst["DBInstanceIdentifier"],
                           DBSnapshotIdentifier="pre-migration-0")
    snap = rds.describe_db_snapshots(DBSnapshotIdentifier="pre-migration-0")["DBSnapshots"][0]
    snap_tags = {t["Key"]: t["Value"] for t in snap["TagList"]}
    assert snap_tags.get("dr:restored-by") == STACK  # CopyTagsToSnapshot did copy tags
    assert MANAGED_BY_TAG not in snap_tags
