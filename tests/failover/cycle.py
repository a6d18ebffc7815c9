"""Helpers for the DR-cycle tests (failback as a switchover, phase hints): what the program
deploys for a failback (the write switch in both Regions), the reverse replication a failback
promotes, and the lag metrics moto never emits (seeded with PutMetricData, stamped on the
handler's clock, which the tests move).

They use plain boto3 clients inside the test's ``mock_aws``; the names, the context and the
manual events are the world's (:mod:`tests.failover.world`), re-exported.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import boto3

from contract.names import write_switch_parameter
from contract.phases import WriteSwitch
from handlers.failover import clock
from tests.failover.world import PRIMARY, REVERSE_ID, STACK, STANDBY, STANDBY_ID, context, manual

#: Seconds after "now" at which a drained (zero) lag reading is stamped: later than the pause
#: that follows (rounded up to its minute), so the drain counts it once its clock gets there.
DRAINED_AFTER_SECONDS = 120.0

__all__ = ["PRIMARY", "REVERSE_ID", "STACK", "STANDBY", "STANDBY_ID", "context", "manual"]


def deploy_write_switches(value: WriteSwitch = WriteSwitch.OPEN, *,
                          regions: tuple[str, ...] = (PRIMARY, STANDBY),
                          stack: str = STACK) -> None:
    """The write switch the program declares in each Region, set to ``value``."""
    for region in regions:
        boto3.client("ssm", region_name=region).put_parameter(
            Name=write_switch_parameter(stack), Value=str(value), Type="String", Overwrite=True)


def switches(stack: str = STACK) -> dict[str, str | None]:
    """Region -> the write switch's value (None: not deployed)."""
    out: dict[str, str | None] = {}
    for region in (PRIMARY, STANDBY):
        ssm = boto3.client("ssm", region_name=region)
        try:
            out[region] = ssm.get_parameter(Name=write_switch_parameter(stack))["Parameter"]["Value"]
        except ssm.exceptions.ParameterNotFound:
            out[region] = None
    return out


