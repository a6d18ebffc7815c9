"""The orchestrator's poll waits during a failback's drain, as the drill runs them.

A wait is skipped on the drill's clock as always. Every shop then re-reads its write switch
(the skip passes its refresh period), so the order in flight at the skip and the next one
finish before the replicas' lag is published: what
:data:`contract.names.WRITE_SWITCH_REFRESH_SECONDS` of real time guarantees in AWS, where a
switchover takes minutes. Without it, a drain on 127.0.0.1 can finish before any shop has
seen the pause, and customers would meet a demoted writer instead of ``writes paused``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from unittest import mock

from dataplane.customers import Customers

#: Orders customers complete after a skip before the drain reads the lag.
SETTLE_ORDERS = 2
#: Real seconds at most that the drill waits for them.
SETTLE_SECONDS = 2.0


def _settle(customers: Customers | None) -> None:
    if customers is None:
        return
    done = len(customers.acks) + len(customers.failures)
    deadline = time.monotonic() + SETTLE_SECONDS
    while (time.monotonic() < deadline
           and len(customers.acks) + len(customers.failures) < done + SETTLE_ORDERS):
        time.sleep(0.01)


@contextlib.contextmanager
def settled_drain(customers: Callable[[], Customers | None],
                  publish: Callable[[], None]) -> Iterator[None]:
    """Within the block, each of the orchestrator's waits (``handlers.failover.clock.sleep``)
    runs, lets the customers of ``customers()`` complete :data:`SETTLE_ORDERS` more orders
    (at most :data:`SETTLE_SECONDS`), then ``publish()`` es the lag readings."""
    from handlers.failover import clock

    inner = clock.sleep

    def sleep(seconds: float) -> None:
        inner(seconds)
        _settle(customers())
        publish()

    with mock.patch.object(clock, "sleep", sleep):
        yield
