"""Step 1: list every manual snapshot in both Regions, and the standby instances' statuses.

One paginated DescribeDBSnapshots(manual) per Region, plus one paginated
DescribeDBInstances in the standby Region when standby instances are configured and that
Region answered. A Region that cannot be listed gets no further work in this run
(``primary_snapshots`` / ``standby_snapshots`` stay None).
"""

from __future__ import annotations

from handlers.backup.context import RunContext
from handlers.backup.inventory import instance_statuses, list_manual_snapshots


def run(ctx: RunContext) -> None:
    p, s = ctx.primary_region, ctx.standby_region
    ctx.primary_snapshots = ctx.region_call(p, "inventory", lambda: list_manual_snapshots(
        ctx.rds(p), p))
    ctx.standby_snapshots = ctx.region_call(s, "inventory", lambda: list_manual_snapshots(
        ctx.rds(s), s))
    ctx.inventories_ok = (ctx.primary_snapshots is not None) + (ctx.standby_snapshots is not None)
    standby_ids = {d.standby for d in ctx.settings.protected_databases if d.standby}
    if ctx.standby_snapshots is not None and standby_ids:
        ctx.standby_statuses = ctx.region_call(s, "describe-instances", lambda: (
            instance_statuses(ctx.rds(s), standby_ids))) or {}
