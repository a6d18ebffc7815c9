"""Replication as the drill sees it: the lag it seeds (moto does not replicate) and the
recovery point it reads at the failure (the RPO achieved).

Which metrics a strategy is watched by comes from the strategy table
(``contract.strategies.StrategySpec.replication_metrics``); the dimensions each namespace is
published with, from what the plan deployed (:data:`DIMENSIONS`). A strategy with no
replication metric has no standby to lag: its recovery point is the newest cross-Region
snapshot copy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from drill.context import DrillContext
from drill.observe import standby_copies

_DMS_TASK = "aws:dms/replicationTask:ReplicationTask"
_DMS_INSTANCE = "aws:dms/replicationInstance:ReplicationInstance"


def _rds_dimensions(ctx: DrillContext) -> list[dict[str, str]] | None:
    return [{"Name": "DBInstanceIdentifier", "Value": ctx.settings.database.standby_id}]


def _dms_dimensions(ctx: DrillContext) -> list[dict[str, str]] | None:
    d = ctx.need_deployment()
    tasks, insts = d.by_type(_DMS_TASK), d.by_type(_DMS_INSTANCE)
    if not tasks:
        return None
    return [{"Name": "ReplicationInstanceIdentifier",
             "Value": insts[0].physical_name if insts else "drill"},
            {"Name": "ReplicationTaskIdentifier", "Value": tasks[0].physical_name}]


#: Metric namespace -> the dimensions its replication metrics are published with, from the
#: deployment (None: the resource that publishes them was not deployed). AWS pages: "Amazon
#: RDS metrics" (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html),
#: "AWS DMS metrics" (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Monitoring.html).
DIMENSIONS: dict[str, Callable[[DrillContext], list[dict[str, str]] | None]] = {
    "AWS/RDS": _rds_dimensions,
    "AWS/DMS": _dms_dimensions,
}


def seed_replication_metrics(ctx: DrillContext) -> dict[str, Any]:
    """Publish the seeded lag on every replication metric of the strategy.

    Returns:
        ``{"metrics": ["<namespace> <name>", ...], "dimensions", "seconds"}``, or
        ``{"metrics": [], "why"}`` when nothing replicates or the publisher was not deployed.
    """
    metrics = ctx.spec.replication_metrics
    if not metrics:
        return {"metrics": [], "why": f"{ctx.spec.strategy} has no replication"}
    lag = float(ctx.opts.seeded_replica_lag_seconds)
    # RDS and DMS publish one datapoint per minute for the minute just past; a datapoint
    # stamped "now" can also fall outside a query ending this same second.
    stamp = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30)
    cw = ctx.client("cloudwatch", ctx.settings.standby_region)
    seeded: dict[str, Any] = {}
    data: dict[str, list[dict[str, Any]]] = {}
    for m in metrics:
        dims = DIMENSIONS[m.namespace](ctx)
        if dims is None:
            return {"metrics": [], "why": f"no publisher of {m.namespace} {m.name} deployed"}
        data.setdefault(m.namespace, []).append({
            "MetricName": m.name, "Value": lag, "Unit": "Seconds", "Timestamp": stamp,
            "Dimensions": dims})
        seeded[f"{m.namespace} {m.name}"] = {d["Name"]: d["Value"] for d in dims}
    for namespace, datums in data.items():   # one call per namespace, as a publisher makes
        cw.put_metric_data(Namespace=namespace, MetricData=datums)
    return {"metrics": list(seeded), "dimensions": seeded, "seconds": lag}


def _replication_lag(ctx: DrillContext) -> dict[str, Any]:
    """The largest datapoint of the strategy's replication metrics in the last 10 minutes."""
    cw = ctx.client("cloudwatch", ctx.settings.standby_region)
    now = dt.datetime.now(dt.UTC)
    lags: list[float] = []
    names = []
    for m in ctx.spec.replication_metrics:
        dims = DIMENSIONS[m.namespace](ctx) or []
        points = cw.get_metric_statistics(
            Namespace=m.namespace, MetricName=m.name, Dimensions=dims,
            StartTime=now - dt.timedelta(minutes=10), EndTime=now + dt.timedelta(seconds=5),
            Period=60, Statistics=["Maximum"])["Datapoints"]
        lags += [p["Maximum"] for p in points]
        names.append(f"{m.namespace} {m.name}")
    return {"seconds": max(lags, default=None),
            "source": f"{', '.join(names)} read from the emulator at the failure",
            "note": f"seeded at {ctx.opts.seeded_replica_lag_seconds:g} s by the drill: "
                    "moto does not replicate"}


def _newest_copy(ctx: DrillContext, now: dt.datetime) -> dict[str, Any]:
    """The age of the newest cross-Region copy in the standby Region."""
    copies = standby_copies(ctx)
    if not copies:
        return {"seconds": None, "source": "no recovery point in the standby Region"}
    newest = max(copies, key=lambda s: s.get("OriginalSnapshotCreateTime") or s["SnapshotCreateTime"])
    taken = newest.get("OriginalSnapshotCreateTime") or newest["SnapshotCreateTime"]
    return {"seconds": max(0.0, (now - taken).total_seconds()),
            "source": f"age of {newest['DBSnapshotIdentifier']} in "
                      f"{ctx.settings.standby_region} at the failure",
            "note": "measured on the emulator: the copy is as old as the drill's backup run"}


def read_recovery_point(ctx: DrillContext) -> dict[str, Any]:
    """The drill's own reading of the recovery point the standby would resume from, at the
    moment of the failure (the RPO achieved, seconds), next to the backup orchestrator's.

    Returns:
        ``{"strategy", "seconds", "source", "note", "backup_orchestrator_..._seconds"}``.
    """
    summary = ctx.backup_summary or {}
    out: dict[str, Any] = {
        "strategy": str(ctx.spec.strategy),
        "backup_orchestrator_recovery_point_age_seconds": summary.get("recovery_point_age_seconds"),
        "backup_orchestrator_replication_lag_seconds": summary.get("replication_lag_seconds")}
    if ctx.spec.replication_metrics:
        out.update(_replication_lag(ctx))
    else:
        out.update(_newest_copy(ctx, dt.datetime.now(dt.UTC)))
    return out
