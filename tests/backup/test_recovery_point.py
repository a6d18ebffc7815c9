"""Recovery-point age: newest copy, replica lag, DMS CDC latency; what gets published."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from contract.names import Metric
from handlers.backup.inventory import Snapshot
from handlers.backup.naming import copy_id, snapshot_id
from handlers.backup.ownership import Ownership
from handlers.backup.recovery_point import measure, metric_data
from handlers.backup.runner import run_backup
from tests.backup.world import MANAGED_BY, PERIOD, STANDBY, build_world, client, ours, recording_clients

TASK_ARN = "arn:aws:dms:us-west-2:123456789012:task:ABCDEF123"


#: Protected databases of the pure measure() tests: ``<db>`` with standby ``<db>-r``.
OWNER = Ownership(MANAGED_BY, {db: f"{db}-r" for db in ("a", "b", "c")})


def copy_snap(db: str, age: timedelta, now: datetime, *, status: str = "available",
              kind: str = "copy", tags: dict | None = None) -> Snapshot:
    """A snapshot of ours (scheme identifier of the creation minute): a copy of ``db``'s
    primary snapshot, or (``kind="standby"``) a snapshot of its standby ``<db>-r``."""
    instance = db if kind == "copy" else f"{db}-r"
    sid = snapshot_id(instance, (now - age).replace(second=0, microsecond=0))
    return Snapshot(identifier=copy_id(sid) if kind == "copy" else sid, arn="arn",
                    region=STANDBY, instance=instance, status=status, created=now - age,
                    tags=ours(db, kind) if tags is None else tags)


def seed_metric(namespace: str, name: str, dims: list[dict[str, str]], value: float) -> None:
    """Bridge: moto publishes no AWS/RDS or AWS/DMS metrics; seed them (moto gap)."""
    client("cloudwatch", STANDBY).put_metric_data(Namespace=namespace, MetricData=[{
        "MetricName": name, "Dimensions": dims, "Value": value,
        "Timestamp": datetime.now(UTC) - timedelta(seconds=30)}])


def test_age_is_newest_available_copy(aws) -> None:
    now = datetime.now(UTC)
    snaps = [copy_snap("a", timedelta(hours=3), now), copy_snap("a", timedelta(minutes=40), now),
             copy_snap("a", timedelta(minutes=5), now, status="creating"),      # not usable
             copy_snap("a", timedelta(minutes=1), now, tags={}),               # not ours
             copy_snap("b", timedelta(minutes=20), now, kind="standby")]
    rp = measure(databases=[("a", None), ("b", None), ("c", None)], standby_snapshots=snaps,
                 owner=OWNER, now=now, strategy="snapshot-restore",
                 cloudwatch=client("cloudwatch", STANDBY))
    assert rp.per_database["a"] == {"age_seconds": 2400.0, "source": "snapshot"}
    assert rp.per_database["b"] == {"age_seconds": 1200.0, "source": "snapshot"}
    assert rp.missing == ["c"]
    # c has no recovery point at all: the stack figure is unknown, not a's 2400 s
    assert rp.recovery_point_age_seconds is None
    assert rp.replication_lag_seconds is None
    without_c = measure(databases=[("a", None), ("b", None)], standby_snapshots=snaps,
                        owner=OWNER, now=now, strategy="snapshot-restore",
                        cloudwatch=client("cloudwatch", STANDBY))
    assert without_c.recovery_point_age_seconds == 2400.0    # the worst database


def test_read_replica_age_is_replica_lag_when_newer(aws) -> None:
    now = datetime.now(UTC)
    seed_metric("AWS/RDS", "ReplicaLag", [{"Name": "DBInstanceIdentifier", "Value": "a-r"}], 42)
    seed_metric("AWS/RDS", "ReplicaLag", [{"Name": "DBInstanceIdentifier", "Value": "b-r"}], 9000)
    snaps = [copy_snap("a", timedelta(hours=1), now), copy_snap("b", timedelta(hours=1), now)]
    rp = measure(databases=[("a", "a-r"), ("b", "b-r")], standby_snapshots=snaps,
                 owner=OWNER, now=now, strategy="read-replica",
                 cloudwatch=client("cloudwatch", STANDBY))
    assert rp.per_database["a"] == {"age_seconds": 42.0, "source": "replica-lag"}
    # a replica 2.5 h behind: the hour-old copy is the newer recovery point
    assert rp.per_database["b"] == {"age_seconds": 3600.0, "source": "snapshot"}
    assert rp.replication_lag_seconds == 9000.0
    assert rp.recovery_point_age_seconds == 3600.0


def test_dms_cdc_latency_is_read_with_full_dimensions(aws) -> None:
    now = datetime.now(UTC)
    dims = [{"Name": "ReplicationInstanceIdentifier", "Value": "dms-inst"},
            {"Name": "ReplicationTaskIdentifier", "Value": "ABCDEF123"}]
    seed_metric("AWS/DMS", "CDCLatencySource", dims, 7)
    seed_metric("AWS/DMS", "CDCLatencyTarget", dims, 12)
    rp = measure(databases=[("a", "a-target")], standby_snapshots=[], owner=OWNER,
                 now=now, strategy="dms", cloudwatch=client("cloudwatch", STANDBY),
                 dms_task_arn=TASK_ARN)
    assert rp.per_database["a"] == {"age_seconds": 12.0, "source": "dms"}
    assert rp.replication_lag_seconds == 12.0


def test_metric_data_uses_contract_names_and_stack_dimension() -> None:
    from handlers.backup.recovery_point import RecoveryPoints
    rp = RecoveryPoints(per_database={"a": {"age_seconds": 5.0, "source": "snapshot"}},
                        recovery_point_age_seconds=5.0, replication_lag_seconds=3.0)
    now = datetime.now(UTC)
    items = metric_data(rp, stack="prod", status="partial", now=now)
    by_name = {(i["MetricName"], len(i["Dimensions"])): i for i in items}
    assert by_name[(Metric.RECOVERY_POINT_AGE.value, 1)]["Value"] == 5.0
    assert by_name[(Metric.REPLICATION_LAG.value, 1)]["Value"] == 3.0
    assert by_name[(Metric.BACKUP_SUCCESS.value, 1)]["Value"] == 0.0
    assert by_name[(Metric.BACKUP_FAILURE.value, 1)]["Value"] == 1.0
    assert by_name[(Metric.RECOVERY_POINT_AGE.value, 2)]["Dimensions"] == [
        {"Name": "Stack", "Value": "prod"}, {"Name": "Database", "Value": "a"}]
    assert all(i["Dimensions"][0] == {"Name": "Stack", "Value": "prod"} for i in items)


def test_read_replica_run_publishes_measured_lag(aws) -> None:
    w = build_world(1, standby=True, strategy="read-replica")
    seed_metric("AWS/RDS", "ReplicaLag", [{"Name": "DBInstanceIdentifier",
                                           "Value": "shop-0-standby"}], 17)
    rec = run_backup(w.settings(), period=PERIOD, run_id="rr", clients=recording_clients())
    assert rec.status == "complete", rec.errors
    assert rec.recovery_points["replication_lag_seconds"] == 17.0
    cw = client("cloudwatch", STANDBY)
    now = datetime.now(UTC)
    resp = cw.get_metric_statistics(
        Namespace="EcommerceDR", MetricName=Metric.REPLICATION_LAG.value,
        Dimensions=[{"Name": "Stack", "Value": "prod"}], StartTime=now - timedelta(hours=1),
        EndTime=now + timedelta(minutes=5), Period=3600, Statistics=["Maximum"])
    assert [p["Maximum"] for p in resp["Datapoints"]] == [17.0]


# ---- replication not running: ReplicaLag / CDC latency -1 ----------------------------------

def test_negative_replica_lag_is_not_a_recovery_point(aws) -> None:
    """RDS reports ReplicaLag -1 when replication is not running (Amazon RDS User Guide,
    "Monitoring read replication"). a: stopped, falls back to its copy; b: stopped, no copy,
    so no recovery point and no stack figure - its 2-minute-old snapshot of the stopped
    standby holds stale data and does not count; c: replicating normally."""
    now = datetime.now(UTC)
    for db, lag in (("a", -1), ("b", -1), ("c", 30)):
        seed_metric("AWS/RDS", "ReplicaLag", [{"Name": "DBInstanceIdentifier",
                                               "Value": f"{db}-r"}], lag)
    snaps = [copy_snap("a", timedelta(minutes=50), now),
             copy_snap("a", timedelta(minutes=3), now, kind="standby"),
             copy_snap("b", timedelta(minutes=2), now, kind="standby")]
    rp = measure(databases=[("a", "a-r"), ("b", "b-r"), ("c", "c-r")], standby_snapshots=snaps,
                 owner=OWNER, now=now, strategy="read-replica",
                 cloudwatch=client("cloudwatch", STANDBY))
    assert rp.per_database["a"] == {"age_seconds": 3000.0, "source": "snapshot"}
    assert rp.per_database["b"] == {"age_seconds": None, "source": None}
    assert rp.per_database["c"] == {"age_seconds": 30.0, "source": "replica-lag"}
    assert rp.missing == ["b"]
    assert rp.recovery_point_age_seconds is None
    assert rp.replication_lag_seconds == 30.0              # never -1
    assert [n["message"] for n in rp.not_running] == [
        "replication to a-r is not running (ReplicaLag -1)",
        "replication to b-r is not running (ReplicaLag -1)"]
    items = metric_data(rp, stack="prod", status="partial", now=now)
    assert all(i["Value"] >= 0 for i in items)


def test_negative_cdc_latency_is_not_a_recovery_point(aws) -> None:
    now = datetime.now(UTC)
    dims = [{"Name": "ReplicationInstanceIdentifier", "Value": "dms-inst"},
            {"Name": "ReplicationTaskIdentifier", "Value": "ABCDEF123"}]
    seed_metric("AWS/DMS", "CDCLatencySource", dims, 4)
    seed_metric("AWS/DMS", "CDCLatencyTarget", dims, -1)
    rp = measure(databases=[("a", "a-r"), ("b", "b-r")],
                 standby_snapshots=[copy_snap("a", timedelta(minutes=20), now),
                                    copy_snap("b", timedelta(minutes=1), now, kind="standby")],
                 owner=OWNER,
                 now=now, strategy="dms", cloudwatch=client("cloudwatch", STANDBY),
                 dms_task_arn=TASK_ARN)
    assert rp.per_database["a"] == {"age_seconds": 1200.0, "source": "snapshot"}
    assert rp.missing == ["b"]
    assert rp.recovery_point_age_seconds is None
    assert rp.replication_lag_seconds is None
    assert [n["message"] for n in rp.not_running] == [
        "DMS replication task ABCDEF123 is not running (CDCLatencyTarget -1)"]


def test_stopped_replication_makes_the_run_partial_and_alerts(aws) -> None:
    w = build_world(1, standby=True, strategy="read-replica")
    seed_metric("AWS/RDS", "ReplicaLag", [{"Name": "DBInstanceIdentifier",
                                           "Value": "shop-0-standby"}], -1)
    rec = run_backup(w.settings(), period=PERIOD, run_id="rr", clients=recording_clients())
    assert rec.status == "partial"
    assert [(e["step"], e["database"], e["code"], e["message"]) for e in rec.errors] == [
        ("measure", "shop-0", "ReplicationNotRunning",
         "replication to shop-0-standby is not running (ReplicaLag -1)")]
    # this run's copy is the recovery point the database falls back to
    assert rec.recovery_points["per_database"]["shop-0"]["source"] == "snapshot"
    assert rec.recovery_points["replication_lag_seconds"] is None
    alerts = w.alerts(STANDBY)
    assert len(alerts) == 1 and "not running (ReplicaLag -1)" in json.dumps(alerts[0])
    cw = client("cloudwatch", STANDBY)
    now = datetime.now(UTC)
    published = {}
    for name in (Metric.RECOVERY_POINT_AGE.value, Metric.REPLICATION_LAG.value):
        resp = cw.get_metric_statistics(
            Namespace="EcommerceDR", MetricName=name,
            Dimensions=[{"Name": "Stack", "Value": "prod"}], StartTime=now - timedelta(hours=1),
            EndTime=now + timedelta(minutes=5), Period=3600, Statistics=["Minimum"])
        published[name] = [p["Minimum"] for p in resp["Datapoints"]]
    assert published[Metric.REPLICATION_LAG.value] == []
    assert len(published[Metric.RECOVERY_POINT_AGE.value]) == 1
    assert published[Metric.RECOVERY_POINT_AGE.value][0] >= 0


def test_a_cluster_standbys_lag_in_milliseconds_is_read_in_seconds(aws) -> None:
    # The seam a cluster standby (Aurora global database) uses: its lag metric is per DB
    # cluster and in milliseconds.
    from contract.strategies import MetricRef, Standby
    from handlers.backup.recovery_point import STANDBY_DIMENSION, standby_readings
    seed_metric("AWS/RDS", "AuroraGlobalDBRPOLag",
                [{"Name": "DBClusterIdentifier", "Value": "a-r"}], 1500)
    seed_metric("AWS/RDS", "AuroraGlobalDBRPOLag",
                [{"Name": "DBInstanceIdentifier", "Value": "a-r"}], 9_000_000)  # not the cluster
    readings = standby_readings(
        client("cloudwatch", STANDBY), [MetricRef("AWS/RDS", "AuroraGlobalDBRPOLag", "milliseconds")],
        STANDBY_DIMENSION[Standby.CLUSTER], [("a", "a-r"), ("b", None)], datetime.now(UTC))
    assert readings == {"a": ("AuroraGlobalDBRPOLag", 1.5)}


# ---- no replication data at all: the state is unknown ---------------------------------------

def _published(name: str) -> list[float]:
    cw = client("cloudwatch", STANDBY)
    now = datetime.now(UTC)
    resp = cw.get_metric_statistics(
        Namespace="EcommerceDR", MetricName=name, Dimensions=[{"Name": "Stack", "Value": "prod"}],
        StartTime=now - timedelta(hours=1), EndTime=now + timedelta(minutes=5), Period=3600,
        Statistics=["Minimum"])
    return [p["Minimum"] for p in resp["Datapoints"]]


def test_no_replica_lag_data_is_an_unknown_state_not_a_fresh_recovery_point(aws) -> None:
    """No ReplicaLag datapoint at all (replica broken, metrics missing): a's fresh snapshot of
    its standby holds data of unknown age and does not count; b has a copy, which does; the
    stack figure is withheld, so the RPO alarm (missing data = breaching) fires."""
    now = datetime.now(UTC)
    seed_metric("AWS/RDS", "ReplicaLag", [{"Name": "DBInstanceIdentifier", "Value": "c-r"}], 30)
    snaps = [copy_snap("a", timedelta(minutes=1), now, kind="standby"),
             copy_snap("b", timedelta(minutes=40), now),
             copy_snap("b", timedelta(minutes=1), now, kind="standby")]
    rp = measure(databases=[("a", "a-r"), ("b", "b-r"), ("c", "c-r")], standby_snapshots=snaps,
                 owner=OWNER, now=now, strategy="read-replica",
                 cloudwatch=client("cloudwatch", STANDBY))
    assert rp.per_database["a"] == {"age_seconds": None, "source": None}
    assert rp.per_database["b"] == {"age_seconds": 2400.0, "source": "snapshot"}
    assert rp.per_database["c"] == {"age_seconds": 30.0, "source": "replica-lag"}
    assert [u["database"] for u in rp.unknown] == ["a", "b"]
    assert rp.unknown[0]["message"] == (
        "no ReplicaLag datapoint for a-r in the last 900 s: replication state unknown "
        "(stopped, broken or not reporting); its own snapshots are not recovery points")
    assert rp.recovery_point_age_seconds is None
    assert rp.replication_lag_seconds == 30.0
    items = metric_data(rp, stack="prod", status="partial", now=now)
    assert [i for i in items if i["MetricName"] == Metric.RECOVERY_POINT_AGE.value
            and len(i["Dimensions"]) == 1] == []


def test_no_cdc_latency_data_is_an_unknown_state(aws) -> None:
    now = datetime.now(UTC)
    rp = measure(databases=[("a", "a-r")],
                 standby_snapshots=[copy_snap("a", timedelta(minutes=1), now, kind="standby")],
                 owner=OWNER, now=now, strategy="dms", cloudwatch=client("cloudwatch", STANDBY),
                 dms_task_arn=TASK_ARN)
    assert rp.per_database["a"] == {"age_seconds": None, "source": None}
    assert [u["target"] for u in rp.unknown] == [TASK_ARN]
    assert rp.unknown[0]["message"].startswith(
        "no CDCLatencySource/CDCLatencyTarget datapoint for DMS task ABCDEF123 in the last 900 s")
    assert rp.recovery_point_age_seconds is None


def test_a_run_without_replication_data_is_partial_alerts_and_withholds_the_age(aws) -> None:
    w = build_world(1, standby=True, strategy="read-replica")   # no ReplicaLag seeded
    recorder = recording_clients()
    rec = run_backup(w.settings(), period=PERIOD, run_id="rr", clients=recorder)
    assert rec.status == "partial"
    assert [(e["step"], e["database"], e["code"]) for e in rec.errors] == [
        ("measure", "shop-0", "ReplicationStateUnknown")]
    assert rec.recovery_points["recovery_point_age_seconds"] is None
    assert rec.recovery_points["replication_unknown"][0]["target"] == "shop-0-standby"
    alerts = w.alerts(STANDBY)
    assert len(alerts) == 1 and "replication state unknown" in json.dumps(alerts[0])
    (put,) = recorder.ops("PutMetricData", STANDBY)
    stack_wide = {i["MetricName"]: i["Value"] for i in put["MetricData"]
                  if i["Dimensions"] == [{"Name": "Stack", "Value": "prod"}]}
    assert Metric.RECOVERY_POINT_AGE.value not in stack_wide   # the RPO alarm breaches
    assert stack_wide[Metric.BACKUP_FAILURE.value] == 1.0
    assert _published(Metric.BACKUP_FAILURE.value) == [1.0]
