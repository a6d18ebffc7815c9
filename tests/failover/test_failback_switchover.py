"""Failback as a planned switchover on moto (instance strategies and DMS): the steps in order,
with the write switch, the gate and the promotion checked after each one; the drain counting
only lag read after writes were paused; its bound aborting the failback with the standby's
writes given back; the declared reverse replica preferred to a hand-made one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from contract.env import Env
from handlers.failover import gate
from handlers.failover.app import handle
from handlers.failover.failback import steps
from handlers.failover.settings import get_settings
from tests.failover.cycle import (
    PRIMARY,
    REVERSE_ID,
    STANDBY,
    STANDBY_ID,
    context,
    deploy_write_switches,
    items,
    manual,
    ready_for_failback,
    replica_in_sync,
    replica_lag,
    reverse_replica,
    reverse_task,
    switches,
    task_in_sync,
)


def _failed_over(make_world: Callable[..., Any], strategy: str = "read-replica") -> Any:
    world = make_world(strategy)
    assert handle(manual("failover", "region down"), context(),
                  clients=world.clients)["status"] == "completed"
    world.messages()
    deploy_write_switches()
    return world


def _instance(identifier: str, region: str) -> dict[str, Any]:
    return boto3.client("rds", region_name=region).describe_db_instances(
        DBInstanceIdentifier=identifier)["DBInstances"][0]


class Observed(list[dict[str, Any]]):
    """After each failback step: its name, outcome, the write switches, the gate latch and the
    gate values published since :meth:`start`."""

    def __init__(self) -> None:
        super().__init__()
        self.published: list[int] = []

    def start(self) -> None:
        self.clear()
        self.published.clear()


@pytest.fixture
def observed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Observed]:
    seen = Observed()
    published = seen.published
    real_publish = gate.publish

    def publish(cloudwatch: Any, stack: str, value: int, *period: int) -> None:
        published.append(value)
        real_publish(cloudwatch, stack, value, *period)

    monkeypatch.setattr(gate, "publish", publish)
    for name, fn in list(steps.STEPS.items()):
        def wrapped(ctx: Any, ops: Any, _fn: Any = fn, _name: str = name) -> Any:
            res = _fn(ctx, ops)
            latch = ctx.store.gate()
            seen.append({"step": _name, "outcome": res.outcome, "writes": switches(),
                         "tripped": latch.tripped, "maintenance": latch.maintenance,
                         "published": list(published)})
            return res
        monkeypatch.setitem(steps.STEPS, name, wrapped)
    yield seen


@pytest.mark.parametrize("strategy", ["read-replica", "snapshot-restore"])
def test_switchover_steps_in_order_with_the_switch_and_gate_at_each_point(
        make_world: Callable[..., Any], observed: Observed, strategy: str) -> None:
    world = _failed_over(make_world, strategy)
    reverse_replica()
    ready_for_failback()
    world.promotions.clear()
    observed.start()

    out = handle(manual("failback"), context(), clients=world.clients)

    assert out["status"] == "failed-back", out
    open_, paused = "open", "paused"
    assert [(o["step"], o["outcome"], o["writes"][PRIMARY], o["writes"][STANDBY], o["tripped"])
            for o in observed] == [
        ("check_reverse", "ok", open_, open_, True),
        ("pause_writes", "ok", paused, paused, True),
        ("drain", "ok", paused, paused, True),
        ("promote_reverse", "ok", paused, paused, True),
        ("release", "ok", open_, paused, False)]
    assert [o["maintenance"] for o in observed] == [None, True, True, True, False]
    # No gate value is published before the release, which publishes 0 once.
    assert [o["published"] for o in observed] == [[], [], [], [], [0]]
    assert world.promotions == [REVERSE_ID]
    promoted = _instance(REVERSE_ID, PRIMARY)
    assert promoted["DBInstanceStatus"] == "available"
    assert not promoted.get("ReadReplicaSourceDBInstanceIdentifier")
    assert [s["step"] for s in out["steps"]] == ["check_reverse", "pause_writes", "drain",
                                                  "promote_reverse", "release"]
    assert all(s["outcome"] == "ok" and s["attempts"] == 1 for s in out["steps"])
    assert out["gate"] == 0 and out["writes"] == {PRIMARY: open_, STANDBY: paused}
    assert out["new_primary_arn"] == promoted["DBInstanceArn"]
    # The old writer is kept, untouched: nothing is deleted.
    assert _instance(STANDBY_ID, STANDBY)["DBInstanceStatus"] == "available"


def test_the_drain_reads_lag_zero_only_after_writes_were_paused(
        make_world: Callable[..., Any]) -> None:
    world = _failed_over(make_world)
    reverse_replica()
    ready_for_failback()
    out = handle(manual("failback"), context(), clients=world.clients)
    record = world.store().failback()
    drain = record.steps["drain"].detail
    assert out["status"] == "failed-back"
    assert drain["lag_seconds"] == 0.0 and drain["lag_metric"] == "ReplicaLag"
    assert drain["lag_at"] >= drain["counted_from"] > record.writes_paused_at
    assert drain["polls"] >= 2     # the zero stamped after the pause was waited for


def test_a_zero_lag_read_before_the_pause_never_drains_and_the_bound_aborts(
        make_world: Callable[..., Any]) -> None:
    world = _failed_over(make_world)
    reverse_replica()
    replica_lag(0.0)   # zero now, before the pause; nothing after it
    world.promotions.clear()

    out = handle(manual("failback"), context(), clients=world.clients)

    assert out["status"] == "failback-aborted", out
    assert out["abort_reason"] == ("the reverse replication did not drain to zero lag within "
                                   "600 s of pausing writes")
    assert world.promotions == []                              # nothing promoted
    assert switches() == {PRIMARY: "paused", STANDBY: "open"}   # the standby writes again
    latch = world.store().gate()
    assert latch.tripped is True and latch.maintenance is False and out["gate"] == 1
    assert world.store().failback().status == "aborted"
    assert [i["pk"] for i in items(world.store(), "failback-run#")] == [
        f"failback-run#{out['failback_id']}"]
    alerts = world.messages()
    assert [a["abort_reason"] for a in alerts] == [out["abort_reason"]] * 2   # both Regions
    # A later failback starts afresh (the aborted one is over).
    replica_in_sync()
    again = handle(manual("failback", "second try"), context(), clients=world.clients)
    assert again["status"] == "failed-back", again
    assert again["failback_id"] != out["failback_id"]


def test_the_declared_reverse_replica_is_promoted_not_a_hand_made_one(
        make_world: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    world = _failed_over(make_world)
    reverse_replica("hand-made-reverse")
    reverse_replica("ecommerce-dr-prod-reverse")
    ready_for_failback("ecommerce-dr-prod-reverse")
    monkeypatch.setenv(str(Env.REVERSE_REPLICA_IDENTIFIER), "ecommerce-dr-prod-reverse")
    get_settings.cache_clear()
    world.promotions.clear()
    out = handle(manual("failback"), context(), clients=world.clients)
    assert out["status"] == "failed-back", out
    assert world.promotions == ["ecommerce-dr-prod-reverse"]
    reverse = world.store().failback().reverse
    assert (reverse.identifier, reverse.declared, reverse.region) == (
        "ecommerce-dr-prod-reverse", True, PRIMARY)
    assert _instance("hand-made-reverse", PRIMARY)["ReadReplicaSourceDBInstanceIdentifier"]


def test_dms_failback_stops_the_reverse_task_once_after_it_drained(
        make_world: Callable[..., Any], observed: Observed,
        monkeypatch: pytest.MonkeyPatch) -> None:
    world = _failed_over(make_world, "dms")
    task = reverse_task()
    monkeypatch.setenv(str(Env.REVERSE_REPLICA_IDENTIFIER), task["ReplicationTaskArn"])
    get_settings.cache_clear()
    task_in_sync(task["ReplicationTaskArn"])
    before = world.clients.calls["dms.StopReplicationTask"]
    observed.start()
    out = handle(manual("failback"), context(), clients=world.clients)
    assert out["status"] == "failed-back", out
    assert [o["step"] for o in observed] == list(steps.STEPS)
    assert world.clients.calls["dms.StopReplicationTask"] - before == 1
    dms = boto3.client("dms", region_name=STANDBY)
    status = dms.describe_replication_tasks(Filters=[{
        "Name": "replication-task-arn", "Values": [task["ReplicationTaskArn"]]}])[
        "ReplicationTasks"][0]["Status"]
    assert status == "stopped"
    drain = world.store().failback().steps["drain"].detail
    assert (drain["lag_metric"], drain["lag_seconds"]) == ("CDCLatencyTarget", 0.0)
    assert out["writes"] == {PRIMARY: "open", STANDBY: "paused"} and out["gate"] == 0
