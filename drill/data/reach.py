"""Customers reaching a Region once their cached DNS answer expired: the drill skips one TTL
of the failover records on its clock, then waits (wall clock) for orders acknowledged after
it."""

from __future__ import annotations

import time

from dataplane.customers import Customers
from drill.clock import DrillClock
from drill.data.world import DataWorld


def acked_after(customers: Customers, since: float, region: str | None = None) -> int:
    """How many orders were acknowledged at drill time ``since`` or later (by ``region``'s
    writer; by any when None)."""
    return sum((region is None or a.region == region) and a.at >= since for a in customers.acks)


def orders_after_ttl(world: DataWorld, clock: DrillClock, customers: Customers,
                     ttl: float, note: str, *, orders: int, wait_seconds: float,
                     region: str | None = None) -> float:
    """Skip one TTL (``ttl`` seconds; ``note`` says why it is skipped then), then
    wait at most ``wait_seconds`` wall seconds, timed as ``customers`` in ``world``, until
    ``orders`` orders were acknowledged after it (see :func:`acked_after`). Returns the drill
    time the TTL ended (seconds on ``clock``)."""
    skip = clock.advance(ttl, "DNS TTL: the customers' cached answer expires", note)
    since = skip.at + skip.seconds
    deadline = time.monotonic() + wait_seconds
    with world.timed("customers"):
        while time.monotonic() < deadline and acked_after(customers, since, region) < orders:
            time.sleep(0.05)
    return since
