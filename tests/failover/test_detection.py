"""Detection and its guards: arming, the K-in-a-window rule, false positives, alarm events,
a standby that is not ready, and the gate latch after the primary recovers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from contract.names import Metric
from handlers.failover.app import handle, handler
from tests.failover.world import (
    World,
    alarm_event,
    context,
    emitted_metrics,
    manual,
    scheduled_event,
)


def tick(world: World) -> dict:
    return handle(scheduled_event(), context(), clients=world.clients)


def test_unarmed_primary_never_fails_over(make_world: Callable[..., World],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    world = make_world("read-replica", primary_status=503)
    assert [tick(world)["status"] for _ in range(2)] == ["probe-failed", "probe-failed"]
    capsys.readouterr()
    third = handler(scheduled_event(), context())
    assert third["status"] == "unarmed"
    assert third["consecutive_failures"] == 3
    assert world.store().failover() is None
    assert world.promotions == []
    assert world.store().watchdog().armed is False
    assert world.gate_stats()["Maximum"] == 0.0
    assert emitted_metrics(capsys.readouterr().out)[Metric.FAILOVER_UNARMED] == [1.0]


def test_armed_watchdog_fails_over_after_k_failures(make_world: Callable[..., World]) -> None:
    world = make_world("read-replica", primary_status=200)
    first = tick(world)
    assert first["status"] == "healthy" and first["armed"] is True
    world.primary.status = 503
    statuses = [tick(world)["status"] for _ in range(3)]
    assert statuses == ["probe-failed", "probe-failed", "completed"]
    assert world.promotions == ["shop-standby"]
    assert world.store().get("failover")["trigger"] == "watchdog"
    assert world.store().gate().tripped is True


def test_failures_spread_wider_than_the_window_do_not_count(make_world: Callable[..., World],
                                                             fake_clock) -> None:
    world = make_world("read-replica", primary_status=200)
    tick(world)
    world.primary.status = 503
    results = []
    for _ in range(3):
        results.append(tick(world))
        fake_clock.advance(241)  # PROBE_WINDOW_SECONDS is 240
    assert [r["consecutive_failures"] for r in results] == [1, 1, 1]
    assert world.store().failover() is None


def test_primary_answering_is_a_false_positive(make_world: Callable[..., World],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    world = make_world("read-replica", primary_status=200)
    capsys.readouterr()
    result = handler(manual(reason="pager says down"), context())
    assert result["status"] == "false-positive"
    assert world.promotions == []
    assert world.store().gate().tripped is False
    record = world.store().get("failover")
    assert record["steps"]["verify_failure"]["outcome"] == "aborted"
    assert "check_readiness" not in record["steps"]
    assert emitted_metrics(capsys.readouterr().out)[Metric.FALSE_POSITIVE] == [1.0]
    items = world.store()._ddb.scan(TableName="ecommerce-dr-failover-state")["Items"]
    assert any(i["pk"]["S"].startswith("false-positive#") for i in items)


def test_alarm_ok_while_probe_fails_is_a_false_positive(make_world: Callable[..., World]) -> None:
    world = make_world("read-replica", primary_status=503, alarm_state="OK")
    result = handle(manual(), context(), clients=world.clients)
    assert result["status"] == "false-positive"
    assert world.promotions == []


def test_force_overrides_a_false_positive(make_world: Callable[..., World]) -> None:
    world = make_world("read-replica", primary_status=200)
    result = handle(manual(force=True), context(), clients=world.clients)
    assert result["status"] == "completed"
    assert world.store().get("failover")["steps"]["verify_failure"]["detail"]["forced"] is True


def test_alarm_event_fails_over_once_armed(make_world: Callable[..., World]) -> None:
    world = make_world("read-replica", primary_status=200)
    assert handle(alarm_event(), context(), clients=world.clients)["status"] == "unarmed"
    tick(world)  # primary seen healthy: armed
    world.primary.status = 503
    result = handle(alarm_event(), context(), clients=world.clients)
    assert result["status"] == "completed"
    assert world.store().get("failover")["trigger"] == "alarm"


@pytest.mark.parametrize(("strategy", "options", "reason"), [
    ("read-replica", {"lag_seconds": 5000.0}, "ReplicaLag 5000 s exceeds the RPO of 3600 s"),
    ("dms", {"lag_seconds": 5000.0}, "CDCLatencyTarget 5000 s exceeds the RPO of 3600 s"),
    ("snapshot-restore", {"copy_age": timedelta(hours=2)}, "older than the RPO of 3600 s"),
])
def test_standby_not_ready_means_no_promotion_and_an_alert(
        make_world: Callable[..., World], strategy: str, options: dict, reason: str) -> None:
    world = make_world(strategy, **options)
    result = handle(manual(), context(), clients=world.clients)
    assert result["status"] == "not-ready"
    assert world.promotions == []
    for op in ("rds.PromoteReadReplica", "dms.StopReplicationTask",
               "rds.RestoreDBInstanceFromDBSnapshot"):
        assert world.clients.calls[op] == 0
    assert world.store().gate().tripped is False
    alerts = world.messages()
    assert len(alerts) == 2
    assert any(reason in r for r in alerts[0]["reasons"]), alerts[0]["reasons"]


def test_force_promotes_a_lagging_standby(make_world: Callable[..., World]) -> None:
    world = make_world("read-replica", lag_seconds=5000.0)
    result = handle(manual(force=True), context(), clients=world.clients)
    assert result["status"] == "completed"
    assert world.promotions == ["shop-standby"]


def test_gate_stays_tripped_when_primary_recovers(make_world: Callable[..., World]) -> None:
    world = make_world("read-replica")
    assert handle(manual(), context(), clients=world.clients)["status"] == "completed"
    world.primary.status = 200
    results = [tick(world) for _ in range(3)]
    assert [r["status"] for r in results] == ["healthy"] * 3
    assert [r["gate"] for r in results] == [1, 1, 1]
    stats = world.gate_stats()
    assert stats["Minimum"] == 1.0 and stats["SampleCount"] == 4.0
    assert world.store().gate().tripped is True
    again = handle(manual(), context(), clients=world.clients)
    assert again["status"] == "already-failed-over"
    assert world.promotions == ["shop-standby"]


def _stack_dimensions(stdout: str) -> list[list[str]]:
    import json

    return [d for line in stdout.splitlines() if '"_aws"' in line
            for d in json.loads(line)["_aws"]["CloudWatchMetrics"][0]["Dimensions"]]


def test_every_invocation_s_metrics_carry_the_stack_without_a_repeated_dimension_warning(
        make_world: Callable[..., World], capsys: pytest.CaptureFixture[str]) -> None:
    import warnings

    make_world("read-replica", primary_status=503)
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # Powertools warns when a dimension is added twice
        for _ in range(3):               # one warm container, three ticks
            handler(scheduled_event(), context())
    dims = _stack_dimensions(capsys.readouterr().out)
    assert len(dims) >= 2 and all("Stack" in d for d in dims[1:]), dims
