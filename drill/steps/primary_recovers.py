"""Step 5 (scenario primary-recovers): the primary answers again and the watchdog keeps
ticking; traffic must stay on the standby and the gate stay tripped (no automatic
failback)."""

from __future__ import annotations

import datetime as dt
import json

from contract.names import Role
from drill.context import DrillContext
from drill.observe import answer, evaluate_alarms, gate_datapoints_since
from drill.result import StepRecord
from drill.step import Step
from drill.triggers import brief, record_invocation, scheduled_event


def run(ctx: DrillContext, rec: StepRecord) -> None:
    """Bring the primary back, tick the watchdog, check nothing fails back."""
    site, fo = ctx.need_site(), ctx.need_failover()
    recovered_at = dt.datetime.now(dt.UTC)
    site.primary.resume()
    health = ctx.need_deployment().one(Role.HEALTH_ALARM)
    ctx.client("cloudwatch", health.region).set_alarm_state(
        AlarmName=health.physical_name, StateValue="OK", StateReason="drill: primary recovered")
    ticks = []
    for _ in range(ctx.settings.failover.consecutive_failures + 1):
        inv = fo.invoke(scheduled_event(ctx, Role.WATCHDOG_SCHEDULE),
                        trigger="watchdog (primary recovered)")
        record_invocation(ctx, inv)
        ticks.append(brief(inv.result) if inv.result else {"error": inv.error})
    rec.detail["ticks"] = ticks
    rec.detail["alarms"] = evaluate_alarms(ctx)
    dns = rec.detail["dns_answer"] = answer(ctx)
    ctx.check("after the primary recovers, traffic stays on the standby (no failback)",
              dns["answer"] == "SECONDARY", f"{dns['name']} -> {dns['answer']}")
    published = rec.detail["gate_datapoints_after_recovery"] = gate_datapoints_since(ctx, recovered_at)
    ctx.check("gate still published as tripped after recovery (raw datapoints read "
              "from the emulator: no 0 after the failover)",
              bool(published) and all(v >= 1 for v in published), json.dumps(published))


STEP = Step("primary-recovers", "Primary answers again: the gate must stay tripped", run,
            applies=lambda ctx: ctx.scenario.primary_recovers)
