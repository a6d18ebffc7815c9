"""Step 4: trip the data-plane gate in the standby Region (see :mod:`handlers.failover.gate`).
No Route 53 control-plane call.

Then open the standby Region's write switch (:mod:`handlers.failover.write_switch`) if the
program deployed one and it is not open: the promoted standby takes writes now, and a failback
leaves that switch ``paused`` (its database was the old writer). An SSM error fails the step,
which the next trigger retries (tripping again is harmless)."""

from __future__ import annotations

from handlers.failover import gate, write_switch
from handlers.failover.context import StepContext, StepResult


def run(ctx: StepContext) -> StepResult:
    latched = gate.trip(ctx.store, ctx.standby("cloudwatch"), ctx.settings.stack_name,
                        ctx.record.failover_id, ctx.settings.gate_period_seconds)
    writes = write_switch.ensure_open(ctx.standby("ssm"), ctx.settings.stack_name)
    return StepResult("ok", {"gate": 1, "tripped_at": latched.tripped_at,
                             "region": ctx.settings.standby_region, "standby_writes": writes})
