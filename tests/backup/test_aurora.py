"""The backup orchestrator protecting an Aurora primary cluster (strategy aurora-global) on moto:
DB cluster snapshots in the primary Region and their cross-Region copies; the secondary left
alone while it is a secondary, snapshotted once it is the writer; the recovery point from
``AuroraGlobalDBRPOLag``; Aurora's unplanned-failover snapshot copied to a manual snapshot of
ours, alerted, and never pruned.

Emulator gaps, in test code only: :func:`emulator.bridges.aurora_global` (moto has no
FailoverGlobalCluster; region recovery and its unplanned-failover snapshot are the bridge's),
the lag metric is seeded (moto never emits it), and snapshots are aged on moto's backend
(moto stamps them with the current time).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from contract.names import MANAGED_BY_TAG
from emulator.bridges import AuroraGlobalBridge, aurora_global
from emulator.site import Database, SiteBuilder
from handlers.backup.naming import KIND_TAG, SOURCE_CREATED_TAG, preserved_id
from handlers.backup.record import RunRecord
from handlers.backup.runner import run_backup
from tests.backup.world import MANAGED_BY, PERIOD, PRIMARY, STANDBY, World, build_world, recording_clients

PRIMARY_ID, STANDBY_ID, GLOBAL_ID = "shop-aurora", "shop-aurora-usw2", "shop-global"


@dataclass
class AuroraBackup:
    world: World
    bridge: AuroraGlobalBridge
    primary: Database
    standby: Database

    def run(self, period: datetime = PERIOD, run_id: str = "run-1", **env: str) -> RunRecord:
        return run_backup(self.world.settings(**env), period=period, run_id=run_id,
                          clients=recording_clients())

    def cluster_snapshots(self, region: str, manual: bool = True) -> list[dict[str, Any]]:
        kw = {"SnapshotType": "manual"} if manual else {}
        rds = boto3.client("rds", region_name=region)
        return list(rds.describe_db_cluster_snapshots(**kw)["DBClusterSnapshots"])

    def seed_lag(self, seconds: float) -> None:
        boto3.client("cloudwatch", region_name=STANDBY).put_metric_data(
            Namespace="AWS/RDS", MetricData=[{
                "MetricName": "AuroraGlobalDBRPOLag", "Value": seconds * 1000,
                "Unit": "Milliseconds", "Timestamp": datetime.now(UTC) - timedelta(seconds=30),
                "Dimensions": [{"Name": "DBClusterIdentifier", "Value": STANDBY_ID}]}])

    def fail_over(self) -> None:
        boto3.client("rds", region_name=STANDBY).failover_global_cluster(
            GlobalClusterIdentifier=GLOBAL_ID, TargetDbClusterIdentifier=self.standby.arn,
            AllowDataLoss=True)


@pytest.fixture
def aurora(aws: None) -> Iterator[AuroraBackup]:
    with aurora_global() as bridge:
        world = build_world(n=1, standby=False, strategy="aurora-global", keep_newest=1)
        site = SiteBuilder(lambda s, r: boto3.client(s, region_name=r))
        primary = site.aurora_cluster(PRIMARY_ID, kms_key_arn=site.kms_key(region=PRIMARY))
        site.global_database(GLOBAL_ID, source=primary)
        standby = site.aurora_cluster(STANDBY_ID, region=STANDBY, kms_key_arn=world.kms_key_arn,
                                      global_cluster=GLOBAL_ID)
        world.databases = [{"primaryArn": primary.arn, "standbyIdentifier": STANDBY_ID}]
        world.env["PROTECTED_DATABASES"] = json.dumps(world.databases)
        backup = AuroraBackup(world, bridge, primary, standby)
        backup.seed_lag(30.0)
        yield backup


def ids(snaps: list[dict[str, Any]]) -> list[str]:
    return sorted(s["DBClusterSnapshotIdentifier"] for s in snaps)


def tags_of(snap: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in snap.get("TagList", [])}


def test_cluster_snapshot_and_cross_region_copy_and_the_secondary_left_alone(
        aurora: AuroraBackup) -> None:
    rec = aurora.run()
    assert rec.status == "complete", rec.errors
    assert ids(aurora.cluster_snapshots(PRIMARY)) == ["shop-aurora-dr-202603011000"]
    (copy,) = aurora.cluster_snapshots(STANDBY)
    assert copy["DBClusterSnapshotIdentifier"] == "shop-aurora-dr-202603011000-copy"
    assert copy["KmsKeyId"] == aurora.world.kms_key_arn          # the standby Region's key
    assert tags_of(copy)[KIND_TAG] == "copy" and tags_of(copy)[MANAGED_BY_TAG] == MANAGED_BY
    assert SOURCE_CREATED_TAG in tags_of(copy)                   # the data's time travels
    assert [s["reason"] for s in rec.skipped] == [
        "standby cluster shop-aurora-usw2 is a secondary of its global database: its data is "
        "the primary's (snapshotted there)"]
    # no DB instance snapshot was made of a cluster
    assert aurora.world.snapshots(PRIMARY) == [] and aurora.world.snapshots(STANDBY) == []
    # the secondary's AuroraGlobalDBRPOLag (30000 ms) is read in seconds; the copy just made
    # (data time: now, to the second) is the newer point, so it is the recovery point
    assert rec.recovery_points["replication_lag_seconds"] == pytest.approx(30.0)
    rp = rec.recovery_points["per_database"]["shop-aurora"]
    assert rp["source"] == "snapshot" and rp["age_seconds"] < 30.0


def test_no_lag_datapoint_is_an_unknown_replication_state(aws: None) -> None:
    with aurora_global():
        world = build_world(n=1, standby=False, strategy="aurora-global")
        site = SiteBuilder(lambda s, r: boto3.client(s, region_name=r))
        primary = site.aurora_cluster(PRIMARY_ID)
        site.global_database(GLOBAL_ID, source=primary)
        site.aurora_cluster(STANDBY_ID, region=STANDBY, kms_key_arn=world.kms_key_arn,
                            global_cluster=GLOBAL_ID)
        world.env["PROTECTED_DATABASES"] = json.dumps(
            [{"primaryArn": primary.arn, "standbyIdentifier": STANDBY_ID}])
        rec = run_backup(world.settings(), period=PERIOD, run_id="r", clients=recording_clients())
    assert rec.status == "partial"
    assert [(e["code"], e["database"]) for e in rec.errors] == [
        ("ReplicationStateUnknown", PRIMARY_ID)]
    assert rec.recovery_points["recovery_point_age_seconds"] is None


def test_the_promoted_secondary_is_snapshotted_once_it_is_the_writer(
        aurora: AuroraBackup) -> None:
    aurora.fail_over()
    rec = aurora.run()
    assert "shop-aurora-usw2-dr-202603011000" in ids(aurora.cluster_snapshots(STANDBY))
    assert any(c["kind"] == "standby" for c in rec.created)


def test_unplanned_failover_snapshot_is_copied_kept_and_alerted(aurora: AuroraBackup) -> None:
    aurora.fail_over()
    source = aurora.bridge.region_recovers(GLOBAL_ID, aurora.primary.arn,
                                           at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC))
    assert source == "rds:unplanned-global-failover-shop-aurora-2026-03-01-09-30"
    rec = aurora.run()
    target = preserved_id(source, PRIMARY_ID)
    assert target == "shop-aurora-dr-preserved-2026-03-01-09-30"
    (kept,) = [s for s in aurora.cluster_snapshots(PRIMARY)
               if s["DBClusterSnapshotIdentifier"] == target]
    assert tags_of(kept)[MANAGED_BY_TAG] == MANAGED_BY and tags_of(kept)[KIND_TAG] == "preserved"
    assert rec.preserved == [{"region": PRIMARY, "database": PRIMARY_ID,
                              "failover_snapshot": source, "manual_copy": target,
                              "arn": kept["DBClusterSnapshotArn"]}]
    alerts = aurora.world.alerts(STANDBY)
    assert any(a.get("preserved_failover_snapshots") == rec.preserved for a in alerts), alerts


def test_the_preserved_snapshot_is_never_pruned_nor_copied_twice(aurora: AuroraBackup) -> None:
    from moto.rds.models import rds_backends

    aurora.fail_over()
    source = aurora.bridge.region_recovers(GLOBAL_ID, aurora.primary.arn)
    aurora.run()
    target = preserved_id(source, PRIMARY_ID)
    # Two days later, past retention (24 h, keep 1), with the quota nearly full: every other
    # snapshot of ours may go, the preserved one stays.
    old = datetime.now(UTC) - timedelta(days=2)
    for snap in rds_backends["123456789012"][PRIMARY].cluster_snapshots.values():
        snap.created = old
    later = [aurora.run(PERIOD + timedelta(hours=h), run_id=f"run-{h}", SNAPSHOT_QUOTA="3")
             for h in (1, 2, 3)]
    assert all(r.preserved == [] for r in later)                 # copied once
    pruned = [p["snapshot_id"] for r in later for p in r.pruned]
    assert target not in pruned and "shop-aurora-dr-202603011000" in pruned
    assert target in ids(aurora.cluster_snapshots(PRIMARY))
