"""A failover completes for each database strategy, end to end through the handler."""

from __future__ import annotations

from collections.abc import Callable

from contract.names import FAILOVER_STEPS
from handlers.failover.app import handle
from tests.failover.world import STANDBY, STANDBY_ID, World, context, manual

#: The one database-changing call per strategy, made exactly once.
CHANGE = {"read-replica": "rds.PromoteReadReplica", "dms": "dms.StopReplicationTask",
          "snapshot-restore": "rds.RestoreDBInstanceFromDBSnapshot"}


def test_manual_failover_completes_every_step(make_world: Callable[..., World],
                                               strategy: str) -> None:
    world = make_world(strategy)
    result = handle(manual(reason="region outage"), context(), clients=world.clients)

    assert result["status"] == "completed", result
    assert [s["step"] for s in result["steps"]] == list(FAILOVER_STEPS)
    assert all(s["outcome"] == "ok" for s in result["steps"])
    # The standby database is writable.
    inst = world.standby_instance()
    assert inst["DBInstanceStatus"] == "available"
    assert not inst.get("ReadReplicaSourceDBInstanceIdentifier")
    assert {op: world.clients.calls[op] for op in CHANGE.values()} == {
        op: int(op == CHANGE[strategy]) for op in CHANGE.values()}
    # Traffic moved through the data-plane gate, with no Route 53 call at all.
    assert world.gate_stats()["Maximum"] == 1.0
    assert not any(c.startswith("route53") for c in world.clients.calls)
    assert not any(service == "route53" for service, _ in world.clients.requested)
    # State: the current record, its archive copy and the latched gate.
    record = world.store().get("failover")
    assert record is not None and record["status"] == "completed"
    assert record["failover_id"] == result["failover_id"]
    assert world.store().get(f"failover#{result['failover_id']}")["status"] == "completed"
    assert world.store().gate().tripped is True
    # One alert per Region's topic, with the timeline.
    alerts = world.messages()
    assert len(alerts) == 2
    assert {a["failover_id"] for a in alerts} == {result["failover_id"]}
    assert [t["step"] for t in alerts[0]["timeline"]] == list(FAILOVER_STEPS)
    # Warmed: the URL was fetched and the function invoked asynchronously.
    assert world.standby.hits["/warm"] == 1
    assert world.clients.by_region[f"{STANDBY}:lambda.Invoke"] == 1


def test_strategy_details_are_recorded(make_world: Callable[..., World], strategy: str) -> None:
    world = make_world(strategy)
    handle(manual(), context(), clients=world.clients)
    steps = world.store().get("failover")["steps"]
    readiness, promote = steps["check_readiness"]["detail"], steps["promote"]["detail"]
    if strategy == "read-replica":
        assert readiness["replica_lag_seconds"] == 30.0
        assert readiness["replica_source"].endswith("shop-primary")
        assert promote["promote_requested"] is True
        assert world.promotions == [STANDBY_ID]
    elif strategy == "dms":
        assert readiness["cdc_latency_target_seconds"] == 2.0
        assert promote["stop_requested"] is True
    else:
        assert readiness["snapshot_id"].startswith("shop-primary-dr-")
        assert readiness["snapshot_id"].endswith("-copy")
        assert promote["snapshot_id"] == readiness["snapshot_id"]
        assert 1150 <= readiness["snapshot_age_seconds"] <= 1300  # seeded 20 min old
        assert world.standby_instance()["DeletionProtection"] is True
        assert world.standby_instance()["DBInstanceClass"] == "db.r6g.large"
