"""Step 2: is the standby ready to take over within the RPO?

The question is the strategy's (:meth:`StrategyModule.check_readiness
<handlers.failover.strategies.StrategyModule.check_readiness>` of
``handlers.failover.strategies.<strategy>``): each module's docstring says what it reads.
The step's detail is the strategy's facts plus ``strategy``; when not ready, ``not_ready``
lists the problems and the failover stops with status ``not-ready`` and an alert, unless
``force`` (then ``forced``).
"""

from __future__ import annotations

from handlers.failover import strategies
from handlers.failover.context import StepContext, StepResult


def run(ctx: StepContext) -> StepResult:
    check = strategies.load(ctx.settings.db_strategy).check_readiness(ctx)
    detail = check.detail
    detail["strategy"] = str(ctx.settings.db_strategy)
    if check.ok:
        return StepResult("ok", detail)
    detail["not_ready"] = check.problems
    if ctx.force:
        detail["forced"] = True
        return StepResult("ok", detail)
    return StepResult("aborted", detail, status="not-ready")
