"""After a dms failback the forward pipeline must read the new primary (a fresh instance, its
managed secret as ``database.dms.sourceSecretArn``). On moto: the status report keeps the
sourceSecretArn command and a mismatch until the deployed forward task's source endpoint reads
it, and never names the new primary for deletion; a failover whose forward task still reads
the old primary is refused ``not-ready`` (its standby holds the old primary's data), passes
once re-pointed, works with the primary Region's APIs down and under throttling, and ``force``
overrides it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from contract.env import Env
from handlers.failover.app import handle
from handlers.failover.settings import get_settings
from tests.failover.cycle import (
    PRIMARY,
    STANDBY,
    cdc_latency,
    context,
    deploy_write_switches,
    dms_endpoint,
    manual,
)
from tests.failover.test_failback_dms import _failed_over, _ready
from tests.failover.test_faults import throttle_every_call
from tests.failover.world import World, recording_clients

pytestmark = pytest.mark.filterwarnings("ignore:Exception.*does not match an error shape")

SECRET_KEY = "database.dms.sourceSecretArn"
FRESH_STANDBY = "shop-standby-2"


def _failed_back(make_world: Callable[..., World],
                 monkeypatch: pytest.MonkeyPatch) -> tuple[World, dict[str, Any]]:
    world = _failed_over(make_world, monkeypatch)
    _ready()
    out = handle(manual("failback", "primary back"), context(), clients=world.clients)
    assert out["status"] == "failed-back", out
    world.messages()
    return world, out


def _new_primary() -> dict[str, Any]:
    return dict(boto3.client("rds", region_name=PRIMARY).describe_db_instances(
        DBInstanceIdentifier="shop-standby-reverse")["DBInstances"][0])


def _deploy_normal(monkeypatch: pytest.MonkeyPatch, new_primary_arn: str, *,
                   source: str | None, server: str | None = None) -> str:
    """Phase normal as the program deploys it with primaryInstanceArn re-pointed: a fresh
    standby and a new forward task whose source endpoint names ``source`` (a secret ARN), or
    ``server``, or, with neither, the server the first forward task read (sourceSecretArn
    left stale). The task runs 1 s behind. Returns its ARN."""
    dms = boto3.client("dms", region_name=STANDBY)
    old = dms.describe_replication_tasks(Filters=[{
        "Name": "replication-task-id", "Values": ["shop-cdc"]}])["ReplicationTasks"][0]
    old_source = dms.describe_endpoints(Filters=[{
        "Name": "endpoint-arn", "Values": [old["SourceEndpointArn"]]}])["Endpoints"][0]
    fresh = boto3.client("rds", region_name=STANDBY).create_db_instance(
        DBInstanceIdentifier=FRESH_STANDBY, Engine="postgres", DBInstanceClass="db.r6g.large",
        AllocatedStorage=100, MasterUsername="shop", MasterUserPassword="emulated-only-1",
    )["DBInstance"]
    source_arn = (dms_endpoint("source", "shop-source-2", secret=source) if source else
                  dms_endpoint("source", "shop-source-2",
                               server=server or old_source["ServerName"]))
    task = dms.create_replication_task(
        ReplicationTaskIdentifier="shop-cdc-2", MigrationType="full-load-and-cdc",
        ReplicationInstanceArn=old["ReplicationInstanceArn"], SourceEndpointArn=source_arn,
        TargetEndpointArn=dms_endpoint("target", "shop-target-2",
                                       server=fresh["Endpoint"]["Address"]),
        TableMappings='{"rules": []}')["ReplicationTask"]
    dms.start_replication_task(ReplicationTaskArn=task["ReplicationTaskArn"],
                               StartReplicationTaskType="start-replication")
    cdc_latency(task["ReplicationTaskArn"], 1.0)
    deploy_write_switches()
    for key, value in ((Env.PRIMARY_DB_ARN, new_primary_arn), (Env.FAILOVER_PHASE, "normal"),
                       (Env.REVERSE_REPLICA_IDENTIFIER, ""),
                       (Env.STANDBY_DB_IDENTIFIER, FRESH_STANDBY),
                       (Env.DMS_TASK_ARN, task["ReplicationTaskArn"])):
        monkeypatch.setenv(str(key), value)
    get_settings.cache_clear()
    return str(task["ReplicationTaskArn"])


def _repoint_primary_only(monkeypatch: pytest.MonkeyPatch, new_primary_arn: str) -> None:
    """Two of the hint's commands applied (primary ARN and phase), nothing redeployed."""
    monkeypatch.setenv(str(Env.PRIMARY_DB_ARN), new_primary_arn)
    monkeypatch.setenv(str(Env.FAILOVER_PHASE), "normal")
    monkeypatch.setenv(str(Env.REVERSE_REPLICA_IDENTIFIER), "")
    get_settings.cache_clear()


def _status(world: World) -> dict[str, Any]:
    return dict(handle(manual("status"), context(), clients=world.clients)["phase"])


