"""The stack config, read into one typed, validated settings model.

Data flows one way: stack config -> :class:`DrSettings` -> components -> resources and
outputs. :func:`load_settings` runs before any resource is declared; a bad value raises
:class:`ConfigError` naming the fully qualified key (``ecommerce-dr:healthCheck.intervalSeconds``)
and what is allowed, and the program stops.

Units are in the key names: ``...Seconds``, ``...Minutes``, ``...Hours``.
AWS figures used in validation come from :mod:`rto_rpo.figures`, which cites their sources.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from contract import aurora as aurora_rules
from contract.identifiers import (
    LAMBDA_FUNCTION_REF_HELP,
    RdsClusterArn,
    RdsInstanceArn,
    is_db_identifier,
    parse_lambda_function_ref,
    parse_rds_arn,
    same_dns_name,
)
from contract.names import (
    DEFAULT_STEP_BUDGETS_SECONDS,
    FAILOVER_STEPS,
    GATE_ALARM_PERIOD_SECONDS,
    RESERVED_TAG_HELP,
    is_reserved_tag_key,
)
from contract.phases import Phase, default_reverse_replica_identifier
from contract.quantities import (
    TARGET_MINUTES,
    TARGET_SECONDS,
    AuroraInstanceCount,
    CadenceMinutes,
    ConsecutiveFailures,
    DbIdentifier,
    DbInstanceClass,
    GatePeriodSeconds,
    KeepNewest,
    KmsKeyArnText,
    ManagedRpoSeconds,
    ProbeTimeoutSeconds,
    PromotionSeconds,
    RdsClusterArnText,
    RdsInstanceArnText,
    RegionCode,
    RetentionHours,
    SecretArnText,
    SecurityGroupIds,
    SnapshotQuota,
    SubnetGroupName,
    WatchdogRateMinutes,
    step_budgets,
)
from contract.strategies import Standby, Strategy, StrategySpec
from contract.strategies import spec as strategy_spec
from rto_rpo.figures import (
    DEFAULT_MANUAL_SNAPSHOT_QUOTA,
    DEFAULT_SNAPSHOT_COPY_SECONDS,
    FAILURE_THRESHOLD_MAX,
    FAILURE_THRESHOLD_MIN,
    HEALTH_CHECK_INTERVALS_SECONDS,
    MIN_FAILOVER_TTL_SECONDS,
)
from rto_rpo.model import manual_snapshots_held

__all__ = ["DEFAULT_STEP_BUDGETS_SECONDS", "FAILOVER_STEPS"]  # re-exported for the program

PROJECT = "ecommerce-dr"

_FQDN = re.compile(r"^(?=.{1,253}$)([a-zA-Z0-9_]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}\.?$")
_HTTP_URL = TypeAdapter(AnyHttpUrl)


def _rds_arn(v: str) -> RdsInstanceArn | RdsClusterArn:
    arn = parse_rds_arn(v)
    assert arn is not None  # validated by the field's type
    return arn

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ConfigError(ValueError):
    """Stack config is invalid. ``errors`` holds one ``"<key>: <problem>"`` line per fault."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("invalid stack config:\n  " + "\n  ".join(errors))


def _numeric(annotation: Any) -> bool:
    """Whether a field's annotation is a number type (int, float, or a union holding one)."""
    if annotation in (int, float):
        return True
    return get_origin(annotation) in (Union, type(int | None)) and any(
        _numeric(a) for a in get_args(annotation))


def _map_of_numbers(annotation: Any) -> bool:
    """Whether a field's annotation is ``dict[str, int]`` or the like."""
    args = get_args(annotation)
    return get_origin(annotation) is dict and len(args) == 2 and _numeric(args[1])


