"""Physical names: every name the program derives from the stack name, and their AWS rules.

Names are fixed (not auto-named) so they are known during preview: the policy pack reads them
from the orchestrators' environment and the handlers find resources by them. A stack name
can make one invalid in AWS (``Prod-Blue`` gives an S3 bucket with uppercase letters; a long
one gives a bucket over 63 characters), which ``pulumi up`` would only find half-way through.
So :func:`naming` checks every derived name (:func:`physical_names`) against its service's
rule (:mod:`contract.identifiers`) before any resource is declared, and raises
:class:`~components.settings.ConfigError` naming the stack, the resource and the rule.

Components take every ``ecommerce-dr-<stack>-<suffix>`` name from :class:`Suffix` through
:meth:`Naming.name`, so the catalogue checked here is the one they use; a test compares it with
the names in recorded plans of every strategy and mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from components.settings import ConfigError, DrSettings
from contract import identifiers as ids
from contract.identifiers import NameRule
from contract.names import (
    BACKUP_SCHEDULE_SUFFIX,
    PHYSICAL_NAME_PREFIX,
    WATCHDOG_SCHEDULE_SUFFIX,
    physical_name,
    write_switch_parameter,
)
from contract.phases import Phase
from contract.strategies import Strategy
from rto_rpo.figures import HEALTH_CHECK_METRIC_REGION


def log_group_name(function_name: str) -> str:
    """A Lambda function's log group, ``/aws/lambda/<function>`` (the group Lambda writes to
    unless told otherwise; the function's ``logging_config`` names it too)."""
    return f"/aws/lambda/{function_name}"


class Suffix(StrEnum):
    """The ``<suffix>`` of each ``ecommerce-dr-<stack>-<suffix>`` physical name."""

    ALERTS = "alerts"
    FAILOVER_FUNCTION = "failover"
    BACKUP_FUNCTION = "backup"
    STATE_TABLE = "failover-state"
    WATCHDOG_RULE = WATCHDOG_SCHEDULE_SUFFIX
    ALARM_FORWARDER_RULE = "health-alarm-forwarder"
    FORWARDED_ALARM_RULE = "forwarded-health-alarm"
    BACKUP_SCHEDULE_RULE = BACKUP_SCHEDULE_SUFFIX
    ALARM_BUS = "alarms"
    HEALTH_ALARM = "primary-endpoint-unhealthy"
    GATE_ALARM = "failover-gate"
    FAILOVER_ERRORS = "failover-errors"
    FAILOVER_REPORTED_ERRORS = "failover-reported-errors"
    BACKUP_FAILED = "backup-failed"
    BACKUP_ERRORS = "backup-errors"
    RECOVERY_POINT_ALARM = "recovery-point-age"
    REPLICA_LAG_ALARM = "replica-lag"
    RTO_DASHBOARD = "rto"
    RPO_DASHBOARD = "rpo"
    DMS_INSTANCE = "dms"
    DMS_SOURCE = "dms-source"
    DMS_TARGET = "dms-target"
    DMS_TASK = "cdc"
    STANDBY_KEY = "standby"
    MANAGED_RPO_PARAMETERS = "managed-rpo"
    SECONDARY_PARAMETERS = "secondary"
    REVERSE_KEY = "reverse"
    REVERSE_LAG_ALARM = "reverse-replica-lag"
    DMS_REVERSE_SOURCE = "dms-reverse-source"
    DMS_REVERSE_TARGET = "dms-reverse-target"
    DMS_REVERSE_TASK = "rcdc"
    # Name tags only (tag values, not physical names).
    PRIMARY_ENDPOINT_TAG = "primary-endpoint"
    COMBINED_CHECK_TAG = "gate-and-endpoint"


@dataclass(frozen=True)
class PhysicalName:
    """One physical name the program derives: what it names, the name and its AWS rule."""

    what: str
    value: str
    rule: NameRule

    def problems(self) -> list[str]:
        return self.rule.problems(self.value)


