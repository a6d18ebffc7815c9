"""Step 3: promote or prepare the standby database, then wait until it takes writes.

How is the strategy's (:meth:`StrategyModule.promote
<handlers.failover.strategies.StrategyModule.promote>` of
``handlers.failover.strategies.<strategy>``).

Each request that changes the database is a :class:`~handlers.failover.once.OneTime`
request: the intent is written to the state table BEFORE the API call and the outcome after
it. A call AWS refused (an error answer) is recorded ``failed`` with the error and made
again on the next trigger (the step fails with ``StepFailed``, so the watchdog's next tick
retries it); a request that may have reached AWS (crash or lost answer) is made again only
when the resource still looks untouched after ``once.GRACE_SECONDS`` - AWS refuses a second
promotion / restore / stop, so nothing happens twice (see :mod:`handlers.failover.once`).
The AWS-side wait is bounded by PROMOTION_SECONDS (the modelled figure of the strategy,
``contract.strategies.StrategySpec.promotion_seconds``), counted from the latest request,
not by this step's budget. When the Lambda runs low on time the step pauses and the next
trigger resumes the polling.
"""

from __future__ import annotations

from handlers.failover import strategies
from handlers.failover.context import StepContext, StepResult


def run(ctx: StepContext) -> StepResult:
    return strategies.load(ctx.settings.db_strategy).promote(ctx)
