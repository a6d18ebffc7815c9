"""A failback that cannot be a safe switchover is refused at its first step, and nothing
changes: no reverse replica (declared or hand-made), one that is not available, one that
lags or whose lag is unknown, one replicating from elsewhere, no write switch, and the
primary Region's APIs unreachable during the check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.config import Config
from moto.rds.models import rds_backends

from contract.env import Env
from emulator.clients import RecordingClients
from emulator.faults import ClosedPort
from handlers.failover.app import handle
from handlers.failover.settings import get_settings
from handlers.shared.aws import RETRY_CONFIG
from tests.failover.cycle import (
    PRIMARY,
    REVERSE_ID,
    STANDBY,
    context,
    deploy_write_switches,
    items,
    manual,
    replica_in_sync,
    replica_lag,
    reverse_replica,
    switches,
)

ACCOUNT = "123456789012"


def _failed_over(make_world: Callable[..., Any]) -> Any:
    world = make_world("read-replica")
    assert handle(manual("failover", "region down"), context(),
                  clients=world.clients)["status"] == "completed"
    world.messages()
    world.promotions.clear()
    return world


def _refused(world: Any, reason: str, clients: Any = None) -> None:
    """The failback is refused with ``reason`` and changed nothing."""
    before = switches()
    out = handle(manual("failback"), context(), clients=clients or world.clients)
    assert out == {"status": "failback-refused", "gate": 1, "reason": reason}
    assert switches() == before
    latch = world.store().gate()
    assert latch.tripped is True and not latch.maintenance
    assert world.gate_stats()["Minimum"] == 1.0       # no 0 published
    assert world.promotions == []
    assert world.messages() == []                     # a refusal is the answer, not an alert
    record = world.store().failback()
    assert (record.status, record.refusal) == ("refused", reason)
    assert [s for s in record.steps] == ["check_reverse"]
    assert [i["outcome"] for i in items(world.store(), "failback#")] == ["refused"]


def test_refused_without_a_reverse_replica(make_world: Callable[..., Any]) -> None:
    world = _failed_over(make_world)
    deploy_write_switches()
    _refused(world, "reverse replica shop-primary-reverse not found in us-east-1: the program "
                    "declares it in phase reverse-replicating (set failover.phase "
                    "reverse-replicating, pulumi up)")


def test_refused_without_a_declared_reverse_replica_even_beside_a_hand_made_one(
        make_world: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the declared replica's promotion is granted to the orchestrator: a failback of a
    hand-made one would pause writes, then be denied."""
    world = _failed_over(make_world)
    deploy_write_switches()
    reverse_replica()
    replica_in_sync()
    monkeypatch.setenv(str(Env.REVERSE_REPLICA_IDENTIFIER), "")
    monkeypatch.setenv(str(Env.FAILOVER_PHASE), "failed-over")
    get_settings.cache_clear()
    _refused(world, "no reverse replica is declared (REVERSE_REPLICA_IDENTIFIER is empty; phase "
                    "failed-over): set failover.phase reverse-replicating and deploy; the program "
                    "then declares the reverse replica and grants the failover orchestrator its "
                    "promotion")
    assert switches() == {PRIMARY: "open", STANDBY: "open"}


