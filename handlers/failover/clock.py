"""Wall clock and sleep in one place, so tests can move time (lease expiry, probe windows)
without waiting. Domain code calls ``clock.now()`` / ``clock.sleep()`` through the module."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now() -> float:
    """Seconds since the epoch."""
    return time.time()


def sleep(seconds: float) -> None:
    time.sleep(seconds)


def iso(ts: float | None = None) -> str:
    """ISO-8601 UTC timestamp of ``ts`` (default: now)."""
    return datetime.fromtimestamp(now() if ts is None else ts, UTC).isoformat(timespec="milliseconds")
