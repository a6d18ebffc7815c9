"""The data-plane bridges on real PostgreSQL: moto's RDS and DMS calls, made as the handlers
make them, promote a real standby, stop a real subscription, and take, copy and restore real
base backups; a data plane that cannot do its part makes the call fail.

One data plane per module: a primary with a streaming standby and a logical-replication
target (each promoted or stopped once, by the test that owns it), in a memory file system or
the repository's ``reports/`` (where and why: :mod:`tests.runs`).
"""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from contract.strategies import Strategy
from dataplane.logical import LogicalReplication
from dataplane.physical import PhysicalReplica
from dataplane.plane import DataPlane
from dataplane.schema import SHOP_DB, order_ids
from dataplane.snapshots import snapshot_store
from drill.clock import DrillClock
from drill.data.bridge import DataBridge
from drill.data.world import DataWorld
from emulator.bridges import BridgeLog
from emulator.data_bridges import data_plane_bridges
from emulator.site import SiteBuilder
from tests.runs import process_root, runs_base

pytestmark = pytest.mark.filterwarnings("ignore:.*does not match an error shape")
EAST, WEST = "us-east-1", "us-west-2"


def _insert(server, customer: str) -> str:
    return str(server.query("INSERT INTO orders (customer, amount_cents, region) VALUES (%s, 1, %s) "
                            "RETURNING id", (customer, EAST), dbname=SHOP_DB)[0][0])


@pytest.fixture(scope="module")
def plane() -> Iterator[DataPlane]:
    for run in process_root(runs_base() / "test-bridges"):
        with DataPlane(run, handle_sigterm=False) as p:
            yield p


@pytest.fixture(scope="module")
def servers(plane: DataPlane) -> dict[str, object]:
    primary = plane.new_primary("primary", EAST)
    pair = PhysicalReplica.create(plane, primary, standby_region=WEST)
    task = LogicalReplication.create(plane, primary, target_region=WEST)
    copies = plane.link("copies", primary.address)
    return {"primary": primary, "pair": pair, "task": task, "copies": copies}


def _world(plane: DataPlane, servers: dict, strategy: Strategy) -> DataWorld:
    primary = servers["primary"]
    w = DataWorld(strategy, plane.run_dir, plane, primary, EAST, WEST)
    w.servers_by_id[(EAST, "shop-primary")] = primary
    if strategy is Strategy.READ_REPLICA:
        w.pair, w.standby = servers["pair"], servers["pair"].standby
    elif strategy is Strategy.DMS:
        w.task, w.standby = servers["task"], servers["task"].target
    if w.standby is not None:
        w.servers_by_id[(WEST, "shop-standby")] = w.standby
    w.copies_link = servers["copies"]
    w.stores = {r: snapshot_store(plane, r) for r in (EAST, WEST)}
    return w


@pytest.fixture
def aws() -> Iterator[SiteBuilder]:
    with mock_aws():
        yield SiteBuilder(lambda service, region: boto3.client(service, region_name=region),
                          primary_region=EAST, standby_region=WEST)


def _bridged(world: DataWorld) -> tuple[DataBridge, BridgeLog]:
    log = BridgeLog()
    bridge = DataBridge(log, DrillClock().now)
    bridge.world = world
    return bridge, log


def test_promote_read_replica_promotes_the_real_standby_once(plane, servers, aws) -> None:
    world = _world(plane, servers, Strategy.READ_REPLICA)
    bridge, log = _bridged(world)
    source = aws.database("shop-primary")
    aws.read_replica("shop-standby", source=source)
    rds = boto3.client("rds", region_name=WEST)
    standby = world.standby
    assert standby.is_in_recovery() and standby.timeline() == 1
    with data_plane_bridges(bridge, log):
        rds.promote_read_replica(DBInstanceIdentifier="shop-standby")
        assert not standby.is_in_recovery() and standby.timeline() == 2
        order = _insert(standby, "after-promotion")   # the promoted standby takes writes
        rds.promote_read_replica(DBInstanceIdentifier="shop-standby")   # asked again
    assert order in order_ids(standby)
    assert standby.timeline() == 2     # the timeline advanced once
    assert [p.performed for p in world.promotions] == [True, False]
    assert log.counts["pg-promotion"] == 2 and "timeline 1 -> 2" in log.actions[0]
    assert "promoted" in world.marks


def test_a_promotion_the_data_plane_cannot_do_fails_the_call(plane, aws) -> None:
    primary = plane.new_primary("lonely", EAST)
    pair = PhysicalReplica.create(plane, primary, standby_region=WEST, standby_name="gone")
    world = DataWorld(Strategy.READ_REPLICA, plane.run_dir, plane, primary, EAST, WEST,
                      pair=pair, standby=pair.standby)
    world.servers_by_id[(WEST, "shop-standby")] = pair.standby
    bridge, log = _bridged(world)
    aws.read_replica("shop-standby", source=aws.database("shop-primary"))
    pair.standby.stop()
    with data_plane_bridges(bridge, log), pytest.raises(ClientError) as raised:
        boto3.client("rds", region_name=WEST).promote_read_replica(DBInstanceIdentifier="shop-standby")
    assert raised.value.response["Error"]["Code"] == "DrillDataPlaneError"
    assert "not running" in raised.value.response["Error"]["Message"]
    db = boto3.client("rds", region_name=WEST).describe_db_instances(
        DBInstanceIdentifier="shop-standby")["DBInstances"][0]
    assert db.get("ReadReplicaSourceDBInstanceIdentifier")   # moto left as it was
    assert world.promotions == [] and "REFUSED" in log.actions[0]


