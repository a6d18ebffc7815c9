"""What the cycle's data-plane hooks share (:class:`CycleHooks`: the read replicas'
:mod:`drill.cycle.replicas`, the DMS tasks' :mod:`drill.cycle.cdc`), and waiting for their
metrics' first datapoints (:func:`wait_published`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from drill.clock import DrillClock
from drill.data.metrics import LagPublisher
from drill.data.world import DataWorld
from emulator.bridges import BridgeLog


@dataclass
class CycleHooks:
    """The drill's side of an emulator bridge acting during the cycle's deploys.

    Args:
        world: returns the data side (None before it is built: every call left to moto).
        client: ``(service, region) -> client`` of the emulator (for the lag publishers).
        clock: the drill's clock.
        log: the bridge log.
    """

    world: Callable[[], DataWorld | None]
    client: Callable[[str, str], Any]
    clock: DrillClock
    log: BridgeLog


def wait_published(publishers: Mapping[str, LagPublisher], metric: str | None = None,
                   timeout: float = 10.0) -> list[str]:
    """Wait (real seconds) until each publisher has published a datapoint (of ``metric``, or
    of any metric), as AWS has long before anyone reads it (replication shows no lag sample
    for its first moments); returns the names of those that have none yet."""
    def silent(p: LagPublisher) -> bool:
        return not (p.values(metric) if metric else p.history)

    deadline = time.monotonic() + timeout
    missing = {name: p for name, p in publishers.items() if silent(p)}
    while missing and time.monotonic() < deadline:
        time.sleep(0.1)
        for p in missing.values():
            p.publish_now()
        missing = {name: p for name, p in missing.items() if silent(p)}
    return list(missing)