def test_status_keeps_the_source_secret_command_until_the_forward_task_reads_the_new_primary(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    world, out = _failed_back(make_world, monkeypatch)
    secret = _new_primary()["MasterUserSecret"]["SecretArn"]
    command = f"pulumi config set --stack prod --path ecommerce-dr:{SECRET_KEY} '{secret}'"
    _repoint_primary_only(monkeypatch, out["new_primary_arn"])
    hint = _status(world)
    assert command in hint["commands"], hint
    (stale,) = [m for m in hint["mismatches"] if "forward DMS task" in m]
    assert "reads server primary.example.com, not the new primary " in stale, stale
    assert out["new_primary_arn"] in stale and secret in stale
    _deploy_normal(monkeypatch, out["new_primary_arn"], source=None)      # deployed, still stale
    hint = _status(world)
    assert command in hint["commands"] and any("forward DMS task" in m for m in hint["mismatches"])


def test_status_is_quiet_once_the_forward_task_reads_the_new_primary_secret(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    world, out = _failed_back(make_world, monkeypatch)
    secret = _new_primary()["MasterUserSecret"]["SecretArn"]
    _deploy_normal(monkeypatch, out["new_primary_arn"], source=secret)
    hint = _status(world)
    assert hint["commands"] == [] and hint["mismatches"] == [], hint
    assert hint["then"] is None


def test_status_after_repoint_never_tells_to_delete_the_new_primary(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    world, out = _failed_back(make_world, monkeypatch)
    assert world.store().failback().old_primary == "shop-primary"
    _repoint_primary_only(monkeypatch, out["new_primary_arn"])
    then = _status(world)["then"]
    assert "the old primary shop-standby-reverse" not in then, then
    assert "the old primary shop-primary was never written to: reconcile" in then, then


def _failover(world: World, *, force: bool = False) -> dict[str, Any]:
    return dict(handle(manual("failover", "region down", force=force), context(),
                       clients=world.clients))


def _stale_world(make_world: Callable[..., World],
                 monkeypatch: pytest.MonkeyPatch) -> tuple[World, dict[str, Any]]:
    world, out = _failed_back(make_world, monkeypatch)
    _deploy_normal(monkeypatch, out["new_primary_arn"], source=None)
    world.clients = recording_clients()      # call counts of the failover alone
    return world, out


def _assert_refused_stale(world: World, out: dict[str, Any], result: dict[str, Any]) -> None:
    assert result["status"] == "not-ready", result
    (problem,) = world.store().failover().steps["check_readiness"].detail["not_ready"]
    assert problem.startswith("the DMS task's source endpoint arn:aws:dms:us-west-2:"), problem
    assert (f"reads server primary.example.com, not {out['new_primary_arn']}, the primary "
            f"since failback {out['failback_id']}: the standby was loaded from the old "
            "primary; set database.dms.sourceSecretArn "
            f"{_new_primary()['MasterUserSecret']['SecretArn']}, pulumi up, then fail over"
            ) in problem, problem
    assert world.clients.calls["dms.StopReplicationTask"] == 0
    assert world.store().gate().tripped is False


def test_failover_refused_while_the_forward_task_reads_the_old_primary(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    world, out = _stale_world(make_world, monkeypatch)
    _assert_refused_stale(world, out, _failover(world))


def test_failover_ready_once_the_forward_task_reads_the_new_primary(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    world, out = _failed_back(make_world, monkeypatch)
    _deploy_normal(monkeypatch, out["new_primary_arn"],
                   source=_new_primary()["MasterUserSecret"]["SecretArn"])
    result = _failover(world)
    assert result["status"] == "completed", result
    detail = world.store().failover().steps["check_readiness"].detail
    assert detail["source_endpoint_reads"].startswith("secret arn:aws:secretsmanager:us-east-1:")


def test_failover_ready_when_the_forward_source_names_the_new_primary_by_server(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    world, out = _failed_back(make_world, monkeypatch)
    assert world.store().failback().reverse.new_primary_address == (
        _new_primary()["Endpoint"]["Address"])
    _deploy_normal(monkeypatch, out["new_primary_arn"], source=None,
                   server=_new_primary()["Endpoint"]["Address"].upper())
    assert _failover(world)["status"] == "completed"


def test_refused_with_the_primary_region_down_and_under_throttling(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    world, out = _stale_world(make_world, monkeypatch)
    world.clients = recording_clients(down_regions={PRIMARY})
    with throttle_every_call(2, monkeypatch) as raised:
        result = _failover(world)
    assert raised["describe_endpoints"] == 2
    _assert_refused_stale(world, out, result)


def test_ready_with_the_primary_region_down_once_re_pointed(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    world, out = _failed_back(make_world, monkeypatch)
    _deploy_normal(monkeypatch, out["new_primary_arn"],
                   source=_new_primary()["MasterUserSecret"]["SecretArn"])
    world.clients = recording_clients(down_regions={PRIMARY})
    result = _failover(world)
    assert result["status"] == "completed", json.dumps(result)[:600]


def test_force_overrides_the_stale_source_refusal(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    world, _ = _stale_world(make_world, monkeypatch)
    result = _failover(world, force=True)
    assert result["status"] == "completed", result
    detail = world.store().failover().steps["check_readiness"].detail
    assert detail["forced"] is True and "sourceSecretArn" in detail["not_ready"][0]
