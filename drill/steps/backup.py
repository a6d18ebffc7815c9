"""Step 3b: run the real backup orchestrator once and check its recovery point from outside."""

from __future__ import annotations

from contract.names import Role
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
              f"status={r.get('status')} error={inv.error}")
    ctx.check("a recovery point exists in the standby Region (read by the drill)",
              len(copies) > 0, f"{len(copies)} managed snapshot(s) in {ctx.settings.standby_region}")
    if ctx.spec.replication_metrics:
        seeded = float(ctx.opts.seeded_replica_lag_seconds)
        got = r.get("replication_lag_seconds")
        ctx.check("the backup orchestrator read the replication lag the emulator holds",
                  got is not None and abs(float(got) - seeded) < 1e-6,
                  f"orchestrator {got} s, emulator {seeded:g} s")


STEP = Step("backup", "Run the real backup orchestrator once", run)