def _bounds_of(field: Any) -> str:
    """The field's numeric range in words (``" 1-65535"``, ``" >= 60"``), or ""."""
    b = {k: getattr(m, k) for m in field.metadata for k in ("ge", "gt", "le", "lt")
         if getattr(m, k, None) is not None}
    if "ge" in b and "le" in b:
        return f" {b['ge']:g}-{b['le']:g}"
    ops = (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<"))
    words = " and ".join(f"{op} {b[k]:g}" for k, op in ops if k in b)
    return f" {words}" if words else ""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_boolean_numbers(cls, v: Any, info: ValidationInfo) -> Any:
        # YAML true/false is a bool, and pydantic's lax mode reads a bool as the number 1 or 0:
        # `port: true` would be port 1. Strings stay accepted (the CLI delivers text).
        field = cls.model_fields[info.field_name or ""]
        kinds = {field.annotation, *get_args(field.annotation)}
        kind = "an integer" if int in kinds and float not in kinds else "a number"
        if isinstance(v, bool) and _numeric(field.annotation):
            raise ValueError(f"must be {kind}{_bounds_of(field)}, not a boolean (got {v!r})")
        if isinstance(v, dict) and _map_of_numbers(field.annotation):
            flags = sorted(k for k, x in v.items() if isinstance(x, bool))
            if flags:
                raise ValueError(f"values must be numbers, not booleans (got {flags})")
        return v


class SiteSettings(_Model):
    """The site's existing endpoints and DNS zone (not managed by this program)."""

    hosted_zone_id: str = Field(alias="hostedZoneId", min_length=1)
    failover_fqdn: str = Field(alias="failoverFqdn")
    primary_endpoint_fqdn: str = Field(alias="primaryEndpointFqdn")
    standby_endpoint_fqdn: str = Field(alias="standbyEndpointFqdn")

    @field_validator("failover_fqdn", "primary_endpoint_fqdn", "standby_endpoint_fqdn")
    @classmethod
    def _fqdn(cls, v: str) -> str:
        if not _FQDN.match(v):
            raise ValueError(f"must be a fully qualified domain name like shop.example.com (got {v!r})")
        return v.rstrip(".")

    @model_validator(mode="after")
    def _distinct(self) -> SiteSettings:
        # DNS names compare without case and trailing dot (contract.identifiers.same_dns_name):
        # "Shop.Example.com." is the failover name "shop.example.com".
        how = "(names compare without case and trailing dot)"
        errors: list[tuple[str, str]] = []
        if same_dns_name(self.primary_endpoint_fqdn, self.failover_fqdn):
            errors.append(("site.primaryEndpointFqdn",
                           "must be the primary Region's own name, not the shared failoverFqdn: a "
                           "health check on the failover name follows whichever Region answers "
                           f"and never fails over {how}"))
        if same_dns_name(self.standby_endpoint_fqdn, self.failover_fqdn):
            errors.append(("site.standbyEndpointFqdn",
                           "must be the standby Region's own name, not the shared failoverFqdn: "
                           f"the SECONDARY record would answer with itself {how}"))
        elif same_dns_name(self.primary_endpoint_fqdn, self.standby_endpoint_fqdn):
            errors.append(("site.standbyEndpointFqdn", f"must differ from primaryEndpointFqdn {how}"))
        if errors:
            raise _CrossFieldErrors(errors)
        return self


class HealthCheckSettings(_Model):
    """The Route 53 HTTPS health check on the primary Region's own endpoint."""

    path: str = Field("/health", max_length=255)
    port: int = Field(443, ge=1, le=65535)
    interval_seconds: int = Field(10, alias="intervalSeconds")
    failure_threshold: int = Field(3, alias="failureThreshold")

    @field_validator("path")
    @classmethod
    def _path(cls, v: str) -> str:
        if not v.startswith("/") or any(c.isspace() for c in v):
            raise ValueError(f"must be a URL path starting with '/' and without spaces, got {v!r}")
        return v

    @field_validator("interval_seconds")
    @classmethod
    def _interval(cls, v: int) -> int:
        if v not in HEALTH_CHECK_INTERVALS_SECONDS:
            raise ValueError(f"must be 10 or 30 (Route 53 request intervals), got {v}")
        return v

    @field_validator("failure_threshold")
    @classmethod
    def _threshold(cls, v: int) -> int:
        if not FAILURE_THRESHOLD_MIN <= v <= FAILURE_THRESHOLD_MAX:
            raise ValueError(f"must be between {FAILURE_THRESHOLD_MIN} and "
                             f"{FAILURE_THRESHOLD_MAX}, got {v}")
        return v


class DnsSettings(_Model):
    ttl_seconds: int = Field(60, alias="ttlSeconds")

    @field_validator("ttl_seconds")
    @classmethod
    def _ttl(cls, v: int) -> int:
        if v < MIN_FAILOVER_TTL_SECONDS:
            raise ValueError(f"must be at least {MIN_FAILOVER_TTL_SECONDS} seconds for failover "
                             f"records (AWS recommendation), got {v}")
        return v


class FailoverSettings(_Model):
    """The failover orchestrator: detection, step budgets, warming."""

    mode: Literal["orchestrated", "automatic"] = "orchestrated"
    watchdog_rate_minutes: WatchdogRateMinutes = Field(1, alias="watchdogRateMinutes")
    consecutive_failures: ConsecutiveFailures = Field(3, alias="consecutiveFailures")
    probe_timeout_seconds: ProbeTimeoutSeconds = Field(5.0, alias="probeTimeoutSeconds")
    probe_window_minutes: int | None = Field(None, alias="probeWindowMinutes", ge=1)
    step_budgets_seconds: dict[str, int] = Field(
        default_factory=lambda: dict(DEFAULT_STEP_BUDGETS_SECONDS), alias="stepBudgetsSeconds")
    promotion_seconds: PromotionSeconds | None = Field(None, alias="promotionSeconds")
    gate_alarm_period_seconds: GatePeriodSeconds = Field(GATE_ALARM_PERIOD_SECONDS,
                                                         alias="gateAlarmPeriodSeconds")
    warm_urls: list[str] = Field(default_factory=list, alias="warmUrls")
    warm_functions: list[str] = Field(default_factory=list, alias="warmFunctions")
    #: Where the stack stands in a DR cycle (:class:`contract.phases.Phase`): the operator
    #: sets it; the program declares what it says and never reads live state to guess it.
    phase: Phase = Phase.NORMAL
    #: The reverse replica the program declares in the primary Region in phase
    #: reverse-replicating (dms: the fresh instance the reverse CDC task writes into); default
    #: ``<standby identifier>-reverse``.
    reverse_replica_identifier: DbIdentifier | None = Field(None, alias="reverseReplicaIdentifier")

    @field_validator("step_budgets_seconds")
    @classmethod
    def _budgets(cls, v: dict[str, int]) -> dict[str, int]:
        return step_budgets(v)

    @field_validator("warm_urls")
    @classmethod
    def _urls(cls, v: list[str]) -> list[str]:
        for u in v:
            try:
                url = _HTTP_URL.validate_python(u)
            except ValidationError:
                url = None
            if url is None or url.scheme != "https" or not url.host or " " in u:
                raise ValueError(f"warm URLs must be https:// URLs with a host, got {u!r}")
        return v

    @field_validator("warm_functions")
    @classmethod
    def _functions(cls, v: list[str]) -> list[str]:
        # Each entry becomes a lambda:InvokeFunction grant on the failover role: a wildcard or
        # a partial ARN would grant invoking functions the stack does not own.
        bad = [(i, f) for i, f in enumerate(v) if parse_lambda_function_ref(f) is None]
        if bad:
            raise ValueError("; ".join(f"entry {i} ({f!r})" for i, f in bad)
                             + f": each entry must be {LAMBDA_FUNCTION_REF_HELP}")
        return v

    def warm_function_errors(self, region: str, account: str) -> list[tuple[str, str]]:
        """``(key, problem)`` for each warm-function ARN outside ``region`` / ``account`` (the
        orchestrator invokes them with a client of the standby Region, in its own account)."""
        out: list[tuple[str, str]] = []
        for i, f in enumerate(self.warm_functions):
            ref = parse_lambda_function_ref(f)
            arn = ref.arn if ref else None
            if arn is not None and (arn.region, arn.account) != (region, account):
                out.append((f"failover.warmFunctions[{i}]",
                            f"{f!r} is in {arn.region}, account {arn.account}; a warm function "
                            f"must be in standbyRegion ({region}) and the stack's account "
                            f"({account}): give its name or its ARN there"))
        return out

    @property
    def probe_window(self) -> int:
        """Window, in minutes, in which K consecutive failures count; default rate x (K+1)."""
        return self.probe_window_minutes or self.watchdog_rate_minutes * (self.consecutive_failures + 1)


class DmsSettings(_Model):
    replication_instance_class: str = Field("dms.t3.medium", alias="replicationInstanceClass")
    engine: Literal["postgres", "mysql"] = "postgres"
    database_name: str = Field("shop", alias="databaseName")
    source_secret_arn: SecretArnText = Field(alias="sourceSecretArn")
    target_secret_arn: SecretArnText | None = Field(None, alias="targetSecretArn")
    #: DMS replication subnet group in the standby Region; None = DMS's default (default VPC).
    replication_subnet_group_id: str | None = Field(None, alias="replicationSubnetGroupId")


class AuroraSettings(_Model):
    """``database.aurora``: the Aurora Global Database of strategy ``aurora-global``.

    The primary cluster (``database.primaryClusterArn``) is the site's and stays outside this
    program; the program adds the global database around it and the secondary cluster.
    """

    engine: Literal["aurora-postgresql", "aurora-mysql"] = "aurora-postgresql"
    engine_version: str = Field(alias="engineVersion", min_length=1)
    instance_class: DbInstanceClass = Field("db.r6g.large", alias="instanceClass")
    instance_count: AuroraInstanceCount = Field(1, alias="instanceCount")
    global_cluster_identifier: DbIdentifier | None = Field(None, alias="globalClusterIdentifier")
    secondary_cluster_identifier: DbIdentifier | None = Field(None,
                                                              alias="secondaryClusterIdentifier")
    managed_rpo_seconds: ManagedRpoSeconds | None = Field(None, alias="managedRpoSeconds")
    backup_retention_days: int = Field(7, alias="backupRetentionDays", ge=1, le=35)

    @model_validator(mode="after")
    def _engine_rules(self) -> AuroraSettings:
        errors: list[tuple[str, str]] = []
        problem = aurora_rules.version_problem(self.engine, self.engine_version)
        if problem:
            errors.append(("database.aurora.engineVersion", problem))
        if self.managed_rpo_seconds is not None and self.engine != aurora_rules.POSTGRESQL:
            errors.append(("database.aurora.managedRpoSeconds",
                           f"applies to Aurora PostgreSQL only ({aurora_rules.MANAGED_RPO_PARAMETER}); "
                           f"engine is {self.engine}: remove it (the RPO is then the "
                           "replication alarm's threshold)"))
        if errors:
            raise _CrossFieldErrors(errors)
        return self

    @property
    def lag_metrics(self) -> aurora_rules.LagMetrics:
        """The lag metrics this engine version publishes (:func:`contract.aurora.lag_metrics`)."""
        return aurora_rules.lag_metrics(self.engine, self.engine_version)


#: ``database`` keys of the instance strategies, and what stands for each under aurora-global.
_INSTANCE_ONLY = {"primary_instance_arn": ("primaryInstanceArn", "database.primaryClusterArn"),
                  "instance_class": ("instanceClass", "database.aurora.instanceClass"),
                  "standby_identifier": ("standbyIdentifier",
                                         "database.aurora.secondaryClusterIdentifier"),
                  "backup_retention_days": ("backupRetentionDays",
                                            "database.aurora.backupRetentionDays"),
                  "dms": ("dms", "nothing: DMS is another strategy"),
                  "reverse_subnet_group_name": (
                      "reverseSubnetGroupName", "nothing: Aurora rejoins the old primary cluster "
                      "to the global database itself"),
                  "reverse_security_group_ids": (
                      "reverseSecurityGroupIds", "nothing: Aurora rejoins the old primary "
                      "cluster to the global database itself")}
_CLUSTER_ONLY = {"primary_cluster_arn": "primaryClusterArn", "aurora": "aurora"}


class DatabaseSettings(_Model):
    """The standby database and how it is kept in step with the primary.

    The primary is ``primaryInstanceArn`` (an RDS DB instance) for the instance strategies and
    ``primaryClusterArn`` (an Aurora DB cluster, with ``aurora``) for ``aurora-global``; each
    key belongs to its strategies, and a key of the other kind is refused by name.
    """

    strategy: str = str(Strategy.READ_REPLICA)
    primary_instance_arn: RdsInstanceArnText | None = Field(None, alias="primaryInstanceArn")
    primary_cluster_arn: RdsClusterArnText | None = Field(None, alias="primaryClusterArn")
    instance_class: DbInstanceClass = Field("db.r6g.large", alias="instanceClass")
    standby_identifier: DbIdentifier | None = Field(None, alias="standbyIdentifier")
    replication_lag_alarm_seconds: int | None = Field(None, alias="replicationLagAlarmSeconds", gt=0)
    snapshot_copy_seconds: int = Field(DEFAULT_SNAPSHOT_COPY_SECONDS, alias="snapshotCopySeconds", gt=0)
    backup_retention_days: int = Field(7, alias="backupRetentionDays", ge=1, le=35)
    primary_kms_key_arn: KmsKeyArnText | None = Field(None, alias="primaryKmsKeyArn")
    dms: DmsSettings | None = None
    aurora: AuroraSettings | None = None
    #: Standby-Region networking for the standby (replica, DMS target or secondary cluster);
    #: None / empty = the account's default VPC. Real deployments set both.
    standby_subnet_group_name: SubnetGroupName | None = Field(None, alias="standbySubnetGroupName")
    standby_security_group_ids: SecurityGroupIds = Field(default_factory=list,
                                                         alias="standbySecurityGroupIds")
    #: Primary-Region networking for the instance phase reverse-replicating declares there
    #: (the reverse replica, or the dms reverse task's target); None / empty = the account's
    #: default VPC. Instance strategies only: Aurora rejoins the old primary cluster itself.
    reverse_subnet_group_name: SubnetGroupName | None = Field(None, alias="reverseSubnetGroupName")
    reverse_security_group_ids: SecurityGroupIds = Field(default_factory=list,
                                                         alias="reverseSecurityGroupIds")

    @field_validator("strategy")
    @classmethod
    def _strategy(cls, v: str) -> str:
        return str(strategy_spec(v).strategy)

    @model_validator(mode="after")
    def _keys_of_the_strategy(self) -> DatabaseSettings:
        errors: list[tuple[str, str]] = []
        if self.is_cluster:
            errors += [(f"database.{alias}", f"does not apply to strategy {self.strategy}; use "
                        f"{instead}") for name, (alias, instead) in _INSTANCE_ONLY.items()
                       if name in self.model_fields_set]
            for name, key in (("primary_cluster_arn", "primaryClusterArn"),
                              ("aurora", "aurora.engineVersion")):
                if getattr(self, name) is None:
                    errors.append((f"database.{key}", f"is required for strategy {self.strategy}"))
        else:
            errors += [(f"database.{alias}", f"applies to strategy {Strategy.AURORA_GLOBAL} only "
                        f"(strategy is {self.strategy})") for name, alias in _CLUSTER_ONLY.items()
                       if getattr(self, name) is not None]
            if self.primary_instance_arn is None:
                errors.append(("database.primaryInstanceArn",
                               f"is required for strategy {self.strategy}"))
            if self.strategy == Strategy.DMS and self.dms is None:
                errors.append(("database.dms.sourceSecretArn", "is required for strategy 'dms'"))
        if errors:
            raise _CrossFieldErrors(errors)
        return self

    @property
    def spec(self) -> StrategySpec:
        """The strategy's entry in :data:`contract.strategies.SPECS`."""
        return strategy_spec(self.strategy)

    @property
    def is_cluster(self) -> bool:
        """Whether the strategy's standby is an Aurora cluster (``aurora-global``)."""
        return self.spec.standby is Standby.CLUSTER

    @property
    def primary_arn(self) -> str:
        """The primary's ARN: ``primaryClusterArn`` for a cluster strategy, else
        ``primaryInstanceArn`` (validation guarantees the one the strategy needs)."""
        arn = self.primary_cluster_arn if self.is_cluster else self.primary_instance_arn
        assert arn is not None
        return arn

    @property
    def primary_arn_key(self) -> str:
        """The config key of :attr:`primary_arn`, for messages."""
        return "database.primaryClusterArn" if self.is_cluster else "database.primaryInstanceArn"

    @property
    def primary_identifier(self) -> str:
        return _rds_arn(self.primary_arn).identifier

    @property
    def primary_arn_region(self) -> str:
        return _rds_arn(self.primary_arn).region

    @property
    def account_id(self) -> str:
        return _rds_arn(self.primary_arn).account

    @property
    def standby_id(self) -> str:
        """The standby's identifier: the replica / DMS target / restore target instance, or the
        secondary Aurora cluster (default ``<primary id>-standby``)."""
        chosen = (self.aurora.secondary_cluster_identifier if self.aurora
                  else self.standby_identifier)
        # Lowercase, as RDS stores it: the IAM resources and alarm dimensions built from it
        # must match the instance.
        return (chosen or f"{self.primary_identifier}-standby").lower()

    @property
    def global_cluster_id(self) -> str:
        """The Aurora global database's identifier (default ``<primary id>-global``); "" when
        the strategy has none."""
        if self.aurora is None:
            return ""
        return self.aurora.global_cluster_identifier or f"{self.primary_identifier}-global"

    @property
    def managed_rpo_seconds(self) -> int | None:
        """``aurora.managedRpoSeconds``, or None (not set, or not aurora-global)."""
        return self.aurora.managed_rpo_seconds if self.aurora else None


class BackupSettings(_Model):
    """The backup orchestrator's schedule and retention."""

    cadence_minutes: CadenceMinutes = Field(60, alias="cadenceMinutes")
    retention_hours: RetentionHours = Field(24, alias="retentionHours")
    keep_newest: KeepNewest = Field(3, alias="keepNewest")
    manual_snapshot_quota: SnapshotQuota = Field(DEFAULT_MANUAL_SNAPSHOT_QUOTA,
                                                 alias="manualSnapshotQuota")
    protected_database_arns: list[str] = Field(default_factory=list, alias="protectedDatabaseArns")
    metadata_retention_days: int = Field(400, alias="metadataRetentionDays", ge=1, le=3650)

    @field_validator("protected_database_arns")
    @classmethod
    def _arns(cls, v: list[str]) -> list[str]:
        for a in v:
            if parse_rds_arn(a) is None:
                raise ValueError(f"each entry must be an RDS instance or Aurora cluster ARN, "
                                 f"got {a!r}")
        # RDS identifiers are case-insensitive (stored lowercase) and the orchestrator works
        # in one account, so two entries with one identifier are one database to it.
        ids = [_rds_arn(a).identifier.lower() for a in v]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"entries must name distinct databases; repeated identifier(s) {dupes}")
        return v


