"""Work the snapshot steps share in one Region: make room (prune), refuse work past the
quota, and record each create/copy call's outcome in the run record."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from handlers.backup.context import UNREACHABLE, RunContext
from handlers.backup.inventory import Snapshot
from handlers.backup.naming import Kind
from handlers.backup.pruning import delete_snapshots, plan_pruning
from handlers.backup.snapshots import Outcome

#: Snapshot statuses meaning "RDS is still making it": never duplicated, copied or pruned.
IN_PROGRESS = frozenset({"creating", "pending", "copying"})


def in_progress(ctx: RunContext, snaps: list[Snapshot], kind: Kind) -> set[str]:
    """Databases with a snapshot of ours of ``kind`` that RDS is still making."""
    return {s.database for s in snaps
            if ctx.owner.owns(s) and s.kind == kind.value and s.status in IN_PROGRESS}


def prune(ctx: RunContext, region: str, rds: Any, snaps: list[Snapshot], needed: int,
          *, cluster: bool = False) -> int:
    """Prune our snapshots of one kind (DB snapshots, or ``cluster`` snapshots: their quotas
    are apart) in ``region`` (retention, then quota) before ``needed`` new ones.

    Records the deletes, their errors and ``quota[region]`` (``quota["<region>:cluster"]``
    for cluster snapshots); warns when the room left is short. Returns the room left for new
    snapshots (count).
    """
    s = ctx.settings
    snaps = [x for x in snaps if x.cluster == cluster]
    key = f"{region}:cluster" if cluster else region
    plan = plan_pruning(snaps, owner=ctx.owner, now=ctx.started,
                        retention_hours=s.retention_hours, keep_newest=s.keep_newest,
                        quota=s.snapshot_quota, needed=needed)
    pruned, errors = delete_snapshots(rds, plan)
    ctx.record.pruned.extend(pruned)
    ctx.pruned_arns.update(p["arn"] for p in pruned)
    for err in errors:
        ctx.record.error(region=region, step="prune", code=err["code"], message=err["message"])
    room = max(0, plan.room - len(errors))
    ctx.record.quota[key] = {"manual_snapshots_before": len(snaps),
                             "quota": s.snapshot_quota, "needed": needed, "room": room}
    if room < needed:
        what = "manual cluster snapshots" if cluster else "manual snapshots"
        ctx.record.warnings.append(f"{region}: {len(snaps)} {what}, quota "
                                   f"{s.snapshot_quota}; room for {room} of {needed} "
                                   "new snapshots after pruning ours")
    return room


def attempt(ctx: RunContext, call: Callable[[], Outcome], *, has_room: bool,
            made: list[Snapshot], region: str, step: str, database: str, snapshot_id: str,
            kind: Kind, source: Snapshot | None = None) -> bool:
    """Make one snapshot or copy with ``call`` unless ``region`` went unreachable earlier or
    there is no room under the quota (both recorded as errors); record the outcome, and
    append a snapshot made to ``made``.

    Returns:
        True when ``call`` was made (it used room), else False.
    """
    if ctx.skip_unreachable(region, step, database):
        return False
    if not has_room:
        ctx.record.error(region=region, step=step, database=database, code="NoRoomUnderQuota",
                         message="manual snapshot quota reached and none of ours prunable")
        return False
    out = call()
    record_outcome(ctx, out, region=region, step=step, database=database,
                   snapshot_id=snapshot_id, kind=kind, source=source)
    if out.snapshot is not None:
        made.append(out.snapshot)
    return True


def record_outcome(ctx: RunContext, out: Outcome, *, region: str, step: str, database: str,
                   snapshot_id: str, kind: Kind, source: Snapshot | None = None) -> None:
    """File one create/copy call under ``created`` / ``copied``, ``existing``, ``deferred``
    or ``errors`` (an unreachable endpoint also marks the Region unreachable)."""
    rec = ctx.record
    entry: dict[str, Any] = {"region": region, "database": database, "kind": kind.value,
                             "snapshot_id": snapshot_id}
    if out.snapshot is not None:
        entry["arn"] = out.snapshot.arn
        entry["status"] = out.snapshot.status
    if source is not None:
        entry["source_arn"] = source.arn
    if out.state == "created":
        (rec.copied if kind is Kind.COPY else rec.created).append(entry)
    elif out.state == "existing":
        rec.existing.append(entry)
    elif out.state == "deferred":
        rec.deferred.append({**entry, "code": out.code, "message": out.message})
    else:
        if out.code in UNREACHABLE:
            rec.regions[region] = "unreachable"
        rec.error(region=region, step=step, database=database, code=out.code,
                  message=out.message)