def test_stop_replication_task_stops_the_real_subscription(plane, servers, aws) -> None:
    world = _world(plane, servers, Strategy.DMS)
    task = aws.dms_task()
    world.task_arn = task.arn
    bridge, log = _bridged(world)
    target = world.standby
    before = _insert(world.primary, "replicated")
    servers["task"].wait_replayed()
    assert servers["task"].replicating and before in order_ids(target)
    with data_plane_bridges(bridge, log):
        boto3.client("dms", region_name=WEST).stop_replication_task(ReplicationTaskArn=task.arn)
    assert not servers["task"].replicating
    after = _insert(world.primary, "not replicated")
    assert after not in order_ids(target)          # the change stream is stopped
    status = boto3.client("dms", region_name=WEST).describe_replication_tasks(
        Filters=[{"Name": "replication-task-arn", "Values": [task.arn]}])["ReplicationTasks"][0]["Status"]
    assert status == "stopped"
    assert [s.performed for s in world.stops] == [True]
    # the target takes the app's writes now
    with target.connect(SHOP_DB, user="shop_app") as conn:
        assert conn.execute("SHOW transaction_read_only").fetchone()[0] == "off"
    assert log.counts["pg-dms-stop"] == 1


def test_snapshot_copy_and_restore_move_real_data(plane, servers, aws) -> None:
    world = _world(plane, servers, Strategy.SNAPSHOT_RESTORE)
    bridge, log = _bridged(world)
    aws.database("shop-primary")
    east, west = boto3.client("rds", region_name=EAST), boto3.client("rds", region_name=WEST)
    kept = _insert(world.primary, "before the backup")
    with data_plane_bridges(bridge, log):
        arn = east.create_db_snapshot(DBInstanceIdentifier="shop-primary",
                                      DBSnapshotIdentifier="shop-primary-dr-1")["DBSnapshot"]["DBSnapshotArn"]
        later = _insert(world.primary, "after the backup")
        west.copy_db_snapshot(SourceDBSnapshotIdentifier=arn, SourceRegion=EAST,
                              TargetDBSnapshotIdentifier="shop-primary-dr-1-copy")
        west.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="shop-standby",
                                                  DBSnapshotIdentifier="shop-primary-dr-1-copy",
                                                  DBInstanceClass="db.r6g.large")
        status = west.describe_db_instances(DBInstanceIdentifier="shop-standby")["DBInstances"][0]
        assert status["DBInstanceStatus"] == "creating"   # until its server is up
        assert world.jobs.pending == 1 and world.jobs.run_pending() == 1
        status = west.describe_db_instances(DBInstanceIdentifier="shop-standby")["DBInstances"][0]
    assert status["DBInstanceStatus"] == "available" and world.jobs.errors == []
    backup = world.snapshots[(EAST, "shop-primary-dr-1")]
    copy = world.snapshots[(WEST, "shop-primary-dr-1-copy")]
    assert backup.region == EAST and copy.region == WEST and copy.copied_from == EAST
    assert (copy.data_dir / "PG_VERSION").is_file()
    restored = world.standby
    assert restored is not None and restored.region == WEST and not restored.is_in_recovery()
    held = order_ids(restored)
    assert kept in held and later not in held        # the recovery point is the backup's end
    assert world.servers_by_id[(WEST, "shop-standby")] is restored
    assert log.counts["pg-snapshots"] >= 4


def test_a_copy_across_a_cut_link_fails_and_leaves_no_copy(plane, servers, aws) -> None:
    world = _world(plane, servers, Strategy.SNAPSHOT_RESTORE)
    bridge, log = _bridged(world)
    aws.database("shop-primary")
    east, west = boto3.client("rds", region_name=EAST), boto3.client("rds", region_name=WEST)
    link = world.copies_link
    with data_plane_bridges(bridge, log):
        arn = east.create_db_snapshot(DBInstanceIdentifier="shop-primary",
                                      DBSnapshotIdentifier="shop-primary-dr-2")["DBSnapshot"]["DBSnapshotArn"]
        link.cut()
        try:
            with pytest.raises(ClientError, match="DrillDataPlaneError"):
                west.copy_db_snapshot(SourceDBSnapshotIdentifier=arn, SourceRegion=EAST,
                                      TargetDBSnapshotIdentifier="shop-primary-dr-2-copy")
        finally:
            link.restore()
    assert west.describe_db_snapshots()["DBSnapshots"] == []
    assert (WEST, "shop-primary-dr-2-copy") not in world.snapshots
