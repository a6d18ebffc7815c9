"""EventBridge and Lambda deliver a scheduled event at least once: each watchdog tick (event
id) counts once towards the K consecutive failures, however often and however concurrently
it arrives."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from emulator.bridges import atomic_dynamodb_writes
from handlers.failover import watchdog
from handlers.failover.app import handle
from handlers.failover.records import WatchdogItem
from handlers.failover.state import StateStore
from tests.failover.world import World, context, scheduled_event


def _armed(make_world: Callable[..., World]) -> World:
    world = make_world("read-replica", primary_status=200)
    assert handle(scheduled_event(), context(), clients=world.clients)["armed"] is True
    world.primary.status = 503
    return world


def test_a_redelivered_tick_does_not_count_twice(make_world: Callable[..., World]) -> None:
    world = _armed(make_world)
    first = scheduled_event()
    results = [handle(e, context(), clients=world.clients)
               for e in (first, dict(first), scheduled_event(), scheduled_event())]

    assert [r["status"] for r in results] == ["probe-failed", "ignored", "probe-failed",
                                              "completed"]
    assert [r["consecutive_failures"] for r in results] == [1, 1, 2, 3]
    assert results[1]["reason"].startswith(f"duplicate delivery of scheduled event {first['id']}")
    # K (3) was reached on the third distinct tick, not on the second.
    assert world.store().get("failover")["trigger"] == "watchdog"
    assert world.promotions == ["shop-standby"]


def test_a_duplicate_makes_no_probe_and_no_write(make_world: Callable[..., World]) -> None:
    world = _armed(make_world)
    event = scheduled_event()
    handle(event, context(), clients=world.clients)
    hits, before = sum(world.primary.hits.values()), world.clients.calls.copy()
    again = handle(event, context(), clients=world.clients)
    assert again["status"] == "ignored"
    assert sum(world.primary.hits.values()) == hits
    assert world.clients.calls - before == {"dynamodb.GetItem": 1}


def _racing_reads(monkeypatch: pytest.MonkeyPatch, parties: int) -> None:
    """The first ``parties`` reads of the watchdog item (one per racing tick) return only
    once all of them have read it, so every tick decides on the same item and their writes
    race; later reads (a tick's re-read, the test's own) pass straight through."""
    barrier = threading.Barrier(parties, timeout=10)
    real = StateStore.watchdog
    reads = iter(range(parties))
    mutex = threading.Lock()

    def read(self: StateStore) -> WatchdogItem:
        item = real(self)
        with mutex:
            racing = next(reads, None) is not None
        if racing:
            barrier.wait()
        return item

    monkeypatch.setattr(StateStore, "watchdog", read)


def _concurrently(world: World, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for service in ("dynamodb", "cloudwatch"):
        world.clients(service, world.builder.standby_region)  # built before the threads race
    with atomic_dynamodb_writes(), ThreadPoolExecutor(len(events)) as pool:
        return list(pool.map(lambda e: handle(e, context(), clients=world.clients), events))


def test_two_concurrent_deliveries_of_one_tick_count_once(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    world = _armed(make_world)
    event = scheduled_event()
    _racing_reads(monkeypatch, 2)
    results = _concurrently(world, [event, dict(event)])

    assert sorted(r["status"] for r in results) == ["ignored", "probe-failed"]
    wd = world.store().watchdog()
    assert len(wd.recent_failures_epoch) == 1
    assert event["id"] in (wd.counted_events or {})


def test_two_concurrent_distinct_ticks_both_count(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    """The conditional write loses no update: two different ticks racing both count."""
    world = _armed(make_world)
    _racing_reads(monkeypatch, 2)
    results = _concurrently(world, [scheduled_event(), scheduled_event()])

    assert [r["status"] for r in results] == ["probe-failed", "probe-failed"]
    assert sorted(r["consecutive_failures"] for r in results) == [1, 2]
    assert len(world.store().watchdog().recent_failures_epoch) == 2


def test_counted_event_ids_are_forgotten_after_the_lambda_retry_horizon(
        make_world: Callable[..., World], fake_clock: Any) -> None:
    world = _armed(make_world)
    old = scheduled_event()
    handle(old, context(), clients=world.clients)
    fake_clock.advance(watchdog.EVENT_MEMORY_SECONDS + 1)
    handle(scheduled_event(), context(), clients=world.clients)
    new = scheduled_event()
    handle(new, context(), clients=world.clients)
    # The old tick's id (and the arming tick's) are forgotten; the two recent ones kept.
    assert old["id"] not in (world.store().watchdog().counted_events or {})
    assert len(world.store().watchdog().counted_events or {}) == 2
