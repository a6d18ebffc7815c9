"""The plan the drill deploys: recorded under mocks once per process and config.

Recording runs the program in a subprocess (about 2 s), and one process (tests, benchmarks)
drills the same config several times; applying a plan never changes it.
"""

from __future__ import annotations

import json

from drill.context import DrillContext
from drill.options import DrillError
from engine.plan import Plan, PlanConfigError, record_plan

_PLAN_CACHE: dict[str, Plan] = {}


def plan_for(ctx: DrillContext) -> tuple[Plan, bool]:
    """The plan of the drilled config (preview semantics, with the drill's overrides) and
    whether it was recorded earlier in this process; sets ``ctx.plan``.

    Raises:
        DrillError: the program rejected the stack config (the message names the key).
        engine.plan.PlanError: the program failed under mocks otherwise.
    """
    if ctx.plan is not None:
        return ctx.plan, True
    o = ctx.opts
    key = json.dumps([o.stack, str(o.stack_file), ctx.overrides], sort_keys=True)
    reused = key in _PLAN_CACHE
    if not reused:
        try:
            _PLAN_CACHE[key] = record_plan(o.stack, stack_file=o.stack_file,
                                           config_overrides=ctx.overrides or None, preview=True)
        except PlanConfigError as e:
            raise DrillError(f"the program rejected the stack config: {e}") from None
    ctx.plan = _PLAN_CACHE[key]
    return ctx.plan, reused
