"""The dms cycle's CDC hooks (drill/cycle/cdc.py) on real PostgreSQL and moto: a new instance
gets a fresh server (started on the main thread, the instance 'creating' until then); a
started reverse task subscribes that fresh server to the promoted standby, publishes its CDC
latency and carries new orders; StopReplicationTask of it (the pg-dms-stop bridge) opens the
fresh server for writes. A task whose target is not a fresh server (the old primary) is
refused; calls with no server behind them are left to moto."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from contract.strategies import Strategy
from dataplane.plane import DataPlane
from dataplane.schema import SHOP_DB, order_ids
from drill.clock import DrillClock
from drill.cycle.cdc import CdcBridge, subscription_name
from drill.data.bridge import DataBridge
from drill.data.world import DataWorld
from emulator.bridges import BridgeLog
from emulator.cdc_bridges import TaskStart
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
        assert cdc.wait_published() == [] and cdc.tasks[ARN].publisher.values("CDCLatencyTarget")
        bridge = DataBridge(log, DrillClock().now)
        bridge.world = world
        with data_plane_bridges(bridge, log):
            assert "fresh-1 opened for writes" in bridge.stop_task(WEST, ARN)
        assert not repl.replicating
        assert _insert(fresh, "on-the-new-primary") in order_ids(fresh)


def test_calls_with_no_server_behind_them_are_left_to_moto(plane: DataPlane) -> None:
    cdc = CdcBridge(lambda: None, _client, DrillClock(), BridgeLog())
    assert not cdc.fresh_instance(EAST, "x").pending
    start = TaskStart(WEST, ARN, "shop-rcdc", "shop-dms", None, (EAST, "x"))
    assert cdc.start_task(start).startswith("no data plane")
    world = DataWorld(Strategy.DMS, plane.run_dir, plane, plane.server("unused", EAST), EAST, WEST)
    cdc = CdcBridge(lambda: world, _client, DrillClock(), BridgeLog())
    assert "left to moto" in cdc.start_task(start) and cdc.tasks == {}
