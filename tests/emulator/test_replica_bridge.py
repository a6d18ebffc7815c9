"""The replica bridge on moto's in-process RDS: CreateDBInstanceReadReplica asks the hooks,
keeps the instance 'creating' while the data plane builds it, and fails cleanly (no instance
left) when the data plane refuses; the drill's hooks refuse a source that is not a writer."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from drill.clock import DrillClock
from drill.cycle.replicas import ReplicaBridge
from emulator.bridges import BridgeLog
from emulator.data_bridges import BridgeRefused, Restore, set_instance_status
from emulator.replica_bridges import replica_bridge

pytestmark = pytest.mark.filterwarnings("ignore:.*does not match an error shape")
EAST, WEST = "us-east-1", "us-west-2"


class Hooks:
    def __init__(self, refuse: str | None = None) -> None:
        self.calls: list[tuple[str, str, str, str]] = []
        self.refuse = refuse

    def replicate(self, region: str, db_id: str, source_region: str, source_id: str) -> Restore:
        self.calls.append((region, db_id, source_region, source_id))
        if self.refuse:
            raise BridgeRefused(self.refuse)
        return Restore("building", pending=True)


def _source() -> str:
    return boto3.client("rds", region_name=WEST).create_db_instance(
        DBInstanceIdentifier="shop-standby", Engine="postgres", DBInstanceClass="db.r6g.large",
        AllocatedStorage=20, MasterUsername="shop", MasterUserPassword="password-123",
        BackupRetentionPeriod=7)["DBInstance"]["DBInstanceArn"]


def _replica(source_arn: str) -> dict[str, Any]:
    return boto3.client("rds", region_name=EAST).create_db_instance_read_replica(
        DBInstanceIdentifier="shop-standby-reverse", SourceDBInstanceIdentifier=source_arn,
        DBInstanceClass="db.r6g.large", SourceRegion=WEST)["DBInstance"]


def _status(identifier: str) -> str:
    return boto3.client("rds", region_name=EAST).describe_db_instances(
        DBInstanceIdentifier=identifier)["DBInstances"][0]["DBInstanceStatus"]


def test_a_cross_region_replica_stays_creating_until_the_data_plane_is_done() -> None:
    hooks, log = Hooks(), BridgeLog()
    with mock_aws(), replica_bridge(hooks, log):
        arn = _source()
        _replica(arn)
        assert hooks.calls == [(EAST, "shop-standby-reverse", WEST, "shop-standby")]
        assert _status("shop-standby-reverse") == "creating"
        set_instance_status(EAST, "shop-standby-reverse", "available")
        assert _status("shop-standby-reverse") == "available"
    assert log.counts["pg-replica"] == 1


def test_a_refusal_fails_the_call_and_leaves_no_instance() -> None:
    hooks, log = Hooks(refuse="shop-standby is not a running writer"), BridgeLog()
    with mock_aws(), replica_bridge(hooks, log):
        arn = _source()
        with pytest.raises(ClientError) as e:
            _replica(arn)
        assert e.value.response["Error"]["Code"] == "DrillDataPlaneError"
        assert "not a running writer" in str(e.value)
        rds = boto3.client("rds", region_name=EAST)
        assert [d["DBInstanceIdentifier"] for d in rds.describe_db_instances()["DBInstances"]] == []


class _Server:
    name, running = "standby", True

    def __init__(self, in_recovery: bool) -> None:
        self._rec = in_recovery

    def is_in_recovery(self) -> bool:
        return self._rec


class _World:
    def __init__(self, server: _Server) -> None:
        self.servers_by_id = {(WEST, "shop-standby"): server}
        self.submitted: list[str] = []
        self.jobs = self

    def submit(self, label: str, job: Any) -> None:
        self.submitted.append(label)


def _bridge(world: Any) -> ReplicaBridge:
    return ReplicaBridge(lambda: world, lambda s, r: None, DrillClock(), BridgeLog())


def test_the_drills_hooks_build_only_replicas_of_a_running_writer() -> None:
    replica = _World(_Server(in_recovery=True))
    with pytest.raises(BridgeRefused, match="not a running writer"):
        _bridge(replica).replicate(EAST, "r", WEST, "shop-standby")
    writer = _World(_Server(in_recovery=False))
    done = _bridge(writer).replicate(EAST, "r", WEST, "shop-standby")
    assert done.pending and writer.submitted == ["replica r"]
    assert _bridge(writer).replicate(EAST, "r", WEST, "other").pending is False   # moto alone
    assert _bridge(None).replicate(EAST, "r", WEST, "shop-standby").note.startswith("no data plane")
