"""Every configured quantity's type, unit and allowed range, written once.

The stack config model (:mod:`components.settings`), the orchestrators' environment
(:mod:`contract.env`, parsed by the handlers and read by the policy pack) and the drill all
use these annotated types, so a range cannot drift between the parts: a test fails if one of
these ranges is written out anywhere else.

Each :class:`Quantity` is also kept in its annotated type's metadata, so a reader of a pydantic
field can find the quantity (and say what is allowed) from the field alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Final

from pydantic import AfterValidator, BeforeValidator, Field

from contract.identifiers import (
    DB_IDENTIFIER_HELP,
    DB_INSTANCE_CLASS_HELP,
    SECRET_ARN_HELP,
    SECURITY_GROUP_HELP,
    SUBNET_GROUP_HELP,
    is_db_identifier,
    is_db_instance_class,
    is_db_subnet_group_name,
    is_kms_key_arn,
    is_region,
    is_secret_arn,
    is_security_group_id,
    parse_rds_arn,
    parse_rds_cluster_arn,
    parse_rds_instance_arn,
)
from contract.names import DEFAULT_STEP_BUDGETS_SECONDS, FAILOVER_STEPS, GATE_ALARM_PERIODS_SECONDS
from rto_rpo.figures import (
    AWS_REGIONS,
    LAMBDA_MAX_TIMEOUT_SECONDS,
    MANAGED_RPO_MAX_SECONDS,
    MANAGED_RPO_MIN_SECONDS,
)


@dataclass(frozen=True)
class Quantity:
    """A number with a unit and a range.

    Attributes:
        name: what it is, e.g. ``"consecutive failures"``.
        kind: ``int`` or ``float``.
        unit: ``"seconds"``, ``"minutes"``, ``"hours"`` or None for a count.
        ge, gt, le, lt: the bounds (None = unbounded on that side).
        source: where the bounds come from (an AWS page, or the design).
    """

    name: str
    kind: type
    unit: str | None = None
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    source: str = ""

    @property
    def annotated(self) -> Any:
        """``Annotated[kind, Field(<bounds>), self]`` for pydantic models."""
        bounds = {k: getattr(self, k) for k in ("ge", "gt", "le", "lt") if getattr(self, k) is not None}
        return Annotated[self.kind, Field(**bounds), self]  # type: ignore[call-overload]

    def contains(self, v: float) -> bool:
        """Whether ``v`` is of the right kind and inside the bounds."""
        if self.kind is int and not float(v).is_integer():
            return False
        return ((self.ge is None or v >= self.ge) and (self.gt is None or v > self.gt)
                and (self.le is None or v <= self.le) and (self.lt is None or v < self.lt))

    def allowed(self) -> str:
        """What is allowed, for messages: ``"an integer 1-10"``, ``"seconds > 0 and <= 30"``."""
        if self.kind is int and self.ge is not None and self.le is not None:
            return f"an integer {_num(self.ge)}-{_num(self.le)}" + (f", {self.unit}" if self.unit else "")
        parts = [f"{op} {_num(v)}" for op, v in ((">=", self.ge), (">", self.gt), ("<=", self.le),
                                                   ("<", self.lt)) if v is not None]
        what = self.unit or ("an integer" if self.kind is int else "a number")
        return f"{what} {' and '.join(parts)}".strip()


def _num(v: float) -> str:
    """A bound as written: ``2147483647``, not ``2.14748e+09``; ``0.5`` as is."""
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


CONSECUTIVE_FAILURES: Final = Quantity(
    "consecutive failed watchdog probes (K)", int, None, ge=1, le=10,
    source="design: at most 10, as Route 53's FailureThreshold")
PROBE_TIMEOUT_SECONDS: Final = Quantity(
    "watchdog probe timeout", float, "seconds", gt=0, le=30,
    source="design: a probe must end well inside one watchdog minute")
WATCHDOG_RATE_MINUTES: Final = Quantity(
    "watchdog schedule rate", int, "minutes", ge=1, le=60,
    source="EventBridge rate expressions; at most hourly for a watchdog")
PROBE_WINDOW_SECONDS: Final = Quantity("watchdog probe window", int, "seconds", gt=0)
PROMOTION_SECONDS: Final = Quantity("standby promotion time", int, "seconds", gt=0)
STEP_BUDGET_SECONDS: Final = Quantity(
    "failover step budget", int, "seconds", ge=1, le=LAMBDA_MAX_TIMEOUT_SECONDS,
    source="one Lambda invocation: AWS Lambda Developer Guide, 'Lambda quotas' "
           "(https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)")
CADENCE_MINUTES: Final = Quantity(
    "backup cadence", int, "minutes", ge=5, le=1440,
    source="design: a snapshot takes minutes, and a day is the longest sensible RPO step")
RETENTION_HOURS: Final = Quantity("snapshot retention", int, "hours", ge=1)
KEEP_NEWEST: Final = Quantity("newest snapshots never pruned", int, None, ge=1)
SNAPSHOT_QUOTA: Final = Quantity("manual DB snapshots allowed per Region", int, None, ge=1)
TARGET_SECONDS: Final = Quantity(
    "recovery objective", int, "seconds", ge=1,
    source="the orchestrators count whole seconds; a target of 0 s could never be met")
#: ``rtoMinutes`` / ``rpoMinutes``: the program hands the orchestrators round(minutes x 60)
#: seconds (RTO_SECONDS, RPO_SECONDS, in :data:`TARGET_SECONDS`), so the smallest target is
#: the one whose seconds are TARGET_SECONDS' minimum: below it the seconds round to 0, which
#: the orchestrators' environment refuses halfway through the program.
TARGET_MINUTES: Final = Quantity(
    "recovery objective", float, "minutes", ge=TARGET_SECONDS.ge / 60, le=10080,
    source="TARGET_SECONDS (at least 1 s); design: at most a week")
MANAGED_RPO_SECONDS: Final = Quantity(
    "managed RPO (rds.global_db_rpo)", int, "seconds", ge=MANAGED_RPO_MIN_SECONDS,
    le=MANAGED_RPO_MAX_SECONDS, source="rto_rpo.figures.MANAGED_RPO_MIN_SECONDS (Amazon Aurora "
    "User Guide, Managing RPOs for Aurora PostgreSQL-based global databases)")
AURORA_INSTANCE_COUNT: Final = Quantity(
    "instances of the secondary Aurora cluster", int, None, ge=1, le=16,
    source="Amazon Aurora User Guide, Aurora global databases: up to 16 instances per "
           "secondary cluster (at least one, so the cluster can be promoted)")

#: Every quantity, by the name of its constant (the range test walks this).
QUANTITIES: Final[Mapping[str, Quantity]] = {
    k: v for k, v in dict(globals()).items() if isinstance(v, Quantity)}


def quantity_of(metadata: list[Any]) -> Quantity | None:
    """The :class:`Quantity` in a pydantic field's ``metadata``, or None."""
    return next((m for m in metadata if isinstance(m, Quantity)), None)


