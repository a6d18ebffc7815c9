"""Many databases: every listing is paginated, and API calls grow linearly."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from botocore.stub import Stubber

from emulator.in_process import mocked_aws
from emulator.rds_backend import backend
from handlers.backup.inventory import instance_statuses, list_manual_snapshots
from handlers.backup.runner import run_backup
from tests.backup.world import PERIOD, PRIMARY, STANDBY, build_world, client, recording_clients


def _snap(i: int) -> dict:
    return {"DBSnapshotIdentifier": f"s{i}", "DBSnapshotArn": f"arn:aws:rds:{PRIMARY}:1:snapshot:s{i}",
            "DBInstanceIdentifier": "db", "Status": "available", "SnapshotType": "manual",
            "SnapshotCreateTime": datetime(2026, 1, 1, tzinfo=UTC), "TagList": []}


def test_snapshot_listing_follows_every_page() -> None:
    # moto answers DescribeDBSnapshots in one page, so the Marker path is driven by a Stubber.
    rds = client("rds", PRIMARY)
    with Stubber(rds) as stub:
        stub.add_response("describe_db_snapshots",
                          {"DBSnapshots": [_snap(i) for i in range(100)], "Marker": "m1"},
                          {"SnapshotType": "manual", "MaxRecords": 100})
        stub.add_response("describe_db_snapshots", {"DBSnapshots": [_snap(100)]},
                          {"SnapshotType": "manual", "MaxRecords": 100, "Marker": "m1"})
        snaps = list_manual_snapshots(rds, PRIMARY)
        stub.assert_no_pending_responses()
    assert [s.identifier for s in snaps][-1] == "s100" and len(snaps) == 101


def test_instance_listing_follows_every_page(aws) -> None:
    rds = client("rds", STANDBY)
    for i in range(101):
        rds.create_db_instance(DBInstanceIdentifier=f"standby-{i:03d}", Engine="postgres",
                               DBInstanceClass="db.t3.micro", AllocatedStorage=20,
                               MasterUsername="admin1", MasterUserPassword="password1234")
    recorder = recording_clients()
    found = instance_statuses(recorder("rds", STANDBY), {"standby-100", "standby-000", "absent"})
    assert found == {"standby-000": "available", "standby-100": "available"}
    assert len(recorder.ops("DescribeDBInstances")) == 2        # two pages of <= 100


def test_many_databases_all_snapshotted_and_copied(aws) -> None:
    w = build_world(25, standby=True)
    rec = run_backup(w.settings(), period=PERIOD, run_id="many", clients=recording_clients())
    assert rec.status == "complete", rec.errors
    assert len([c for c in rec.created if c["kind"] == "primary"]) == 25
    assert len([c for c in rec.created if c["kind"] == "standby"]) == 25
    assert len(rec.copied) == 25
    assert sum(1 for s in backend(STANDBY).database_snapshots.values()
               if s.snapshot_type == "manual") == 50


#: The operations whose count is per database; every other call is per run.
PER_DATABASE_OPS = frozenset({"CreateDBSnapshot", "CopyDBSnapshot", "DeleteDBSnapshot"})


def _steady_state_ops(n: int) -> tuple[str, Counter[str]]:
    """A second run (the next period) over ``n`` read-replica databases replicating
    normally: its status and API operations by name."""
    with mocked_aws():
        w = build_world(n, standby=True, strategy="read-replica", lag_seconds=5.0)
        run_backup(w.settings(), period=PERIOD, run_id="warm", clients=recording_clients())
        recorder = recording_clients()
        rec = run_backup(w.settings(), period=PERIOD + timedelta(hours=1), run_id="steady",
                         clients=recorder)
        return rec.status, Counter(op for _r, _s, op, _p in recorder.log)


def test_api_calls_per_database_constant_as_databases_grow() -> None:
    (one_status, one), (ten_status, ten) = _steady_state_ops(1), _steady_state_ops(10)
    assert one_status == ten_status == "complete"
    per_db = {size: sum(n for op, n in ops.items() if op in PER_DATABASE_OPS)
              for size, ops in ((1, one), (10, ten))}
    # per-database work: exactly primary snapshot + standby snapshot + copy per database
    assert per_db == {1: 3 * 1, 10: 3 * 10}
    # per-run work (listings, metrics, run record) does not grow with the databases
    assert sum(one.values()) - per_db[1] == sum(ten.values()) - per_db[10]
    assert {op for op in ten if op not in PER_DATABASE_OPS} == {
        "DescribeDBSnapshots", "DescribeDBInstances", "GetMetricData", "PutMetricData",
        "PutObject"}
