"""Step 3: the standby Region's recovery points - cross-Region copies and standby snapshots.

* Copies: each database's newest AVAILABLE primary snapshot of ours (listed or made by this
  run, not pruned) that has no copy in the standby Region yet; none when the primary Region
  could not be listed.
* Snapshots of each configured standby instance that exists and is ``available`` (absent or
  not available: ``skipped``); a standby Aurora cluster only once it is the writer (after a
  failover): while it is a secondary its data is the primary's, already snapshotted.

Our snapshots are pruned first; copies get the room before standby snapshots, within each
kind's quota (DB snapshots, DB cluster snapshots). Everything made goes to ``ctx.new_standby``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from handlers.backup.context import RunContext
from handlers.backup.inventory import Snapshot
from handlers.backup.naming import Kind, copy_id, snapshot_id
from handlers.backup.snapshots import copy_snapshot, create_snapshot
from handlers.backup.steps.regional import attempt, in_progress, prune


def copies_wanted(ctx: RunContext) -> list[tuple[str, Snapshot]]:
    """``(database, source)``: newest available primary snapshot of ours per database,
    where no copy of it exists yet in the standby Region."""
    if ctx.primary_snapshots is None:
        return []
    protected = {db.identifier for db in ctx.settings.protected_databases}
    newest: dict[str, Snapshot] = {}
    for s in ctx.primary_snapshots + ctx.new_primary:
        if (ctx.owner.owns(s) and s.kind == Kind.PRIMARY.value and s.available
                and s.database in protected and s.arn not in ctx.pruned_arns
                and (s.database not in newest
                     or s.sort_time(ctx.started) > newest[s.database].sort_time(ctx.started))):
            newest[s.database] = s
    standby = ctx.standby_snapshots or []
    have = {s.identifier for s in standby} | {s.source for s in standby if s.source}
    return [(db, src) for db, src in sorted(newest.items())
            if copy_id(src.identifier) not in have and src.arn not in have]


def _standby_wanted(ctx: RunContext) -> list[tuple[str, str, str, bool]]:
    """``(database, standby instance or cluster, snapshot id, cluster)`` still to make;
    records the others."""
    snaps = ctx.standby_snapshots or []
    existing = {s.identifier: s for s in snaps}
    busy = in_progress(ctx, snaps, Kind.STANDBY)
    wanted: list[tuple[str, str, str, bool]] = []
    for db in ctx.settings.protected_databases:
        sb = db.standby
        if not sb:
            continue
        status = ctx.standby_statuses.get(sb)
        sid = snapshot_id(sb, ctx.period)
        reason = None
        if sid in existing:
            ctx.record.existing.append(existing[sid].brief())
            continue
        what = "standby cluster" if db.is_cluster else "standby instance"
        if status is None:
            reason = f"{what} {sb} not found"
        elif status == "secondary":
            reason = (f"{what} {sb} is a secondary of its global database: its data is the "
                      "primary's (snapshotted there)")
        elif status != "available":
            reason = f"{what} {sb} is {status}"
        elif db.identifier in busy:
            reason = "previous snapshot still creating"
        if reason:
            ctx.record.skipped.append({"region": ctx.standby_region, "database": db.identifier,
                                       "reason": reason})
        else:
            wanted.append((db.identifier, sb, sid, db.is_cluster))
    return wanted


def _copy(ctx: RunContext, rds: Any, copies: list[tuple[str, Snapshot]], room: int) -> int:
    """Copy each source while there is room; returns the room left."""
    region = ctx.standby_region
    for db_id, src in copies:
        target = copy_id(src.identifier)
        call = partial(copy_snapshot, rds, region, source=src, target_id=target,
                       kms_key_id=ctx.settings.standby_kms_key_arn,
                       overrides={k["Key"]: k["Value"] for k in ctx.tags(db_id, Kind.COPY)})
        if attempt(ctx, call, has_room=room > 0, made=ctx.new_standby,
                   region=region, step="copy", database=db_id,
                   snapshot_id=target, kind=Kind.COPY, source=src):
            room -= 1
    return room


def _snapshot(ctx: RunContext, rds: Any, wanted: list[tuple[str, str, str, bool]],
              room: int) -> None:
    """Snapshot each standby instance (or cluster) while there is room."""
    region = ctx.standby_region
    for db_id, sb, sid, cluster in wanted:
        call = partial(create_snapshot, rds, region, instance=sb, snapshot_id=sid,
                       tags=ctx.tags(db_id, Kind.STANDBY), cluster=cluster)
        if attempt(ctx, call, has_room=room > 0, made=ctx.new_standby,
                   region=region, step="snapshot",
                   database=db_id, snapshot_id=sid, kind=Kind.STANDBY):
            room -= 1


def run(ctx: RunContext) -> None:
    copies = copies_wanted(ctx)
    wanted = _standby_wanted(ctx)
    rds = ctx.rds(ctx.standby_region)
    for cluster in sorted({db.is_cluster for db in ctx.settings.protected_databases}):
        kind_copies = [c for c in copies if c[1].cluster == cluster]
        kind_wanted = [w for w in wanted if w[3] == cluster]
        room = prune(ctx, ctx.standby_region, rds, ctx.standby_snapshots or [],
                     len(kind_copies) + len(kind_wanted), cluster=cluster)
        room = _copy(ctx, rds, kind_copies, room)
        _snapshot(ctx, rds, kind_wanted, room)
