"""Names shared by the program, the handlers, the policy pack and the drill.

* ``ROLE_TAG``: every DR resource the program declares that another part must find carries
  this tag; its value is one of the ``Role`` members. The policy pack finds the health
  check, schedules, alarms and orchestrators by it during preview (tags are inputs, so they
  are known then).
* ``Metric``: CloudWatch metric names the handlers publish (namespace ``METRIC_NAMESPACE``,
  dimension ``Stack``) and the program's alarms and dashboards read.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from rto_rpo.figures import HIGH_RESOLUTION_ALARM_PERIODS_SECONDS, STANDARD_ALARM_PERIOD_SECONDS

ROLE_TAG: Final[str] = "dr:role"

#: Tag key marking recovery points the backup orchestrator created (and so may prune).
MANAGED_BY_TAG: Final[str] = "managed-by"

#: Every tag key the program and the orchestrators set themselves starts with this prefix
#: (ROLE_TAG, dr:stack, dr:retain-on-delete, the recovery points' dr:* tags) or is
#: MANAGED_BY_TAG. Config ``tags`` go on every resource, so such a key there would mislabel
#: them: a dr:role tag would make each resource without a role of its own one of that role
#: to the pack and the drill; a managed-by tag would make recovery points look ours.
PROJECT_TAG_PREFIX: Final[str] = "dr:"
RESERVED_TAG_HELP: Final[str] = (f"keys starting with {PROJECT_TAG_PREFIX!r} (any case) and "
                                 f"{MANAGED_BY_TAG!r} are reserved for the tags the program "
                                 "sets itself; choose another key")


def is_reserved_tag_key(key: str) -> bool:
    """Whether a config tag key collides with a tag the program sets (see
    :data:`PROJECT_TAG_PREFIX`); compared without case."""
    k = key.lower()
    return k.startswith(PROJECT_TAG_PREFIX) or k == MANAGED_BY_TAG

METRIC_NAMESPACE: Final[str] = "EcommerceDR"
GATE_NAMESPACE: Final[str] = "EcommerceDR/Gate"
GATE_METRIC: Final[str] = "FailoverGateEngaged"
#: The gate alarm evaluates one period, by default 60 s (the finest standard-resolution
#: period), so the traffic shift costs at most one period after the orchestrator publishes the
#: gate metric. ``failover.gateAlarmPeriodSeconds`` may choose 10 or 30 s, which CloudWatch
#: allows only for a high-resolution metric (rto_rpo.figures.HIGH_RESOLUTION_ALARM_PERIODS_SECONDS):
#: the failover orchestrator then publishes the gate with ``StorageResolution=1``
#: (:func:`gate_storage_resolution`), reading the period from ``GATE_PERIOD_SECONDS``.
GATE_ALARM_PERIOD_SECONDS: Final[int] = STANDARD_ALARM_PERIOD_SECONDS
GATE_ALARM_PERIODS_SECONDS: Final[tuple[int, ...]] = (
    *HIGH_RESOLUTION_ALARM_PERIODS_SECONDS, STANDARD_ALARM_PERIOD_SECONDS)
GATE_ALARM_EVALUATION_PERIODS: Final[int] = 1


def gate_storage_resolution(period_seconds: int) -> int:
    """``StorageResolution`` of the gate metric for a gate alarm of ``period_seconds``: 1 (high
    resolution) below 60 s, else 60 (Amazon CloudWatch User Guide, "High-resolution metrics")."""
    return 1 if period_seconds < STANDARD_ALARM_PERIOD_SECONDS else 60


#: Failover orchestrator steps, in order. Their budgets are the orchestrator's own work in
#: seconds; the AWS-side wait for the database is the separate, modelled promotion time.
FAILOVER_STEPS: Final[tuple[str, ...]] = (
    "verify_failure", "check_readiness", "promote", "move_traffic", "warm", "verify_recovery",
)
DEFAULT_STEP_BUDGETS_SECONDS: Final[dict[str, int]] = {
    "verify_failure": 30, "check_readiness": 30, "promote": 120,
    "move_traffic": 30, "warm": 60, "verify_recovery": 60,
}


#: Physical names are ``ecommerce-dr-<stack>-<suffix>`` (``components.naming.Naming``).
PHYSICAL_NAME_PREFIX: Final[str] = "ecommerce-dr"
#: The suffix of the backup orchestrator's schedule rule, which the handler checks events by.
BACKUP_SCHEDULE_SUFFIX: Final[str] = "backup-schedule"
WATCHDOG_SCHEDULE_SUFFIX: Final[str] = "watchdog"


def physical_name(stack: str, suffix: str) -> str:
    """``ecommerce-dr-<stack>-<suffix>``: the physical name of a resource of the stack."""
    return f"{PHYSICAL_NAME_PREFIX}-{stack}-{suffix}"


def backup_schedule_rule_name(stack: str) -> str:
    """Physical name of the backup orchestrator's EventBridge schedule rule in the standby
    Region, ``ecommerce-dr-<stack>-backup-schedule``: the program declares the rule under
    it, and the backup handler runs only on that rule's scheduled events."""
    return physical_name(stack, BACKUP_SCHEDULE_SUFFIX)


def watchdog_rule_name(stack: str) -> str:
    """Physical name of the failover orchestrator's watchdog schedule rule in the standby
    Region, ``ecommerce-dr-<stack>-watchdog``: the program declares the rule under it, and
    the failover handler takes a tick only from that rule."""
    return physical_name(stack, WATCHDOG_SCHEDULE_SUFFIX)