def seed(namespace: str, name: str, dimensions: dict[str, str], value: float, *,
         region: str, after_seconds: float = 0.0, unit: str = "Seconds") -> None:
    """One datapoint stamped ``after_seconds`` after the handler's clock says now."""
    boto3.client("cloudwatch", region_name=region).put_metric_data(
        Namespace=namespace, MetricData=[{
            "MetricName": name, "Value": value, "Unit": unit,
            "Timestamp": datetime.fromtimestamp(clock.now() + after_seconds, UTC),
            "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()]}])


def reverse_replica(identifier: str = REVERSE_ID, *, standby: str = STANDBY_ID) -> dict[str, Any]:
    """A cross-Region read replica of the (promoted) standby in the primary Region."""
    arn = boto3.client("rds", region_name=STANDBY).describe_db_instances(
        DBInstanceIdentifier=standby)["DBInstances"][0]["DBInstanceArn"]
    return dict(boto3.client("rds", region_name=PRIMARY).create_db_instance_read_replica(
        DBInstanceIdentifier=identifier, SourceDBInstanceIdentifier=arn,
        DBInstanceClass="db.r6g.large", SourceRegion=STANDBY)["DBInstance"])


def replica_lag(value: float, identifier: str = REVERSE_ID, *, after_seconds: float = 0.0) -> None:
    """``AWS/RDS ReplicaLag`` of ``identifier`` in the primary Region."""
    seed("AWS/RDS", "ReplicaLag", {"DBInstanceIdentifier": identifier}, value, region=PRIMARY,
         after_seconds=after_seconds)


def replica_in_sync(identifier: str = REVERSE_ID, *, lag_now: float = 2.0) -> None:
    """The reverse replica replicates (``lag_now`` seconds behind now) and drains to zero once
    writes are paused (a zero stamped DRAINED_AFTER_SECONDS from now)."""
    replica_lag(lag_now, identifier)
    replica_lag(0.0, identifier, after_seconds=DRAINED_AFTER_SECONDS)


def ready_for_failback(identifier: str = REVERSE_ID) -> None:
    """What a failback of an instance standby needs besides the reverse replica itself: the
    write switches deployed and the replica's lag, draining to zero."""
    deploy_write_switches()
    replica_in_sync(identifier)


#: The reverse task and its fresh target as the program names them in the tests' stack.
REVERSE_TASK_ID = "shop-rcdc"
DMS_REVERSE_TARGET_ID = "shop-standby-reverse"


def dms_reverse_target(identifier: str = DMS_REVERSE_TARGET_ID) -> dict[str, Any]:
    """The fresh target instance in the primary Region, its password managed by RDS (its
    ``MasterUserSecret``), as phase reverse-replicating declares it."""
    return dict(boto3.client("rds", region_name=PRIMARY).create_db_instance(
        DBInstanceIdentifier=identifier, Engine="postgres", DBInstanceClass="db.r6g.large",
        AllocatedStorage=100, MasterUsername="dr_admin", ManageMasterUserPassword=True,
        DBName="shop")["DBInstance"])


def dms_endpoint(kind: str, name: str, *, secret: str | None = None,
                 server: str | None = None) -> str:
    """A DMS endpoint in the standby Region naming its database by ``secret`` (as the program
    declares them) or by ``server``; its ARN."""
    named: dict[str, Any] = ({"PostgreSQLSettings": {
        "SecretsManagerSecretId": secret,
        "SecretsManagerAccessRoleArn": "arn:aws:iam::123456789012:role/dms-secrets"}}
        if secret else {"ServerName": server, "Port": 5432, "DatabaseName": "shop",
                        "Username": "u", "Password": "p"})
    return str(boto3.client("dms", region_name=STANDBY).create_endpoint(
        EndpointIdentifier=name, EndpointType=kind, EngineName="postgres", **named,
    )["Endpoint"]["EndpointArn"])


def reverse_task(*, target_arn: str | None = None, source_arn: str | None = None,
                 start: bool = True) -> dict[str, Any]:
    """The reverse pipeline the program declares for dms, on the forward task's replication
    instance: a source endpoint on the promoted standby (the forward target's database), a
    target endpoint on a fresh instance in the primary Region (its managed secret) and a
    started full-load-and-cdc task; ``target_arn`` / ``source_arn`` put other endpoints in."""
    dms = boto3.client("dms", region_name=STANDBY)
    forward = dms.describe_replication_tasks()["ReplicationTasks"][0]
    if source_arn is None:
        standby_ep = dms.describe_endpoints(Filters=[{
            "Name": "endpoint-arn", "Values": [forward["TargetEndpointArn"]]}])["Endpoints"][0]
        source_arn = dms_endpoint("source", f"shop-rsrc-{uuid.uuid4().hex[:6]}",
                                  server=standby_ep["ServerName"])
    if target_arn is None:
        fresh = dms_reverse_target()
        target_arn = dms_endpoint("target", f"shop-rtgt-{uuid.uuid4().hex[:6]}",
                                  secret=fresh["MasterUserSecret"]["SecretArn"])
    task = dms.create_replication_task(
        ReplicationTaskIdentifier=REVERSE_TASK_ID, MigrationType="full-load-and-cdc",
        ReplicationInstanceArn=forward["ReplicationInstanceArn"],
        SourceEndpointArn=source_arn, TargetEndpointArn=target_arn,
        TableMappings='{"rules": []}')["ReplicationTask"]
    if start:
        dms.start_replication_task(ReplicationTaskArn=task["ReplicationTaskArn"],
                                   StartReplicationTaskType="start-replication")
    return dict(task)


def cdc_latency(task_arn: str, value: float, *, after_seconds: float = 0.0,
                region: str = STANDBY, instance: str = "shop-dms") -> None:
    """``AWS/DMS CDCLatencyTarget`` of ``task_arn``."""
    seed("AWS/DMS", "CDCLatencyTarget",
         {"ReplicationInstanceIdentifier": instance,
          "ReplicationTaskIdentifier": task_arn.rsplit(":", 1)[-1]}, value, region=region,
         after_seconds=after_seconds)


def task_in_sync(task_arn: str, *, lag_now: float = 1.0) -> None:
    """The reverse task runs ``lag_now`` s behind and drains to zero once writes are paused."""
    cdc_latency(task_arn, lag_now)
    cdc_latency(task_arn, 0.0, after_seconds=DRAINED_AFTER_SECONDS)


def items(store: Any, prefix: str) -> list[dict[str, Any]]:
    """State-table items whose pk starts with ``prefix``, as plain values."""
    from handlers.failover.state import _from_ddb

    out = store._ddb.scan(TableName=store._table)["Items"]
    return [_from_ddb(i) for i in out if i["pk"]["S"].startswith(prefix)]
