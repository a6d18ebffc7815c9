"""Lag readings of the failback: the newest datapoint of a lag metric taken after a moment
(after writes were paused), so a lag of zero read before the pause never counts as drained.

CloudWatch rounds a query's start time down to the whole minute (Amazon CloudWatch API
Reference, "GetMetricStatistics", StartTime), so the query starts at the first whole minute
at or after the moment: every 60 s period returned then began after it.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from handlers.failover import clock

#: Statistic period, seconds (RDS and DMS publish their lag metrics every minute).
PERIOD_SECONDS = 60


def first_whole_minute(epoch: float) -> datetime:
    """The first whole minute (UTC) at or after ``epoch`` (seconds since the epoch)."""
    return datetime.fromtimestamp(math.ceil(epoch / 60) * 60, UTC)


def newest_since(cloudwatch: Any, namespace: str, name: str, dimensions: list[dict[str, str]],
                 since_epoch: float) -> tuple[float, str] | None:
    """The newest ``Maximum`` over 60 s periods that began at or after ``since_epoch``:
    ``(value, iso time)``, negative values included (RDS reports ReplicaLag -1 while
    replication is not running), or None when there is none yet.

    Raises:
        botocore.exceptions.ClientError / BotoCoreError: the GetMetricStatistics call failed.
    """
    start = first_whole_minute(since_epoch)
    end = datetime.fromtimestamp(clock.now(), UTC) + timedelta(seconds=PERIOD_SECONDS)
    if end <= start:
        return None
    out = cloudwatch.get_metric_statistics(Namespace=namespace, MetricName=name,
                                           Dimensions=dimensions, StartTime=start, EndTime=end,
                                           Period=PERIOD_SECONDS, Statistics=["Maximum"])
    points = [p for p in out.get("Datapoints", []) if p["Timestamp"] >= start]
    if not points:
        return None
    newest = max(points, key=lambda p: p["Timestamp"])
    return float(newest["Maximum"]), newest["Timestamp"].isoformat()