# --- text types -----------------------------------------------------------------------------

def _region(v: str) -> str:
    if not is_region(v):
        raise ValueError(f"{v!r} is not an AWS Region; allowed: {', '.join(sorted(AWS_REGIONS))}")
    return v


def _db_identifier(v: str) -> str:
    if not is_db_identifier(v):
        raise ValueError(f"must be {DB_IDENTIFIER_HELP} (got {v!r})")
    return v


def _instance_class(v: str) -> str:
    if not is_db_instance_class(v):
        raise ValueError(f"must be {DB_INSTANCE_CLASS_HELP} (got {v!r})")
    return v


def _subnet_group(v: str) -> str:
    if not is_db_subnet_group_name(v):
        raise ValueError(f"must be {SUBNET_GROUP_HELP} (got {v!r})")
    return v


def _text_of(help_text: str) -> BeforeValidator:
    """Refuses a value that is not a string by saying what is allowed (pydantic's own message
    names only the type)."""
    def check(v: Any) -> Any:
        if not isinstance(v, str):
            raise ValueError(f"must be {help_text} (got {v!r})")
        return v
    return BeforeValidator(check)


def _security_group_list(v: Any) -> Any:
    if not isinstance(v, list) or not all(isinstance(g, str) for g in v):
        raise ValueError(f"must be a list of strings, each {SECURITY_GROUP_HELP} "
                         f"(got {v!r})")
    return v


def _secret_arn(v: str) -> str:
    if not is_secret_arn(v):
        raise ValueError(f"must be {SECRET_ARN_HELP} (got {v!r})")
    return v


def _security_groups(v: list[str]) -> list[str]:
    bad = [g for g in v if not is_security_group_id(g)]
    if bad:
        raise ValueError(f"each entry must be {SECURITY_GROUP_HELP} (got {bad})")
    if len(set(v)) != len(v):
        raise ValueError(f"lists a security group twice (got {v})")
    return v


def _rds_instance_arn(v: str) -> str:
    if parse_rds_instance_arn(v) is None:
        raise ValueError("must be an RDS instance ARN like "
                         f"arn:aws:rds:us-east-1:123456789012:db:shop (got {v!r})")
    return v