@dataclass(frozen=True)
class Naming:
    """Physical names and ARNs of the running stack.

    Attributes:
        stack: the Pulumi stack name.
        account: the AWS account, from ``database.primaryInstanceArn`` or
            ``database.primaryClusterArn`` (the stack deploys into the account that owns the
            primary database).
        partition: ``aws`` (or another partition from that ARN).
    """

    stack: str
    account: str
    partition: str = "aws"

    @property
    def prefix(self) -> str:
        return f"{PHYSICAL_NAME_PREFIX}-{self.stack}"

    def name(self, suffix: Suffix | str) -> str:
        """``ecommerce-dr-<stack>-<suffix>`` (:func:`contract.names.physical_name`)."""
        return physical_name(self.stack, str(suffix))

    def bucket_name(self, region: str) -> str:
        """The recovery-point metadata bucket: ``ecommerce-dr-<stack>-rp-<account>-<region>``
        (bucket names are global, so the account and Region keep it unique)."""
        return self.name(f"rp-{self.account}-{region}")

    def log_group(self, function_name: str) -> str:
        """A Lambda function's log group (:func:`log_group_name`)."""
        return log_group_name(function_name)

    def replication_alarm(self, metric: str) -> str:
        """A DMS replication alarm, named after its metric (``...-cdclatencysource``)."""
        return self.name(metric.lower())

    def reverse_cdc_alarm(self, metric: str) -> str:
        """An alarm of the dms reverse task, after its metric (``...-reverse-cdclatencytarget``)."""
        return self.name(f"{Suffix.REVERSE_KEY}-{metric.lower()}")

    def set_identifier(self, kind: str, region: str) -> str:
        """A failover record's set identifier, ``<stack>-<primary|secondary>-<region>``."""
        return f"{self.stack}-{kind}-{region}"

    def reference_name(self, kind: str) -> str:
        """A health check's reference name, ``<stack>-<kind>`` (see
        :data:`contract.identifiers.ROUTE53_HEALTH_CHECK_REFERENCE`)."""
        return f"{self.stack}-{kind}"

    def final_snapshot(self, identifier: str) -> str:
        """The final snapshot of a standby instance or cluster, ``<identifier>-final``."""
        return f"{identifier}-final"

    def cluster_instance(self, cluster: str, index: int) -> str:
        """Instance ``index`` (from 1) of a standby Aurora cluster, ``<cluster>-<index>``."""
        return f"{cluster}-{index}"

    def cluster_arn(self, region: str, identifier: str) -> str:
        return self.arn("rds", region, f"cluster:{identifier}")

    def global_cluster_arn(self, identifier: str) -> str:
        """An Aurora global database's ARN: global, so with no Region
        (``arn:aws:rds::<account>:global-cluster:<id>``)."""
        return self.arn("rds", "", f"global-cluster:{identifier}")

    def lag_alarm(self, metric: str) -> str:
        """An Aurora lag alarm, named after its metric (``...-auroraglobaldbrpolag``)."""
        return self.name(metric.lower())

    def key_alias(self, purpose: Suffix | str) -> str:
        """``alias/ecommerce-dr-<stack>-<purpose>``."""
        return f"alias/{self.name(purpose)}"

    def arn(self, service: str, region: str, resource: str) -> str:
        """An ARN in this account: ``arn:<partition>:<service>:<region>:<account>:<resource>``."""
        return f"arn:{self.partition}:{service}:{region}:{self.account}:{resource}"

    def topic_arn(self, region: str) -> str:
        """ARN of the alert topic in ``region`` (see components.alerts)."""
        return self.arn("sns", region, self.name(Suffix.ALERTS))

    def alarm_arn(self, region: str, alarm_name: str) -> str:
        return self.arn("cloudwatch", region, f"alarm:{alarm_name}")

    def function_arn(self, region: str, function_name: str) -> str:
        return self.arn("lambda", region, f"function:{function_name}")

    def db_arn(self, region: str, identifier: str) -> str:
        return self.arn("rds", region, f"db:{identifier}")

    def table_arn(self, region: str, table_name: str) -> str:
        return self.arn("dynamodb", region, f"table/{table_name}")

    def bucket_arn(self, bucket: str) -> str:
        return f"arn:{self.partition}:s3:::{bucket}"

    def event_bus_arn(self, region: str, bus_name: str) -> str:
        return self.arn("events", region, f"event-bus/{bus_name}")

    def dms_task_arn(self, region: str, resource_identifier: str) -> str:
        """A DMS task created with ``resource_identifier`` has this ARN."""
        return self.arn("dms", region, f"task:{resource_identifier}")

    def key_statement(self, sid: str, actions: list[str],
                      keys: list[tuple[str, str]]) -> dict[str, Any]:
        """An IAM statement on KMS keys named by alias, for each ``(region, alias)``.

        A key's ARN holds a random id, unknown until the key exists; naming the keys by alias
        (``kms:ResourceAliases``, AWS KMS Developer Guide, "ABAC for AWS KMS") keeps the
        whole policy known during preview, so the policy pack can check it.
        """
        return {"Sid": sid, "Effect": "Allow", "Action": actions,
                "Resource": sorted({self.arn("kms", region, "key/*") for region, _ in keys}),
                "Condition": {"ForAnyValue:StringEquals": {
                    "kms:ResourceAliases": sorted({alias for _, alias in keys})}}}


