"""The dms cycle's CDC hooks (drill/cycle/cdc.py) on real PostgreSQL and moto: a new instance
gets a fresh server (started on the main thread, the instance 'creating' until then); a
started reverse task subscribes that fresh server to the promoted standby, publishes its CDC
latency and carries new orders; StopReplicationTask of it (the pg-dms-stop bridge) opens the
fresh server for writes. A task whose target is not a fresh server (the old primary, or the
fresh server once it holds data: the new primary after the failback) is refused; calls with
no server behind them are left to moto."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from contract.strategies import Strategy
from dataplane.logical import SubscriptionEnds, subscription_ends
from dataplane.plane import DataPlane
from dataplane.schema import SHOP_DB, order_ids
from drill.clock import DrillClock
from drill.cycle.cdc import CdcBridge, subscription_name
from drill.data.bridge import DataBridge
from drill.data.world import DataWorld
from emulator.bridges import BridgeLog
from emulator.cdc_bridges import TaskStart, cdc_bridges
from emulator.data_bridges import BridgeRefused, data_plane_bridges
from tests.runs import process_root, runs_base

pytestmark = pytest.mark.filterwarnings("ignore:.*does not match an error shape")
EAST, WEST = "us-east-1", "us-west-2"
ARN = "arn:aws:dms:us-west-2:123456789012:task:shop-rcdc"


@pytest.fixture(scope="module")
def plane() -> Iterator[DataPlane]:
    for run in process_root(runs_base() / "test-cdc"):
        with DataPlane(run, handle_sigterm=False) as p:
            yield p


def _client(service: str, region: str) -> Any:
    return boto3.client(service, region_name=region)


def _insert(server: Any, customer: str) -> str:
    return str(server.query("INSERT INTO orders (customer, amount_cents, region) VALUES (%s, 1, %s) "
                            "RETURNING id", (customer, WEST), dbname=SHOP_DB)[0][0])


def _status(ident: str) -> str:
    return str(_client("rds", EAST).describe_db_instances(
        DBInstanceIdentifier=ident)["DBInstances"][0]["DBInstanceStatus"])


def test_a_reverse_task_feeds_a_fresh_server_from_the_standby_until_stopped(
        plane: DataPlane) -> None:
    old_primary, standby = plane.new_primary("old", EAST), plane.new_primary("promoted", WEST)
    before = _insert(standby, "before-the-task")
    world = DataWorld(Strategy.DMS, plane.run_dir, plane, old_primary, EAST, WEST)
    world.servers_by_id.update({(EAST, "shop-primary"): old_primary,
                                (WEST, "shop-standby"): standby})
    log = BridgeLog()
    cdc = CdcBridge(lambda: world, _client, DrillClock(), log)
    with mock_aws():
        _client("rds", EAST).create_db_instance(
            DBInstanceIdentifier="shop-standby-reverse", Engine="postgres",
            DBInstanceClass="db.r6g.large", AllocatedStorage=20, MasterUsername="dr_admin",
            MasterUserPassword="password-123")
        assert cdc.fresh_instance(EAST, "shop-standby-reverse").pending
        assert world.jobs.run_pending() == 1 and _status("shop-standby-reverse") == "available"
        fresh = world.servers_by_id[(EAST, "shop-standby-reverse")]
        assert fresh.running and fresh is not old_primary
        with pytest.raises(BridgeRefused, match="not a fresh instance"):   # never the old primary
            cdc.start_task(TaskStart(WEST, ARN, "shop-rcdc", "shop-dms", (WEST, "shop-standby"),
                                     (EAST, "shop-primary")))
        note = cdc.start_task(TaskStart(WEST, ARN, "shop-rcdc", "shop-dms",
                                        (WEST, "shop-standby"), (EAST, "shop-standby-reverse")))
        assert "fresh-1 subscribed to promoted" in note
        repl = world.cdc_task(ARN)
        assert repl is not None and repl.subscription == subscription_name("shop-rcdc")
        after = _insert(standby, "after-the-task")
        repl.wait_replayed()
        assert {before, after} <= order_ids(fresh) and order_ids(old_primary) == frozenset()
        # the servers' own catalogs: the subscription runs on fresh, its slot is on the standby
        ends = subscription_ends(plane.servers.values(), subscription_name("shop-rcdc"))
        assert ends == SubscriptionEnds((fresh.name,), ("promoted",), True)
        assert cdc.wait_published() == [] and cdc.tasks[ARN].publisher.values("CDCLatencyTarget")
        bridge = DataBridge(log, DrillClock().now)
        bridge.world = world
        with data_plane_bridges(bridge, log):
            assert "fresh-1 opened for writes" in bridge.stop_task(WEST, ARN)
        assert not repl.replicating
        assert subscription_ends(plane.servers.values(), repl.subscription).enabled is False
        assert _insert(fresh, "on-the-new-primary") in order_ids(fresh)


def test_calls_with_no_server_behind_them_are_left_to_moto(plane: DataPlane) -> None:
    cdc = CdcBridge(lambda: None, _client, DrillClock(), BridgeLog())
    assert not cdc.fresh_instance(EAST, "x").pending
    start = TaskStart(WEST, ARN, "shop-rcdc", "shop-dms", None, (EAST, "x"))
    assert cdc.start_task(start).startswith("no data plane")
    world = DataWorld(Strategy.DMS, plane.run_dir, plane, plane.server("unused", EAST), EAST, WEST)
    cdc = CdcBridge(lambda: world, _client, DrillClock(), BridgeLog())
    assert "left to moto" in cdc.start_task(start) and cdc.tasks == {}


def _managed(region: str, ident: str) -> str:
    """A managed-secret instance; returns its secret's ARN (what a DMS endpoint names)."""
    rds = _client("rds", region)
    rds.create_db_instance(DBInstanceIdentifier=ident, Engine="postgres",
                           DBInstanceClass="db.r6g.large", AllocatedStorage=20,
                           MasterUsername="dr_admin", ManageMasterUserPassword=True)
    return str(rds.describe_db_instances(DBInstanceIdentifier=ident)["DBInstances"][0][
        "MasterUserSecret"]["SecretArn"])


