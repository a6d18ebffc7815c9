"""The CDC bridges on moto's in-process RDS and DMS: CreateDBInstance of a standalone instance
asks the hooks for a server (the instance 'creating' until it has one), an Aurora member does
not; StartReplicationTask names the databases its endpoints' secrets belong to; a refusal
fails the call cleanly (no instance left, the task not started)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from emulator.bridges import BridgeLog
from emulator.cdc_bridges import TaskStart, cdc_bridges
from emulator.data_bridges import BridgeRefused, Restore, set_instance_status

pytestmark = pytest.mark.filterwarnings("ignore:.*does not match an error shape")
EAST, WEST = "us-east-1", "us-west-2"


class Hooks:
    def __init__(self, refuse: str | None = None) -> None:
        self.instances: list[tuple[str, str]] = []
        self.starts: list[TaskStart] = []
        self.refuse = refuse

    def fresh_instance(self, region: str, db_id: str) -> Restore:
        self.instances.append((region, db_id))
        if self.refuse:
            raise BridgeRefused(self.refuse)
        return Restore("starting", pending=True)

    def start_task(self, start: TaskStart) -> str:
        self.starts.append(start)
        if self.refuse:
            raise BridgeRefused(self.refuse)
        return "subscribed"


def _instance(region: str, ident: str, **kw: Any) -> dict[str, Any]:
    return boto3.client("rds", region_name=region).create_db_instance(
        DBInstanceIdentifier=ident, Engine="postgres", DBInstanceClass="db.r6g.large",
        AllocatedStorage=20, MasterUsername="dr_admin", **kw)["DBInstance"]


def _managed(region: str, ident: str) -> str:
    _instance(region, ident, ManageMasterUserPassword=True)
    set_instance_status(region, ident, "available")
    db = boto3.client("rds", region_name=region).describe_db_instances(
        DBInstanceIdentifier=ident)["DBInstances"][0]
    return str(db["MasterUserSecret"]["SecretArn"])


def _task(source_secret: str, target_secret: str) -> str:
    dms = boto3.client("dms", region_name=WEST)
    inst = dms.create_replication_instance(
        ReplicationInstanceIdentifier="shop-dms", ReplicationInstanceClass="dms.t3.medium",
    )["ReplicationInstance"]["ReplicationInstanceArn"]
    arns = [dms.create_endpoint(
        EndpointIdentifier=f"shop-{kind}", EndpointType=kind, EngineName="postgres",
        PostgreSQLSettings={"SecretsManagerSecretId": secret})["Endpoint"]["EndpointArn"]
        for kind, secret in (("source", source_secret), ("target", target_secret))]
    return str(dms.create_replication_task(
        ReplicationTaskIdentifier="shop-rcdc", SourceEndpointArn=arns[0],
        TargetEndpointArn=arns[1], ReplicationInstanceArn=inst,
        MigrationType="full-load-and-cdc", TableMappings='{"rules": []}',
    )["ReplicationTask"]["ReplicationTaskArn"])


def _task_status(arn: str) -> str:
    return str(boto3.client("dms", region_name=WEST).describe_replication_tasks(
        Filters=[{"Name": "replication-task-arn", "Values": [arn]}]
    )["ReplicationTasks"][0]["Status"])


def test_a_new_instance_stays_creating_until_its_server_is_up_and_members_are_left_alone() -> None:
    hooks, log = Hooks(), BridgeLog()
    with mock_aws(), cdc_bridges(hooks, log):
        assert _instance(EAST, "shop-standby-reverse", MasterUserPassword="password-123")[
            "DBInstanceStatus"] == "creating"
        rds = boto3.client("rds", region_name=EAST)
        rds.create_db_cluster(DBClusterIdentifier="c", Engine="aurora-postgresql",
                              MasterUsername="u", MasterUserPassword="password-123")
        rds.create_db_instance(DBInstanceIdentifier="c-1", DBClusterIdentifier="c",
                               Engine="aurora-postgresql", DBInstanceClass="db.r6g.large")
        assert hooks.instances == [(EAST, "shop-standby-reverse")]
        set_instance_status(EAST, "shop-standby-reverse", "available")
    assert log.counts["pg-instance"] == 1


def test_a_started_task_names_the_databases_of_its_endpoints_secrets() -> None:
    hooks, log = Hooks(), BridgeLog()
    with mock_aws():
        source = _managed(WEST, "shop-standby")
        with cdc_bridges(hooks, log):
            target = _managed(EAST, "shop-standby-reverse")
            arn = _task(source, target)
            boto3.client("dms", region_name=WEST).start_replication_task(
                ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")
            assert _task_status(arn) == "running"
    assert hooks.starts == [TaskStart(WEST, arn, "shop-rcdc", "shop-dms", (WEST, "shop-standby"),
                                      (EAST, "shop-standby-reverse"))]
    assert log.counts["pg-dms-start"] == 1


def test_an_endpoint_naming_no_instance_is_named_none() -> None:
    hooks = Hooks()
    with mock_aws():
        target = _managed(EAST, "shop-standby-reverse")
        arn = _task("arn:aws:secretsmanager:us-east-1:123456789012:secret:elsewhere", target)
        with cdc_bridges(hooks, BridgeLog()):
            boto3.client("dms", region_name=WEST).start_replication_task(
                ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")
    (start,) = hooks.starts
    assert (start.source, start.target) == (None, (EAST, "shop-standby-reverse"))


def test_a_refusal_fails_the_call_and_changes_nothing() -> None:
    hooks, log = Hooks(refuse="the target is not a fresh instance"), BridgeLog()
    with mock_aws():
        source, target = _managed(WEST, "shop-standby"), _managed(EAST, "shop-standby-reverse")
        arn = _task(source, target)
        with cdc_bridges(hooks, log):
            for call in (lambda: _instance(EAST, "shop-other", MasterUserPassword="password-123"),
                         lambda: boto3.client("dms", region_name=WEST).start_replication_task(
                             ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")):
                with pytest.raises(ClientError) as e:
                    call()
                assert e.value.response["Error"]["Code"] == "DrillDataPlaneError"
                assert "not a fresh instance" in str(e.value)
        ids = [d["DBInstanceIdentifier"] for d in
               boto3.client("rds", region_name=EAST).describe_db_instances()["DBInstances"]]
        assert ids == ["shop-standby-reverse"] and _task_status(arn) == "creating"   # as created
    assert log.counts["pg-instance"] == log.counts["pg-dms-start"] == 1


class _RefusesRestarts(Hooks):
    """Accepts a task's first start, refuses any later one (its target holds data by then)."""

    def start_task(self, start: TaskStart) -> str:
        self.refuse = "the target is not a fresh instance" if self.starts else None
        return super().start_task(start)


def test_a_stopped_task_started_again_asks_the_hooks_and_a_refusal_leaves_it_stopped() -> None:
    hooks, log = _RefusesRestarts(), BridgeLog()
    with mock_aws():
        source, target = _managed(WEST, "shop-standby"), _managed(EAST, "shop-standby-reverse")
        arn = _task(source, target)
        dms = boto3.client("dms", region_name=WEST)
        with cdc_bridges(hooks, log):
            dms.start_replication_task(ReplicationTaskArn=arn,
                                       StartReplicationTaskType="start-replication")
            dms.stop_replication_task(ReplicationTaskArn=arn)
            with pytest.raises(ClientError) as e:
                dms.start_replication_task(ReplicationTaskArn=arn,
                                           StartReplicationTaskType="resume-processing")
        assert e.value.response["Error"]["Code"] == "DrillDataPlaneError"
        assert "not a fresh instance" in str(e.value) and _task_status(arn) == "stopped"
    assert [s.target for s in hooks.starts] == [(EAST, "shop-standby-reverse")] * 2
    assert log.counts["pg-dms-start"] == 2