#: ``ecommerce-dr-<stack>-<suffix>`` names every stack gets: suffix -> (what, rule).
_ALWAYS: dict[Suffix, tuple[str, NameRule]] = {
    Suffix.ALERTS: ("alert topic", ids.SNS_TOPIC),
    Suffix.FAILOVER_FUNCTION: ("failover orchestrator function", ids.LAMBDA_FUNCTION),
    Suffix.BACKUP_FUNCTION: ("backup orchestrator function", ids.LAMBDA_FUNCTION),
    Suffix.STATE_TABLE: ("failover state table", ids.DYNAMODB_TABLE),
    Suffix.WATCHDOG_RULE: ("watchdog schedule rule", ids.EVENTBRIDGE_RULE),
    Suffix.ALARM_FORWARDER_RULE: ("health-alarm forwarding rule", ids.EVENTBRIDGE_RULE),
    Suffix.BACKUP_SCHEDULE_RULE: ("backup schedule rule", ids.EVENTBRIDGE_RULE),
    Suffix.HEALTH_ALARM: ("health-check alarm", ids.CLOUDWATCH_ALARM),
    Suffix.GATE_ALARM: ("failover gate alarm", ids.CLOUDWATCH_ALARM),
    Suffix.FAILOVER_ERRORS: ("failover error alarm", ids.CLOUDWATCH_ALARM),
    Suffix.FAILOVER_REPORTED_ERRORS: ("failover reported-error alarm", ids.CLOUDWATCH_ALARM),
    Suffix.BACKUP_FAILED: ("backup failure alarm", ids.CLOUDWATCH_ALARM),
    Suffix.BACKUP_ERRORS: ("backup error alarm", ids.CLOUDWATCH_ALARM),
    Suffix.RECOVERY_POINT_ALARM: ("recovery-point age alarm", ids.CLOUDWATCH_ALARM),
    Suffix.RTO_DASHBOARD: ("RTO dashboard", ids.CLOUDWATCH_DASHBOARD),
    Suffix.RPO_DASHBOARD: ("RPO dashboard", ids.CLOUDWATCH_DASHBOARD),
}
#: Names only the DMS strategy declares.
_DMS: dict[Suffix, tuple[str, NameRule]] = {
    Suffix.DMS_INSTANCE: ("DMS replication instance", ids.DMS_REPLICATION_INSTANCE),
    Suffix.DMS_SOURCE: ("DMS source endpoint", ids.DMS_ENDPOINT),
    Suffix.DMS_TARGET: ("DMS target endpoint", ids.DMS_ENDPOINT),
    Suffix.DMS_TASK: ("DMS replication task", ids.DMS_REPLICATION_TASK),
}
#: The dms reverse pipeline's names (phase reverse-replicating).
_DMS_REVERSE: dict[Suffix, tuple[str, NameRule]] = {
    Suffix.DMS_REVERSE_SOURCE: ("DMS source endpoint", ids.DMS_ENDPOINT),
    Suffix.DMS_REVERSE_TARGET: ("DMS target endpoint", ids.DMS_ENDPOINT),
    Suffix.DMS_REVERSE_TASK: ("DMS replication task", ids.DMS_REPLICATION_TASK),
}


