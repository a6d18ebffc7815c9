"""Phase ``reverse-replicating`` for an instance standby: a cross-Region read replica of the
promoted standby in the old primary Region, which the planned failback promotes.

Declared in the primary Region (its provider): a KMS key for the replica (an encrypted source
needs a key in the replica's Region: Amazon RDS User Guide, "Creating a read replica in a
different AWS Region"), the replica ``failover.reverseReplicaIdentifier`` (source named by its
ARN, as a cross-Region source must be; in ``database.reverseSubnetGroupName`` /
``database.reverseSecurityGroupIds``, else the default VPC) and its ``ReplicaLag`` alarm. The replica is a new
instance: the old writer is never overwritten, and stays for the operator.

The next phase (``normal`` after the failback) does not declare the replica (it is then the
primary, outside the program), so it is declared without ``protect``, retained on delete: the
deploy after the failback drops it from the stack and leaves it running.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    """What the reverse replication declared: the replica's ``identifier``, its ``arn``
    (``Output[str]``), its lag alarm's name and its KMS key alias in the primary Region."""

    identifier: str
    arn: pulumi.Output[str]
    alarm_name: str
    key_alias: str


def reverse_replica(b: StrategyBuilder, name: str) -> ReverseResult:
    """Declare the reverse replica of the promoted standby ``database.standbyId`` (see the
    module doc); ``b`` is the strategy's builder (parent, settings, providers, names)."""
    s, p, n, db = b.s, b.p, b.n, b.s.database
    ident = s.reverse_replica_id
    key = aws.kms.Key(
        f"{name}-reverse-key",
        description=f"{n.prefix}: reverse replica {ident} in {p.primary_region}",
        enable_key_rotation=True, deletion_window_in_days=30, policy=key_policy(n),
        tags=kept_tags(s, Role.REVERSE_KMS_KEY),
        opts=kept_options(b.c, p.primary, protect=False, ignore=()))
    alias = n.key_alias(Suffix.REVERSE_KEY)
    aws.kms.Alias(f"{name}-reverse-key-alias", name=alias, target_key_id=key.key_id,
                  opts=child(b.c, p.primary))
    replica = aws.rds.Instance(
        f"{name}-reverse",
        identifier=ident, instance_class=db.instance_class,
        replicate_source_db=b.standby_arn,
        kms_key_id=key.arn, storage_encrypted=True, deletion_protection=True,
        backup_retention_period=db.backup_retention_days, copy_tags_to_snapshot=True,
        publicly_accessible=False, auto_minor_version_upgrade=True,
        db_subnet_group_name=db.reverse_subnet_group_name,
        vpc_security_group_ids=db.reverse_security_group_ids or None,
        skip_final_snapshot=False, final_snapshot_identifier=n.final_snapshot(ident),
        tags=kept_tags(s, Role.REVERSE_REPLICA),
        opts=kept_options(b.c, p.primary, protect=False, ignore=INSTANCE_REPLACING,
                          replace_on=INSTANCE_REPLACE_ON))
    topic = b.args.alert_topic_arns[p.primary_region]
    alarm = n.name(Suffix.REVERSE_LAG_ALARM)
    seconds = s.replication_lag_alarm_seconds
    (lag,) = spec(Strategy.READ_REPLICA).replication_metrics
    aws.cloudwatch.MetricAlarm(
        f"{name}-reverse-lag", name=alarm,
        alarm_description=f"ReplicaLag of the reverse replica {ident} above {seconds} s: it "
                          "is falling behind the promoted standby; the failback waits for 0.",
        namespace=lag.namespace, metric_name=lag.name, dimensions={"DBInstanceIdentifier": ident},
        statistic="Maximum", period=60, evaluation_periods=3, datapoints_to_alarm=3,
        comparison_operator="GreaterThanThreshold", threshold=seconds,
        treat_missing_data="breaching", alarm_actions=[topic], ok_actions=[topic],
        tags=tags(s, Role.REVERSE_REPLICATION_ALARM), opts=child(b.c, p.primary))
    return ReverseResult(ident, replica.arn, alarm, alias)
