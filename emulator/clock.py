"""The emulated account's clock: the time moto stamps on what it records.

moto stamps a CloudWatch datapoint sent without ``Timestamp`` (the failover gate's, for one)
with the wall clock. A drill that skips a wait moves its own clock forward (see
:mod:`drill.clock`); for an alarm evaluated on that clock to see those datapoints, moto must
stamp them on the same clock. :func:`account_clock` makes it so for the block.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from unittest import mock


@contextlib.contextmanager
def account_clock(now: Callable[[], float]) -> Iterator[None]:
    """Within the block, moto's CloudWatch stamps datapoints and alarm changes with ``now()``
    (seconds since the epoch) instead of the wall clock."""
    def utcnow() -> dt.datetime:   # moto keeps naive UTC datetimes
        return dt.datetime.fromtimestamp(now(), dt.UTC).replace(tzinfo=None)

    with mock.patch("moto.cloudwatch.models.utcnow", utcnow):
        yield
