"""Step 2a (Aurora clusters): keep Aurora's unplanned-failover snapshots.

After a managed failover, when the old primary's Region recovers, Aurora snapshots the old
primary's volume as ``rds:unplanned-global-failover-<cluster>-<timestamp>``: the only copy of
the writes that did not replicate. It is a system snapshot that expires with that cluster's
backup retention; AWS says to copy it to a manual snapshot to keep it (Amazon Aurora User
Guide, "Using switchover or failover in Amazon Aurora Global Database",
https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html).

Each one found (take_inventory) is copied, in the primary Region, to the manual cluster
snapshot :func:`handlers.backup.naming.preserved_id` names, tagged as this stack's with
``dr:kind = preserved``. Pruning never deletes it (:mod:`handlers.backup.pruning`); the copy is
made before this period's snapshots, so it gets the room first; a copy that exists already
is left as it is (the run is idempotent). Each copy made is listed in ``preserved`` and
alerted, with the snapshot it keeps.
"""

from __future__ import annotations

from handlers.backup.context import RunContext
from handlers.backup.naming import Kind, preserved_id
from handlers.backup.snapshots import preserve_snapshot
from handlers.backup.steps.regional import record_outcome


def run(ctx: RunContext) -> None:
    region = ctx.primary_region
    have = {s.identifier for s in ctx.primary_snapshots or []}
    for source in ctx.failover_snapshots:
        target = preserved_id(source.identifier, source.instance or source.database)
        if target in have:
            continue
        if not source.available:
            ctx.record.skipped.append({"region": region, "database": source.instance,
                                       "reason": f"{source.identifier} is {source.status}"})
            continue
        if ctx.skip_unreachable(region, "preserve", source.instance):
            return
        tags = {t["Key"]: t["Value"] for t in ctx.tags(source.instance, Kind.PRESERVED)}
        out = preserve_snapshot(ctx.rds(region), region, source=source, target_id=target,
                                tags=tags)
        record_outcome(ctx, out, region=region, step="preserve", database=source.instance,
                       snapshot_id=target, kind=Kind.PRESERVED, source=source)
        if out.snapshot is not None:
            ctx.primary_snapshots = [*(ctx.primary_snapshots or []), out.snapshot]
            ctx.record.preserved.append({"region": region, "database": source.instance,
                                         "failover_snapshot": source.identifier,
                                         "manual_copy": target, "arn": out.snapshot.arn})
