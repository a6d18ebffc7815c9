"""Step 2: this period's snapshot of every protected database, in the primary Region.

A database whose snapshot for the period exists is listed as ``existing``; one whose
previous snapshot is still creating is ``skipped``. Our snapshots are pruned first
(retention, then quota) so the new ones fit; the new ones go to ``ctx.new_primary``. RDS
instances get DB snapshots, Aurora clusters DB cluster snapshots, each kind pruned within
its own quota.
"""

from __future__ import annotations

from functools import partial

from handlers.backup.context import RunContext
from handlers.backup.naming import Kind, snapshot_id
from handlers.backup.settings import ProtectedDatabase
from handlers.backup.snapshots import create_snapshot
from handlers.backup.steps.regional import attempt, in_progress, prune


def _wanted(ctx: RunContext) -> list[tuple[ProtectedDatabase, str]]:
    """``(database, snapshot id)`` still to make this period; records the others."""
    snaps = ctx.primary_snapshots or []
    existing = {s.identifier: s for s in snaps}
    busy = in_progress(ctx, snaps, Kind.PRIMARY)
    wanted = []
    for db in ctx.settings.protected_databases:
        sid = snapshot_id(db.identifier, ctx.period)
        if sid in existing:
            ctx.record.existing.append(existing[sid].brief())
        elif db.identifier in busy:
            ctx.record.skipped.append({"region": ctx.primary_region, "database": db.identifier,
                                       "reason": "previous snapshot still creating"})
        else:
            wanted.append((db, sid))
    return wanted


def run(ctx: RunContext) -> None:
    region = ctx.primary_region
    rds = ctx.rds(region)
    wanted = _wanted(ctx)
    for cluster in sorted({db.is_cluster for db in ctx.settings.protected_databases}):
        _make(ctx, rds, [(db, sid) for db, sid in wanted if db.is_cluster == cluster], cluster)


def _make(ctx: RunContext, rds: object, wanted: list[tuple[ProtectedDatabase, str]],
          cluster: bool) -> None:
    """Prune, then snapshot each of ``wanted`` (all of one kind)."""
    region = ctx.primary_region
    room = prune(ctx, region, rds, ctx.primary_snapshots or [], len(wanted), cluster=cluster)
    for i, (db, sid) in enumerate(wanted):
        call = partial(create_snapshot, rds, region, instance=db.identifier, snapshot_id=sid,
                       tags=ctx.tags(db.identifier, Kind.PRIMARY), cluster=cluster)
        # Room is counted by position: a database skipped as unreachable keeps its place.
        attempt(ctx, call, has_room=i < room, made=ctx.new_primary, region=region, step="snapshot",
                database=db.identifier, snapshot_id=sid, kind=Kind.PRIMARY)
