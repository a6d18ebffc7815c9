"""Failback of the dms strategy on moto: the reverse CDC task the program declares (promoted
standby -> a fresh instance in the primary Region) is checked, drained and stopped once; a
failback is refused without it, with lag, or when it reads or writes the wrong database; it
resumes after a crash, works under throttling, and its completion gives the config of phase
normal (the new primary, its secret as the forward pipeline's source, a fresh standby)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest

from contract.env import Env
from emulator.faults import SimulatedCrash
from handlers.failover.app import handle
from handlers.failover.failback.reverse import dms as reverse_dms
from handlers.failover.settings import get_settings
from tests.failover.cycle import (
    PRIMARY,
    STANDBY,
    STANDBY_ID,
    context,
    deploy_write_switches,
    dms_endpoint,
    dms_reverse_target,
    manual,
    reverse_task,
    switches,
    task_in_sync,
)
from tests.failover.test_faults import throttle_every_call
from tests.failover.world import World, recording_clients

DECLARED = f"arn:aws:dms:{STANDBY}:123456789012:task:shop-rcdc"


def _failed_over(make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch, *,
                 declared: str = DECLARED) -> World:
    world = make_world("dms")
    assert handle(manual("failover", "region down"), context(),
                  clients=world.clients)["status"] == "completed"
    world.messages()
    deploy_write_switches()
    # as the program renders them once the operator set phase reverse-replicating
    monkeypatch.setenv(str(Env.FAILOVER_PHASE), "reverse-replicating")
    monkeypatch.setenv(str(Env.REVERSE_REPLICA_IDENTIFIER), declared)
    get_settings.cache_clear()
    return world


def _refused(world: World, message: str) -> dict[str, Any]:
    before = world.clients.calls["dms.StopReplicationTask"]
    out = handle(manual("failback", "primary back"), context(), clients=world.clients)
    assert out["status"] == "failback-refused", out
    assert message in out["reason"], out["reason"]
    assert world.clients.calls["dms.StopReplicationTask"] == before      # nothing stopped
    assert switches() == {PRIMARY: "open", STANDBY: "open"}             # writes never paused
    assert world.store().gate().tripped is True
    return out


def _ready(**task: Any) -> dict[str, Any]:
    out = reverse_task(**task)
    task_in_sync(out["ReplicationTaskArn"])
    return out


def test_refused_until_the_program_declares_the_reverse_task(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    world = _failed_over(make_world, monkeypatch, declared="")
    _refused(world, "no reverse replica is declared (REVERSE_REPLICA_IDENTIFIER is empty; phase "
                    "reverse-replicating): set failover.phase reverse-replicating and deploy")
    monkeypatch.setenv(str(Env.REVERSE_REPLICA_IDENTIFIER), DECLARED)
    get_settings.cache_clear()
    _refused(world, f"reverse DMS task {DECLARED} not found in us-west-2: the program declares "
                    "it in phase reverse-replicating")


def _old_primary_endpoint() -> str:
    """A target endpoint on the old primary (shop-primary in the primary Region)."""
    old = boto3.client("rds", region_name=PRIMARY).create_db_instance(
        DBInstanceIdentifier="shop-primary", Engine="postgres", DBInstanceClass="db.r6g.large",
        AllocatedStorage=100, MasterUsername="shop", MasterUserPassword="emulated-only-1",
    )["DBInstance"]
    return dms_endpoint("target", "onto-old-primary", server=old["Endpoint"]["Address"])


def _forward_source_endpoint() -> str:
    """The forward task's source endpoint (the swapped reuse DMS does not allow)."""
    dms = boto3.client("dms", region_name=STANDBY)
    return str(dms.describe_replication_tasks()["ReplicationTasks"][0]["SourceEndpointArn"])


