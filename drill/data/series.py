"""The customers' chart data: orders acknowledged and failed per second, and the marks.

Times are converted from the drill's clock to wall seconds since the drill started, so the
chart shares the timeline's axis; a skipped wait is a mark (a point on the wall axis where
the clock jumped), not a gap.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from dataplane.customers import Ack, Failure
from drill.clock import DrillClock


def per_second(acks: Sequence[Ack], failures: Sequence[Failure], clock: DrillClock, *,
               origin: float) -> list[dict[str, Any]]:
    """``[{"t": wall second since the start, "acked": {region: n}, "failed": n}]``, one entry
    per second from the first record to the last (empty seconds included)."""
    if not acks and not failures:
        return []
    start = clock.to_wall(origin)

    def second(at: float) -> int:
        return int(math.floor(clock.to_wall(at) - start))

    stamps = [second(a.at) for a in acks] + [second(f.at) for f in failures]
    bins: dict[int, dict[str, Any]] = {t: {"t": t, "acked": {}, "failed": 0}
                                       for t in range(min(stamps), max(stamps) + 1)}
    for a in acks:
        acked = bins[second(a.at)]["acked"]
        acked[a.region] = acked.get(a.region, 0) + 1
    for f in failures:
        bins[second(f.at)]["failed"] += 1
    return list(bins.values())


def marks(points: Mapping[str, float], clock: DrillClock, *, origin: float) -> dict[str, float]:
    """Drill-clock marks (``failure``, ``promoted``, ``traffic_shift``...) as wall seconds since
    the start."""
    start = clock.to_wall(origin)
    return {k: round(clock.to_wall(v) - start, 3) for k, v in points.items()}
