"""Step 4: the age of each database's newest usable recovery point in the standby Region
(:func:`handlers.backup.recovery_point.measure`), after this run's work.

Replication that reads as not running, or has no datapoint at all (state unknown), is
recorded as an error (run ``partial``, alert); a database without any usable recovery point
is a warning.
"""

from __future__ import annotations

from handlers.backup import recovery_point
from handlers.backup.context import RunContext


def _dms_region(ctx: RunContext) -> str:
    """The DMS task's Region (from its ARN), else the standby Region."""
    arn = ctx.settings.dms_task_arn
    return arn.split(":")[3] if arn.count(":") >= 5 else ctx.standby_region


def run(ctx: RunContext) -> None:
    s, region = ctx.settings, ctx.standby_region
    after = ([x for x in ctx.standby_snapshots or [] if x.arn not in ctx.pruned_arns]
             + ctx.new_standby)
    rp = ctx.region_call(region, "measure", lambda: recovery_point.measure(
        databases=[(d.identifier, d.standby) for d in s.protected_databases],
        standby_snapshots=after, owner=ctx.owner, now=ctx.now(),
        strategy=s.db_strategy, cloudwatch=ctx.clients("cloudwatch", region),
        dms_task_arn=s.dms_task_arn, dms_cloudwatch=ctx.clients("cloudwatch", _dms_region(ctx))))
    if rp is None:
        return
    ctx.record.recovery_points = rp.to_dict()
    for stopped in rp.not_running:
        ctx.record.error(region=region, step="measure", database=stopped["database"],
                         code="ReplicationNotRunning", message=stopped["message"])
    for unknown in rp.unknown:
        ctx.record.error(region=region, step="measure", database=unknown["database"],
                         code="ReplicationStateUnknown", message=unknown["message"])
    if rp.missing:
        ctx.record.warnings.append("no usable recovery point in the standby Region yet "
                                   f"for: {', '.join(rp.missing)}")
