"""Step 6: the standby serves: STANDBY_HEALTH_URL answers healthy (2xx/3xx) and the
database is writable (the strategy's :meth:`StrategyModule.check_writable
<handlers.failover.strategies.StrategyModule.check_writable>`; for an instance standby:
``available`` and no longer a read replica).

A few probes within the step budget ride out a standby that is still starting; if it stays
unhealthy the step fails and the next trigger retries it (traffic has already moved)."""

from __future__ import annotations

from typing import Any

from handlers.failover import clock, strategies
from handlers.failover.context import StepContext, StepFailed, StepResult
from handlers.shared.probe import probe

#: Probes of the standby endpoint before the step fails, and the pause between them.
PROBE_ATTEMPTS = 3
PROBE_PAUSE_SECONDS = 2.0


def run(ctx: StepContext) -> StepResult:
    s = ctx.settings
    started = clock.now()
    detail: dict[str, Any] = {}
    result = probe(s.standby_health_url, s.probe_timeout_seconds)
    attempts = 1
    while not result.healthy and attempts < PROBE_ATTEMPTS and (
            clock.now() - started + PROBE_PAUSE_SECONDS < s.budget("verify_recovery")):
        ctx.wait(PROBE_PAUSE_SECONDS)
        result = probe(s.standby_health_url, s.probe_timeout_seconds)
        attempts += 1
    detail["standby_probe"] = {**result.as_dict(), "attempts": attempts}
    database = strategies.load(s.db_strategy).check_writable(ctx)
    detail["database"] = database.detail
    problems = []
    if not result.healthy:
        problems.append(f"standby endpoint unhealthy: {result.detail}")
    problems.extend(database.problems)
    if problems:
        raise StepFailed("; ".join(problems))
    return StepResult("ok", detail)
