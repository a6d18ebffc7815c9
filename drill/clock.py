"""The drill's clock: wall time plus the waits the drill skipped (:class:`DrillClock`).

Some waits are too long to sit through on 127.0.0.1 and are AWS-side anyway: a crashed
invocation's lock lease, one DNS TTL while customers keep a cached answer, the orchestrator's
own poll waits, a link that stays slow for longer than the lag alarm threshold. The drill
*skips* them: the clock jumps forward by the wait, and everything the emulated account does
runs on this clock (the failover handler's ``clock.now``, the datapoints CloudWatch stamps,
the customers' TTLs and their records), so the skip is seen the same way by all of them.

Every skip is a :class:`Skip` (name, seconds, why): the report lists them as *modelled*, and a
figure measured on the drill's clock says how much of it was skipped
(:meth:`DrillClock.skipped_between`), so measured and modelled time are never mixed unsaid.
Seconds since the epoch throughout.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Skip:
    """A wait the drill skipped.

    Attributes:
        name: what was waited for (``"DNS TTL"``).
        seconds: how far the clock jumped (> 0).
        at: drill-clock time the jump started (the clock read ``at + seconds`` right after).
        wall_at: wall-clock time of the jump.
        note: why the wait is what it is (its source).
        in_rto: whether the RTO counts it as its own modelled term (a lease wait) rather than
            inside another term (the TTL and poll waits are inside their own terms).
    """

    name: str
    seconds: float
    at: float
    wall_at: float
    note: str = ""
    in_rto: bool = False

    def to_dict(self, origin: float = 0.0) -> dict[str, object]:
        """JSON form; ``wall_offset_seconds`` is ``wall_at - origin``."""
        return {"name": self.name, "seconds": round(self.seconds, 3), "basis": "modelled",
                "wall_offset_seconds": round(self.wall_at - origin, 3), "note": self.note,
                "in_rto": self.in_rto}


class DrillClock:
    """Wall time plus every skip so far (thread-safe).

    Args:
        wall: the underlying clock (default ``time.time``).
    """

    def __init__(self, wall: Callable[[], float] = time.time) -> None:
        self._wall = wall
        self._lock = threading.Lock()
        self._skips: list[Skip] = []
        self._offset = 0.0

    @property
    def offset(self) -> float:
        """Seconds skipped so far."""
        return self._offset

    @property
    def skips(self) -> list[Skip]:
        """Every skip, oldest first (a copy)."""
        with self._lock:
            return list(self._skips)

    def now(self) -> float:
        """Drill-clock seconds since the epoch."""
        return self._wall() + self._offset

    def utc(self) -> dt.datetime:
        """:meth:`now` as an aware UTC datetime."""
        return dt.datetime.fromtimestamp(self.now(), dt.UTC)

    def advance(self, seconds: float, name: str, note: str = "", *, in_rto: bool = False) -> Skip:
        """Skip ``seconds`` (> 0) of waiting; returns the skip recorded.

        Raises:
            ValueError: ``seconds`` is not a positive finite number.
        """
        if not (seconds > 0 and seconds != float("inf")):
            raise ValueError(f"a skip must be a positive number of seconds, got {seconds!r}")
        with self._lock:
            wall = self._wall()
            skip = Skip(name, float(seconds), wall + self._offset, wall, note, in_rto)
            self._skips.append(skip)
            self._offset += float(seconds)
        return skip

    def at_wall(self, wall: float) -> float:
        """The drill-clock time of wall-clock instant ``wall`` (the skips made before it)."""
        with self._lock:
            return wall + sum(s.seconds for s in self._skips if s.wall_at <= wall)

    def to_wall(self, drill: float) -> float:
        """The wall-clock instant of drill-clock time ``drill`` (a time inside a skip maps to
        the instant the skip was made)."""
        with self._lock:
            skipped = 0.0
            for s in self._skips:
                if drill >= s.at + s.seconds:
                    skipped += s.seconds
                elif drill > s.at:
                    skipped += drill - s.at
        return drill - skipped

    def skipped_between(self, start: float, end: float) -> float:
        """Seconds of skips inside the drill-clock interval ``[start, end]``."""
        with self._lock:
            return sum(max(0.0, min(end, s.at + s.seconds) - max(start, s.at))
                       for s in self._skips)

    def skips_between(self, start: float, end: float) -> list[Skip]:
        """The skips that overlap the drill-clock interval ``[start, end]``."""
        with self._lock:
            return [s for s in self._skips if s.at < end and s.at + s.seconds > start]

    def age(self, wall_age_seconds: float) -> float:
        """An age read on the wall clock now (``now - T`` for some past instant ``T``) as the
        same age on the drill's clock: the skips made since ``T`` are added."""
        wall_now = self._wall()
        return self.now() - self.at_wall(wall_now - wall_age_seconds)
