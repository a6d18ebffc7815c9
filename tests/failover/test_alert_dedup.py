"""A step that keeps failing is retried on every tick, but alerts on its first failure and
then at most once per ALERT_REPEAT_SECONDS per failover and step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from handlers.failover import runner
from handlers.failover.app import handle
from tests.failover.world import World, context, manual, scheduled_event


def step_alerts(world: World) -> list[dict[str, Any]]:
    """Step-failure alert bodies delivered since the last call (one per Region topic)."""
    return [m for m in world.messages() if "suppressed_since_last_alert" in m]


def test_alert_repeats_at_most_once_per_interval_while_every_attempt_is_recorded(
        make_world: Callable[..., World], fake_clock: Any) -> None:
    world = make_world("read-replica")
    world.standby.status = 503  # verify_recovery keeps failing
    assert runner.ALERT_REPEAT_SECONDS == 900

    assert handle(manual(), context(), clients=world.clients)["status"] == "step-failed"
    first = step_alerts(world)
    assert len(first) == 2  # one per Region's topic
    assert first[0]["failures"] == 1 and first[0]["suppressed_since_last_alert"] == 0

    fake_clock.advance(60)  # next watchdog tick, well inside the interval
    assert handle(scheduled_event(), context(), clients=world.clients)["status"] == "step-failed"
    assert step_alerts(world) == []
    record = world.store().get("failover")
    assert record["steps"]["verify_recovery"]["attempts"] == 2
    assert record["steps"]["verify_recovery"]["failures"] == 2
    assert record["step_alerts"]["verify_recovery"]["sent"] == 1
    assert record["step_alerts"]["verify_recovery"]["suppressed"] == 1

    fake_clock.advance(runner.ALERT_REPEAT_SECONDS)
    assert handle(scheduled_event(), context(), clients=world.clients)["status"] == "step-failed"
    again = step_alerts(world)
    assert len(again) == 2
    assert again[0]["failures"] == 3 and again[0]["suppressed_since_last_alert"] == 1
    record = world.store().get("failover")
    assert record["steps"]["verify_recovery"]["attempts"] == 3
    seen = record["step_alerts"]["verify_recovery"]
    assert (seen["sent"], seen["suppressed"]) == (2, 0)
    assert seen["last_sent_epoch"] >= fake_clock.now() - 30  # this tick's alert

    world.standby.status = 200
    done = handle(scheduled_event(), context(), clients=world.clients)
    assert done["status"] == "completed"
    assert world.promotions == ["shop-standby"]


def test_an_alert_that_reached_no_region_is_not_counted_as_sent(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch,
        fake_clock: Any) -> None:
    world = make_world("read-replica")
    world.standby.status = 503
    real_alert = runner.alert
    monkeypatch.setattr(runner, "alert", lambda *a, **k: {"us-west-2": "failed: throttled",
                                                          "us-east-1": "failed: unreachable"})
    assert handle(manual(), context(), clients=world.clients)["status"] == "step-failed"
    assert world.store().get("failover")["step_alerts"]["verify_recovery"]["sent"] == 0

    monkeypatch.setattr(runner, "alert", real_alert)
    fake_clock.advance(60)
    assert handle(scheduled_event(), context(), clients=world.clients)["status"] == "step-failed"
    assert len(step_alerts(world)) == 2  # sent now, not suppressed
    assert world.store().get("failover")["step_alerts"]["verify_recovery"]["sent"] == 1
