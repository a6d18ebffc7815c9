"""Step 4: trip the data-plane gate in the standby Region (see :mod:`handlers.failover.gate`).
No Route 53 control-plane call."""

from __future__ import annotations

from handlers.failover import gate
from handlers.failover.context import StepContext, StepResult


def run(ctx: StepContext) -> StepResult:
    latched = gate.trip(ctx.store, ctx.standby("cloudwatch"), ctx.settings.stack_name,
                        ctx.record.failover_id, ctx.settings.gate_period_seconds)
    return StepResult("ok", {"gate": 1, "tripped_at": latched.tripped_at,
                             "region": ctx.settings.standby_region})
