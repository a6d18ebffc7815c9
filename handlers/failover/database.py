"""Reads of the standby database, its replication and its recovery points.

Cross-Region replica fields hold an ARN in AWS and sometimes an identifier in moto
(field-notes, "moto gaps"): every comparison here accepts both forms.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from handlers.failover import clock
from rto_rpo.contract import MANAGED_BY_TAG, managed_by_value


def same_db(ref: str | None, identifier: str, arn: str | None = None) -> bool:
    """True if ``ref`` (ARN or identifier) names the DB ``identifier`` / ``arn``."""
    if not ref:
        return False
    return ref in {identifier, arn} or ref.rsplit(":", 1)[-1] == identifier


def describe_instance(rds: Any, identifier: str) -> dict[str, Any] | None:
    """The DBInstance dict, or None if it does not exist."""
    try:
        out = rds.describe_db_instances(DBInstanceIdentifier=identifier)
    except ClientError as e:
        if e.response["Error"]["Code"] == "DBInstanceNotFound":
            return None
        raise
    found = out.get("DBInstances", [])
    return found[0] if found else None


def replica_source(instance: dict[str, Any]) -> str | None:
    """The replica's source (ARN or identifier), or None if the instance is not a replica."""
    return instance.get("ReadReplicaSourceDBInstanceIdentifier") or None


def latest_metric(cloudwatch: Any, namespace: str, name: str, dimensions: list[dict[str, str]],
                  lookback_seconds: float, *, non_negative: bool = True) -> tuple[float, str] | None:
    """Newest datapoint (Maximum over 60 s) within ``lookback_seconds``: ``(value, iso time)``.

    ``non_negative`` skips -1 values (RDS reports ReplicaLag -1 when replication is not
    running, e.g. once the source is gone), so the last real lag is used.
    """
    end = datetime.fromtimestamp(clock.now(), UTC) + timedelta(minutes=1)
    start = end - timedelta(seconds=lookback_seconds + 60)
    out = cloudwatch.get_metric_statistics(Namespace=namespace, MetricName=name,
                                           Dimensions=dimensions, StartTime=start, EndTime=end,
                                           Period=60, Statistics=["Maximum"])
    points = sorted(out.get("Datapoints", []), key=lambda p: p["Timestamp"])
    if non_negative:
        points = [p for p in points if p["Maximum"] >= 0]
    if not points:
        return None
    newest = points[-1]
    return float(newest["Maximum"]), newest["Timestamp"].isoformat()


def dms_task(dms: Any, task_arn: str) -> dict[str, Any] | None:
    """The replication task dict, or None."""
    try:
        out = dms.describe_replication_tasks(
            Filters=[{"Name": "replication-task-arn", "Values": [task_arn]}], WithoutSettings=True)
    except ClientError as e:
        if e.response["Error"]["Code"] == "ResourceNotFoundFault":
            return None
        raise
    tasks = out.get("ReplicationTasks", [])
    return tasks[0] if tasks else None


def cdc_latency_target(cloudwatch: Any, task: dict[str, Any],
                       lookback_seconds: float) -> tuple[float, str] | None:
    """Newest ``AWS/DMS CDCLatencyTarget`` of ``task``, in seconds, or None.

    DMS publishes it with dimensions ReplicationInstanceIdentifier and
    ReplicationTaskIdentifier (the task's resource id, the last part of its ARN; moto uses
    the task name there): list_metrics finds the full dimension set for either form.
    """
    ids = {task["ReplicationTaskArn"].rsplit(":", 1)[-1], task.get("ReplicationTaskIdentifier")}
    best: tuple[float, str] | None = None
    for task_id in sorted(i for i in ids if i):
        listed = cloudwatch.list_metrics(
            Namespace="AWS/DMS", MetricName="CDCLatencyTarget",
            Dimensions=[{"Name": "ReplicationTaskIdentifier", "Value": task_id}])
        for metric in listed.get("Metrics", []):
            point = latest_metric(cloudwatch, "AWS/DMS", "CDCLatencyTarget",
                                  metric["Dimensions"], lookback_seconds)
            if point and (best is None or point[1] > best[1]):
                best = point
    return best


def newest_managed_snapshot(rds: Any, stack: str) -> dict[str, Any] | None:
    """Newest ``available`` manual snapshot tagged ``managed-by = managed_by_value(stack)``.

    Age is taken from OriginalSnapshotCreateTime when present (a cross-Region copy keeps the
    source's time there), else SnapshotCreateTime.
    """
    wanted = managed_by_value(stack)
    candidates = []
    for page in rds.get_paginator("describe_db_snapshots").paginate(SnapshotType="manual"):
        for snap in page.get("DBSnapshots", []):
            tags = {t["Key"]: t["Value"] for t in snap.get("TagList", [])}
            if tags.get(MANAGED_BY_TAG) == wanted and snap.get("Status") == "available":
                candidates.append(snap)
    if not candidates:
        return None
    return max(candidates, key=snapshot_time)


def snapshot_time(snap: dict[str, Any]) -> datetime:
    """When the snapshot's data was taken."""
    return snap.get("OriginalSnapshotCreateTime") or snap["SnapshotCreateTime"]
