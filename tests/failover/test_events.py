"""Malformed events fail cleanly, before any AWS client is built or called."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from emulator.clients import RefusingClients
from handlers.failover.app import handle
from handlers.failover.events import MalformedEventError, parse_event
from handlers.failover.settings import load_settings
from tests.failover.world import World, alarm_event, context, scheduled_event


def _missing_detail() -> dict[str, Any]:
    ev = alarm_event()
    del ev["detail"]["state"]
    return ev


def _without_aws(static_env: dict[str, str], event: Any) -> dict[str, Any]:
    """``handle(event)`` on clients that refuse to be built; whatever it returns or raises,
    no AWS client was asked for."""
    factory = RefusingClients()
    try:
        return handle(event, context(), clients=factory, settings=load_settings(static_env))
    finally:
        assert factory.requested == []


@pytest.mark.parametrize(("event", "message"), [
    ({"action": "explode", "reason": "x"}, "action: Input should be 'failover', 'status' or 'failback'"),
    ({"action": "failover"}, "'reason' is required for action 'failover'"),
    ({"action": "failover", "reason": "x", "force": "maybe"}, "force"),
    ({"action": "failover", "reason": "x", "dryRun": True}, "dryRun"),
    ({"hello": "world"}, "expected an EventBridge 'Scheduled Event'"),
    ({**scheduled_event(), "detail-type": "EC2 Instance State-change Notification"},
     "unsupported detail-type"),
    ({"detail-type": "Scheduled Event"}, "id: Field required"),
    (_missing_detail(), "detail.state: Field required"),
    (alarm_event(state="BROKEN"), "detail.state.value"),
    (["failover"], "event must be a JSON object"),
])
def test_malformed_event_raises_before_any_aws_call(static_env: dict[str, str], event: Any,
                                                    message: str) -> None:
    with pytest.raises(MalformedEventError) as err:
        _without_aws(static_env, event)
    assert message in str(err.value)


def test_alarm_for_another_alarm_is_rejected(static_env: dict[str, str]) -> None:
    with pytest.raises(MalformedEventError, match="is not the health-check alarm"):
        _without_aws(static_env, alarm_event(name="some-other-alarm"))


def test_alarm_back_to_ok_is_a_no_op(make_world: Callable[..., World]) -> None:
    world = make_world("read-replica")
    result = handle(alarm_event(state="OK"), context(), clients=world.clients)
    assert result["status"] == "ignored"
    assert sum(world.clients.calls.values()) == 0


def test_valid_shapes_parse() -> None:
    assert parse_event(scheduled_event()).detail_type == "Scheduled Event"
    assert parse_event(alarm_event()).detail.state.value == "ALARM"
    ev = parse_event({"action": "status"})
    assert ev.action == "status" and ev.force is False


@pytest.mark.parametrize("force", ["yes", "true", "false", "off", 1, 0, None, [], {"x": 1}])
def test_force_must_be_json_true_or_false(static_env: dict[str, str], force: Any) -> None:
    """A coerced ``force`` (``"yes"`` promoted a healthy primary's standby) is refused with a
    message naming the field and what it accepts; nothing runs."""
    with pytest.raises(MalformedEventError) as err:
        _without_aws(static_env, {"action": "failover", "reason": "x", "force": force})
    assert f"force: must be JSON true or false, got {force!r}" in str(err.value)


def test_force_accepts_json_booleans() -> None:
    assert parse_event({"action": "failover", "reason": "x", "force": True}).force is True
    assert parse_event({"action": "failover", "reason": "x", "force": False}).force is False
    assert parse_event({"action": "failover", "reason": "x"}).force is False


@pytest.mark.parametrize(("change", "message"), [
    ({"account": "999999999999"},
     "foreign alarm event: account 999999999999 is not this stack's account 123456789012"),
    ({"region": "us-west-2"},
     "foreign alarm event: region us-west-2; the health-check alarm is in us-east-1"),
    ({"source": "my.app"}, "foreign alarm event: source 'my.app', not aws.cloudwatch"),
])
def test_an_alarm_event_from_another_account_or_region_is_refused(
        static_env: dict[str, str], change: dict[str, str], message: str) -> None:
    with pytest.raises(MalformedEventError) as err:
        _without_aws(static_env, alarm_event(**change))
    assert message in str(err.value)


RULE = "arn:aws:events:us-west-2:123456789012:rule/ecommerce-dr-prod-watchdog"


@pytest.mark.parametrize(("change", "message"), [
    ({"source": "my.app"}, f"foreign scheduled event: source 'my.app', not 'aws.events' (the "
                           f"watchdog rule {RULE})"),
    ({"account": "999999999999"}, "foreign scheduled event: account '999999999999', not "
                                  "'123456789012'"),
    ({"region": "eu-west-1"}, "foreign scheduled event: region 'eu-west-1', not 'us-west-2'"),
    ({"resources": ["arn:aws:events:us-west-2:123456789012:rule/ecommerce-dr-prod-backup-schedule"]},
     f"foreign scheduled event: resources ['arn:aws:events:us-west-2:123456789012:rule/"
     f"ecommerce-dr-prod-backup-schedule'] do not name the watchdog rule {RULE}"),
])
def test_a_tick_the_watchdog_rule_cannot_have_sent_is_refused(
        static_env: dict[str, str], change: dict[str, Any], message: str) -> None:
    with pytest.raises(MalformedEventError) as err:
        _without_aws(static_env, {**scheduled_event(), **change})
    assert message in str(err.value)


@pytest.mark.parametrize(("change", "reason"), [
    ({"replay-name": "archive-replay-1"},
     "replayed event (replay archive-replay-1): a replay never starts or counts towards a failover"),
    ({"time": "2025-01-01T00:00:00Z"}, "stale event: sent "),
])
def test_a_replayed_or_stale_tick_is_ignored_before_any_aws_call(
        static_env: dict[str, str], change: dict[str, str], reason: str) -> None:
    out = _without_aws(static_env, {**scheduled_event(), **change})
    assert out["status"] == "ignored" and out["reason"].startswith(reason)


def test_late_ticks_of_a_backlog_never_add_up_to_a_failover(make_world: Callable[..., World]) -> None:
    world = make_world("read-replica")
    world.primary.status = 200
    assert handle(scheduled_event(), context(), clients=world.clients)["armed"] is True
    world.primary.status = 503
    late = {**scheduled_event(), "time": "2025-01-01T00:00:00Z"}
    statuses = {handle({**late, "id": f"late-{i}"}, context(), clients=world.clients)["status"]
                for i in range(5)}
    assert statuses == {"ignored"} and world.promotions == []


@pytest.mark.parametrize("event", [
    lambda: {"action": "failover", "reason": "bad \ud800 text", "force": True},
    lambda: alarm_event(**{"detail": {**alarm_event()["detail"], "alarmName": "x\udfff"}}),
])
def test_text_that_cannot_be_stored_is_malformed(static_env: dict[str, str], event: Any) -> None:
    with pytest.raises(MalformedEventError, match="(?i)unicode"):
        _without_aws(static_env, event())


def test_the_watchdog_rules_own_tick_is_taken(make_world: Callable[..., World]) -> None:
    world = make_world("read-replica")
    assert scheduled_event()["resources"] == [RULE]
    world.primary.status = 200
    assert handle(scheduled_event(), context(), clients=world.clients)["armed"] is True


@pytest.mark.parametrize(("event", "reason"), [
    (lambda: alarm_event(**{"replay-name": "archive-replay-1"}),
     r"replayed event \(replay archive-replay-1\): a replay never starts or counts towards a "
     r"failover"),
    # Event times have whole seconds, ages are rounded: 299-301 s either way.
    (lambda: alarm_event(age_seconds=300),
     r"stale event: sent (299|300|301) s ago, more than PROBE_WINDOW_SECONDS \(240 s\)"),
    (lambda: alarm_event(age_seconds=-300),
     r"stale event: sent (299|300|301) s ahead of this function's clock, more than "
     r"PROBE_WINDOW_SECONDS \(240 s\)"),
])
def test_a_replayed_or_stale_alarm_event_is_ignored_with_a_logged_reason(
        static_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
        event: Callable[[], dict[str, Any]], reason: str) -> None:
    from handlers.failover import app
    logged: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(app.logger, "warning",
                        lambda msg, *a, extra=None, **k: logged.append((msg, extra or {})))
    result = _without_aws(static_env, event())
    assert result["status"] == "ignored"
    assert re.search(reason, result["reason"]), result["reason"]
    assert [msg for msg, extra in logged if extra.get("reason") == result["reason"]] == [
        "alarm event ignored"]


def test_a_fresh_alarm_event_within_the_window_starts_the_failover(
        make_world: Callable[..., World]) -> None:
    world = make_world("read-replica", primary_status=200)
    handle(scheduled_event(), context(), clients=world.clients)  # armed
    world.primary.status = 503
    result = handle(alarm_event(age_seconds=230), context(), clients=world.clients)
    assert result["status"] == "completed", result
    assert world.promotions == ["shop-standby"]
