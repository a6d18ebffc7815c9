"""The cycle's Aurora cluster reader on moto (the Aurora bridges in force): a cluster's
resource id, and the writer it replicates from while it is a secondary of the global
database, through a switchover; a cluster that does not exist."""

from __future__ import annotations

import boto3
import pytest

from drill.cycle.observe import cluster
from emulator.in_process import mocked_aws
from tests.failover.aurora_world import GLOBAL_ID, aurora_world
from tests.failover.world import PRIMARY, PRIMARY_ID, STANDBY, STANDBY_ID

pytestmark = pytest.mark.filterwarnings("ignore:Exception.*does not match an error shape")


def test_the_reader_follows_the_roles_through_a_switchover() -> None:
    with mocked_aws(), aurora_world() as world:
        east, west = boto3.client("rds", region_name=PRIMARY), boto3.client("rds", region_name=STANDBY)

        def read() -> tuple:
            return (cluster(east, PRIMARY_ID, PRIMARY, None, global_id=GLOBAL_ID),
                    cluster(west, STANDBY_ID, STANDBY, None, global_id=GLOBAL_ID))

        primary, secondary = read()
        assert primary.exists and primary.replica_source is None
        assert secondary.replica_source == world.primary_cluster.arn
        assert secondary.status == "available" and secondary.resource_id != primary.resource_id
        world.bridge.request("switchover", GLOBAL_ID, world.standby_cluster.arn, False)
        after_primary, after_secondary = read()
        assert after_secondary.replica_source is None   # the writer now
        assert after_primary.replica_source == world.standby_cluster.arn
        # the same clusters: their resource ids did not change
        assert (after_primary.resource_id, after_secondary.resource_id) == (
            primary.resource_id, secondary.resource_id)
        missing = cluster(west, "shop-nothing", STANDBY, None, global_id=GLOBAL_ID)
        assert not missing.exists and missing.replica_source is None and missing.orders is None