@pytest.mark.parametrize(("task", "message"), [
    (lambda: {"target_arn": _forward_source_endpoint()},
     "reverse DMS task shop-rcdc has no target endpoint"),
    (lambda: {"target_arn": _old_primary_endpoint()},
     "reverse DMS task shop-rcdc writes into the old primary shop-primary: it may hold the "
     "orders the failover lost"),
    (lambda: {"target_arn": dms_endpoint("target", "nowhere", secret="arn:aws:secretsmanager:"
                                         "us-east-1:123456789012:secret:other-AbCdEf")},
     "which names no RDS instance in us-east-1"),
    (lambda: {"source_arn": dms_endpoint("source", "elsewhere", server="other.example.com")},
     f"reverse DMS task shop-rcdc does not read from the promoted standby {STANDBY_ID}"),
    (lambda: {"start": False}, "reverse DMS task shop-rcdc is 'creating', not 'running'"),
], ids=["swapped-forward-endpoint", "old-primary", "no-instance", "wrong-source", "not-running"])
def test_refused_when_the_task_reads_or_writes_the_wrong_database(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch,
        task: Callable[[], dict[str, Any]], message: str) -> None:
    world = _failed_over(make_world, monkeypatch)
    _ready(**task())
    _refused(world, message)


def test_refused_with_lag_or_without_a_lag_reading(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    world = _failed_over(make_world, monkeypatch)
    arn = reverse_task()["ReplicationTaskArn"]
    _refused(world, "no CDCLatencyTarget datapoint for reverse task shop-rcdc in us-west-2")
    task_in_sync(arn, lag_now=300.0)
    _refused(world, "CDCLatencyTarget of reverse task shop-rcdc is 300 s, over 60 s: writes "
                    "would stay paused while it catches up")


def test_refused_while_the_forward_task_still_runs(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    world = _failed_over(make_world, monkeypatch)
    _ready()
    dms = boto3.client("dms", region_name=STANDBY)
    dms.start_replication_task(ReplicationTaskArn=world.env[str(Env.DMS_TASK_ARN)],
                               StartReplicationTaskType="resume-processing")
    _refused(world, "still runs: the standby shop-standby was never promoted")


def _hint_commands(secret: str) -> list[str]:
    cfg = "pulumi config set --stack prod --path ecommerce-dr:"
    return [f"{cfg}failover.phase normal",
            f"{cfg}database.primaryInstanceArn "
            "arn:aws:rds:us-east-1:123456789012:db:shop-standby-reverse",
            f"{cfg}database.standbyIdentifier shop-standby-2",
            f"{cfg}database.dms.sourceSecretArn '{secret}'"]      # quoted: the ARN has a "!"


def test_failback_stops_the_declared_task_once_and_names_the_config_of_normal(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    world = _failed_over(make_world, monkeypatch)
    task = _ready()
    before = world.clients.calls["dms.StopReplicationTask"]      # the failover's stop
    out = handle(manual("failback", "primary back"), context(), clients=world.clients)
    assert out["status"] == "failed-back", out
    assert world.clients.calls["dms.StopReplicationTask"] - before == 1
    assert [s["step"] for s in out["steps"]] == [
        "check_reverse", "pause_writes", "drain", "promote_reverse", "release"]
    fresh = boto3.client("rds", region_name=PRIMARY).describe_db_instances(
        DBInstanceIdentifier="shop-standby-reverse")["DBInstances"][0]
    secret = fresh["MasterUserSecret"]["SecretArn"]
    reverse = world.store().failback().reverse
    assert (reverse.identifier, reverse.region, reverse.declared) == (
        task["ReplicationTaskArn"], STANDBY, True)
    assert (reverse.new_primary_arn, reverse.new_primary_secret_arn) == (
        fresh["DBInstanceArn"], secret)
    assert out["new_primary_arn"] == fresh["DBInstanceArn"]
    assert out["phase"]["commands"] == _hint_commands(secret)
    assert "shop-primary was never written to: reconcile" in out["phase"]["then"]
    assert out["writes"] == {PRIMARY: "open", STANDBY: "paused"} and out["gate"] == 0
    completed = [m for m in world.messages() if m.get("phase")]
    assert completed and completed[0]["phase"]["commands"] == _hint_commands(secret)


def test_a_named_fresh_target_is_unset_from_the_config_after_the_failback(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    """failover.reverseReplicaIdentifier named the fresh target: left set, it would name the
    new primary, which the program refuses, so the hint removes it."""
    world = _failed_over(make_world, monkeypatch)
    fresh = dms_reverse_target("shop-use1-b")
    secret = fresh["MasterUserSecret"]["SecretArn"]
    _ready(target_arn=dms_endpoint("target", "onto-use1-b", secret=secret))
    out = handle(manual("failback", "primary back"), context(), clients=world.clients)
    assert out["status"] == "failed-back", out
    cfg = "pulumi config set --stack prod --path ecommerce-dr:"
    assert out["phase"]["commands"] == [
        f"{cfg}failover.phase normal",
        f"{cfg}database.primaryInstanceArn arn:aws:rds:us-east-1:123456789012:db:shop-use1-b",
        f"{cfg}database.standbyIdentifier shop-standby-2",
        f"{cfg}database.dms.sourceSecretArn '{secret}'",
        "pulumi config rm --stack prod --path ecommerce-dr:failover.reverseReplicaIdentifier"]


def test_resumed_after_a_crash_right_after_the_stop_request_it_stops_once(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    world = _failed_over(make_world, monkeypatch)
    _ready()
    before = world.clients.calls["dms.StopReplicationTask"]
    real = reverse_dms.request_once

    def crash_after(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)
        raise SimulatedCrash("container killed after StopReplicationTask")

    monkeypatch.setattr(reverse_dms, "request_once", crash_after)
    with pytest.raises(SimulatedCrash):
        handle(manual("failback", "primary back"), context(), clients=world.clients)
    monkeypatch.setattr(reverse_dms, "request_once", real)
    world.store().release_lock(world.store().lock().owner)
    assert world.store().failback().current_step == "promote_reverse"
    out = handle(manual("failback", "primary back"), context(), clients=world.clients)
    assert out["status"] == "failed-back", out
    assert world.clients.calls["dms.StopReplicationTask"] - before == 1
    promote = world.store().failback().steps["promote_reverse"]
    assert promote.detail["task_status"] == "stopped" and promote.attempts == 2


def test_the_same_failback_twice_and_one_beside_a_held_lock_stop_once(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    world = _failed_over(make_world, monkeypatch)
    _ready()
    before = world.clients.calls["dms.StopReplicationTask"]
    store = world.store()
    assert store.acquire_lock("another-invocation", "failback")     # one already runs
    locked = handle(manual("failback", "primary back"), context(), clients=world.clients)
    assert locked["status"] == "locked", locked
    assert switches() == {PRIMARY: "open", STANDBY: "open"}
    store.release_lock("another-invocation")
    first = handle(manual("failback", "primary back"), context(), clients=world.clients)
    again = handle(manual("failback", "primary back"), context(), clients=world.clients)
    assert first["status"] == "failed-back", first
    assert again == {"status": "failback-refused", "gate": 0,
                     "reason": "the gate is not tripped: there is nothing to fail back"}
    assert world.clients.calls["dms.StopReplicationTask"] - before == 1


def test_refused_while_the_primary_region_cannot_be_checked(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    world = _failed_over(make_world, monkeypatch)
    _ready()
    world.clients = recording_clients(down_regions={PRIMARY})
    out = handle(manual("failback", "try"), context(), clients=world.clients)
    assert out["status"] == "failback-refused"
    assert out["reason"].startswith("cannot verify reverse replication")
    assert world.clients.calls["dms.StopReplicationTask"] == 0
    assert switches() == {PRIMARY: "open", STANDBY: "open"}


def test_fails_back_under_throttling_of_every_call(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    world = _failed_over(make_world, monkeypatch)
    _ready()
    before = world.clients.calls["dms.StopReplicationTask"]
    with throttle_every_call(2, monkeypatch) as raised:
        out = handle(manual("failback", "primary back"), context(), clients=world.clients)
    assert out["status"] == "failed-back", out
    assert raised["describe_replication_tasks"] == 2 and raised["stop_replication_task"] == 2
    assert world.clients.calls["dms.StopReplicationTask"] - before == 1


def test_status_names_the_running_reverse_task(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    world = _failed_over(make_world, monkeypatch)
    arn = _ready()["ReplicationTaskArn"]
    report = handle({"action": "status"}, context(), clients=world.clients)
    hint = report["phase"]
    assert (hint["configured"], hint["set"]) == ("reverse-replicating", "reverse-replicating")
    assert hint["why"] == f"the reverse replication runs ({arn} running)"
    assert hint["mismatches"] == []
