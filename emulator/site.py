"""The one builder of the site's parts in an emulated account.

:class:`SiteBuilder` creates, through any ``(service, region) -> boto3 client`` factory (clients
of the drill's moto server, or plain clients under ``moto.mock_aws``), what the DR program and
its orchestrators find or need in AWS:

* what existed before the program: the primary database (:meth:`SiteBuilder.database`) and the
  hosted zone (:meth:`SiteBuilder.hosted_zone`) - :func:`existing_site` adds the two HTTP
  endpoints and checks the primary's ARN;
* a standby per strategy: a cross-Region read replica (:meth:`SiteBuilder.read_replica`), a
  standalone instance (:meth:`SiteBuilder.database` in the standby Region) fed by a DMS task
  (:meth:`SiteBuilder.dms_task`), or a cross-Region snapshot copy
  (:meth:`SiteBuilder.snapshot_copy`); :func:`emulator.orchestrators.standby_for` picks by
  strategy;
* what the orchestrators read and write: alert topics read through SQS subscriptions
  (:meth:`SiteBuilder.alert_topics`, :meth:`SiteBuilder.subscribe_queues`; what arrived:
  :meth:`AlertTopics.received`), the state table,
  a KMS key, a bucket, alarms, a function to warm, and the metrics moto never emits
  (:meth:`SiteBuilder.seed_metric`).

Identifiers are lowercase as RDS stores them; times are UTC; storage in GiB.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from emulator import ACCOUNT_ID
from emulator.endpoints import LoopbackEndpoint, SiteEndpoint
from emulator.rds_backend import age_snapshot
from rto_rpo.figures import HEALTH_CHECK_METRIC_REGION

ClientFactory = Callable[[str, str], Any]

_LAMBDA_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole",
    "Principal": {"Service": "lambda.amazonaws.com"}}]})


@dataclass(frozen=True)
class Database:
    """An RDS DB instance in the emulated account."""

    identifier: str
    arn: str
    region: str


@dataclass(frozen=True)
class DmsTask:
    """A DMS CDC task and its replication instance (standby Region).

    Attributes:
        arn: the task ARN (``DMS_TASK_ARN``).
        resource_id: the last part of the ARN (the ``ReplicationTaskIdentifier`` dimension
            DMS publishes its CDC metrics with).
        instance_id: the replication instance identifier.
    """

    arn: str
    resource_id: str
    instance_id: str


@dataclass(frozen=True)
class AlertTopics:
    """One alert topic per Region and the SQS queues that read them (raw delivery).

    Attributes:
        topics: Region -> topic ARN (``ALERT_TOPIC_ARNS``).
        queues: Region -> queue URL subscribed to the topics (one shared queue may be listed
            under one Region only).
    """

    topics: dict[str, str]
    queues: dict[str, str]

    def received(self, clients: ClientFactory, region: str | None = None) -> list[dict[str, Any]]:
        """The alert bodies (JSON) delivered so far to the queue of ``region`` (default: the
        first queue), oldest first. Each one read is deleted from the queue, so the next call
        returns only what arrived since."""
        region = region or next(iter(self.queues))
        sqs, url = clients("sqs", region), self.queues[region]
        out: list[dict[str, Any]] = []
        while got := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
            for m in got:
                out.append(json.loads(m["Body"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return out


class SiteBuilder:
    """Creates the site's parts in the emulated account (see the module docstring).

    Args:
        clients: ``(service, region) -> boto3 client`` pointed at the emulator.
        primary_region, standby_region: Region codes.
        account: the emulated account (moto's).
    """

    def __init__(self, clients: ClientFactory, *, primary_region: str = "us-east-1",
                 standby_region: str = "us-west-2", account: str = ACCOUNT_ID) -> None:
        self.clients = clients
        self.primary_region = primary_region
        self.standby_region = standby_region
        self.account = account

    # -- databases ------------------------------------------------------------------------
    def database(self, identifier: str, *, region: str | None = None,
                 instance_class: str = "db.r6g.large", engine: str = "postgres",
                 storage_gib: int = 100, encrypted: bool = False,
                 backup_retention_days: int | None = 7, username: str = "shop",
                 tags: Mapping[str, str] | None = None) -> Database:
        """A DB instance (default: in the primary Region; ``backup_retention_days`` None
        leaves RDS's default). The password is a fixed placeholder: nothing connects to an
        emulated database."""
        region = region or self.primary_region
        kw: dict[str, Any] = {"Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()]}
        if backup_retention_days is not None:
            kw["BackupRetentionPeriod"] = backup_retention_days
        self.clients("rds", region).create_db_instance(
            DBInstanceIdentifier=identifier, DBInstanceClass=instance_class, Engine=engine,
            AllocatedStorage=storage_gib, StorageEncrypted=encrypted, MasterUsername=username,
            MasterUserPassword="emulated-only-1", **kw)
        return self.describe(identifier, region)

    def describe(self, identifier: str, region: str | None = None) -> Database:
        """The instance ``identifier`` as it exists. Raises the client's DBInstanceNotFound."""
        region = region or self.primary_region
        db = self.clients("rds", region).describe_db_instances(
            DBInstanceIdentifier=identifier)["DBInstances"][0]
        return Database(db["DBInstanceIdentifier"], db["DBInstanceArn"], region)

    def read_replica(self, identifier: str, *, source: Database,
                     instance_class: str = "db.r6g.large", region: str | None = None) -> Database:
        """A cross-Region read replica of ``source`` in the standby Region (or ``region``:
        e.g. the primary Region's reverse replica of a promoted standby)."""
        region = region or self.standby_region
        self.clients("rds", region).create_db_instance_read_replica(
            DBInstanceIdentifier=identifier, SourceDBInstanceIdentifier=source.arn,
            DBInstanceClass=instance_class, SourceRegion=source.region)
        return self.describe(identifier, region)

    def aurora_cluster(self, identifier: str, *, region: str | None = None,
                       engine: str = "aurora-postgresql", engine_version: str = "16.4",
                       kms_key_arn: str | None = None, global_cluster: str | None = None,
                       instances: int = 1, instance_class: str = "db.r6g.large",
                       backup_retention_days: int = 7) -> Database:
        """An Aurora DB cluster with ``instances`` instances (default: in the primary Region).
        With ``global_cluster`` it joins that global database as a secondary (no master user:
        a secondary has none of its own); otherwise it is a standalone (primary) cluster."""
        region = region or self.primary_region
        rds = self.clients("rds", region)
        kw: dict[str, Any] = {"StorageEncrypted": True, "BackupRetentionPeriod": backup_retention_days}
        if kms_key_arn:
            kw["KmsKeyId"] = kms_key_arn
        if global_cluster:
            kw["GlobalClusterIdentifier"] = global_cluster
        else:
            kw.update(MasterUsername="shop", MasterUserPassword="emulated-only-1")
        cluster = rds.create_db_cluster(DBClusterIdentifier=identifier, Engine=engine,
                                        EngineVersion=engine_version, **kw)["DBCluster"]
        for i in range(1, instances + 1):
            rds.create_db_instance(DBInstanceIdentifier=f"{identifier}-{i}",
                                   DBClusterIdentifier=identifier, Engine=engine,
                                   DBInstanceClass=instance_class)
        return Database(cluster["DBClusterIdentifier"], cluster["DBClusterArn"], region)

    def global_database(self, identifier: str, *, source: Database) -> str:
        """An Aurora global database around the cluster ``source`` (CreateGlobalCluster with
        SourceDBClusterIdentifier). Returns its identifier."""
        self.clients("rds", source.region).create_global_cluster(
            GlobalClusterIdentifier=identifier, SourceDBClusterIdentifier=source.arn)
        return identifier

    def dms_task(self, *, instance_id: str = "shop-dms", task_id: str = "shop-cdc",
                 source_host: str = "primary.example.com",
                 target_host: str = "standby.example.com", start: bool = True) -> DmsTask:
        """A DMS replication instance, source and target endpoints and a full-load-and-cdc
        task in the standby Region, started unless ``start`` is False."""
        dms = self.clients("dms", self.standby_region)
        inst = dms.create_replication_instance(
            ReplicationInstanceIdentifier=instance_id, ReplicationInstanceClass="dms.t3.medium",
        )["ReplicationInstance"]
        arns = {}
        for kind, host in (("source", source_host), ("target", target_host)):
            arns[kind] = dms.create_endpoint(
                EndpointIdentifier=f"shop-{kind}", EndpointType=kind, EngineName="postgres",
                ServerName=host, Port=5432, DatabaseName="shop", Username="u", Password="p",
            )["Endpoint"]["EndpointArn"]
        task = dms.create_replication_task(
            ReplicationTaskIdentifier=task_id, MigrationType="full-load-and-cdc",
            ReplicationInstanceArn=inst["ReplicationInstanceArn"],
            SourceEndpointArn=arns["source"], TargetEndpointArn=arns["target"],
            TableMappings=json.dumps({"rules": []}))["ReplicationTask"]
        if start:
            dms.start_replication_task(ReplicationTaskArn=task["ReplicationTaskArn"],
                                       StartReplicationTaskType="start-replication")
        arn = str(task["ReplicationTaskArn"])
        return DmsTask(arn, arn.rsplit(":", 1)[-1], instance_id)

    def snapshot_copy(self, database: Database, *, snapshot_id: str, copy_id: str,
                      kms_key_arn: str,
                      tags: Mapping[str, str] | Callable[[str], Mapping[str, str]],
                      age: dt.timedelta = dt.timedelta(0)) -> str:
        """A manual snapshot of ``database`` in its Region, copied into the standby Region as
        ``copy_id`` with ``kms_key_arn`` and ``tags`` (or ``tags(source snapshot ARN)``);
        ``age`` back-dates the copy's data (moto stamps it now:
        :func:`emulator.rds_backend.age_snapshot` sets it on the in-process backend).
        Returns ``copy_id``."""
        source = self.clients("rds", database.region).create_db_snapshot(
            DBInstanceIdentifier=database.identifier, DBSnapshotIdentifier=snapshot_id)
        source_arn = source["DBSnapshot"]["DBSnapshotArn"]
        tags = tags(source_arn) if callable(tags) else tags
        self.clients("rds", self.standby_region).copy_db_snapshot(
            SourceDBSnapshotIdentifier=source_arn,
            TargetDBSnapshotIdentifier=copy_id, SourceRegion=database.region,
            KmsKeyId=kms_key_arn, CopyTags=False,
            Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
        if age:
            age_snapshot(self.standby_region, copy_id, dt.datetime.now(dt.UTC) - age,
                         account=self.account)
        return copy_id

    # -- messaging, state, keys -----------------------------------------------------------
    def subscribe_queues(self, topics: Mapping[str, str], *, queue_name: str = "alerts",
                         shared_region: str | None = None) -> dict[str, str]:
        """Subscribe an SQS queue (raw message delivery) to each topic: one queue per topic's
        Region, or one queue in ``shared_region`` for all of them. Returns Region -> URL."""
        queues: dict[str, str] = {}
        for region, topic in topics.items():
            qregion = shared_region or region
            if qregion not in queues:
                sqs = self.clients("sqs", qregion)
                queues[qregion] = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
            arn = self.clients("sqs", qregion).get_queue_attributes(
                QueueUrl=queues[qregion], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            self.clients("sns", region).subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                                                  Attributes={"RawMessageDelivery": "true"})
        return queues

    def alert_topics(self, name: str = "ecommerce-dr-alerts", *, queue_name: str = "alerts",
                     shared_queue_region: str | None = None,
                     regions: Iterable[str] | None = None) -> AlertTopics:
        """An SNS topic ``name`` per Region (default: primary and standby), read through SQS
        (see :meth:`subscribe_queues`)."""
        topics = {r: self.clients("sns", r).create_topic(Name=name)["TopicArn"]
                  for r in (regions or (self.primary_region, self.standby_region))}
        return AlertTopics(topics, self.subscribe_queues(topics, queue_name=queue_name,
                                                         shared_region=shared_queue_region))

    def state_table(self, name: str, *, region: str | None = None) -> str:
        """A DynamoDB table keyed by string ``pk`` (on demand), default in the standby Region."""
        self.clients("dynamodb", region or self.standby_region).create_table(
            TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")
        return name

    def kms_key(self, *, region: str | None = None, description: str = "standby") -> str:
        """A KMS key (default in the standby Region). Returns its ARN."""
        return str(self.clients("kms", region or self.standby_region).create_key(
            Description=description)["KeyMetadata"]["Arn"])

    def bucket(self, name: str, *, region: str | None = None) -> str:
        """An S3 bucket (default in the standby Region). Returns its name."""
        region = region or self.standby_region
        kw: dict[str, Any] = {"Bucket": name}
        if region != "us-east-1":
            kw["CreateBucketConfiguration"] = {"LocationConstraint": region}
        self.clients("s3", region).create_bucket(**kw)
        return name

    def hosted_zone(self, zone_name: str, *, caller_reference: str) -> str:
        """A public hosted zone. Returns the emulator's zone id (without ``/hostedzone/``)."""
        zone = self.clients("route53", self.primary_region).create_hosted_zone(
            Name=zone_name, CallerReference=caller_reference)
        return str(zone["HostedZone"]["Id"]).rsplit("/", 1)[-1]

    # -- monitoring, compute --------------------------------------------------------------
    def health_check_alarm(self, name: str, *, health_check_id: str, state: str | None = None,
                           region: str = HEALTH_CHECK_METRIC_REGION) -> str:
        """An alarm on a Route 53 health check's ``HealthCheckStatus`` (a metric published in
        us-east-1 only, whatever the stack's Regions), optionally set to ``state``. Returns
        its name."""
        cw = self.clients("cloudwatch", region)
        cw.put_metric_alarm(AlarmName=name, Namespace="AWS/Route53",
                            MetricName="HealthCheckStatus", Statistic="Minimum", Period=60,
                            EvaluationPeriods=1, Threshold=1, ComparisonOperator="LessThanThreshold",
                            Dimensions=[{"Name": "HealthCheckId", "Value": health_check_id}])
        if state:
            cw.set_alarm_state(AlarmName=name, StateValue=state, StateReason="emulated")
        return name

    def seed_metric(self, namespace: str, name: str, dimensions: Mapping[str, str], value: float,
                    *, region: str | None = None, unit: str = "Seconds",
                    timestamp: dt.datetime | None = None) -> None:
        """Publish one datapoint of a metric moto never emits (e.g. ``AWS/RDS ReplicaLag``),
        default in the standby Region."""
        datum: dict[str, Any] = {"MetricName": name, "Value": value, "Unit": unit,
                                 "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()]}
        if timestamp is not None:
            datum["Timestamp"] = timestamp
        self.clients("cloudwatch", region or self.standby_region).put_metric_data(
            Namespace=namespace, MetricData=[datum])

    def function(self, name: str, *, region: str | None = None,
                 code: str = "def handler(event, context):\n    return event\n") -> str:
        """A Python Lambda function (and its role) whose ``index.handler`` is ``code``.
        Returns its ARN."""
        role = self.clients("iam", "us-east-1").create_role(
            RoleName=f"{name}-role"[:64], AssumeRolePolicyDocument=_LAMBDA_TRUST)["Role"]["Arn"]
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("index.py", code)
        return str(self.clients("lambda", region or self.standby_region).create_function(
            FunctionName=name, Runtime="python3.12", Role=role, Handler="index.handler",
            Code={"ZipFile": buf.getvalue()})["FunctionArn"])


@dataclass(frozen=True)
class AuroraPrimary:
    """The site's primary Aurora cluster (strategy aurora-global): engine, version, how many
    instances."""

    engine: str
    engine_version: str
    instances: int = 1


@dataclass
class ExistingSite:
    """What existed before the DR program: one endpoint per Region, the zone, the primary.

    Attributes:
        primary, standby: the Regions' application endpoints on 127.0.0.1.
        hosted_zone_id: the emulator's id of the zone.
        configured_zone_id: ``site.hostedZoneId`` from the stack config.
        primary_db: the primary database.
    """

    primary: SiteEndpoint
    standby: SiteEndpoint
    hosted_zone_id: str
    configured_zone_id: str
    primary_db: Database

    @property
    def primary_db_arn(self) -> str:
        return self.primary_db.arn

    def stop(self) -> None:
        self.primary.stop_answering()
        self.standby.stop_answering()


def zone_name(fqdn: str) -> str:
    """The zone a site FQDN lives in: ``shop.example.com`` -> ``example.com``."""
    return fqdn.split(".", 1)[1]


def existing_site(builder: SiteBuilder, *, primary_identifier: str, instance_class: str,
                  backup_retention_days: int, expected_primary_arn: str, failover_fqdn: str,
                  configured_zone_id: str,
                  endpoints: tuple[SiteEndpoint, SiteEndpoint] | None = None,
                  aurora: AuroraPrimary | None = None) -> ExistingSite:
    """Create the site's existing parts and start both endpoints.

    The primary is an encrypted postgres instance tagged ``app=shop``, or with ``aurora`` an
    encrypted Aurora cluster (:meth:`SiteBuilder.aurora_cluster`, its own KMS key in the
    primary Region); the zone is the one ``failover_fqdn`` lives in. ``endpoints`` (primary,
    standby), already answering, stand in for the Regions' load balancers; default a
    :class:`LoopbackEndpoint` each (``/health`` only).

    Raises:
        RuntimeError: the emulator's primary ARN differs from ``expected_primary_arn`` (the
            config's account is not the emulated one).
    """
    if aurora is None:
        primary = builder.database(primary_identifier, instance_class=instance_class,
                                   encrypted=True, backup_retention_days=backup_retention_days,
                                   tags={"app": "shop"})
    else:
        primary = builder.aurora_cluster(
            primary_identifier, engine=aurora.engine, engine_version=aurora.engine_version,
            kms_key_arn=builder.kms_key(region=builder.primary_region, description="primary"),
            instances=aurora.instances, instance_class=instance_class,
            backup_retention_days=backup_retention_days)
    if primary.arn != expected_primary_arn:
        key = "primaryInstanceArn" if aurora is None else "primaryClusterArn"
        raise RuntimeError(f"emulator primary ARN {primary.arn} differs from "
                           f"database.{key} {expected_primary_arn}; the drill "
                           f"needs account {builder.account}")
    zone = builder.hosted_zone(zone_name(failover_fqdn),
                               caller_reference=f"drill-{configured_zone_id}")
    east, west = endpoints or (LoopbackEndpoint("primary").start(), LoopbackEndpoint("standby").start())
    return ExistingSite(primary=east, standby=west, hosted_zone_id=zone,
                        configured_zone_id=configured_zone_id, primary_db=primary)