def physical_names(s: DrSettings, n: Naming) -> list[PhysicalName]:
    """Every physical name the program declares for these settings, with its AWS rule.

    Which names exist depends on the strategy (replica-lag alarm, DMS identifiers), on whether
    the standby Region is us-east-1 (no forwarding bus then) and on the mode (the combined
    health check of ``automatic``).
    """
    out = [PhysicalName(what, n.name(sfx), rule) for sfx, (what, rule) in _ALWAYS.items()]
    for fn in (Suffix.FAILOVER_FUNCTION, Suffix.BACKUP_FUNCTION):
        out.append(PhysicalName(f"{_ALWAYS[fn][0]} log group", n.log_group(n.name(fn)), ids.LOG_GROUP))
    out.append(PhysicalName("recovery-point metadata bucket", n.bucket_name(s.standby_region),
                            ids.S3_BUCKET))
    out += [PhysicalName(f"{what} key alias", n.key_alias(p), ids.KMS_ALIAS)
            for p, what in ((Suffix.ALERTS, "alert topic"), (Suffix.STANDBY_KEY, "standby"))]
    if s.standby_region != HEALTH_CHECK_METRIC_REGION:
        out += [PhysicalName("standby alarm event bus", n.name(Suffix.ALARM_BUS), ids.EVENTBRIDGE_BUS),
                PhysicalName("forwarded health-alarm rule", n.name(Suffix.FORWARDED_ALARM_RULE),
                             ids.EVENTBRIDGE_RULE)]
    out.append(PhysicalName("write switch parameter", write_switch_parameter(n.stack),
                            ids.SSM_PARAMETER))
    out += _route53_names(s, n) + _database_names(s, n) + _reverse_names(s, n)
    return out


def _reverse_names(s: DrSettings, n: Naming) -> list[PhysicalName]:
    """Phase reverse-replicating, instance standby: the reverse replica (dms: the reverse
    task's fresh target instance), its final snapshot, key alias and lag alarm
    (:mod:`components.standby.reverse`); dms: the reverse endpoints, task and CDC alarms
    (:mod:`components.standby.dms_reverse`)."""
    if s.phase is not Phase.REVERSE_REPLICATING or s.database.is_cluster:
        return []
    rid = s.reverse_replica_id
    out = [PhysicalName("reverse replica", rid, ids.RDS_DB_INSTANCE),
           PhysicalName("reverse replica final snapshot", n.final_snapshot(rid),
                        ids.RDS_DB_SNAPSHOT),
           PhysicalName("reverse replica key alias", n.key_alias(Suffix.REVERSE_KEY),
                        ids.KMS_ALIAS)]
    if s.database.strategy != Strategy.DMS:
        return out + [PhysicalName("reverse replica-lag alarm", n.name(Suffix.REVERSE_LAG_ALARM),
                                   ids.CLOUDWATCH_ALARM)]
    out += [PhysicalName(f"reverse {what}", n.name(sfx), rule)
            for sfx, (what, rule) in _DMS_REVERSE.items()]
    out.append(PhysicalName("reverse DMS task resource identifier",
                            n.name(Suffix.DMS_REVERSE_TASK), ids.DMS_RESOURCE_IDENTIFIER))
    return out + [PhysicalName(f"reverse {m.name} alarm", n.reverse_cdc_alarm(m.name),
                               ids.CLOUDWATCH_ALARM)
                  for m in s.database.spec.replication_metrics]


def _route53_names(s: DrSettings, n: Naming) -> list[PhysicalName]:
    kinds = ["primary", "gate"] + (["combined"] if s.failover.mode == "automatic" else [])
    out = [PhysicalName(f"{k} health check reference", n.reference_name(k),
                        ids.ROUTE53_HEALTH_CHECK_REFERENCE) for k in kinds]
    out += [PhysicalName(f"{k.upper()} failover record set identifier", n.set_identifier(k, region),
                         ids.ROUTE53_SET_IDENTIFIER)
            for k, region in (("primary", s.primary_region), ("secondary", s.standby_region))]
    return out


