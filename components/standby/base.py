"""What every strategy builder shares: its inputs, its result and the common resources."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pulumi
import pulumi_aws as aws

from components.common import Naming, Providers, child, tags
from components.safety import kept_options, kept_tags
from components.settings import DrSettings
from contract.deploy_safety import INSTANCE_REPLACE_ON, INSTANCE_REPLACING
from contract.names import Role
from contract.phases import Phase
from contract.strategies import Strategy


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
        identifier: standby DB instance identifier (replica, DMS target, or restore target),
            or the secondary Aurora cluster's.
        endpoint: ``host:port`` of the running standby, ``None`` when there is none.
        instance_arn: ARN of the running standby instance, ``None`` when there is none.
        dms_task_arn: the CDC task ARN, ``""`` unless the strategy is dms.
        replication_alarm_names: names of the replication-lag / CDC-latency alarms.
        replication_alarm_metrics: (namespace, metric, dimensions) of each, for dashboards.
        failover_statements: IAM statements the failover orchestrator needs for this strategy.
        backup_statements: IAM statements the backup orchestrator needs for this strategy
            (beyond snapshotting the primary).
        global_writer_endpoint: see the field.
    """

    identifier: str
    endpoint: pulumi.Output[str] | None = None
    instance_arn: pulumi.Input[str] | None = None
    dms_task_arn: pulumi.Input[str] = ""
    replication_alarm_names: list[str] = field(default_factory=list)
    replication_alarm_metrics: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    failover_statements: list[dict[str, Any]] = field(default_factory=list)
    backup_statements: list[dict[str, Any]] = field(default_factory=list)
    #: The Aurora global writer endpoint (``GlobalCluster.endpoint``), ``None`` unless
    #: aurora-global.
    global_writer_endpoint: pulumi.Output[str] | None = None
    #: The reverse replication the builder declared itself (dms in reverse-replicating: a
    #: :class:`components.standby.reverse.ReverseResult`), else ``None``.
    reverse: Any = None


class StrategyBuilder(ABC):
    """Declares one strategy's resources as children of the :class:`StandbyDatabase`."""

    #: The strategy this builder implements.
    strategy: ClassVar[Strategy]
    #: Whether phase reverse-replicating declares a read replica of the promoted standby in
    #: the primary Region (:mod:`components.standby.reverse`); a builder with another kind
    #: of reverse replication declares it in :meth:`build` (``StandbyResult.reverse``).
    declares_reverse_replica: ClassVar[bool] = True

    def __init__(self, component: pulumi.ComponentResource, args: StandbyDatabaseArgs,
                 key: aws.kms.Key) -> None:
        self.c, self.args, self.key = component, args, key
        self.s, self.p, self.n = args.settings, args.providers, args.naming

    @abstractmethod
    def build(self, name: str) -> StandbyResult:
        """Declare the resources; return what other components need."""

    def lag_alarm(self, name: str, alarm_name: str, namespace: str, metric: str,
                  dimensions: dict[str, pulumi.Input[str]], what: str, *, per_second: int = 1,
                  missing_breaches: bool = True, note: str = "") -> str:
        """A replication-lag alarm at ``settings.replication_lag_alarm_seconds``, in the
        metric's unit (``per_second`` units a second: 1000 for a metric in milliseconds).

        Missing data counts as breaching: no lag figure means replication is not running,
        which puts the RPO at risk just as much as high lag. ``missing_breaches=False`` is for
        a metric the service does not publish for this engine version (its absence is
        expected; another alarm breaches on missing data).
        """
        topic = self.args.alert_topic_arns[self.p.standby_region]
        seconds = self.s.replication_lag_alarm_seconds
        above = f"{seconds} s" if per_second == 1 else f"{seconds * per_second} ms ({seconds} s)"
        aws.cloudwatch.MetricAlarm(
            name, name=alarm_name,
            alarm_description=f"{what} above {above} (RPO {self.s.rpo_seconds} s): the standby "
                              f"is falling behind the primary.{note}",
            namespace=namespace, metric_name=metric, dimensions=dimensions,
            statistic="Maximum", period=60, evaluation_periods=3, datapoints_to_alarm=3,
            comparison_operator="GreaterThanThreshold", threshold=seconds * per_second,
            treat_missing_data="breaching" if missing_breaches else "notBreaching",
            alarm_actions=[topic], ok_actions=[topic],
            tags=tags(self.s, Role.REPLICATION_ALARM), opts=child(self.c, self.p.standby))
        return alarm_name

    def standby_instance(self, logical_name: str, **args: Any) -> aws.rds.Instance:
        """The standby DB instance ``database.standbyId`` in the standby Region, of
        ``database.instanceClass``, with the strategy's ``args`` and what every standby
        instance shares: encrypted with the standby key, deletion protection, automated
        backups kept (PITR survives promotion), private, and a final snapshot.

        Kept (:mod:`components.safety`): retained on delete, protected while the phase keeps
        it (:attr:`contract.phases.Phase.keeps_standby`), the replacing arguments ignored
        and a rename made a replacement (which ``protect`` refuses)."""
        db = self.s.database
        return aws.rds.Instance(
            logical_name, identifier=db.standby_id, instance_class=db.instance_class, **args,
            kms_key_id=self.key.arn, storage_encrypted=True, deletion_protection=True,
            backup_retention_period=db.backup_retention_days, copy_tags_to_snapshot=True,
            publicly_accessible=False, db_subnet_group_name=db.standby_subnet_group_name,
            vpc_security_group_ids=db.standby_security_group_ids or None,
            skip_final_snapshot=False, final_snapshot_identifier=self.n.final_snapshot(db.standby_id),
            tags=kept_tags(self.s, Role.STANDBY_DATABASE),
            opts=kept_options(self.c, self.p.standby, protect=self.s.phase.keeps_standby,
                              ignore=INSTANCE_REPLACING, replace_on=INSTANCE_REPLACE_ON))

    @property
    def replicates_forward(self) -> bool:
        """Whether the standby replicates from the primary (phase ``normal``); after a
        failover it is the standalone writer."""
        return self.s.phase is Phase.NORMAL

    @property
    def standby_arn(self) -> str:
        return self.n.db_arn(self.p.standby_region, self.s.database.standby_id)

    def describe_statement(self) -> dict[str, Any]:
        """Read the primary and standby instances, and list the primary Region's instances:
        failback looks there for a read replica of the promoted standby (reverse
        replication), whose identifier the operator chooses, so only ``db:*`` can name it."""
        return {"Sid": "DescribeDatabases", "Effect": "Allow",
                "Action": ["rds:DescribeDBInstances"],
                "Resource": [self.s.database.primary_arn, self.standby_arn,
                             self.n.arn("rds", self.p.primary_region, "db:*")]}

    def snapshot_standby_statement(self) -> dict[str, Any]:
        """Snapshot the running standby in its own Region (backups while the primary is down)."""
        snap = self.n.arn("rds", self.p.standby_region, "snapshot:*")
        return {"Sid": "SnapshotStandby", "Effect": "Allow",
                "Action": ["rds:CreateDBSnapshot", "rds:AddTagsToResource"],
                "Resource": [self.standby_arn, snap]}
