"""Which snapshots to delete: a pure plan, then the deletes.

Rules (each one tested):

* DB instance snapshots and DB cluster snapshots have separate quotas: a plan covers one
  kind (the caller passes the snapshots of that kind).
* Only snapshots we made are candidates (:class:`handlers.backup.ownership.Ownership`: our
  ``managed-by`` tag AND an identifier of our scheme AND a protected database / its standby
  as source); foreign, untagged and automated snapshots are never touched, whatever their
  tags (automated ones are not even listed).
* ``failed``: our own snapshots with ``Status: failed`` are no recovery point but still
  count toward the quota; they are deleted at once (never a foreign failed one).
* Otherwise only ``available`` snapshots are deleted (never one still creating/copying).
* The newest ``keep_newest`` available snapshots per (database, kind) in a Region are never
  deleted; kinds are primary / standby / copy, so a Region keeps N of each.
* ``retention``: candidates older than ``retention_hours`` are deleted.
* ``quota``: if, after retention pruning, the Region would still exceed the manual-snapshot
  quota once this run's snapshots are added (every manual snapshot counts, ours or not),
  our oldest remaining candidates are deleted too, even inside retention, so creation never
  fails with "cannot create more than N manual snapshots". Default quota 100 per Region
  (Amazon RDS User Guide, "Quotas in Amazon RDS").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from handlers.backup.inventory import APIS, Snapshot
from handlers.backup.naming import Kind
from handlers.backup.ownership import Ownership

#: RDS snapshot status of a snapshot that could not be made (Amazon RDS API Reference,
#: "DBSnapshot", Status).
FAILED = "failed"


@dataclass(frozen=True)
class PrunePlan:
    """``deletes``: ``(snapshot, reason)`` with reason ``failed`` | ``retention`` | ``quota``
    (failed ones first, then oldest first).
    ``room``: how many new snapshots fit in the Region after the deletes (may be < needed)."""

    deletes: tuple[tuple[Snapshot, str], ...]
    room: int


def plan_pruning(snapshots: Sequence[Snapshot], *, owner: Ownership, now: datetime,
                 retention_hours: float, keep_newest: int, quota: int, needed: int) -> PrunePlan:
    """Plan deletes in one Region.

    Args:
        snapshots: every manual snapshot in the Region (ours and others).
        owner: decides which snapshots are ours (tag, identifier scheme, source DB).
        now: current time (UTC).
        retention_hours: minimum age of a snapshot deleted for retention, hours.
        keep_newest: newest available snapshots per (database, kind) always kept (>= 1).
        quota: manual snapshots allowed in the Region.
        needed: snapshots this run wants to create in the Region.
    """
    if keep_newest < 1:
        raise ValueError(f"keep_newest must be at least 1, got {keep_newest}")
    groups: dict[tuple[str, str], list[Snapshot]] = defaultdict(list)
    failed: list[Snapshot] = []
    for s in snapshots:
        # A preserved failover snapshot (the only copy of writes that did not replicate) is
        # never a candidate, whatever its tags (it is also outside the identifier scheme).
        if not owner.owns(s) or s.kind == Kind.PRESERVED.value:
            continue
        if s.available:
            groups[(s.database, s.kind)].append(s)
        elif s.status == FAILED:
            failed.append(s)
    failed.sort(key=lambda s: (s.sort_time(now), s.identifier))
    candidates: list[Snapshot] = []
    for members in groups.values():
        members.sort(key=lambda s: s.sort_time(now), reverse=True)
        candidates.extend(members[keep_newest:])
    candidates.sort(key=lambda s: (s.sort_time(now), s.identifier))

    cutoff = now - timedelta(hours=retention_hours)
    deletes = [(s, "failed") for s in failed]
    deletes += [(s, "retention") for s in candidates if s.sort_time(now) < cutoff]
    remaining = [s for s in candidates if s.sort_time(now) >= cutoff]
    excess = len(snapshots) - len(deletes) + needed - quota
    if excess > 0:
        deletes.extend((s, "quota") for s in remaining[:excess])
    room = max(0, quota - (len(snapshots) - len(deletes)))
    return PrunePlan(tuple(deletes), room)


def delete_snapshots(rds: Any, plan: PrunePlan) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Carry out the deletes. A snapshot already gone (a concurrent run pruned it) counts
    as pruned; a connection-level failure stops the deletes in this Region.

    Returns:
        ``(pruned, errors)``: ``pruned`` entries are ``Snapshot.brief()`` plus ``reason``;
        ``errors`` entries are ``{"snapshot_id", "code", "message"}``.
    """
    pruned: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for snap, reason in plan.deletes:
        api = APIS[snap.cluster]
        try:
            getattr(rds, api.delete)(**{api.id_key: snap.identifier})
        except ClientError as e:
            code = e.response.get("Error", {}).get("Code", "")
            if code not in api.not_found:
                errors.append({"snapshot_id": snap.identifier, "code": code, "message": str(e)})
                continue
        except BotoCoreError as e:
            # The endpoint failed even after retries: stop rather than sit through the
            # retries once per snapshot; the next run prunes what is left.
            errors.append({"snapshot_id": snap.identifier, "code": type(e).__name__,
                           "message": f"{e}; pruning in this Region stopped for this run"})
            break
        pruned.append({**snap.brief(), "reason": reason})
    return pruned, errors