def _database_names(s: DrSettings, n: Naming) -> list[PhysicalName]:
    out: list[PhysicalName] = []
    strategy = s.database.strategy
    if s.has_standby_instance and not s.database.is_cluster:
        out += [PhysicalName("standby DB instance", s.database.standby_id, ids.RDS_DB_INSTANCE),
                PhysicalName("standby final snapshot", n.final_snapshot(s.database.standby_id),
                             ids.RDS_DB_SNAPSHOT)]
    if strategy == Strategy.READ_REPLICA:
        out.append(PhysicalName("replica-lag alarm", n.name(Suffix.REPLICA_LAG_ALARM),
                                ids.CLOUDWATCH_ALARM))
    if s.database.aurora is not None:
        out += _aurora_names(s, n)
    if strategy == Strategy.DMS:
        out += [PhysicalName(what, n.name(sfx), rule) for sfx, (what, rule) in _DMS.items()]
        out.append(PhysicalName("DMS task resource identifier", n.name(Suffix.DMS_TASK),
                                ids.DMS_RESOURCE_IDENTIFIER))
        out += [PhysicalName(f"{m.name} alarm", n.replication_alarm(m.name), ids.CLOUDWATCH_ALARM)
                for m in s.database.spec.replication_metrics]
    return out


def _aurora_names(s: DrSettings, n: Naming) -> list[PhysicalName]:
    """The names of an Aurora Global Database standby: the global database, the secondary
    cluster, its instances and final snapshot, its parameter groups and lag alarms."""
    db, aurora = s.database, s.database.aurora
    assert aurora is not None
    out = [PhysicalName("Aurora global database", db.global_cluster_id, ids.RDS_GLOBAL_CLUSTER),
           PhysicalName("secondary Aurora cluster", db.standby_id, ids.RDS_DB_CLUSTER),
           PhysicalName("secondary cluster final snapshot", n.final_snapshot(db.standby_id),
                        ids.RDS_DB_CLUSTER_SNAPSHOT),
           PhysicalName("secondary cluster parameter group", n.name(Suffix.SECONDARY_PARAMETERS),
                        ids.RDS_CLUSTER_PARAMETER_GROUP)]
    out += [PhysicalName(f"secondary cluster instance {i}", n.cluster_instance(db.standby_id, i),
                         ids.RDS_DB_INSTANCE) for i in range(1, aurora.instance_count + 1)]
    if aurora.managed_rpo_seconds is not None:
        out.append(PhysicalName("managed-RPO parameter group", n.name(Suffix.MANAGED_RPO_PARAMETERS),
                                ids.RDS_CLUSTER_PARAMETER_GROUP))
    out += [PhysicalName(f"{m.name} alarm", n.lag_alarm(m.name), ids.CLOUDWATCH_ALARM)
            for m in aurora.lag_metrics.all]
    return out


def check_physical_names(s: DrSettings, n: Naming) -> None:
    """Refuse settings and a stack name that would give a name AWS rejects.

    Raises:
        ConfigError: one line per invalid name: the stack, what the name names, the name, what
            is wrong, the service's rule and its AWS page, and the longest stack name that
            would fit every length limit.
    """
    names = physical_names(s, n)
    bad = [(p, problem) for p in names for problem in p.problems()]
    if not bad:
        return
    fit = min((p.rule.max_length - (len(p.value) - len(n.stack)) for p in names
               if p.value.count(n.stack) == 1), default=None)
    hint = (f"; a stack name of at most {fit} lowercase letters, digits and hyphens fits every "
            "name" if fit else "")
    raise ConfigError([f"stack {n.stack!r}: the {p.what} name {p.value!r} {problem}; "
                       f"{p.rule.service} names: {p.rule.describe()} ({p.rule.source}){hint}"
                       for p, problem in bad])


def naming(s: DrSettings) -> Naming:
    """Naming for the running stack, every derived name checked (:func:`check_physical_names`).

    Raises:
        ConfigError: a derived name is invalid in AWS.
    """
    import pulumi

    arn = s.database.primary_arn
    n = Naming(stack=pulumi.get_stack(), account=s.database.account_id, partition=arn.split(":")[1])
    check_physical_names(s, n)
    return n
