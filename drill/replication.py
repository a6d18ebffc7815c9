"""Replication as the drill sees it from outside: the lag at the failure as the metric shows
it and as PostgreSQL does, and the recovery point the standby would resume from.

Which metrics a strategy is watched by comes from the strategy table
(``contract.strategies.StrategySpec.replication_metrics``); the dimensions each namespace is
published with, from what the plan deployed (:data:`DIMENSIONS`). The drill publishes them
from PostgreSQL (:mod:`drill.data.metrics`). A strategy with no replication metric has no
standby to lag: its recovery point is the newest cross-Region snapshot copy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from contract.names import Role
from drill.aurora import cluster_dimensions, watched_metrics
from drill.context import DrillContext
from drill.observe import standby_copies

_DMS_TASK = "aws:dms/replicationTask:ReplicationTask"
_DMS_INSTANCE = "aws:dms/replicationInstance:ReplicationInstance"
#: How far back the newest datapoint is looked for, as the failover handler's readiness
#: check does (at least 10 minutes).
LOOKBACK = dt.timedelta(minutes=10)


def _rds_dimensions(ctx: DrillContext) -> list[dict[str, str]] | None:
    if ctx.settings.database.is_cluster:   # Aurora: per secondary cluster
        return cluster_dimensions(ctx.settings.database.standby_id)
    return [{"Name": "DBInstanceIdentifier", "Value": ctx.settings.database.standby_id}]


def _dms_dimensions(ctx: DrillContext) -> list[dict[str, str]] | None:
    d = ctx.need_deployment()
    # the forward task: in reverse-replicating the reverse one is deployed beside it
    tasks = [t for t in d.by_type(_DMS_TASK) if t.role != Role.REVERSE_CDC_TASK]
    insts = d.by_type(_DMS_INSTANCE)
    if not tasks:
        return None
    return [{"Name": "ReplicationInstanceIdentifier",
             "Value": insts[0].physical_name if insts else "drill"},
            {"Name": "ReplicationTaskIdentifier", "Value": tasks[0].physical_name}]


#: Metric namespace -> the dimensions its replication metrics are published with, from the
#: deployment (None: the resource that publishes them was not deployed). AWS pages: "Amazon RDS metrics"
#: (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html), "AWS DMS
#: metrics" (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Monitoring.html).
DIMENSIONS: dict[str, Callable[[DrillContext], list[dict[str, str]] | None]] = {
    "AWS/RDS": _rds_dimensions,
    "AWS/DMS": _dms_dimensions,
}


def newest_datapoint(ctx: DrillContext, namespace: str, name: str,
                     per_second: int = 1) -> dict[str, Any] | None:
    """The newest one-minute Maximum of a replication metric on the drill's clock, the way the
    failover handler's readiness check reads it: ``{"seconds", "timestamp"}`` or None
    (``per_second``: the metric's units in a second, 1000 for Aurora's milliseconds)."""
    dims = DIMENSIONS[namespace](ctx) or []
    now = ctx.clock.utc()
    points = ctx.client("cloudwatch", ctx.settings.standby_region).get_metric_statistics(
        Namespace=namespace, MetricName=name, Dimensions=dims, StartTime=now - LOOKBACK,
        EndTime=now + dt.timedelta(minutes=1), Period=60, Statistics=["Maximum"])["Datapoints"]
    if not points:
        return None
    newest = max(points, key=lambda p: p["Timestamp"])
    return {"seconds": float(newest["Maximum"]) / per_second,
            "timestamp": newest["Timestamp"].isoformat()}


def lag_reading(ctx: DrillContext) -> dict[str, Any]:
    """The replication lag now, per metric: ``{"<namespace> <name>": {"metric": newest
    datapoint or None, "postgres": {"seconds", "bytes_behind", "state"}}}``; ``{}`` when the
    strategy does not replicate. ``metric`` is on the drill's clock (it includes skipped
    waits), ``postgres`` on the wall clock of 127.0.0.1."""
    world = ctx.need_data()
    samples = {s.metric: s for s in world.lag()}
    out: dict[str, Any] = {}
    for m in watched_metrics(ctx):
        s = samples.get(m.name)
        out[f"{m.namespace} {m.name}"] = {
            "metric": newest_datapoint(ctx, m.namespace, m.name, m.per_second),
            "postgres": None if s is None else {
                "seconds": s.seconds, "replay_lag_seconds": s.postgres_replay_lag_seconds,
                "bytes_behind": s.bytes_behind, "state": s.state}}
    return out


def _newest_copy(ctx: DrillContext) -> dict[str, Any]:
    """The age of the newest cross-Region copy in the standby Region, on the drill's clock."""
    copies = standby_copies(ctx)
    if not copies:
        return {"seconds": None, "source": "no recovery point in the standby Region"}
    newest = max(copies, key=lambda s: s.get("OriginalSnapshotCreateTime") or s["SnapshotCreateTime"])
    taken = newest.get("OriginalSnapshotCreateTime") or newest["SnapshotCreateTime"]
    return {"seconds": max(0.0, (ctx.clock.utc() - taken).total_seconds()),
            "source": f"age of {newest['DBSnapshotIdentifier']} in "
                      f"{ctx.settings.standby_region} at the failure",
            "note": "the copy is a real base backup of the primary (pg-snapshots bridge)"}


def read_recovery_point(ctx: DrillContext) -> dict[str, Any]:
    """The drill's reading, at the moment of the failure, of what the standby would resume
    from, next to the backup orchestrator's own figures.

    Returns:
        ``{"strategy", "seconds", "source", "note", "backup_orchestrator_..._seconds"}``:
        the largest replication metric's newest datapoint (strategies that replicate), or the
        newest cross-Region copy's age. The RPO achieved is the data-loss window the drill
        measures from the new writer (:mod:`drill.data.loss`), not this reading.
    """
    summary = ctx.backup_summary or {}
    out: dict[str, Any] = {
        "strategy": str(ctx.spec.strategy),
        "backup_orchestrator_recovery_point_age_seconds": summary.get("recovery_point_age_seconds"),
        "backup_orchestrator_replication_lag_seconds": summary.get("replication_lag_seconds")}
    if not ctx.spec.replication_metrics:
        return {**out, **_newest_copy(ctx)}
    lag = ctx.lag_at_failure or lag_reading(ctx)
    points = {k: v["metric"]["seconds"] for k, v in lag.items() if v.get("metric")}
    return {**out, "seconds": max(points.values(), default=None),
            "source": f"{', '.join(points) or 'no datapoint'}: newest datapoint at the failure",
            "note": "published from PostgreSQL by the drill (replication-metrics bridge)"}
