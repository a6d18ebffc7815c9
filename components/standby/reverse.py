"""Phase ``reverse-replicating`` for an instance standby: a cross-Region read replica of the
promoted standby in the old primary Region, which the planned failback promotes.

Declared in the primary Region (its provider): a KMS key for the replica (an encrypted source
needs a key in the replica's Region: Amazon RDS User Guide, "Creating a read replica in a
different AWS Region"), the replica ``failover.reverseReplicaIdentifier`` (source named by its
ARN, as a cross-Region source must be; in ``database.reverseSubnetGroupName`` /
``database.reverseSecurityGroupIds``, else the default VPC) and its ``ReplicaLag`` alarm. The
replica is a new instance: the old writer is never overwritten, and stays for the operator.

The next phase (``normal`` after the failback) does not declare the replica (it is then the
primary, outside the program), so it is declared without ``protect``, retained on delete: the
deploy after the failback drops it from the stack and leaves it running.

:func:`reverse_key`, :func:`reverse_instance` and :func:`reverse_alarm` are shared with the
``dms`` strategy's reverse pipeline (:mod:`components.standby.dms_reverse`), whose fresh
target instance is declared the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.alerts import key_policy
from components.common import child, tags
from components.naming import Suffix
from components.safety import kept_options, kept_tags
from components.standby.base import StrategyBuilder
from contract.deploy_safety import INSTANCE_REPLACE_ON, INSTANCE_REPLACING
from contract.names import Role
from contract.strategies import Strategy, spec


@dataclass
class ReverseResult:
    """What the reverse replication declared: the instance's ``identifier`` in the primary
    Region, its ``arn`` (``Output[str]``), the names of its lag alarms, its KMS key alias in
    the primary Region, and ``handle``: what the failover orchestrator gets as
    REVERSE_REPLICA_IDENTIFIER (the replica's identifier; dms: the reverse task's ARN).
    ``secret_arn`` is the dms target's managed master secret (``Output[str]``), else None."""

    identifier: str
    arn: pulumi.Output[str]
    alarm_names: list[str]
    key_alias: str
    handle: str = ""
    secret_arn: pulumi.Output[str] | None = None

    def __post_init__(self) -> None:
        self.handle = self.handle or self.identifier


def reverse_key(b: StrategyBuilder, name: str, ident: str) -> tuple[aws.kms.Key, str]:
    """The reverse instance's KMS key in the primary Region (retained, never protected: the
    next phase no longer declares it) and its alias."""
    s, p, n = b.s, b.p, b.n
    key = aws.kms.Key(
        f"{name}-reverse-key",
        description=f"{n.prefix}: reverse replica {ident} in {p.primary_region}",
        enable_key_rotation=True, deletion_window_in_days=30, policy=key_policy(n),
        tags=kept_tags(s, Role.REVERSE_KMS_KEY),
        opts=kept_options(b.c, p.primary, protect=False, ignore=()))
    alias = n.key_alias(Suffix.REVERSE_KEY)
    aws.kms.Alias(f"{name}-reverse-key-alias", name=alias, target_key_id=key.key_id,
                  opts=child(b.c, p.primary))
    return key, alias


def reverse_instance(b: StrategyBuilder, logical_name: str, key: aws.kms.Key,
                     **args: Any) -> aws.rds.Instance:
    """The instance ``failover.reverseReplicaIdentifier`` in the primary Region with the
    kind's ``args`` and what every reverse instance shares: encrypted with ``key``, deletion
    protection, automated backups, private, the reverse networking, a final snapshot; kept
    (:mod:`components.safety`) without ``protect``, since the next phase lets it go."""
    s, p, n, db = b.s, b.p, b.n, b.s.database
    ident = s.reverse_replica_id
    return aws.rds.Instance(
        logical_name, identifier=ident, instance_class=db.instance_class, **args,
        kms_key_id=key.arn, storage_encrypted=True, deletion_protection=True,
        backup_retention_period=db.backup_retention_days, copy_tags_to_snapshot=True,
        publicly_accessible=False, auto_minor_version_upgrade=True,
        db_subnet_group_name=db.reverse_subnet_group_name,
        vpc_security_group_ids=db.reverse_security_group_ids or None,
        skip_final_snapshot=False, final_snapshot_identifier=n.final_snapshot(ident),
        tags=kept_tags(s, Role.REVERSE_REPLICA),
        opts=kept_options(b.c, p.primary, protect=False, ignore=INSTANCE_REPLACING,
                          replace_on=INSTANCE_REPLACE_ON))


def reverse_alarm(b: StrategyBuilder, name: str, alarm_name: str, *, region: str,
                  provider: pulumi.ProviderResource, metric: tuple[str, str],
                  dimensions: dict[str, str], description: str) -> str:
    """A lag alarm of the reverse replication at ``replicationLagAlarmSeconds``, in
    ``region`` (where the metric is published), notifying that Region's topic; missing data
    breaches (no figure: the reverse replication is not known to run)."""
    topic = b.args.alert_topic_arns[region]
    aws.cloudwatch.MetricAlarm(
        name, name=alarm_name, alarm_description=description,
        namespace=metric[0], metric_name=metric[1], dimensions=dimensions,
        statistic="Maximum", period=60, evaluation_periods=3, datapoints_to_alarm=3,
        comparison_operator="GreaterThanThreshold", threshold=b.s.replication_lag_alarm_seconds,
        treat_missing_data="breaching", alarm_actions=[topic], ok_actions=[topic],
        tags=tags(b.s, Role.REVERSE_REPLICATION_ALARM), opts=child(b.c, provider))
    return alarm_name


def reverse_replica(b: StrategyBuilder, name: str) -> ReverseResult:
    """Declare the reverse replica of the promoted standby ``database.standbyId`` (see the
    module doc); ``b`` is the strategy's builder (parent, settings, providers, names)."""
    s, p, n = b.s, b.p, b.n
    ident = s.reverse_replica_id
    key, alias = reverse_key(b, name, ident)
    replica = reverse_instance(b, f"{name}-reverse", key, replicate_source_db=b.standby_arn)
    (lag,) = spec(Strategy.READ_REPLICA).replication_metrics
    alarm = reverse_alarm(
        b, f"{name}-reverse-lag", n.name(Suffix.REVERSE_LAG_ALARM), region=p.primary_region,
        provider=p.primary, metric=(lag.namespace, lag.name),
        dimensions={"DBInstanceIdentifier": ident},
        description=f"ReplicaLag of the reverse replica {ident} above "
                    f"{s.replication_lag_alarm_seconds} s: it is falling behind the promoted "
                    "standby; the failback waits for 0.")
    return ReverseResult(ident, replica.arn, [alarm], alias)
