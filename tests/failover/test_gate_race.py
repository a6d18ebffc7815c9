"""The lock-free watchdog re-publish never undoes a failback (or a trip) that lands between
its read of the latch and its publish."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest

from handlers.failover import gate
from handlers.failover.app import handle
from tests.failover.cycle import ready_for_failback
from tests.failover.world import STACK, STANDBY, World, context, manual, scheduled_event


def _racing_publish(monkeypatch: pytest.MonkeyPatch, when: int,
                    interleave: Callable[[], None]) -> list[int]:
    """``gate.publish`` runs ``interleave`` once, just before the first publish of
    ``when``; returns every value published, in order."""
    real = gate.publish
    published: list[int] = []
    fired: list[bool] = []

    def publish(cloudwatch: Any, stack: str, value: int, *period: int) -> None:
        if value == when and not fired:
            fired.append(True)
            interleave()
        published.append(value)
        real(cloudwatch, stack, value, *period)

    monkeypatch.setattr(gate, "publish", publish)
    return published


def test_failback_between_a_ticks_read_and_publish_is_not_undone(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    world = make_world("read-replica")
    assert handle(manual(), context(), clients=world.clients)["status"] == "completed"
    world.reverse_replica()
    ready_for_failback("shop-primary-reverse")
    world.primary.status = 200
    failbacks: list[dict[str, Any]] = []

    def operator_failback() -> None:
        failbacks.append(handle(manual("failback", "reverse replica in sync"), context(),
                                clients=world.clients))

    # The tick reads "tripped"; the failback releases and publishes 0; then the tick's 1.
    published = _racing_publish(monkeypatch, 1, operator_failback)
    tick = handle(scheduled_event(), context(), clients=world.clients)

    assert [f["status"] for f in failbacks] == ["failed-back"]
    assert published == [0, 1, 0]  # failback's 0, the tick's stale 1, the tick's correction
    assert tick["gate"] == 0
    latch = world.store().gate()
    assert latch.tripped is False
    assert latch.last_published == 0
    assert latch.generation == 2  # tripped once, released once
    published.clear()
    assert handle(scheduled_event(), context(), clients=world.clients)["gate"] == 0
    assert published == [0]


def test_trip_between_a_ticks_read_and_publish_is_not_undone(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    world = make_world("read-replica")
    store = world.store()
    cloudwatch = boto3.client("cloudwatch", region_name=STANDBY)
    published = _racing_publish(
        monkeypatch, 0, lambda: gate.trip(store, cloudwatch, STACK, "fo-race"))

    assert gate.republish(store, cloudwatch, STACK) == 1
    assert published == [1, 0, 1]  # the trip's 1, the tick's stale 0, the tick's correction
    latch = store.gate()
    assert latch.tripped is True
    assert latch.last_published == 1
