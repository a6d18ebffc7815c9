"""The standby database, chosen by ``database.strategy``: the one strategy seam.

Each strategy is a builder class registered in :data:`STRATEGY_BUILDERS` under its config
name. Adding a strategy (Aurora Global Database, say) means one new builder class here and
one entry in the registry (plus its figures in ``rto_rpo``); nothing else in the program
branches on the strategy.

* ``read-replica`` (default, warm standby): a cross-Region read replica of the primary, the
  source given as its ARN (field notes: a cross-Region source must be an ARN), encrypted with
  a KMS key in the standby Region (an encrypted source needs a key in the replica's Region),
  backups on (so a promoted replica keeps PITR), deletion protection, and a ``ReplicaLag``
  alarm at ``settings.replication_lag_alarm_seconds`` (configured, or a quarter of the RPO).
* ``dms`` (the original design's choice): a DMS replication instance, source and target
  endpoints (credentials from Secrets Manager via a role DMS assumes), a full-load-and-CDC
  task into a standalone encrypted standby instance (RDS-managed master password), and two
  alarms, ``CDCLatencySource`` and ``CDCLatencyTarget`` (seconds), at the same threshold.
* ``snapshot-restore`` (pilot light): no running standby. Failover restores the newest
  cross-Region snapshot copy (made by the backup orchestrator) as ``standby_identifier``.

Every strategy gets the standby-Region KMS key (role ``standby-kms-key``): replica storage,
the DMS target, and cross-Region snapshot copies are all encrypted with it.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pulumi
import pulumi_aws as aws

from components.alerts import key_policy
from components.common import Naming, Providers, assume_role_policy, child, policy_json, tags
from components.settings import DrSettings
from rto_rpo.contract import Role


@dataclass
class StandbyDatabaseArgs:
    """Inputs of :class:`StandbyDatabase`.

    Attributes:
        settings: validated settings (``database.*``, RPO for the lag alarm threshold).
        providers: Region providers; everything here is in the standby Region.
        naming: physical names.
        alert_topic_arns: Region -> alert topic ARN (alarms notify the standby Region's).
    """

    settings: DrSettings
    providers: Providers
    naming: Naming
    alert_topic_arns: dict[str, pulumi.Input[str]]


@dataclass
class StandbyResult:
    """What a strategy builder declared.

    Attributes:
        identifier: standby DB instance identifier (replica, DMS target, or restore target).
        endpoint: ``host:port`` of the running standby, ``None`` when there is none.
        instance_arn: ARN of the running standby instance, ``None`` when there is none.
        dms_task_arn: the CDC task ARN, ``""`` unless the strategy is dms.
        replication_alarm_names: names of the replication-lag / CDC-latency alarms.
        replication_alarm_metrics: (namespace, metric, dimensions) of each, for dashboards.
        failover_statements: IAM statements the failover orchestrator needs for this strategy.
        backup_statements: IAM statements the backup orchestrator needs for this strategy
            (beyond snapshotting the primary).
    """

    identifier: str
    endpoint: pulumi.Output[str] | None = None
    instance_arn: pulumi.Input[str] | None = None
    dms_task_arn: pulumi.Input[str] = ""
    replication_alarm_names: list[str] = field(default_factory=list)
    replication_alarm_metrics: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    failover_statements: list[dict[str, Any]] = field(default_factory=list)
    backup_statements: list[dict[str, Any]] = field(default_factory=list)


class StrategyBuilder(ABC):
    """Declares one strategy's resources as children of the :class:`StandbyDatabase`."""

    #: The ``database.strategy`` value this builder implements.
    name: ClassVar[str]

    def __init__(self, component: StandbyDatabase, args: StandbyDatabaseArgs,
                 key: aws.kms.Key) -> None:
        self.c, self.args, self.key = component, args, key
        self.s, self.p, self.n = args.settings, args.providers, args.naming

    @abstractmethod
    def build(self, name: str) -> StandbyResult:
        """Declare the resources; return what other components need."""

    def lag_alarm(self, name: str, alarm_name: str, namespace: str, metric: str,
                  dimensions: dict[str, pulumi.Input[str]], what: str) -> str:
        """A replication-lag alarm at ``settings.replication_lag_alarm_seconds``.

        Missing data counts as breaching: no lag figure means replication is not running,
        which puts the RPO at risk just as much as high lag.
        """
        topic = self.args.alert_topic_arns[self.p.standby_region]
        threshold = self.s.replication_lag_alarm_seconds
        aws.cloudwatch.MetricAlarm(
            name, name=alarm_name,
            alarm_description=f"{what} above {threshold} s (RPO {self.s.rpo_seconds} s): the "
                              "standby is falling behind the primary.",
            namespace=namespace, metric_name=metric, dimensions=dimensions,
            statistic="Maximum", period=60, evaluation_periods=3, datapoints_to_alarm=3,
            comparison_operator="GreaterThanThreshold", threshold=threshold,
            treat_missing_data="breaching", alarm_actions=[topic], ok_actions=[topic],
            tags=tags(self.s, Role.REPLICATION_ALARM), opts=child(self.c, self.p.standby))
        return alarm_name

    def durable_instance_args(self, ident: str) -> dict[str, Any]:
        """Arguments every standby instance shares: encrypted with the standby key, deletion
        protection, automated backups kept (PITR survives promotion), private, and a final
        snapshot - whatever the strategy."""
        db = self.s.database
        return {"kms_key_id": self.key.arn, "storage_encrypted": True,
                "deletion_protection": True, "backup_retention_period": db.backup_retention_days,
                "copy_tags_to_snapshot": True, "publicly_accessible": False,
                "db_subnet_group_name": db.standby_subnet_group_name,
                "vpc_security_group_ids": db.standby_security_group_ids or None,
                "skip_final_snapshot": False, "final_snapshot_identifier": f"{ident}-final",
                "tags": tags(self.s, Role.STANDBY_DATABASE)}

    @property
    def standby_arn(self) -> str:
        return self.n.db_arn(self.p.standby_region, self.s.database.standby_id)

    def describe_statement(self) -> dict[str, Any]:
        """Read the primary and standby instances, and list the primary Region's instances:
        failback looks there for a read replica of the promoted standby (reverse
        replication), whose identifier the operator chooses, so only ``db:*`` can name it."""
        return {"Sid": "DescribeDatabases", "Effect": "Allow",
                "Action": ["rds:DescribeDBInstances"],
                "Resource": [self.s.database.primary_instance_arn, self.standby_arn,
                             self.n.arn("rds", self.p.primary_region, "db:*")]}

    def snapshot_standby_statement(self) -> dict[str, Any]:
        """Snapshot the running standby in its own Region (backups while the primary is down)."""
        snap = self.n.arn("rds", self.p.standby_region, "snapshot:*")
        return {"Sid": "SnapshotStandby", "Effect": "Allow",
                "Action": ["rds:CreateDBSnapshot", "rds:AddTagsToResource"],
                "Resource": [self.standby_arn, snap]}


class ReadReplicaBuilder(StrategyBuilder):
    """Warm standby: a cross-Region RDS read replica."""

    name = "read-replica"

    def build(self, name: str) -> StandbyResult:
        db = self.s.database
        ident = db.standby_id
        replica = aws.rds.Instance(
            f"{name}-replica",
            identifier=ident,
            replicate_source_db=db.primary_instance_arn,
            instance_class=db.instance_class,
            **self.durable_instance_args(ident),
            auto_minor_version_upgrade=True,
            opts=child(self.c, self.p.standby))
        alarm = self.lag_alarm(f"{name}-replica-lag", self.n.name("replica-lag"), "AWS/RDS",
                               "ReplicaLag", {"DBInstanceIdentifier": ident}, "ReplicaLag")
        return StandbyResult(
            identifier=ident, endpoint=replica.endpoint, instance_arn=replica.arn,
            replication_alarm_names=[alarm],
            replication_alarm_metrics=[("AWS/RDS", "ReplicaLag", {"DBInstanceIdentifier": ident})],
            failover_statements=[
                self.describe_statement(),
                {"Sid": "PromoteReplica", "Effect": "Allow", "Action": ["rds:PromoteReadReplica"],
                 "Resource": [self.standby_arn]}],
            backup_statements=[self.snapshot_standby_statement()])


class DmsBuilder(StrategyBuilder):
    """The original design: DMS change data capture into a standalone standby instance."""

    name = "dms"
    #: Master user of the standby instance; its password is managed by RDS in Secrets Manager.
    MASTER_USERNAME = "dr_admin"
    ALLOCATED_STORAGE_GIB = 100

    def build(self, name: str) -> StandbyResult:
        db, dms = self.s.database, self.s.database.dms
        assert dms is not None  # DatabaseSettings requires it for this strategy
        ident = db.standby_id
        target = aws.rds.Instance(
            f"{name}-target",
            identifier=ident,
            engine=dms.engine,
            instance_class=db.instance_class,
            allocated_storage=self.ALLOCATED_STORAGE_GIB,
            db_name=dms.database_name,
            username=self.MASTER_USERNAME,
            manage_master_user_password=True,
            master_user_secret_kms_key_id=self.key.arn,
            **self.durable_instance_args(ident),
            opts=child(self.c, self.p.standby))
        target_secret: pulumi.Input[str] = (
            dms.target_secret_arn
            or target.master_user_secrets.apply(lambda s: s[0].secret_arn if s else ""))

        # DMS reads both endpoints' credentials from Secrets Manager through this role.
        role = aws.iam.Role(
            f"{name}-dms-secrets",
            assume_role_policy=assume_role_policy(f"dms.{self.p.standby_region}.amazonaws.com"),
            description="DMS reads the source and target database secrets",
            tags=tags(self.s), opts=child(self.c, self.p.standby))
        aws.iam.RolePolicy(
            f"{name}-dms-secrets",
            role=role.id,
            policy=policy_json([
                {"Sid": "ReadEndpointSecrets", "Effect": "Allow",
                 "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                 "Resource": [dms.source_secret_arn, target_secret]},
                {"Sid": "DecryptTargetSecret", "Effect": "Allow",
                 "Action": ["kms:Decrypt"], "Resource": [self.key.arn]},
            ]),
            opts=child(self.c, self.p.standby))

        instance_id = self.n.name("dms")
        instance = aws.dms.ReplicationInstance(
            f"{name}-instance",
            replication_instance_id=instance_id,
            replication_instance_class=dms.replication_instance_class,
            allocated_storage=50,
            kms_key_arn=self.key.arn,
            publicly_accessible=False,
            replication_subnet_group_id=dms.replication_subnet_group_id,
            vpc_security_group_ids=db.standby_security_group_ids or None,
            multi_az=False,
            auto_minor_version_upgrade=True,
            tags=tags(self.s), opts=child(self.c, self.p.standby))
        source_ep = aws.dms.Endpoint(
            f"{name}-source",
            endpoint_id=self.n.name("dms-source"),
            endpoint_type="source",
            engine_name=dms.engine,
            database_name=dms.database_name,
            secrets_manager_arn=dms.source_secret_arn,
            secrets_manager_access_role_arn=role.arn,
            ssl_mode="require",
            kms_key_arn=self.key.arn,
            tags=tags(self.s), opts=child(self.c, self.p.standby))
        target_ep = aws.dms.Endpoint(
            f"{name}-target",
            endpoint_id=self.n.name("dms-target"),
            endpoint_type="target",
            engine_name=dms.engine,
            database_name=dms.database_name,
            secrets_manager_arn=target_secret,
            secrets_manager_access_role_arn=role.arn,
            ssl_mode="require",
            kms_key_arn=self.key.arn,
            tags=tags(self.s), opts=child(self.c, self.p.standby))
        # Fixed resource identifier: the task ARN ends with it and the AWS/DMS metrics use it
        # as the ReplicationTaskIdentifier dimension, so the alarms can name it up front.
        task_resource_id = self.n.name("cdc")
        task = aws.dms.ReplicationTask(
            f"{name}-cdc",
            replication_task_id=self.n.name("cdc"),
            resource_identifier=task_resource_id,
            migration_type="full-load-and-cdc",
            replication_instance_arn=instance.replication_instance_arn,
            source_endpoint_arn=source_ep.endpoint_arn,
            target_endpoint_arn=target_ep.endpoint_arn,
            table_mappings=json.dumps({"rules": [{
                "rule-type": "selection", "rule-id": "1", "rule-name": "all-tables",
                "object-locator": {"schema-name": "%", "table-name": "%"},
                "rule-action": "include"}]}),
            replication_task_settings=json.dumps({
                "Logging": {"EnableLogging": True},
                "TargetMetadata": {"TargetSchema": "", "SupportLobs": True}}),
            start_replication_task=True,
            tags=tags(self.s), opts=child(self.c, self.p.standby))
        task_arn = self.n.dms_task_arn(self.p.standby_region, task_resource_id)
        dims = {"ReplicationInstanceIdentifier": instance_id,
                "ReplicationTaskIdentifier": task_resource_id}
        alarms = [self.lag_alarm(f"{name}-{metric.lower()}", self.n.name(metric.lower()),
                                 "AWS/DMS", metric, dims, f"DMS {metric}")
                  for metric in ("CDCLatencySource", "CDCLatencyTarget")]
        return StandbyResult(
            identifier=ident, endpoint=target.endpoint, instance_arn=target.arn,
            dms_task_arn=task.replication_task_arn, replication_alarm_names=alarms,
            replication_alarm_metrics=[("AWS/DMS", m, dims)
                                       for m in ("CDCLatencySource", "CDCLatencyTarget")],
            failover_statements=[
                self.describe_statement(),
                {"Sid": "StopCdcTask", "Effect": "Allow",
                 "Action": ["dms:DescribeReplicationTasks", "dms:StopReplicationTask"],
                 "Resource": [task_arn]}],
            backup_statements=[
                self.snapshot_standby_statement(),
                {"Sid": "ReadCdcTask", "Effect": "Allow",
                 "Action": ["dms:DescribeReplicationTasks"],
                 "Resource": [task_arn]}])


class SnapshotRestoreBuilder(StrategyBuilder):
    """Pilot light: nothing runs; failover restores the newest cross-Region snapshot copy."""

    name = "snapshot-restore"

    def build(self, name: str) -> StandbyResult:
        snapshots = self.n.arn("rds", self.p.standby_region, "snapshot:*")
        return StandbyResult(
            identifier=self.s.database.standby_id,
            failover_statements=[
                self.describe_statement(),
                {"Sid": "FindSnapshotCopies", "Effect": "Allow",
                 "Action": ["rds:DescribeDBSnapshots", "rds:ListTagsForResource"],
                 "Resource": [snapshots]},
                # RestoreDBInstanceFromDBSnapshot authorises the instance, the snapshot and the
                # option group, parameter group and subnet group it uses (Service Authorization
                # Reference, "Actions defined by Amazon RDS").
                {"Sid": "RestoreStandby", "Effect": "Allow",
                 "Action": ["rds:RestoreDBInstanceFromDBSnapshot", "rds:AddTagsToResource"],
                 "Resource": [self.standby_arn, snapshots,
                              *(self.n.arn("rds", self.p.standby_region, f"{kind}:*")
                                for kind in ("og", "pg", "subgrp"))]},
                self.n.key_statement("UseStandbyKeyForRestore",
                                     ["kms:CreateGrant", "kms:DescribeKey"],
                                     [(self.p.standby_region, self.n.key_alias("standby"))])])


#: The strategy seam: ``database.strategy`` -> builder. Keys equal rto_rpo.model.STRATEGIES.
STRATEGY_BUILDERS: dict[str, type[StrategyBuilder]] = {
    b.name: b for b in (ReadReplicaBuilder, DmsBuilder, SnapshotRestoreBuilder)}


class StandbyDatabase(pulumi.ComponentResource):
    """The standby-Region KMS key and the strategy's standby database.

    Outputs:
        strategy: the strategy name (str).
        key_arn: ARN of the standby KMS key (``Output[str]``).
        identifier: the standby DB identifier (str, also the restore target for
            snapshot-restore).
        endpoint: ``Output[str]`` ``host:port``, or ``None`` for snapshot-restore.
        instance_arn: ARN of the running standby, or ``None``.
        dms_task_arn: the CDC task ARN, ``""`` unless dms.
        replication_alarm_names: list of alarm names (empty for snapshot-restore).

    Raises:
        KeyError: the strategy has no builder (settings validation prevents this).
    """

    def __init__(self, name: str, args: StandbyDatabaseArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ecommerce-dr:database:StandbyDatabase", name, None, opts)
        s, p, n = args.settings, args.providers, args.naming
        self.strategy = s.database.strategy
        key = aws.kms.Key(
            f"{name}-key",
            description=f"{n.prefix}: standby database, snapshot copies and DR state in "
                        f"{p.standby_region}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=key_policy(n),
            tags=tags(s, Role.STANDBY_KMS_KEY),
            opts=child(self, p.standby))
        self.key_alias = n.key_alias("standby")
        aws.kms.Alias(f"{name}-key-alias", name=self.key_alias,
                      target_key_id=key.key_id, opts=child(self, p.standby))
        result = STRATEGY_BUILDERS[self.strategy](self, args, key).build(name)
        self.key_arn = key.arn
        self.identifier = result.identifier
        self.endpoint = result.endpoint
        self.instance_arn = result.instance_arn
        self.dms_task_arn = result.dms_task_arn
        self.replication_alarm_names = result.replication_alarm_names
        self.replication_alarm_metrics = result.replication_alarm_metrics
        self.failover_statements = result.failover_statements
        self.backup_statements = result.backup_statements
        self.register_outputs({"strategy": self.strategy, "keyArn": key.arn,
                               "identifier": self.identifier, "endpoint": self.endpoint,
                               "dmsTaskArn": self.dms_task_arn})
