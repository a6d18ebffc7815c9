"""Reads of the standby Region's databases and their metrics, for every strategy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from handlers.failover import clock


def first_found(describe: Callable[[], dict[str, Any]], key: str, *,
                not_found: str) -> dict[str, Any] | None:
    """The first item of list ``key`` in what ``describe`` answers; None when the list is
    empty or the call fails with error code ``not_found``.

    Raises:
        botocore.exceptions.ClientError: any other error of the call.
    """
    try:
        out = describe()
    except ClientError as e:
        if e.response["Error"]["Code"] == not_found:
            return None
        raise
    found = out.get(key, [])
    return found[0] if found else None


def describe_instance(rds: Any, identifier: str) -> dict[str, Any] | None:
    """The DBInstance dict, or None if it does not exist."""
    return first_found(lambda: rds.describe_db_instances(DBInstanceIdentifier=identifier),
                       "DBInstances", not_found="DBInstanceNotFound")


def replica_source(instance: dict[str, Any]) -> str | None:
    """The replica's source (ARN or identifier), or None if the instance is not a replica."""
    return instance.get("ReadReplicaSourceDBInstanceIdentifier") or None


def latest_metric(cloudwatch: Any, namespace: str, name: str, dimensions: list[dict[str, str]],
                  lookback_seconds: float, *, non_negative: bool = True) -> tuple[float, str] | None:
    """Newest datapoint (Maximum over 60 s) within ``lookback_seconds``: ``(value, iso time)``.

    ``non_negative`` skips -1 values (RDS reports ReplicaLag -1 when replication is not
    running, e.g. once the source is gone: Amazon RDS User Guide, "Monitoring read
    replication", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Monitoring.html),
    so the last real lag is used.
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
