"""Readiness: a standby counts as ready only while it replicates within the RPO, or when
THIS failover already promoted it; anything else is ``not-ready`` unless forced."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest

from handlers.failover.app import handle
from tests.failover.world import STANDBY, STANDBY_ID, World, context, manual

#: The one database-changing call per strategy.
CHANGE = ("rds.PromoteReadReplica", "dms.StopReplicationTask",
          "rds.RestoreDBInstanceFromDBSnapshot")


def _detach_by_hand(world: World) -> str:
    """What an operator (or an earlier failover and failback) leaves behind: the standby no
    longer follows the primary. Returns the problem readiness must name."""
    if world.strategy == "read-replica":
        boto3.client("rds", region_name=STANDBY).promote_read_replica(
            DBInstanceIdentifier=STANDBY_ID)
        world.promotions.clear()  # not the orchestrator's
        return f"standby {STANDBY_ID} is not a read replica"
    if world.strategy == "dms":
        dms = boto3.client("dms", region_name=STANDBY)
        dms.stop_replication_task(ReplicationTaskArn=world.settings.dms_task_arn)
        return "DMS task is 'stopped', not 'running'"
    world.builder.database(STANDBY_ID, region=STANDBY)
    return f"restore target {STANDBY_ID} already exists"


def _no_change_made(world: World) -> None:
    assert {op: world.clients.calls[op] for op in CHANGE} == dict.fromkeys(CHANGE, 0)
    assert world.promotions == []
    assert world.store().gate().tripped is False
    assert world.gate_stats()["SampleCount"] == 0  # no traffic moved, not even a 0 published


def test_a_standby_detached_before_the_failover_is_not_ready(
        make_world: Callable[..., World], strategy: str) -> None:
    world = make_world(strategy)
    problem = _detach_by_hand(world)
    result = handle(manual(), context(), clients=world.clients)

    assert result["status"] == "not-ready", result
    readiness = world.store().get("failover")["steps"]["check_readiness"]
    assert readiness["outcome"] == "aborted"
    assert any(problem in p for p in readiness["detail"]["not_ready"]), readiness["detail"]
    assert "already_promoted" not in readiness["detail"]
    assert "promote" not in world.store().get("failover")["steps"]
    _no_change_made(world)
    alerts = world.messages()
    assert len(alerts) == 2 and any(problem in r for r in alerts[0]["reasons"])


def test_force_fails_over_to_a_detached_standby(make_world: Callable[..., World],
                                                strategy: str) -> None:
    world = make_world(strategy)
    _detach_by_hand(world)
    result = handle(manual(force=True), context(), clients=world.clients)

    assert result["status"] == "completed", result
    steps = world.store().get("failover")["steps"]
    assert steps["check_readiness"]["detail"]["forced"] is True
    assert world.store().gate().tripped is True
    # Nothing is promoted, stopped or restored a second time.
    assert {op: world.clients.calls[op] for op in CHANGE} == dict.fromkeys(CHANGE, 0)


def test_a_standby_promoted_by_this_failover_is_ready_when_readiness_runs_again(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    """The failover record's own accepted promotion request is what makes a standby that is
    no longer a replica "already promoted"."""
    from handlers.failover import strategies
    from handlers.failover.context import StepContext
    from handlers.failover.records import FailoverRecord
    from handlers.failover.strategies.read_replica import REQUEST
    world = make_world("read-replica")
    boto3.client("rds", region_name=STANDBY).promote_read_replica(DBInstanceIdentifier=STANDBY_ID)
    record = FailoverRecord(failover_id="fo-x", status="in-progress", trigger="manual",
                            started_at="2026-01-01T00:00:00Z", started_epoch=0.0)
    ctx = StepContext(settings=world.settings, clients=world.clients, store=world.store(),
                      record=record, force=False, remaining_seconds=lambda: 900.0)
    module = strategies.load("read-replica")
    assert not module.check_readiness(ctx).ok
    for state, ready in (("intent", False), ("failed", False), ("accepted", True)):
        record.request(REQUEST).state = state
        check = module.check_readiness(ctx)
        assert check.ok is ready, (state, check.problems)
        assert check.detail.get("already_promoted", False) is ready


@pytest.mark.parametrize("datapoints", [[-1.0], [-1.0, -1.0, -1.0]])
def test_only_negative_replica_lag_is_not_ready(make_world: Callable[..., World],
                                                datapoints: list[float]) -> None:
    """RDS reports ReplicaLag -1 when replication is not running: no usable lag, so the
    standby is not ready and nothing is promoted."""
    world = make_world("read-replica")
    cw = boto3.client("cloudwatch", region_name=STANDBY)
    # Replace the seeded healthy lag: a new world whose only datapoints are -1.
    _reset_lag(world, cw, datapoints)
    result = handle(manual(), context(), clients=world.clients)
    assert result["status"] == "not-ready", result
    detail = world.store().get("failover")["steps"]["check_readiness"]["detail"]
    assert detail["not_ready"] == [
        f"no ReplicaLag datapoint for {STANDBY_ID} in the last 3600 s"], detail
    assert "replica_lag_seconds" not in detail
    _no_change_made(world)


def _reset_lag(world: World, cw: Any, datapoints: list[float]) -> None:
    """moto keeps every datapoint: drop the world's seeded lag from the backend, then seed
    ``datapoints`` (moto gap: it emits no ReplicaLag itself)."""
    from moto.cloudwatch.models import cloudwatch_backends
    backend = cloudwatch_backends["123456789012"][STANDBY]
    backend.metric_data = [d for d in backend.metric_data if d.name != "ReplicaLag"]
    for value in datapoints:
        world.builder.seed_metric("AWS/RDS", "ReplicaLag", {"DBInstanceIdentifier": STANDBY_ID},
                                  value)
    assert cw.get_metric_statistics(
        Namespace="AWS/RDS", MetricName="ReplicaLag",
        Dimensions=[{"Name": "DBInstanceIdentifier", "Value": STANDBY_ID}],
        StartTime="2000-01-01T00:00:00Z", EndTime="2100-01-01T00:00:00Z", Period=86400,
        Statistics=["Maximum"])["Datapoints"][0]["Maximum"] == -1.0
