"""Finishing step: publish the run's metrics in the standby Region
(:func:`handlers.backup.recovery_point.metric_data`: success/failure, recovery-point age,
replication lag), so the program's alarms read them while the primary Region is down."""

from __future__ import annotations

from handlers.backup import recovery_point
from handlers.backup.context import RunContext


def run(ctx: RunContext) -> None:
    rps = ctx.record.recovery_points
    rp = recovery_point.RecoveryPoints(
        per_database=rps.get("per_database", {}),
        recovery_point_age_seconds=rps.get("recovery_point_age_seconds"),
        replication_lag_seconds=rps.get("replication_lag_seconds"))
    items = recovery_point.metric_data(rp, stack=ctx.settings.stack_name,
                                       status=ctx.record.status, now=ctx.now())
    region = ctx.standby_region
    if ctx.skip_unreachable(region, "metrics"):
        return
    calls = ctx.region_call(region, "metrics", lambda: recovery_point.publish(
        ctx.clients("cloudwatch", region), items))
    if calls is not None:
        ctx.record.metrics_published = len(items)
