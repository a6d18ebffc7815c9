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


def reverse_task(*, region: str = STANDBY) -> dict[str, Any]:
    """A running CDC task from the standby's endpoint (the forward task's target) to the
    primary's (its source), on the forward task's replication instance."""
    dms = boto3.client("dms", region_name=region)
    forward = dms.describe_replication_tasks()["ReplicationTasks"][0]
    task = dms.create_replication_task(
        ReplicationTaskIdentifier=f"shop-reverse-{uuid.uuid4().hex[:6]}", MigrationType="cdc",
        ReplicationInstanceArn=forward["ReplicationInstanceArn"],
        SourceEndpointArn=forward["TargetEndpointArn"],
        TargetEndpointArn=forward["SourceEndpointArn"],
        TableMappings='{"rules": []}')["ReplicationTask"]
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
