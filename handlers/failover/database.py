"""Reads of the standby database, its replication and its recovery points.

Cross-Region replica fields hold an ARN in AWS and sometimes an identifier in moto
(field-notes, "moto gaps"): every comparison here accepts both forms.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from contract.names import MANAGED_BY_TAG, managed_by_value
from handlers.backup.naming import DATABASE_TAG, SOURCE_TAG
from handlers.failover import clock


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


#: ``<db>-dr-<YYYYmmddHHMM>-copy``: the backup handler's name for its cross-Region copy of
#: a snapshot of ``<db>`` (:func:`handlers.backup.naming.copy_id` of
#: :func:`handlers.backup.naming.snapshot_id`).
_COPY_ID = r"^{db}-dr-(?P<stamp>[0-9]{{12}})-copy$"


def _is_copy_of(snap: dict[str, Any], primary_id: str) -> bool:
    """True when ``snap`` is the backup handler's cross-Region copy of ``primary_id``:
    its identifier is ``<primary_id>-dr-<YYYYmmddHHMM>-copy`` (a real date), its
    ``dr:database`` tag names ``primary_id``, and where AWS reports them, its source DB
    instance (DBInstanceIdentifier) is ``primary_id`` and its source snapshot
    (SourceDBSnapshotIdentifier, an ARN for a cross-Region copy; also the
    ``dr:source-snapshot`` tag) is ``<primary_id>-dr-<same stamp>``."""
    primary_id = primary_id.lower()
    ident = str(snap.get("DBSnapshotIdentifier", "")).lower()
    m = re.match(_COPY_ID.format(db=re.escape(primary_id)), ident)
    if m is None:
        return False
    try:
        datetime.strptime(m["stamp"], "%Y%m%d%H%M")
    except ValueError:
        return False
    tags = {t["Key"]: t["Value"] for t in snap.get("TagList", [])}
    if str(tags.get(DATABASE_TAG, "")).lower() != primary_id:
        return False
    instance = snap.get("DBInstanceIdentifier")
    if instance and str(instance).lower() != primary_id:
        return False
    source_id = ident.removesuffix("-copy")
    for source in (snap.get("SourceDBSnapshotIdentifier"), tags.get(SOURCE_TAG)):
        if source and str(source).lower().rsplit(":", 1)[-1] != source_id:
            return False
    return True


def newest_primary_copy(rds: Any, stack: str, primary_id: str) -> dict[str, Any] | None:
    """Newest ``available`` manual snapshot in ``rds``'s Region that is this stack's
    cross-Region copy of the primary database ``primary_id`` (PRIMARY_DB_ARN's identifier):
    tagged ``managed-by = managed_by_value(stack)`` and a copy of ``primary_id`` by
    :func:`_is_copy_of`. Copies of the other protected databases, an operator's snapshots
    (whatever their tags) and snapshots of the restored standby are never chosen.

    Age is taken from OriginalSnapshotCreateTime when present (a cross-Region copy keeps the
    source's time there), else SnapshotCreateTime.
    """
    wanted = managed_by_value(stack)
    candidates = []
    for page in rds.get_paginator("describe_db_snapshots").paginate(SnapshotType="manual"):
        for snap in page.get("DBSnapshots", []):
            tags = {t["Key"]: t["Value"] for t in snap.get("TagList", [])}
            if (tags.get(MANAGED_BY_TAG) == wanted and snap.get("Status") == "available"
                    and _is_copy_of(snap, primary_id)):
                candidates.append(snap)
    if not candidates:
        return None
    return max(candidates, key=snapshot_time)


def snapshot_time(snap: dict[str, Any]) -> datetime:
    """When the snapshot's data was taken."""
    return snap.get("OriginalSnapshotCreateTime") or snap["SnapshotCreateTime"]
