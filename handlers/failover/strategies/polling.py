"""Timing shared by the strategies: how often to poll, when to pause, how far back to read
lag metrics, and the error a refused one-time request raises."""

from __future__ import annotations

from handlers.failover.context import StepContext, StepFailed
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
