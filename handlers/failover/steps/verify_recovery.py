"""Step 6: the standby serves: STANDBY_HEALTH_URL answers healthy (2xx/3xx) and the
database is writable - ``available`` and no longer a read replica.

A few probes within the step budget ride out a standby that is still starting; if it stays
unhealthy the step fails and the next trigger retries it (traffic has already moved)."""

from __future__ import annotations

from typing import Any

from handlers.failover import clock, database
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
    inst = database.describe_instance(ctx.standby("rds"), s.standby_db_identifier)
    writable = bool(inst and inst["DBInstanceStatus"] == "available"
                    and not database.replica_source(inst))
    detail["database"] = {"identifier": s.standby_db_identifier, "writable": writable,
                          "status": inst["DBInstanceStatus"] if inst else "missing"}
    problems = []
    if not result.healthy:
        problems.append(f"standby endpoint unhealthy: {result.detail}")
    if not writable:
        problems.append(f"database {s.standby_db_identifier} is not writable")
    if problems:
        raise StepFailed("; ".join(problems))
    return StepResult("ok", detail)