def write_switch_parameter(stack: str) -> str:
    """The write switch of a stack, ``/ecommerce-dr/<stack>/writes``: an SSM String parameter
    of that name in each Region, holding a :class:`contract.phases.WriteSwitch` value. The
    program creates it (``open``) in both Regions and never changes its value afterwards;
    the failover orchestrator sets it to ``paused`` during the planned failback and back to
    ``open``; the application answers writes with HTTP 503 while it reads ``paused``."""
    return f"/{PHYSICAL_NAME_PREFIX}/{stack}/writes"


def managed_by_value(stack: str) -> str:
    """Value of the ``managed-by`` tag on recovery points of a stack: ``ecommerce-dr/<stack>``."""
    return f"ecommerce-dr/{stack}"


#: Failback (switchover) steps, in order (:mod:`handlers.failover.failback`), and their budgets:
#: the orchestrator's own work in seconds per step, waits excluded (the drain and promotion
#: waits are bounded separately). A step starts only with at least its budget of Lambda time
#: left; otherwise the invocation returns ``failback-in-progress`` and the next one resumes.
FAILBACK_STEPS: Final[tuple[str, ...]] = (
    "check_reverse", "pause_writes", "drain", "promote_reverse", "release",
)
FAILBACK_STEP_BUDGETS_SECONDS: Final[dict[str, int]] = dict.fromkeys(FAILBACK_STEPS, 30)


#: The shop re-reads its write switch at least this often, seconds: writes are known to have
#: stopped this long after the switch was set to ``paused`` (the failback's drain counts lag
#: readings from then on only).
WRITE_SWITCH_REFRESH_SECONDS: Final[int] = 5
#: The IAM action the failover orchestrator stops a DMS task with (the forward task at
#: failover, the dms reverse task at failback), granted on named task ARNs only.
STOP_TASK_ACTION: Final[str] = "dms:StopReplicationTask"
#: The IAM action that reads what a DMS task's endpoints connect to (granted on ``*``: an
#: endpoint's ARN ends with an id DMS draws at creation); failover readiness after a failback
#: reads the forward task's source endpoint with it.
DESCRIBE_ENDPOINTS_ACTION: Final[str] = "dms:DescribeEndpoints"


class Role(StrEnum):
    ENDPOINT_HEALTH_CHECK = "endpoint-health-check"   # HTTPS check on the primary's own FQDN
    GATE_HEALTH_CHECK = "gate-health-check"           # CLOUDWATCH_METRIC check following the gate alarm
    COMBINED_HEALTH_CHECK = "combined-health-check"   # CALCULATED gate AND endpoint (automatic mode)
    HEALTH_ALARM = "health-check-alarm"               # us-east-1 alarm on HealthCheckStatus
    GATE_ALARM = "failover-gate-alarm"                # standby-Region alarm on GATE_METRIC
    PRIMARY_RECORD = "primary-record"
    SECONDARY_RECORD = "secondary-record"
    FAILOVER_ORCHESTRATOR = "failover-orchestrator"   # the Lambda function
    BACKUP_ORCHESTRATOR = "backup-orchestrator"       # the Lambda function
    WATCHDOG_SCHEDULE = "watchdog-schedule"           # EventBridge rule, standby Region
    BACKUP_SCHEDULE = "backup-schedule"               # EventBridge rule
    ALARM_FORWARDER = "alarm-forwarder"               # us-east-1 rule -> standby event bus
    STANDBY_DATABASE = "standby-database"             # replica / DMS target instance
    REPLICATION_ALARM = "replication-lag-alarm"       # ReplicaLag or CDCLatency* alarm
    RECOVERY_POINT_ALARM = "recovery-point-age-alarm"
    STATE_TABLE = "failover-state-table"
    METADATA_BUCKET = "recovery-point-metadata"
    ALERT_TOPIC = "alert-topic"
    STANDBY_KMS_KEY = "standby-kms-key"
    GLOBAL_DATABASE = "global-database"               # aws.rds.GlobalCluster (aurora-global)
    STANDBY_INSTANCE = "standby-cluster-instance"     # instances of the standby cluster
    MANAGED_RPO_PARAMETERS = "managed-rpo-parameters" # cluster parameter group for the primary
    # Primary Region, reverse-replicating: the read replica of the promoted standby (dms: the
    # reverse CDC task's target instance), its KMS key and its lag alarm(s).
    REVERSE_REPLICA = "reverse-replica"
    REVERSE_KMS_KEY = "reverse-kms-key"
    REVERSE_REPLICATION_ALARM = "reverse-replication-alarm"
    # Standby Region, reverse-replicating, dms: the reverse CDC task (promoted standby -> the
    # fresh target instance in the primary Region) and its two endpoints.
    REVERSE_CDC_TASK = "reverse-cdc-task"
    REVERSE_CDC_ENDPOINT = "reverse-cdc-endpoint"
    WRITE_SWITCH = "write-switch"                     # SSM parameter per Region


class Metric(StrEnum):
    RECOVERY_POINT_AGE = "RecoveryPointAgeSeconds"    # newest usable recovery point, standby Region
    REPLICATION_LAG = "ReplicationLagSeconds"         # ReplicaLag or CDCLatencyTarget as read
    BACKUP_SUCCESS = "BackupRunSucceeded"             # 1 per complete run
    BACKUP_FAILURE = "BackupRunFailed"                # 1 per failed or partial run
    FAILOVER_DURATION = "FailoverDurationSeconds"
    STEP_DURATION = "FailoverStepDurationSeconds"     # dimension Step=<name>
    FALSE_POSITIVE = "FailoverFalsePositive"
    PRIMARY_PROBE_FAILED = "PrimaryProbeFailed"
    ORCHESTRATOR_ERROR = "OrchestratorError"
    FAILOVER_UNARMED = "FailoverSuppressedUnarmed"    # primary failed before ever seen healthy