def test_refused_when_the_declared_reverse_replica_is_not_there(
        make_world: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    world = _failed_over(make_world)
    deploy_write_switches()
    reverse_replica()           # a hand-made one is not the declared one
    replica_in_sync()
    monkeypatch.setenv(str(Env.REVERSE_REPLICA_IDENTIFIER), "ecommerce-dr-prod-reverse")
    get_settings.cache_clear()
    _refused(world, "reverse replica ecommerce-dr-prod-reverse not found in us-east-1: the "
                    "program declares it in phase reverse-replicating (set failover.phase "
                    "reverse-replicating, pulumi up)")


@pytest.mark.parametrize("status", ["creating", "modifying"])
def test_refused_while_the_reverse_replica_is_not_available(
        make_world: Callable[..., Any], status: str) -> None:
    world = _failed_over(make_world)
    deploy_write_switches()
    reverse_replica()
    replica_in_sync()
    rds_backends[ACCOUNT][PRIMARY].databases[REVERSE_ID].status = status
    _refused(world, f"reverse replica {REVERSE_ID} is {status!r}, not 'available'")


@pytest.mark.parametrize(("lag", "reason"), [
    (None, f"no ReplicaLag datapoint for {REVERSE_ID} in us-east-1 in the last 600 s: the "
           "reverse replication is not known to run"),
    (-1.0, f"ReplicaLag of {REVERSE_ID} is -1: its replication is not running"),
    (240.0, f"ReplicaLag of {REVERSE_ID} is 240 s, over 60 s: writes would stay paused while "
            "it catches up; fail back when it is lower"),
])
def test_refused_while_the_reverse_replica_lags_or_its_lag_is_unknown(
        make_world: Callable[..., Any], lag: float | None, reason: str) -> None:
    world = _failed_over(make_world)
    deploy_write_switches()
    reverse_replica()
    if lag is not None:
        replica_lag(0.0, after_seconds=-120)   # an older, fine reading does not count
        replica_lag(lag)
    _refused(world, reason)


def test_refused_when_the_reverse_replica_replicates_from_elsewhere(
        make_world: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    world = _failed_over(make_world)
    deploy_write_switches()
    reverse_replica("ecommerce-dr-prod-reverse")
    replica_in_sync("ecommerce-dr-prod-reverse")
    rds_backends[ACCOUNT][PRIMARY].databases["ecommerce-dr-prod-reverse"] \
        .source_db_instance_identifier = f"arn:aws:rds:{STANDBY}:{ACCOUNT}:db:someone-else"
    monkeypatch.setenv(str(Env.REVERSE_REPLICA_IDENTIFIER), "ecommerce-dr-prod-reverse")
    get_settings.cache_clear()
    _refused(world, f"reverse replica ecommerce-dr-prod-reverse replicates from "
                    f"arn:aws:rds:{STANDBY}:{ACCOUNT}:db:someone-else, not from the promoted "
                    "standby shop-standby")


@pytest.mark.parametrize("missing", [STANDBY, PRIMARY])
def test_refused_without_the_write_switch_in_either_region(
        make_world: Callable[..., Any], missing: str) -> None:
    world = _failed_over(make_world)
    deploy_write_switches(regions=tuple(r for r in (PRIMARY, STANDBY) if r != missing))
    reverse_replica()
    replica_in_sync()
    _refused(world, f"write switch /ecommerce-dr/prod/writes not found in {missing}: the "
                    "program deploys it (pulumi up); without it writes cannot be paused for "
                    "the switchover")
    assert switches()[missing] is None     # never created by the handler


def test_refused_when_the_primary_region_apis_are_unreachable_during_the_check(
        make_world: Callable[..., Any]) -> None:
    world = _failed_over(make_world)
    deploy_write_switches()
    reverse_replica()
    replica_in_sync()
    port = ClosedPort()
    try:
        down = RecordingClients(
            config=RETRY_CONFIG,
            endpoint_for=lambda region: port.url if region == PRIMARY else None,
            config_for=lambda region: (Config(retries={"mode": "standard", "max_attempts": 1})
                                       if region == PRIMARY else RETRY_CONFIG))
        before = switches()
        out = handle(manual("failback"), context(), clients=down)
    finally:
        port.close()
    assert out["status"] == "failback-refused" and out["gate"] == 1
    assert out["reason"].startswith("cannot verify reverse replication (EndpointConnectionError")
    assert switches() == before == {PRIMARY: "open", STANDBY: "open"}
    assert down.calls["ssm.PutParameter"] == 0 and down.calls["rds.PromoteReadReplica"] == 0
    assert world.store().gate().tripped is True and world.promotions == []
    # Once the Region answers, the same failback goes through.
    assert handle(manual("failback"), context(), clients=world.clients)["status"] == "failed-back"


def test_refused_without_a_failover_or_while_one_is_in_progress(
        make_world: Callable[..., Any]) -> None:
    world = make_world("read-replica")
    assert handle(manual("failback"), context(), clients=world.clients) == {
        "status": "failback-refused", "gate": 0,
        "reason": "the gate is not tripped: there is nothing to fail back"}
    # A failover paused midway (out of Lambda time) is in progress with the gate tripped.
    store = world.store()
    out = handle(manual("failover", "region down"), context(), clients=world.clients)
    record = store.failover()
    record.status, record.current_step = "in-progress", "warm"
    del record.steps["warm"], record.steps["verify_recovery"]
    store.save_failover(record)
    assert handle(manual("failback"), context(), clients=world.clients) == {
        "status": "failback-refused", "gate": 1,
        "reason": f"failover {out['failover_id']} is still in progress"}
    assert store.failback() is None
