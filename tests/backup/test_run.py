"""A normal run on moto: snapshots in both Regions, cross-Region copies, tags, metadata,
metrics, idempotency per period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3

from contract.names import MANAGED_BY_TAG, METRIC_NAMESPACE, Metric
from emulator.clients import RecordingClients
from emulator.rds_backend import age_snapshot, set_snapshot_status
from handlers.backup.naming import KIND_TAG, RUN_ID_TAG
from handlers.backup.runner import run_backup
from handlers.backup.steps.write_record import metadata_key
from tests.backup.world import MANAGED_BY, PERIOD, PRIMARY, STACK, STANDBY, World, recording_clients


def run(world: World, recorder: RecordingClients, period: datetime = PERIOD, run_id: str = "run-1",
        **overrides: str):
    return run_backup(world.settings(**overrides), period=period, run_id=run_id,
                      clients=recorder)


def tags_of(snap: dict) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in snap.get("TagList", [])}


def test_first_run_snapshots_both_regions_and_copies(world: World, recorder: RecordingClients) -> None:
    rec = run(world, recorder)
    assert rec.status == "complete", rec.errors
    primary_ids = sorted(s["DBSnapshotIdentifier"] for s in world.snapshots(PRIMARY))
    assert primary_ids == ["shop-0-dr-202603011000", "shop-1-dr-202603011000"]
    standby_ids = sorted(s["DBSnapshotIdentifier"] for s in world.snapshots(STANDBY))
    assert standby_ids == ["shop-0-dr-202603011000-copy", "shop-0-standby-dr-202603011000",
                           "shop-1-dr-202603011000-copy", "shop-1-standby-dr-202603011000"]
    assert {c["kind"] for c in rec.copied} == {"copy"} and len(rec.copied) == 2
    assert sorted(c["kind"] for c in rec.created) == ["primary", "primary", "standby", "standby"]


def test_snapshots_carry_our_tags(world: World, recorder: RecordingClients) -> None:
    run(world, recorder)
    for region in (PRIMARY, STANDBY):
        for snap in world.snapshots(region):
            tags = tags_of(snap)
            assert tags[MANAGED_BY_TAG] == MANAGED_BY, snap["DBSnapshotIdentifier"]
            assert tags["dr:stack"] == STACK
            assert tags["dr:cadence-minutes"] == "60"
            assert tags["dr:period"] == "2026-03-01T10:00:00Z"
            assert tags[RUN_ID_TAG] == "run-1"
            assert datetime.fromisoformat(tags["dr:created-at"]).tzinfo is not None
            assert not any(k.lower().startswith("aws:") for k in tags)


def test_copy_is_called_in_destination_region_with_its_kms_key(world: World,
                                                                recorder: RecordingClients) -> None:
    run(world, recorder)
    assert recorder.ops("CopyDBSnapshot", PRIMARY) == []
    copies = recorder.ops("CopyDBSnapshot", STANDBY)
    assert len(copies) == 2
    for params in copies:
        assert params["KmsKeyId"] == world.kms_key_arn
        assert params["SourceRegion"] == PRIMARY
        assert params["SourceDBSnapshotIdentifier"].startswith(f"arn:aws:rds:{PRIMARY}:")
    copied = [s for s in world.snapshots(STANDBY) if s["DBSnapshotIdentifier"].endswith("-copy")]
    assert {s["KmsKeyId"] for s in copied} == {world.kms_key_arn}


def test_copy_never_writes_reserved_aws_tags(world: World, recorder: RecordingClients) -> None:
    # A source snapshot of ours that (like AWS Backup-made ones) carries aws: tags.
    rds = boto3.client("rds", region_name=PRIMARY)
    rds.create_db_snapshot(DBInstanceIdentifier="shop-0", DBSnapshotIdentifier="shop-0-dr-202603011100",
                           Tags=[{"Key": MANAGED_BY_TAG, "Value": MANAGED_BY},
                                 {"Key": "dr:database", "Value": "shop-0"},
                                 {"Key": KIND_TAG, "Value": "primary"},
                                 {"Key": "aws:backup:source-resource", "Value": "x"},
                                 {"Key": "team", "Value": "shop"}])
    # make the period's own snapshot impossible so the tagged one is the newest available
    age_snapshot(PRIMARY, "shop-0-dr-202603011100", datetime.now(UTC) + timedelta(minutes=5))
    run(world, recorder)
    sent = [p for p in recorder.ops("CopyDBSnapshot", STANDBY)
            if p["SourceDBSnapshotIdentifier"].endswith(":shop-0-dr-202603011100")]
    assert len(sent) == 1
    keys = {t["Key"] for t in sent[0]["Tags"]}
    assert "team" in keys and MANAGED_BY_TAG in keys
    assert not [k for k in keys if k.startswith("aws:")]
    for params in recorder.ops("CreateDBSnapshot"):
        assert not [t for t in params["Tags"] if t["Key"].startswith("aws:")]


def test_second_invocation_same_period_makes_no_new_snapshot(world: World,
                                                             recorder: RecordingClients) -> None:
    from handlers.backup.events import period_start
    # two events for the same scheduled hour (e.g. a retry delivered 7 minutes late)
    first = run(world, recorder, period=period_start(PERIOD + timedelta(seconds=3), 60),
                run_id="a")
    second = run(world, recorder, period=period_start(PERIOD + timedelta(minutes=7), 60),
                 run_id="b")
    assert second.status == "complete", second.errors
    assert len(world.snapshots(PRIMARY)) == 2 and len(world.snapshots(STANDBY)) == 4
    assert second.created == [] and second.copied == []
    assert len(first.created) == 4
    assert sorted(e["snapshot_id"] for e in second.existing) == sorted(
        e["snapshot_id"] for e in first.created)


def test_concurrent_create_already_exists_is_success(world: World, recorder: RecordingClients) -> None:
    # Another invocation for the same period created the snapshot between our listing and
    # our create call: RDS answers DBSnapshotAlreadyExists.
    from handlers.backup.snapshots import create_snapshot
    rds = boto3.client("rds", region_name=PRIMARY)
    rds.create_db_snapshot(DBInstanceIdentifier="shop-0", DBSnapshotIdentifier="s-1")
    out = create_snapshot(rds, PRIMARY, instance="shop-0", snapshot_id="s-1", tags=[])
    assert out.state == "existing"


def test_next_period_makes_new_snapshots(world: World, recorder: RecordingClients) -> None:
    run(world, recorder, run_id="a")
    rec = run(world, recorder, period=PERIOD + timedelta(hours=1), run_id="b")
    assert rec.status == "complete", rec.errors
    assert len([c for c in rec.created if c["kind"] == "primary"]) == 2
    assert len(world.snapshots(PRIMARY)) == 4


def test_snapshot_still_creating_is_not_duplicated_nor_copied(world: World,
                                                              recorder: RecordingClients) -> None:
    run(world, recorder, run_id="a")
    set_snapshot_status(PRIMARY, "shop-0-dr-202603011000", "creating")
    boto3.client("rds", region_name=STANDBY).delete_db_snapshot(
        DBSnapshotIdentifier="shop-0-dr-202603011000-copy")
    recorder.log.clear()
    rec = run(world, recorder, period=PERIOD + timedelta(hours=1), run_id="b")
    primary_ids = {s["DBSnapshotIdentifier"] for s in world.snapshots(PRIMARY)}
    assert "shop-0-dr-202603011100" not in primary_ids      # not duplicated
    assert "shop-1-dr-202603011100" in primary_ids          # other database unaffected
    assert {"region": PRIMARY, "database": "shop-0",
            "reason": "previous snapshot still creating"} in rec.skipped
    sources = [p["SourceDBSnapshotIdentifier"] for p in recorder.ops("CopyDBSnapshot")]
    assert not [s for s in sources if s.endswith(":shop-0-dr-202603011000")]


def test_copy_quota_error_is_deferred_and_next_run_copies(world: World, recorder: RecordingClients,
                                                          monkeypatch) -> None:
    from moto.rds.exceptions import RDSClientError
    from moto.rds.models import RDSBackend
    real = RDSBackend.copy_db_snapshot

    def too_many(self, *a, **k):
        raise RDSClientError("SnapshotQuotaExceeded",
                             "Cannot copy more than 20 snapshots concurrently to this Region")

    monkeypatch.setattr(RDSBackend, "copy_db_snapshot", too_many)
    first = run(world, recorder, run_id="a")
    assert first.copied == [] and len(first.deferred) == 2
    assert {d["code"] for d in first.deferred} == {"SnapshotQuotaExceeded"}
    assert first.status == "complete"
    monkeypatch.setattr(RDSBackend, "copy_db_snapshot", real)
    second = run(world, recorder, run_id="b")
    assert sorted(c["snapshot_id"] for c in second.copied) == [
        "shop-0-dr-202603011000-copy", "shop-1-dr-202603011000-copy"]


def test_metadata_written_per_run(world: World, recorder: RecordingClients) -> None:
    rec = run(world, recorder, run_id="r-42")
    [meta] = world.metadata()
    assert rec.metadata_key == metadata_key(PERIOD, "r-42") == "runs/202603011000/r-42.json"
    assert meta["run_id"] == "r-42" and meta["status"] == "complete"
    assert meta["period"] == PERIOD.isoformat()
    assert sorted(c["arn"] for c in meta["created"]) == sorted(c["arn"] for c in rec.created)
    assert sorted(c["arn"] for c in meta["copied"]) == sorted(c["arn"] for c in rec.copied)
    assert all(c["arn"].startswith("arn:aws:rds:") for c in meta["created"] + meta["copied"])
    assert meta["errors"] == [] and meta["duration_seconds"] >= 0
    assert set(meta["timings"]) >= {"inventory", "primary", "standby", "measure"}


def _metric(name: str, dims: list[dict[str, str]]) -> list[float]:
    cw = boto3.client("cloudwatch", region_name=STANDBY)
    now = datetime.now(UTC)
    resp = cw.get_metric_statistics(Namespace=METRIC_NAMESPACE, MetricName=name,
                                    Dimensions=dims, StartTime=now - timedelta(hours=1),
                                    EndTime=now + timedelta(minutes=5), Period=3600,
                                    Statistics=["Maximum", "SampleCount"])
    return [(p["Maximum"], p["SampleCount"]) for p in resp["Datapoints"]]


def test_published_metrics_equal_measured_ages(world: World, recorder: RecordingClients) -> None:
    # An older copy exists for shop-1 only; shop-0 gets its first copy this run.
    old = datetime.now(UTC) - timedelta(minutes=50)
    run(world, recorder, run_id="a")
    age_snapshot(STANDBY, "shop-1-dr-202603011000-copy", old)
    age_snapshot(STANDBY, "shop-1-standby-dr-202603011000", old)
    boto3.client("rds", region_name=PRIMARY).delete_db_snapshot(
        DBSnapshotIdentifier="shop-1-dr-202603011000")   # nothing newer to copy for shop-1
    rec = run(world, recorder, run_id="b", period=PERIOD)
    stack = [{"Name": "Stack", "Value": STACK}]
    age = rec.recovery_points["recovery_point_age_seconds"]
    assert 50 * 60 <= age < 51 * 60          # shop-1's copy is the worst
    assert rec.recovery_points["per_database"]["shop-1"]["age_seconds"] == age
    [(published, _)] = _metric(Metric.RECOVERY_POINT_AGE, stack)
    # both runs published; the newest (max of the hour is the second run's figure)
    assert published == age
    per_db = _metric(Metric.RECOVERY_POINT_AGE, [*stack, {"Name": "Database", "Value": "shop-1"}])
    assert published in [v for v, _ in per_db]
    [(success, count)] = _metric(Metric.BACKUP_SUCCESS, stack)
    assert (success, count) == (1.0, 2.0)
    [(failure, _)] = _metric(Metric.BACKUP_FAILURE, stack)
    assert failure == 0.0


def test_standby_instance_absent_is_skipped_not_failed(aws: None) -> None:
    from tests.backup.world import build_world
    w = build_world(1, standby=False)
    dbs = [{"primaryArn": w.databases[0]["primaryArn"], "standbyIdentifier": "not-created-yet"}]
    import json
    rec = run_backup(w.settings(PROTECTED_DATABASES=json.dumps(dbs)), period=PERIOD,
                     run_id="x", clients=recording_clients())
    assert rec.status == "complete", rec.errors
    assert rec.skipped == [{"region": STANDBY, "database": "shop-0",
                            "reason": "standby instance not-created-yet not found"}]
    assert [c["kind"] for c in rec.created] == ["primary"] and len(rec.copied) == 1
