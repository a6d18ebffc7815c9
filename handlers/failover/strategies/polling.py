"""Timing shared by the strategies: how often to poll, when to pause, how far back to read
lag metrics, and the error a refused one-time request raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from handlers.failover import clock, database
from handlers.failover.context import StepContext, StepFailed, StepResult
from handlers.failover.once import error_code

#: Seconds between status polls.
POLL_SECONDS = 15.0
#: Stop polling when less than this many seconds of Lambda time are left.
PAUSE_MARGIN_SECONDS = 20.0
#: How far back to look for lag datapoints: at least 10 minutes, at most the RPO.
MIN_LOOKBACK_SECONDS = 600


def lookback(rpo_seconds: int) -> int:
    """Seconds of lag datapoints the readiness check reads: ``max(600, RPO)``."""
    return max(MIN_LOOKBACK_SECONDS, rpo_seconds)


def out_of_time(ctx: StepContext) -> bool:
    """True when another poll would leave less than PAUSE_MARGIN_SECONDS of Lambda time."""
    return ctx.remaining_seconds() < PAUSE_MARGIN_SECONDS + POLL_SECONDS


def refused(what: str, e: Exception) -> StepFailed:
    """The step failure for a one-time request AWS refused (made again on the next trigger)."""
    return StepFailed(f"{what} failed ({error_code(e)}: {e}); recorded, requested again on the "
                      "next trigger")


@dataclass
class Poll:
    """The poll loop of one promote step: its recorded ``detail``, the ``polls`` made and
    when the loop ``started`` (epoch seconds)."""

    ctx: StepContext
    detail: dict[str, Any] = field(default_factory=dict)
    polls: int = 0
    started: float = field(default_factory=lambda: clock.now())

    def instance(self) -> dict[str, Any] | None:
        """One poll of the standby DB instance (STANDBY_DB_IDENTIFIER): its DBInstance dict,
        or None when it does not exist."""
        found = database.describe_instance(self.ctx.standby("rds"),
                                           self.ctx.settings.standby_db_identifier)
        self.polls += 1
        return found

    def late(self, since: float | None) -> bool:
        """True once PROMOTION_SECONDS have passed since ``since`` (the latest request,
        epoch seconds; the loop's start when None)."""
        return clock.now() > (since or self.started) + self.ctx.settings.promotion_seconds

    def pause_or_wait(self, **facts: Any) -> StepResult | None:
        """Between two polls: ``paused`` (``facts`` added to the detail) when the Lambda
        runs low on time, else wait POLL_SECONDS and return None.

        Raises:
            LockLost: the lock was lost during the wait.
        """
        if out_of_time(self.ctx):
            self.detail.update(facts)
            return StepResult("paused", self.detail)
        self.ctx.wait(POLL_SECONDS)
        return None
