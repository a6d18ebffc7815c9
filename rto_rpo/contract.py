"""Names shared by the program, the handlers, the policy pack and the drill.

* ``ROLE_TAG``: every DR resource the program declares that another part must find carries
  this tag; its value is one of the ``Role`` members. The policy pack finds the health
  check, schedules, alarms and orchestrators by it during preview (tags are inputs, so they
  are known then).
* ``Env``: the environment variables the program sets on the orchestrator functions and the
  handlers parse at cold start. Values are strings; ``(json)`` ones are JSON documents.
* ``Metric``: CloudWatch metric names the handlers publish (namespace ``METRIC_NAMESPACE``,
  dimension ``Stack``) and the program's alarms and dashboards read.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

ROLE_TAG: Final[str] = "dr:role"

#: Tag key marking recovery points the backup orchestrator created (and so may prune).
MANAGED_BY_TAG: Final[str] = "managed-by"

METRIC_NAMESPACE: Final[str] = "EcommerceDR"
GATE_NAMESPACE: Final[str] = "EcommerceDR/Gate"
GATE_METRIC: Final[str] = "FailoverGateEngaged"
#: The gate alarm evaluates one 60 s period (the finest standard-resolution period), so the
#: traffic shift costs at most 60 s after the orchestrator publishes the gate metric.
GATE_ALARM_PERIOD_SECONDS: Final[int] = 60
GATE_ALARM_EVALUATION_PERIODS: Final[int] = 1


#: Failover orchestrator steps, in order. Their budgets are the orchestrator's own work in
#: seconds; the AWS-side wait for the database is the separate, modelled promotion time.
FAILOVER_STEPS: Final[tuple[str, ...]] = (
    "verify_failure", "check_readiness", "promote", "move_traffic", "warm", "verify_recovery",
)
DEFAULT_STEP_BUDGETS_SECONDS: Final[dict[str, int]] = {
    "verify_failure": 30, "check_readiness": 30, "promote": 120,
    "move_traffic": 30, "warm": 60, "verify_recovery": 60,
}


def step_budgets(overrides: dict[str, int], *, max_seconds: int) -> dict[str, int]:
    """Every step's budget in seconds: the defaults with ``overrides`` applied, in step order.

    Raises:
        ValueError: an unknown step name, or a budget outside 1..``max_seconds``.
    """
    unknown = sorted(set(overrides) - set(FAILOVER_STEPS))
    if unknown:
        raise ValueError(f"unknown step(s) {unknown}; allowed: {', '.join(FAILOVER_STEPS)}")
    merged = {**DEFAULT_STEP_BUDGETS_SECONDS, **overrides}
    bad = {k: v for k, v in merged.items() if not 0 < v <= max_seconds}
    if bad:
        raise ValueError(f"each step budget must be 1-{max_seconds} seconds (one Lambda "
                         f"invocation), got {bad}")
    return {k: merged[k] for k in FAILOVER_STEPS}


def managed_by_value(stack: str) -> str:
    """Value of the ``managed-by`` tag on recovery points of a stack: ``ecommerce-dr/<stack>``."""
    return f"ecommerce-dr/{stack}"


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


class Env(StrEnum):
    # common to both orchestrators
    PRIMARY_REGION = "PRIMARY_REGION"
    STANDBY_REGION = "STANDBY_REGION"
    STACK_NAME = "STACK_NAME"
    DB_STRATEGY = "DB_STRATEGY"                       # read-replica | dms | snapshot-restore
    RPO_SECONDS = "RPO_SECONDS"
    RTO_SECONDS = "RTO_SECONDS"                       # the stack's RTO target (failover only)
    ALERT_TOPIC_ARNS = "ALERT_TOPIC_ARNS"             # (json) {"<region>": "<topic arn>"}
    STANDBY_KMS_KEY_ARN = "STANDBY_KMS_KEY_ARN"
    DMS_TASK_ARN = "DMS_TASK_ARN"                     # "" unless strategy is dms
    # failover orchestrator
    STATE_TABLE_NAME = "STATE_TABLE_NAME"
    FAILOVER_MODE = "FAILOVER_MODE"                   # orchestrated | automatic
    PRIMARY_HEALTH_URL = "PRIMARY_HEALTH_URL"         # https://<primary fqdn>:<port><path>
    STANDBY_HEALTH_URL = "STANDBY_HEALTH_URL"
    PROBE_TIMEOUT_SECONDS = "PROBE_TIMEOUT_SECONDS"
    CONSECUTIVE_FAILURES = "CONSECUTIVE_FAILURES"     # K
    PROBE_WINDOW_SECONDS = "PROBE_WINDOW_SECONDS"
    HEALTH_ALARM_NAME = "HEALTH_ALARM_NAME"           # in us-east-1
    GATE_ALARM_NAME = "GATE_ALARM_NAME"               # in the standby Region
    STEP_BUDGETS_SECONDS = "STEP_BUDGETS_SECONDS"     # (json) {"<step>": seconds}
    PROMOTION_SECONDS = "PROMOTION_SECONDS"
    PRIMARY_DB_ARN = "PRIMARY_DB_ARN"
    STANDBY_DB_IDENTIFIER = "STANDBY_DB_IDENTIFIER"   # replica, DMS target, or restore target
    RESTORE_INSTANCE_CLASS = "RESTORE_INSTANCE_CLASS" # snapshot-restore only
    WARM_URLS = "WARM_URLS"                           # (json) ["https://..."]
    WARM_FUNCTIONS = "WARM_FUNCTIONS"                 # (json) ["<function name or arn>"]
    # backup orchestrator
    # (json) [{"primaryArn": "<rds arn>", "standbyIdentifier": "<id>" | null}]
    PROTECTED_DATABASES = "PROTECTED_DATABASES"
    METADATA_BUCKET = "METADATA_BUCKET"
    CADENCE_MINUTES = "CADENCE_MINUTES"
    RETENTION_HOURS = "RETENTION_HOURS"
    KEEP_NEWEST = "KEEP_NEWEST"
    SNAPSHOT_QUOTA = "SNAPSHOT_QUOTA"


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
