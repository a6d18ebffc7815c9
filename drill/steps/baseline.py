"""Step 3a, baseline: seed the replication lag, evaluate the alarms, check the failover name
resolves to the primary, and let the watchdog arm on a healthy primary."""

from __future__ import annotations

import json

from contract.names import Role
from drill.context import DrillContext
from drill.observe import answer, evaluate_alarms
from drill.replication import seed_replication_metrics
from drill.result import StepRecord
from drill.step import Step
from drill.triggers import brief, record_invocation, scheduled_event


def run(ctx: DrillContext, rec: StepRecord) -> None:
    """Seed, evaluate, resolve, and let the watchdog arm (one cold invocation)."""
    rec.detail["seeded"] = seed_replication_metrics(ctx)
    rec.detail["alarms"] = evaluate_alarms(ctx)
    dns = rec.detail["dns_answer"] = answer(ctx)
    ctx.check("before the failure, the failover name resolves to the primary",
              dns["answer"] == "PRIMARY", f"{dns['name']} -> {dns['answer']} {dns['values']}")
    inv = ctx.need_failover().invoke(scheduled_event(ctx, Role.WATCHDOG_SCHEDULE),
                                     trigger="watchdog (healthy primary)", cold=True)
    record_invocation(ctx, inv)
    rec.detail["watchdog"] = brief(inv.result) if inv.result else inv.error
    armed = bool(inv.result and inv.result.get("armed") is not False and not inv.error)
    ctx.check("watchdog armed after seeing the primary healthy", armed,
              json.dumps(brief(inv.result)) if inv.result else str(inv.error))
    rec.detail["alarms_after"] = evaluate_alarms(ctx)


STEP = Step("baseline", "Baseline: metrics, alarms, DNS answer, watchdog arms", run)