def _rds_cluster_arn(v: str) -> str:
    if parse_rds_cluster_arn(v) is None:
        raise ValueError("must be an Aurora DB cluster ARN like "
                         f"arn:aws:rds:us-east-1:123456789012:cluster:shop (got {v!r})")
    return v


def _rds_arn(v: str) -> str:
    if parse_rds_arn(v) is None:
        raise ValueError("must be an RDS instance or Aurora cluster ARN like "
                         "arn:aws:rds:us-east-1:123456789012:db:shop or "
                         f"arn:aws:rds:us-east-1:123456789012:cluster:shop (got {v!r})")
    return v


def _gate_period(v: int) -> int:
    if v not in GATE_ALARM_PERIODS_SECONDS:
        raise ValueError(f"must be one of {', '.join(map(str, GATE_ALARM_PERIODS_SECONDS))} "
                         f"seconds (10 and 30 need a high-resolution metric), got {v}")
    return v


def _kms_key_arn(v: str) -> str:
    if not is_kms_key_arn(v):
        raise ValueError("must be a KMS key ARN like arn:aws:kms:us-east-1:123456789012:key/<id> "
                         f"(got {v!r})")
    return v


def step_budgets(overrides: Mapping[str, int]) -> dict[str, int]:
    """Every step's budget in seconds: the defaults with ``overrides`` applied, in step order.

    Raises:
        ValueError: an unknown step name, or a budget outside :data:`STEP_BUDGET_SECONDS`.
    """
    unknown = sorted(set(overrides) - set(FAILOVER_STEPS))
    if unknown:
        raise ValueError(f"unknown step(s) {unknown}; allowed: {', '.join(FAILOVER_STEPS)}")
    merged = {**DEFAULT_STEP_BUDGETS_SECONDS, **overrides}
    q = STEP_BUDGET_SECONDS
    bad = {k: v for k, v in merged.items() if not q.contains(v)}
    if bad:
        raise ValueError(f"each step budget must be {q.ge:g}-{q.le:g} seconds (one Lambda "
                         f"invocation), got {bad}")
    return {k: merged[k] for k in FAILOVER_STEPS}


RegionCode = Annotated[str, AfterValidator(_region)]
DbIdentifier = Annotated[str, AfterValidator(_db_identifier)]
#: A DB instance class (:func:`contract.identifiers.is_db_instance_class`).
DbInstanceClass = Annotated[str, _text_of(DB_INSTANCE_CLASS_HELP), AfterValidator(_instance_class)]
#: A DB subnet group name (:func:`contract.identifiers.is_db_subnet_group_name`).
SubnetGroupName = Annotated[str, _text_of(SUBNET_GROUP_HELP), AfterValidator(_subnet_group)]
#: VPC security group IDs (:func:`contract.identifiers.is_security_group_id`), no repeats.
SecurityGroupIds = Annotated[list[str], BeforeValidator(_security_group_list),
                             AfterValidator(_security_groups)]
#: A whole Secrets Manager secret ARN (:func:`contract.identifiers.is_secret_arn`).
SecretArnText = Annotated[str, _text_of(SECRET_ARN_HELP), AfterValidator(_secret_arn)]
RdsInstanceArnText = Annotated[str, AfterValidator(_rds_instance_arn)]
RdsClusterArnText = Annotated[str, AfterValidator(_rds_cluster_arn)]
#: An RDS instance or Aurora cluster ARN (the primary of an instance or a cluster strategy).
RdsArnText = Annotated[str, AfterValidator(_rds_arn)]
#: The gate alarm's period, seconds: one of :data:`contract.names.GATE_ALARM_PERIODS_SECONDS`.
GatePeriodSeconds = Annotated[int, AfterValidator(_gate_period)]
KmsKeyArnText = Annotated[str, AfterValidator(_kms_key_arn)]
StepBudgets = Annotated[dict[str, int], AfterValidator(step_budgets)]

ConsecutiveFailures = CONSECUTIVE_FAILURES.annotated
ProbeTimeoutSeconds = PROBE_TIMEOUT_SECONDS.annotated
WatchdogRateMinutes = WATCHDOG_RATE_MINUTES.annotated
ProbeWindowSeconds = PROBE_WINDOW_SECONDS.annotated
PromotionSeconds = PROMOTION_SECONDS.annotated
CadenceMinutes = CADENCE_MINUTES.annotated
RetentionHours = RETENTION_HOURS.annotated
KeepNewest = KEEP_NEWEST.annotated
SnapshotQuota = SNAPSHOT_QUOTA.annotated
TargetSeconds = TARGET_SECONDS.annotated
ManagedRpoSeconds = MANAGED_RPO_SECONDS.annotated
AuroraInstanceCount = AURORA_INSTANCE_COUNT.annotated
