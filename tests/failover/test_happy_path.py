"""A failover completes for each database strategy, end to end through the handler."""

from __future__ import annotations

from collections.abc import Callable

from components.settings import FAILOVER_STEPS
from handlers.failover.app import handle
from tests.failover.world import STANDBY, STANDBY_ID, FakeContext, World, manual


def test_manual_failover_completes_every_step(make_world: Callable[..., World],
                                               strategy: str) -> None:
    world = make_world(strategy)
    result = handle(manual(reason="region outage"), FakeContext(), clients=world.clients)

    assert result["status"] == "completed", result
    assert [s["step"] for s in result["steps"]] == list(FAILOVER_STEPS)
    assert all(s["outcome"] == "ok" for s in result["steps"])
    inst = world.standby_instance()
    assert inst["DBInstanceStatus"] == "available"
    assert not inst.get("ReadReplicaSourceDBInstanceIdentifier")
    assert world.gate_stats()["Maximum"] == 1.0
    assert world.clients.calls["route53.ChangeResourceRecordSets"] == 0
    assert not any(c.startswith("route53") for c in world.clients.calls)
    record = world.store().get("failover")
    assert record is not None and record["status"] == "completed"
    assert record["failover_id"] == result["failover_id"]
    assert world.store().get(f"failover#{result['failover_id']}")["status"] == "completed"
    assert world.store().gate()["tripped"] is True
    alerts = world.messages()
    assert {a.get("failover_id") for a in alerts} == {result["failover_id"]}
    assert len(alerts) == 2, "one alert per Region's topic"
    assert [t["step"] for t in alerts[0]["timeline"]] == list(FAILOVER_STEPS)
    assert world.standby.hits["/warm"] == 1
    assert world.clients.calls["lambda.Invoke"] == 1


def test_read_replica_promoted_once(make_world: Callable[..., World]) -> None:
    world = make_world("read-replica")
    handle(manual(), FakeContext(), clients=world.clients)
    assert world.promotions == [STANDBY_ID]
    assert world.clients.by_region[f"{STANDBY}:rds.PromoteReadReplica"] == 1


def test_dms_task_stopped_after_drain(make_world: Callable[..., World]) -> None:
    world = make_world("dms", lag=2.0)
    result = handle(manual(), FakeContext(), clients=world.clients)
    assert result["status"] == "completed"
    promote = world.store().failover()["steps"]["promote"]["detail"]
    assert promote["cdc_latency_target_seconds"] == 2.0
    assert promote["stop_requested"] is True
    assert world.clients.calls["dms.StopReplicationTask"] == 1


def test_snapshot_restore_restores_newest_copy(make_world: Callable[..., World]) -> None:
    world = make_world("snapshot-restore")
    result = handle(manual(), FakeContext(), clients=world.clients)
    assert result["status"] == "completed"
    inst = world.standby_instance()
    assert inst["DBInstanceClass"] == "db.r6g.large"
    assert inst["DeletionProtection"] is True
    assert world.clients.calls["rds.RestoreDBInstanceFromDBSnapshot"] == 1
    record = world.store().failover()
    assert record["steps"]["check_readiness"]["detail"]["snapshot_id"] == "shop-primary-copy-1"
