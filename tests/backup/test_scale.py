"""Many databases: every listing is paginated, and API calls grow linearly."""

from __future__ import annotations

from datetime import UTC, datetime

from botocore.stub import Stubber

from bench.backup import PER_DATABASE_OPS, run_size
from handlers.backup.inventory import instance_statuses, list_manual_snapshots
from handlers.backup.runner import run_backup
from tests.backup.world import PERIOD, PRIMARY, STANDBY, Recorder, backend, build_world, client


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
    recorder = Recorder()
    found = instance_statuses(recorder("rds", STANDBY), {"standby-100", "standby-000", "absent"})
    assert found == {"standby-000": "available", "standby-100": "available"}
    assert len(recorder.ops("DescribeDBInstances")) == 2        # two pages of <= 100


def test_many_databases_all_snapshotted_and_copied(aws) -> None:
    w = build_world(25, standby=True)
    rec = run_backup(w.settings(), period=PERIOD, run_id="many", clients=Recorder())
    assert rec.status == "complete", rec.errors
    assert len([c for c in rec.created if c["kind"] == "primary"]) == 25
    assert len([c for c in rec.created if c["kind"] == "standby"]) == 25
    assert len(rec.copied) == 25
    assert sum(1 for s in backend(STANDBY).database_snapshots.values()
               if s.snapshot_type == "manual") == 50


def test_api_calls_per_database_constant_as_databases_grow() -> None:
    one, ten = run_size(1), run_size(10)
    assert one["status"] == ten["status"] == "complete"
    # per-database work: exactly primary snapshot + standby snapshot + copy per database
    assert one["per_database_calls"] == 3 * 1
    assert ten["per_database_calls"] == 3 * 10
    # per-run work (listings, metrics, run record) does not grow with the databases
    assert one["per_run_calls"] == ten["per_run_calls"]
    assert {op for op in ten["ops"] if op not in PER_DATABASE_OPS} == {
        "DescribeDBSnapshots", "DescribeDBInstances", "GetMetricData", "PutMetricData",
        "PutObject"}