class DrSettings(_Model):
    """All of the stack config, validated. Build it with :func:`load_settings`."""

    primary_region: RegionCode = Field("us-east-1", alias="primaryRegion")
    standby_region: RegionCode = Field("us-west-2", alias="standbyRegion")
    rto_minutes: Annotated[float, TARGET_MINUTES] = Field(240, alias="rtoMinutes",
                                                          allow_inf_nan=False)
    rpo_minutes: Annotated[float, TARGET_MINUTES] = Field(60, alias="rpoMinutes",
                                                          allow_inf_nan=False)
    alert_email: str | None = Field(None, alias="alertEmail")
    site: SiteSettings
    health_check: HealthCheckSettings = Field(default_factory=HealthCheckSettings, alias="healthCheck")
    dns: DnsSettings = Field(default_factory=DnsSettings)
    failover: FailoverSettings = Field(default_factory=FailoverSettings)
    database: DatabaseSettings
    backup: BackupSettings = Field(default_factory=BackupSettings)
    tags: dict[str, str] = Field(default_factory=dict)

    @field_validator("rto_minutes", "rpo_minutes")
    @classmethod
    def _target(cls, v: float) -> float:
        q = TARGET_MINUTES
        if not q.contains(v):
            raise ValueError(f"must be a number of minutes from {TARGET_SECONDS.ge:g}/60 "
                             f"(= {TARGET_SECONDS.ge:g} s: the orchestrators take whole "
                             f"seconds, at least {TARGET_SECONDS.ge:g}) to {q.le:g}, got {v:g}")
        return v

    @field_validator("alert_email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if v is not None and not _EMAIL.match(v):
            raise ValueError(f"must be an email address, got {v!r}")
        return v

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: dict[str, str]) -> dict[str, str]:
        bad = [k for k in v if k.lower().startswith("aws:")]
        if bad:
            raise ValueError(f"tag keys may not use the reserved 'aws:' prefix: {bad}")
        ours = sorted(k for k in v if is_reserved_tag_key(k))
        if ours:
            raise ValueError(f"tag keys {ours} are the program's own: {RESERVED_TAG_HELP}")
        return v

    @property
    def rto_seconds(self) -> int:
        return round(self.rto_minutes * 60)

    @property
    def rpo_seconds(self) -> int:
        return round(self.rpo_minutes * 60)

    @property
    def replication_lag_alarm_seconds(self) -> int:
        """Replica-lag / CDC-latency / Aurora RPO-lag alarm threshold, seconds: configured, or a
        quarter of the RPO (at least 60 s)."""
        return self.database.replication_lag_alarm_seconds or max(60, self.rpo_seconds // 4)

    @property
    def promotion_seconds(self) -> int:
        """Modelled promotion time for the strategy (see rto_rpo.figures), or the override."""
        return self.failover.promotion_seconds or self.database.spec.promotion_seconds

    @property
    def protected_database_arns(self) -> list[str]:
        return self.backup.protected_database_arns or [self.database.primary_arn]

    @property
    def has_standby_instance(self) -> bool:
        return self.database.spec.runs_standby

    @property
    def phase(self) -> Phase:
        """``failover.phase``."""
        return self.failover.phase

    @property
    def reverse_replica_id(self) -> str:
        """The reverse replica's identifier (dms: the reverse CDC task's fresh target
        instance), ``""`` for a cluster standby (Aurora rejoins the old primary cluster
        itself)."""
        if self.database.is_cluster:
            return ""
        return (self.failover.reverse_replica_identifier
                or default_reverse_replica_identifier(self.database.standby_id)).lower()

    def _phase_errors(self) -> list[tuple[str, str]]:
        key, rid = "failover.reverseReplicaIdentifier", self.failover.reverse_replica_identifier
        if rid is None:
            derived = self.reverse_replica_id
            if derived and not is_db_identifier(derived):
                return [(key, f"the derived identifier {derived!r} is not a valid RDS "
                              "identifier (at most 63 characters); set it")]
            if derived and derived == self.database.primary_identifier.lower():
                return [(key, f"the derived identifier {derived!r} is the primary's identifier; "
                              "set another one")]
            return []
        if self.database.is_cluster:
            return [(key, f"does not apply to strategy {self.database.strategy}: Aurora adds "
                          "the old primary cluster back to the global database itself")]
        taken = {self.database.primary_identifier.lower(): "the primary's",
                 self.database.standby_id.lower(): "the standby's"}
        if rid.lower() in taken:
            return [(key, f"{rid!r} is {taken[rid.lower()]} identifier; the reverse replica is "
                          "another instance in the primary Region")]
        return []

    @model_validator(mode="after")
    def _cross_field(self) -> DrSettings:
        errors: list[tuple[str, str]] = []
        if self.primary_region == self.standby_region:
            errors.append(("standbyRegion", f"must differ from primaryRegion ({self.primary_region}); "
                           "a disaster-recovery standby in the same Region is no standby"))
        if self.alert_email is None:
            errors.append(("alertEmail", "is required: an email address for the alert topics"))
        if self.database.primary_arn_region != self.primary_region:
            errors.append((self.database.primary_arn_key,
                           f"is in {self.database.primary_arn_region} but primaryRegion is "
                           f"{self.primary_region}"))
        for i, arn in enumerate(self.backup.protected_database_arns):
            region = _rds_arn(arn).region
            if region != self.primary_region:
                errors.append((f"backup.protectedDatabaseArns[{i}]",
                               f"is in {region}; protected databases must be in primaryRegion "
                               f"({self.primary_region})"))
        for i, arn in enumerate(self.backup.protected_database_arns):
            account = arn.split(":")[4]
            if account != self.database.account_id:
                errors.append((f"backup.protectedDatabaseArns[{i}]",
                               f"is in account {account}; protected databases must be in the "
                               f"primary database's account ({self.database.account_id})"))
        if not is_db_identifier(self.database.standby_id):
            errors.append(("database.aurora.secondaryClusterIdentifier" if self.database.is_cluster
                           else "database.standbyIdentifier",
                           f"the derived standby identifier {self.database.standby_id!r} is not a "
                           "valid RDS identifier (at most 63 characters); set it"))
        gid = self.database.global_cluster_id
        if gid and not is_db_identifier(gid):
            errors.append(("database.aurora.globalClusterIdentifier",
                           f"the derived identifier {gid!r} is not a valid global database "
                           "identifier (at most 63 characters); set it"))
        key = self.database.primary_kms_key_arn
        if key and key.split(":")[3] != self.primary_region:
            errors.append(("database.primaryKmsKeyArn",
                           f"must be a key in primaryRegion ({self.primary_region})"))
        # K failures one watchdog period apart span rate x K minutes (the last probe included):
        # a shorter window could never hold K failures, and detection would never fire.
        need = self.failover.watchdog_rate_minutes * self.failover.consecutive_failures
        window = self.failover.probe_window_minutes
        if window is not None and window < need:
            errors.append(("failover.probeWindowMinutes",
                           f"must be at least watchdogRateMinutes x consecutiveFailures = {need} "
                           f"min, got {window}"))
        if self.backup.cadence_minutes > self.rpo_minutes:
            errors.append(("backup.cadenceMinutes",
                           f"must be at most rpoMinutes ({self.rpo_minutes:g}): a backup every "
                           f"{self.backup.cadence_minutes} min cannot hold a {self.rpo_minutes:g}-min RPO"))
        if (self.database.replication_lag_alarm_seconds is not None
                and self.database.replication_lag_alarm_seconds > self.rpo_seconds):
            errors.append(("database.replicationLagAlarmSeconds",
                           f"must be at most the RPO ({self.rpo_seconds} s)"))
        held = manual_snapshots_held(
            cadence_minutes=self.backup.cadence_minutes, retention_hours=self.backup.retention_hours,
            databases=len(self.protected_database_arns), keep_newest=self.backup.keep_newest,
            standby_snapshots=self.has_standby_instance)
        worst = max(held.values())
        if worst > self.backup.manual_snapshot_quota:
            errors.append(("backup.retentionHours",
                           f"cadence {self.backup.cadence_minutes} min x retention "
                           f"{self.backup.retention_hours} h keeps {worst} manual snapshots in one "
                           f"Region ({held}), over backup.manualSnapshotQuota "
                           f"({self.backup.manual_snapshot_quota}); shorten retentionHours, lengthen "
                           "cadenceMinutes, or raise the quota"))
        errors += self._phase_errors()
        errors += self.failover.warm_function_errors(self.standby_region, self.database.account_id)
        if errors:
            raise _CrossFieldErrors(errors)
        return self


class _CrossFieldErrors(ValueError):
    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {m}" for k, m in errors))


#: Top-level keys of the ``ecommerce-dr`` config namespace that hold JSON objects.
_OBJECT_KEYS = {"site", "healthCheck", "dns", "failover", "database", "backup", "tags"}
TOP_LEVEL_KEYS: tuple[str, ...] = tuple(
    f.alias or n for n, f in DrSettings.model_fields.items())


def _qualified(loc: tuple[Any, ...]) -> str:
    return f"{PROJECT}:" + ".".join(str(p) for p in loc)


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The settings model of the object-valued key at ``loc`` (aliases), or None."""
    model: Any = DrSettings
    for part in loc:
        fields = {f.alias or n: f for n, f in model.model_fields.items()}
        if part not in fields:
            return None
        kinds = [a for a in (fields[part].annotation, *get_args(fields[part].annotation))
                 if isinstance(a, type) and issubclass(a, BaseModel)]
        if not kinds:
            return None
        model = kinds[0]
    return model


def _not_an_object(loc: tuple[Any, ...], given: Any) -> str:
    """What an object-valued key given as a list or scalar must be instead."""
    model = _model_at(loc)
    keys = (f" with keys from: {', '.join(f.alias or n for n, f in model.model_fields.items())}"
            if model is not None and model is not DrSettings else "")
    return (f"must be an object (a YAML mapping of key: value){keys}; got "
            f"{type(given).__name__} {given!r}")


def settings_from_raw(raw: Mapping[str, Any]) -> DrSettings:
    """Validate the ``ecommerce-dr`` namespace (keys without the prefix) into settings.

    Args:
        raw: top-level key -> value; object values may be dicts or JSON strings, scalars may
            be strings (as Pulumi config delivers them).

    Raises:
        ConfigError: listing every fault as ``"ecommerce-dr:<key>: <what is allowed>"``.
    """
    unknown = sorted(set(raw) - set(TOP_LEVEL_KEYS))
    if unknown:
        raise ConfigError([f"{PROJECT}:{k}: unknown key; allowed keys: {', '.join(TOP_LEVEL_KEYS)}"
                           for k in unknown])
    data: dict[str, Any] = {}
    for k, v in raw.items():
        if k in _OBJECT_KEYS and isinstance(v, str):
            try:
                v = json.loads(v)
            except json.JSONDecodeError as e:
                raise ConfigError([f"{PROJECT}:{k}: must be an object ({e})"]) from e
        data[k] = v
    try:
        return DrSettings.model_validate(data)
    except ValidationError as e:
        errors: list[str] = []
        for err in e.errors():
            ctx_err = (err.get("ctx") or {}).get("error")
            if isinstance(ctx_err, _CrossFieldErrors):
                errors.extend(f"{PROJECT}:{k}: {m}" for k, m in ctx_err.errors)
                continue
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "missing":
                msg = "is required"
            elif err["type"] == "extra_forbidden":
                msg = "unknown key"
            elif err["type"] in ("literal_error", "enum"):
                msg = f"{msg} (got {err['input']!r})"
            elif err["type"] in ("model_type", "dict_type", "model_attributes_type"):
                msg = _not_an_object(err["loc"], err["input"])
            errors.append(f"{_qualified(err['loc'])}: {msg}")
        raise ConfigError(errors) from None


def check_namespaces(keys: list[str]) -> None:
    """Reject config keys whose namespace looks like a misspelt ``ecommerce-dr`` (e.g.
    ``ecommerce_dr:rtoMinutes``): Pulumi would read them as another package's config and the
    program would silently use its default.

    Raises:
        ConfigError: naming each such key and the namespace it should have.
    """
    import difflib

    errors = []
    for key in keys:
        ns, sep, rest = key.partition(":")
        if sep and ns != PROJECT and difflib.get_close_matches(ns, [PROJECT], n=1, cutoff=0.75):
            errors.append(f"{key}: unknown namespace {ns!r}; did you mean {PROJECT}:{rest}?")
    if errors:
        raise ConfigError(errors)


def sdk_config() -> dict[str, Any]:
    """Every config value the running program was given, fully qualified key -> value, read
    through the Pulumi SDK with its own precedence (``pulumi.runtime.config.get_config``).

    The SDK has two channels and the program must read both: the map that
    ``pulumi.runtime.set_all_config`` sets (Automation API inline programs, Pulumi's unit-test
    convention with ``set_mocks``) and the ``PULUMI_CONFIG`` environment variable (the CLI's
    language host), plus a ``PULUMI_CONFIG_<KEY>`` variable per key. Keys are gathered from
    both maps and this program's own keys, so a per-key variable is seen too.
    """
    from contextvars import ContextVar

    from pulumi.runtime import config as sdk

    explicit = sdk.CONFIG.get() if isinstance(sdk.CONFIG, ContextVar) else sdk.CONFIG
    keys = set(explicit) | set(sdk.get_config_env()) | {f"{PROJECT}:{k}" for k in TOP_LEVEL_KEYS}
    return {k: v for k in sorted(keys) if (v := sdk.get_config(k)) is not None}


def load_settings() -> DrSettings:
    """Read the running stack's config through the Pulumi SDK (:func:`sdk_config`) and
    validate it.

    Raises:
        ConfigError: see :func:`settings_from_raw` and :func:`check_namespaces`.
    """
    prefix = f"{PROJECT}:"
    cfg = sdk_config()
    check_namespaces(list(cfg))
    raw = {k[len(prefix):]: v for k, v in cfg.items() if k.startswith(prefix)}
    return settings_from_raw(raw)


def read_stack_file(path: str | Path) -> dict[str, Any]:
    """The ``config:`` map of a ``Pulumi.<stack>.yaml`` file, keys fully qualified.

    The file must be UTF-8 (a byte-order mark is accepted) and valid YAML, with no key given
    twice in one mapping (YAML loaders keep the last one silently) and no Pulumi secret
    (``secure:``) under the ``ecommerce-dr`` namespace: the offline tools cannot decrypt one.

    Raises:
        FileNotFoundError: no such stack file.
        ConfigError: one line per fault, naming the file, the key and its line.
    """
    import yaml

    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise ConfigError([f"{path}: is not UTF-8 text (byte 0x{raw[e.start]:02x} at offset "
                           f"{e.start}, line {line}); Pulumi stack files are UTF-8: save it as "
                           "UTF-8"]) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        doc = yaml.safe_load(text) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or " ".join(str(e).split())
        raise ConfigError([f"{path}: is not valid YAML{where}: {problem}"]) from None
    problems = _duplicate_keys(root, path) if root is not None else []
    if not isinstance(doc, dict) or not isinstance(doc.get("config", {}), dict):
        problems.append(f"{path}: must be a YAML mapping with a 'config:' mapping")
    if problems:
        raise ConfigError(problems)
    config = dict(doc.get("config") or {})
    secrets = [f"{path}: {key}: is a Pulumi secret (secure:), and the offline tools do not "
               "decrypt secrets (that needs the Pulumi CLI and the stack's secrets provider); "
               "for an offline run, give a plain value for it in a copy of the stack file and "
               "pass that with --stack-file"
               for top, v in config.items() if top.startswith(f"{PROJECT}:")
               for key in _secure_paths(top, v)]
    if secrets:
        raise ConfigError(secrets)
    foreign = [f"{path}: {p}" for top, v in config.items() for p in _not_json(str(top), v)]
    if foreign:
        raise ConfigError(foreign)
    return config


def _not_json(key: str, v: Any) -> list[str]:
    """``"<dotted key>: <problem>"`` for each value under ``key`` that JSON, and so a Pulumi
    config value, cannot carry: a YAML date or timestamp (an unquoted ``2026-12-01``),
    ``!!binary`` bytes, a mapping key that is not a string."""
    if isinstance(v, dict):
        out = [f"{key}.{k}: the key is a YAML {type(k).__name__} ({k!r}), not a string; "
               "quote it" for k in v if not isinstance(k, str)]
        return out + [p for k, x in v.items() for p in _not_json(f"{key}.{k}", x)]
    if isinstance(v, list):
        return [p for i, x in enumerate(v) for p in _not_json(f"{key}[{i}]", x)]
    if v is None or isinstance(v, str | int | float):
        return []
    quoted = f"quote it ('{v}') to give a string"
    what, fix = {"date": ("date", quoted), "datetime": ("timestamp", quoted),
                 "bytes": ("binary (!!binary) value", "write the value as plain text"),
                 }.get(type(v).__name__, (type(v).__name__, "quote it to give a string"))
    return [f"{key}: is a YAML {what}, which a config value cannot hold (JSON: strings, "
            f"numbers, booleans, lists and objects); {fix}"]


def _duplicate_keys(node: Any, path: str | Path, where: str = "") -> list[str]:
    """``"<file>: line N: duplicate key ..."`` for every key given twice in one mapping of the
    composed YAML ``node``; ``where`` is the dotted path so far (under ``config:``, the
    fully qualified config key first)."""
    import yaml

    out: list[str] = []
    if isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out += _duplicate_keys(item, path, f"{where}[{i}]")
    if not isinstance(node, yaml.MappingNode):
        return out
    seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        line = key_node.start_mark.line + 1
        full = key if where in ("", "config") else f"{where}.{key}"
        if key in seen:
            out.append(f"{path}: line {line}: duplicate key {full!r} (first at line {seen[key]}); "
                       "YAML would silently keep the last value: keep one")
        else:
            seen[key] = line
        out += _duplicate_keys(value_node, path, full)
    return out


def _secure_paths(key: str, v: Any) -> list[str]:
    """Dotted paths under ``key`` whose value is a Pulumi secret (``{"secure": "..."}``)."""
    if isinstance(v, dict):
        if set(v) == {"secure"}:
            return [key]
        return [p for k, x in v.items() for p in _secure_paths(f"{key}.{k}", x)]
    if isinstance(v, list):
        return [p for i, x in enumerate(v) for p in _secure_paths(f"{key}[{i}]", x)]
    return []


def settings_from_stack_file(path: str | Path) -> DrSettings:
    """Validate a stack file's ``ecommerce-dr`` namespace (see :func:`settings_from_raw`)."""
    prefix = f"{PROJECT}:"
    cfg = read_stack_file(path)
    check_namespaces(list(cfg))
    return settings_from_raw({k[len(prefix):]: v for k, v in cfg.items() if k.startswith(prefix)})
