"""Failback is an operator action that waits for reverse replication."""

from __future__ import annotations

from collections.abc import Callable

from handlers.failover.app import handle
from tests.failover.cycle import ready_for_failback
from tests.failover.world import PRIMARY, World, context, manual, recording_clients, scheduled_event


def _failed_over(make_world: Callable[..., World], strategy: str = "read-replica") -> World:
    world = make_world(strategy)
    assert handle(manual(), context(), clients=world.clients)["status"] == "completed"
    world.messages()
    return world


def test_failback_refused_without_reverse_replication(make_world: Callable[..., World]) -> None:
    world = _failed_over(make_world)
    result = handle(manual("failback", "primary is back"), context(), clients=world.clients)
    assert result["status"] == "failback-refused"
    assert "reverse replica shop-primary-reverse not found in us-east-1" in result["reason"]
    assert result["gate"] == 1
    assert world.store().gate().tripped is True
    assert world.gate_stats()["Minimum"] == 1.0
    items = world.store()._ddb.scan(TableName="ecommerce-dr-failover-state")["Items"]
    refusals = [i for i in items if i["pk"]["S"].startswith("failback#")]
    assert [r["outcome"]["S"] for r in refusals] == ["refused"]


def test_failback_releases_gate_once_a_reverse_replica_exists(
        make_world: Callable[..., World]) -> None:
    world = _failed_over(make_world)
    world.reverse_replica()
    ready_for_failback("shop-primary-reverse")
    result = handle(manual("failback", "reverse replica in sync"), context(),
                    clients=world.clients)
    assert result["status"] == "failed-back", result
    assert world.store().gate().tripped is False
    assert world.gate_stats()["Minimum"] == 0.0
    world.primary.status = 200
    assert handle(scheduled_event(), context(), clients=world.clients)["gate"] == 0
    assert {m.get("reason") for m in world.messages()} == {"reverse replica in sync"}


def test_failback_refused_when_primary_region_cannot_be_checked(
        make_world: Callable[..., World]) -> None:
    world = _failed_over(make_world)
    world.clients = recording_clients(down_regions={PRIMARY})
    result = handle(manual("failback", "try"), context(), clients=world.clients)
    assert result["status"] == "failback-refused"
    assert result["reason"].startswith("cannot verify reverse replication")
    assert world.store().gate().tripped is True


def test_failback_without_a_failover_is_refused(make_world: Callable[..., World]) -> None:
    world = make_world("read-replica")
    result = handle(manual("failback", "why not"), context(), clients=world.clients)
    assert result == {"status": "failback-refused", "gate": 0,
                      "reason": "the gate is not tripped: there is nothing to fail back"}


def test_status_report_reads_state_only(make_world: Callable[..., World]) -> None:
    world = _failed_over(make_world)
    before = world.clients.calls.copy()
    report = handle({"action": "status"}, context(), clients=world.clients)
    assert report["status"] == "report"
    assert report["failover_status"] == "completed"
    assert report["gate"]["tripped"] is True
    assert report["gate"]["generation"] == 1
    # The state table, then live reads of the databases for the phase hint: no write.
    assert world.clients.calls - before == {"dynamodb.GetItem": 5, "rds.DescribeDBInstances": 3}


def test_failback_takes_the_lambda_time_its_switch_back_waits_with() -> None:
    """Failback checks and publishes; a strategy that moves the database back (aurora-global's
    switchover) waits for it, bounded by the Lambda's remaining time, which it takes for that
    and for nothing else (tests/failover/test_aurora_global.py runs it out)."""
    import inspect

    from handlers.failover.failback import failback
    assert list(inspect.signature(failback).parameters) == [
        "settings", "clients", "store", "reason", "owner", "remaining_seconds"]