def _reverse_task(source_secret: str, target_secret: str) -> str:
    dms = _client("dms", WEST)
    inst = dms.create_replication_instance(
        ReplicationInstanceIdentifier="shop-dms", ReplicationInstanceClass="dms.t3.medium",
    )["ReplicationInstance"]["ReplicationInstanceArn"]
    source, target = (dms.create_endpoint(
        EndpointIdentifier=f"shop-r{kind}", EndpointType=kind, EngineName="postgres",
        PostgreSQLSettings={"SecretsManagerSecretId": secret})["Endpoint"]["EndpointArn"]
        for kind, secret in (("source", source_secret), ("target", target_secret)))
    return str(dms.create_replication_task(
        ReplicationTaskIdentifier="shop-rcdc", SourceEndpointArn=source, TargetEndpointArn=target,
        ReplicationInstanceArn=inst, MigrationType="full-load-and-cdc",
        TableMappings='{"rules": []}')["ReplicationTask"]["ReplicationTaskArn"])


def _task_status(arn: str) -> str:
    return str(_client("dms", WEST).describe_replication_tasks(
        Filters=[{"Name": "replication-task-arn", "Values": [arn]}])["ReplicationTasks"][0]["Status"])


def test_a_reverse_task_started_again_after_the_failback_may_not_write_into_the_new_primary(
        plane: DataPlane) -> None:
    """After the failback the fresh reverse instance is the primary (holding the orders, taking
    writes) and the old writer is retained. StartReplicationTask of the stopped reverse task
    (a retried deploy, an operator) would subscribe the new primary to the old writer: the
    bridge refuses it, the call fails with DrillDataPlaneError, the task stays stopped and the
    new primary keeps taking writes, its orders its own."""
    old_writer = plane.new_primary("writer", WEST)
    _insert(old_writer, "on-the-old-writer")
    world = DataWorld(Strategy.DMS, plane.run_dir, plane, plane.new_primary("gone", EAST), EAST, WEST)
    world.servers_by_id[(WEST, "shop-standby")] = old_writer
    log = BridgeLog()
    cdc, stops = CdcBridge(lambda: world, _client, DrillClock(), log), DataBridge(log, DrillClock().now)
    stops.world = world
    with mock_aws():
        source = _managed(WEST, "shop-standby")
        with cdc_bridges(cdc, log), data_plane_bridges(stops, log):
            target = _managed(EAST, "shop-standby-reverse")
            _restart_refused(world, cdc, source, target)
    assert log.counts["pg-dms-start"] == 2 and any(
        a.startswith("[pg-dms-start] StartReplicationTask") and "REFUSED" in a
        for a in log.actions), log.actions


def _restart_refused(world: DataWorld, cdc: CdcBridge, source: str, target: str) -> None:
    """Start the reverse task, stop it (the failback), write on the new primary, start it
    again: refused."""
    assert world.jobs.run_pending() == 1
    new_primary = world.servers_by_id[(EAST, "shop-standby-reverse")]
    arn, dms = _reverse_task(source, target), _client("dms", WEST)
    dms.start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")
    cdc.tasks[arn].replication.wait_replayed()
    dms.stop_replication_task(ReplicationTaskArn=arn)   # the failback: pg-dms-stop
    assert _task_status(arn) == "stopped"
    _insert(new_primary, "on-the-new-primary")
    held = order_ids(new_primary)
    with pytest.raises(ClientError) as e:
        dms.start_replication_task(ReplicationTaskArn=arn,
                                   StartReplicationTaskType="resume-processing")
    assert e.value.response["Error"]["Code"] == "DrillDataPlaneError"
    assert (f"the target {new_primary.name} is not a fresh instance (already the target of "
            "shop-rcdc; holds 2 order(s); has 1 subscription(s))") in str(e.value)
    assert _task_status(arn) == "stopped" and not cdc.tasks[arn].replication.replicating
    assert order_ids(new_primary) == held   # no copy of the old writer's orders either
    assert new_primary.query(   # the app's sessions were not set read-only again
        "SELECT count(*) FROM pg_db_role_setting WHERE "
        "'default_transaction_read_only=on' = ANY(setconfig)")[0][0] == 0
