"""Step 3b: run the real backup orchestrator once and check its recovery point from outside:
its snapshots are real base backups (copied across the inter-Region link) and the lag it read
was published from PostgreSQL."""

from __future__ import annotations

from typing import Any

from contract.names import Role
from drill.aurora import watched_metrics
from drill.context import DrillContext
from drill.observe import standby_copies
from drill.result import StepRecord
from drill.step import Step
from drill.triggers import record_invocation, scheduled_event

_SUMMARY_KEYS = ("status", "recovery_point_age_seconds", "replication_lag_seconds", "regions",
                 "duration_seconds", "metadata_key", "errors")


def run(ctx: DrillContext, rec: StepRecord) -> None:
    """Invoke the backup orchestrator (cold start) and check its run from outside."""
    inv = ctx.need_backup().invoke(scheduled_event(ctx, Role.BACKUP_SCHEDULE),
                                   trigger="backup schedule", cold=True)
    record_invocation(ctx, inv)
    ctx.backup_summary = inv.result if isinstance(inv.result, dict) else None
    r = ctx.backup_summary or {}
    rec.detail = {k: r.get(k) for k in _SUMMARY_KEYS} if r else {"error": inv.error}
    rec.detail["created"] = len(r.get("created", []))
    rec.detail["copied"] = len(r.get("copied", []))
    copies = standby_copies(ctx)
    rec.detail["standby_copies_seen_by_drill"] = len(copies)
    ctx.check("backup run complete", r.get("status") == "complete",
              f"status {r.get('status') or '-'}" + (f", error: {inv.error}" if inv.error else ""))
    ctx.check("a recovery point exists in the standby Region (read by the drill)",
              len(copies) > 0, f"{len(copies)} managed snapshot(s) in {ctx.settings.standby_region}")
    _real_data(ctx, rec, r)


def _real_data(ctx: DrillContext, rec: StepRecord, r: dict[str, Any]) -> None:
    """The orchestrator read a lag the drill published from PostgreSQL, and its snapshots
    are real base backups (the pg-snapshots bridge)."""
    world = ctx.need_data()
    if world.publisher is not None:
        got = r.get("replication_lag_seconds")
        published = [v for m in watched_metrics(ctx) for v in world.publisher.values(m.name)]
        ctx.check("the backup orchestrator read a replication lag published from PostgreSQL",
                  got is not None and any(abs(float(got) - v) < 1e-6 for v in published),
                  f"orchestrator {got} s; {len(published)} datapoint(s) published, "
                  f"{min(published, default=0):.4f}-{max(published, default=0):.4f} s")
    backups = [{"region": region, "snapshot": sid, "server": snap.source_server,
                "mib": round(snap.size_bytes / 2**20, 1), "copied_from": snap.copied_from}
               for (region, sid), snap in world.snapshots.items()]
    rec.detail["base_backups"] = backups
    copies = [b for b in backups if b["region"] == ctx.settings.standby_region and b["copied_from"]]
    ctx.check("the backups are real: base backups of the primary's PostgreSQL, copied into the "
              "standby Region's store (pg-snapshots bridge)", bool(copies),
              f"{len(backups)} base backup(s) or copies, {len(copies)} cross-Region cop(ies)")


STEP = Step("backup", "Run the real backup orchestrator once", run)
