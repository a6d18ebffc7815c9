"""The orchestrators' environment: one typed model per Lambda function, written once.

Each variable is a field of :class:`FailoverEnv` or :class:`BackupEnv` (both extend
:class:`CommonEnv`): its name (the alias, a member of :class:`Env`), its type, unit and range
(from :mod:`contract.quantities`) and, for values the program takes from other resources, how
the drill rebuilds it when it was unknown under mocks (:class:`Fill`). From these models:

* the program builds each function's environment with :meth:`OrchestratorEnv.render`;
* the handlers parse it at cold start with :meth:`OrchestratorEnv.parse`;
* the policy pack reads a planned function's variables with :meth:`OrchestratorEnv.read`,
  which reports each one as known, unknown during preview, invalid or missing;
* the drill fills in unknown ones from the fields' :class:`Fill` rules.

Values are strings in the environment; JSON ones hold JSON documents.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from functools import cache
from typing import Annotated, Any, ClassVar, Literal, Self, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Json,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from contract.identifiers import (
    DB_IDENTIFIER_HELP,
    is_db_identifier,
    is_region,
    parse_arn,
    parse_rds_arn,
    parse_rds_cluster_arn,
    parse_rds_instance_arn,
)
from contract.names import GATE_ALARM_PERIOD_SECONDS, Role
from contract.phases import Phase
from contract.quantities import (
    CadenceMinutes,
    ConsecutiveFailures,
    DbIdentifier,
    GatePeriodSeconds,
    KeepNewest,
    KmsKeyArnText,
    ProbeTimeoutSeconds,
    ProbeWindowSeconds,
    PromotionSeconds,
    RdsArnText,
    RegionCode,
    RetentionHours,
    SnapshotQuota,
    StepBudgets,
    TargetSeconds,
    quantity_of,
)
from contract.strategies import Standby, Strategy
from contract.strategies import spec as strategy_spec


class Env(StrEnum):
    """Every environment variable name of both orchestrators."""

    PRIMARY_REGION = "PRIMARY_REGION"
    STANDBY_REGION = "STANDBY_REGION"
    STACK_NAME = "STACK_NAME"
    DB_STRATEGY = "DB_STRATEGY"
    RPO_SECONDS = "RPO_SECONDS"
    RTO_SECONDS = "RTO_SECONDS"
    ALERT_TOPIC_ARNS = "ALERT_TOPIC_ARNS"
    STANDBY_KMS_KEY_ARN = "STANDBY_KMS_KEY_ARN"
    DMS_TASK_ARN = "DMS_TASK_ARN"
    STATE_TABLE_NAME = "STATE_TABLE_NAME"
    FAILOVER_MODE = "FAILOVER_MODE"
    PRIMARY_HEALTH_URL = "PRIMARY_HEALTH_URL"
    STANDBY_HEALTH_URL = "STANDBY_HEALTH_URL"
    PROBE_TIMEOUT_SECONDS = "PROBE_TIMEOUT_SECONDS"
    CONSECUTIVE_FAILURES = "CONSECUTIVE_FAILURES"
    PROBE_WINDOW_SECONDS = "PROBE_WINDOW_SECONDS"
    HEALTH_ALARM_NAME = "HEALTH_ALARM_NAME"
    GATE_ALARM_NAME = "GATE_ALARM_NAME"
    STEP_BUDGETS_SECONDS = "STEP_BUDGETS_SECONDS"
    PROMOTION_SECONDS = "PROMOTION_SECONDS"
    PRIMARY_DB_ARN = "PRIMARY_DB_ARN"
    STANDBY_DB_IDENTIFIER = "STANDBY_DB_IDENTIFIER"
    RESTORE_INSTANCE_CLASS = "RESTORE_INSTANCE_CLASS"
    WARM_URLS = "WARM_URLS"
    WARM_FUNCTIONS = "WARM_FUNCTIONS"
    PROTECTED_DATABASES = "PROTECTED_DATABASES"
    METADATA_BUCKET = "METADATA_BUCKET"
    CADENCE_MINUTES = "CADENCE_MINUTES"
    RETENTION_HOURS = "RETENTION_HOURS"
    KEEP_NEWEST = "KEEP_NEWEST"
    SNAPSHOT_QUOTA = "SNAPSHOT_QUOTA"
    GLOBAL_CLUSTER_IDENTIFIER = "GLOBAL_CLUSTER_IDENTIFIER"
    GATE_PERIOD_SECONDS = "GATE_PERIOD_SECONDS"
    FAILOVER_PHASE = "FAILOVER_PHASE"
    REVERSE_REPLICA_IDENTIFIER = "REVERSE_REPLICA_IDENTIFIER"


class SettingsError(ValueError):
    """An orchestrator's environment is incomplete or invalid; the message names each variable."""


@dataclass(frozen=True)
class Fill:
    """How the drill rebuilds a variable the program took from another resource's outputs.

    Attributes:
        role: the ``dr:role`` of the resource the value comes from, or None.
        attribute: ``"physical_name"`` or ``"arn"`` of that resource.
        by_region: a JSON map Region -> attribute over every resource of the role.
        resource_type: take the only resource of this type instead of a role.
        site: take this attribute of the site's existing parts instead (``primary_db_arn``).
    """

    role: Role | None = None
    attribute: str = "physical_name"
    by_region: bool = False
    resource_type: str | None = None
    site: str | None = None


def var(name: Env, doc: str, default: Any = ..., *, fill: Fill | None = None) -> Any:
    """A field for env var ``name`` (its alias), documented by ``doc``."""
    extra = {"fill": fill} if fill else None
    if default is ...:
        return Field(alias=str(name), description=doc, json_schema_extra=extra)
    return Field(default, alias=str(name), description=doc, json_schema_extra=extra)


@dataclass
class EnvReading:
    """What :meth:`OrchestratorEnv.read` found, keyed by variable name.

    Attributes:
        known: parsed values (python types, JSON decoded).
        unknown: variables whose value is not known during preview.
        invalid: variable -> what is wrong (a model-wide problem is keyed ``"environment"``).
        missing: required variables that are absent.
    """

    known: dict[str, Any] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    invalid: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.unknown or self.invalid or self.missing)


def _deferred(v: Any) -> bool:
    """A value the program only knows at deploy time (a Pulumi Output or awaitable)."""
    return not isinstance(v, str | int | float | list | dict | tuple) or isinstance(v, bool)


def _to_text(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, int):
        return str(v)
    return json.dumps(v)


def _topic_map(v: dict[str, str]) -> dict[str, str]:
    """``ALERT_TOPIC_ARNS``: at least one topic; each key a Region code; a value that is an ARN
    must be in the Region it is listed under (the handlers publish to each topic with a client
    of that Region, and SNS publishes only to a topic in the client's own Region).

    Raises:
        ValueError: naming the first entry that cannot deliver an alert.
    """
    if not v:
        raise ValueError('must name at least one SNS topic: JSON {"<region>": "<topic ARN>"}')
    for region, topic in v.items():
        if not is_region(region):
            raise ValueError(f"{region!r} is not an AWS Region code")
        if not topic:
            raise ValueError(f"the topic for {region} is empty")
        arn = parse_arn(topic)
        if arn is not None and (arn.service != "sns" or arn.region != region):
            raise ValueError(f"the topic for {region} must be an SNS topic in {region}, got {topic!r}")
    return v


#: ``ALERT_TOPIC_ARNS`` as parsed: Region -> SNS topic ARN in that Region.
AlertTopicArns = Annotated[dict[str, str], AfterValidator(_topic_map)]


def _require_region(arn_name: Env, arn: str, region_name: Env, region: str) -> None:
    """Raise ValueError unless ``arn`` (an ARN its field's type validated; variable
    ``arn_name``) is in ``region`` (variable ``region_name``)."""
    where = arn.split(":")[3]
    if where != region:
        raise ValueError(f"{arn_name} is in {where}, but {region_name} is {region}")


def _errors(e: ValidationError) -> str:
    return "; ".join(err["msg"].removeprefix("Value error, ") for err in e.errors())


class OrchestratorEnv(BaseModel):
    """Base of the orchestrators' environment models (field aliases are the variable names)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    #: Who reads this environment, for messages.
    WHO: ClassVar[str] = "orchestrator"

    @classmethod
    def names(cls) -> tuple[Env, ...]:
        """The variables of this function, in field order."""
        return tuple(Env(f.alias) for f in cls.model_fields.values())

    @classmethod
    def required(cls) -> tuple[Env, ...]:
        return tuple(Env(f.alias) for f in cls.model_fields.values() if f.is_required())

    @classmethod
    @cache
    def _adapter(cls, name: str) -> TypeAdapter[Any]:
        f = next(f for f in cls.model_fields.values() if f.alias == name)
        from typing import Annotated

        if not f.metadata:
            return TypeAdapter(f.annotation)
        return TypeAdapter(Annotated[f.annotation, *f.metadata])  # type: ignore[valid-type]

    @classmethod
    def field_of(cls, name: Env | str) -> Any:
        """The pydantic FieldInfo of variable ``name``.

        Raises:
            KeyError: not a variable of this function.
        """
        for f in cls.model_fields.values():
            if f.alias == str(name):
                return f
        raise KeyError(f"{name} is not a variable of the {cls.WHO}")

    @classmethod
    def allowed(cls, name: Env | str) -> str:
        """What the variable accepts, for messages (``"an integer 1-10"``)."""
        f = cls.field_of(name)
        q = quantity_of(f.metadata)
        if q is not None:
            return q.allowed()
        choices = (tuple(str(m) for m in f.annotation) if isinstance(f.annotation, type)
                   and issubclass(f.annotation, Enum) else get_args(f.annotation))
        if choices and all(isinstance(c, str) for c in choices):
            return "one of " + ", ".join(choices)
        return str(f.description)

    @classmethod
    def fill_rule(cls, name: Env | str) -> Fill | None:
        """How the drill rebuilds ``name`` when it was unknown under mocks, or None."""
        extra = cls.field_of(name).json_schema_extra or {}
        return extra.get("fill") if isinstance(extra, dict) else None  # type: ignore[return-value]

    @classmethod
    def parse(cls, environ: Mapping[str, str]) -> Self:
        """Parse an environment (cold start).

        Raises:
            SettingsError: one line per missing or invalid variable, naming it.
        """
        values = {str(k): environ[str(k)] for k in cls.names() if str(k) in environ}
        try:
            return cls.model_validate(values)
        except ValidationError as e:
            lines = [f"{'.'.join(str(p) for p in err['loc']) or 'environment'}: "
                     f"{err['msg'].removeprefix('Value error, ')}" for err in e.errors()]
            raise SettingsError(f"invalid {cls.WHO} environment:\n  " + "\n  ".join(lines)) from None

    @classmethod
    def read(cls, variables: Mapping[str, Any],
             is_unknown: Callable[[Any], bool] = lambda v: False) -> EnvReading:
        """Read a planned function's variables one by one (the policy pack, during preview).

        A variable is *unknown* when ``is_unknown(value)``; cross-variable rules run only
        when every variable is known and valid.
        """
        out = EnvReading()
        for f in cls.model_fields.values():
            name = str(f.alias)
            if name not in variables:
                if f.is_required():
                    out.missing.append(name)
                continue
            raw = variables[name]
            if is_unknown(raw):
                out.unknown.append(name)
                continue
            try:
                out.known[name] = cls._adapter(name).validate_python(raw)
            except ValidationError as e:
                out.invalid[name] = _errors(e)
        if out.ok:
            try:
                cls.model_validate(dict(variables))
            except ValidationError as e:
                out.invalid["environment"] = _errors(e)
        return out

    @classmethod
    def render(cls, values: Mapping[Env | str, Any]) -> dict[str, Any]:
        """The function's environment from python values (the program).

        Every variable of the function must be given (defaults are not applied, so each
        function's environment says everything it runs with). Numbers become strings, lists
        and dicts JSON; values known only at deploy time (Pulumi Outputs) pass through.

        Raises:
            ValueError: a variable is missing, foreign or invalid.
        """
        given = {str(k): v for k, v in values.items()}
        names = {str(n) for n in cls.names()}
        missing, extra = sorted(names - set(given)), sorted(set(given) - names)
        if missing or extra:
            raise ValueError(f"{cls.WHO} environment: missing {missing}, not its variables {extra}")
        out = {n: v if _deferred(v) else _to_text(v) for n, v in given.items()}
        reading = cls.read(out, is_unknown=_deferred)
        if reading.invalid:
            raise ValueError(f"{cls.WHO} environment is invalid: {reading.invalid}")
        return {n: out[n] for n in (str(x) for x in cls.names())}


class CommonEnv(OrchestratorEnv):
    """Variables both orchestrators get."""

    primary_region: RegionCode = var(Env.PRIMARY_REGION, "Region code of the primary")
    standby_region: RegionCode = var(Env.STANDBY_REGION, "Region code of the standby")
    stack_name: str = Field(alias=str(Env.STACK_NAME), min_length=1,
                            description="the Pulumi stack; tag values and the Stack dimension")
    db_strategy: Strategy = var(Env.DB_STRATEGY, "the database strategy")
    rpo_seconds: TargetSeconds = var(Env.RPO_SECONDS, "the stack's RPO target, seconds")
    alert_topic_arns: Json[AlertTopicArns] = var(
        Env.ALERT_TOPIC_ARNS, 'JSON {"<region>": "<SNS topic ARN>"}',
        fill=Fill(Role.ALERT_TOPIC, "arn", by_region=True))
    standby_kms_key_arn: KmsKeyArnText = var(
        Env.STANDBY_KMS_KEY_ARN, "KMS key in the standby Region (copies, restores)",
        fill=Fill(Role.STANDBY_KMS_KEY, "arn"))
    dms_task_arn: str = var(Env.DMS_TASK_ARN, 'the CDC task ARN; "" unless the strategy is dms',
                            "", fill=Fill(resource_type="aws:dms/replicationTask:ReplicationTask",
                                          attribute="arn"))

    @model_validator(mode="after")
    def _common(self) -> Self:
        if self.primary_region == self.standby_region:
            raise ValueError(f"{Env.PRIMARY_REGION} and {Env.STANDBY_REGION} must differ")
        if self.db_strategy is Strategy.DMS and not self.dms_task_arn:
            raise ValueError(f"{Env.DMS_TASK_ARN} is required when {Env.DB_STRATEGY} is dms")
        # Cross-Region copies and restores land in the standby Region and need a key there.
        _require_region(Env.STANDBY_KMS_KEY_ARN, self.standby_kms_key_arn,
                        Env.STANDBY_REGION, self.standby_region)
        return self

    @property
    def strategy(self) -> Any:
        """The :class:`contract.strategies.StrategySpec` of ``db_strategy``."""
        return strategy_spec(self.db_strategy)


class FailoverEnv(CommonEnv):
    """The failover orchestrator's environment (``handlers.failover``)."""

    WHO: ClassVar[str] = "failover orchestrator"

    state_table_name: str = Field(alias=str(Env.STATE_TABLE_NAME), min_length=1,
                                  description="DynamoDB state and lock table (standby Region)",
                                  json_schema_extra={"fill": Fill(Role.STATE_TABLE)})
    failover_mode: Literal["orchestrated", "automatic"] = var(
        Env.FAILOVER_MODE, "orchestrated | automatic", "orchestrated")
    primary_health_url: str = var(Env.PRIMARY_HEALTH_URL, "https://<primary fqdn>[:port]<path>")
    standby_health_url: str = var(Env.STANDBY_HEALTH_URL, "https://<standby fqdn>[:port]<path>")
    probe_timeout_seconds: ProbeTimeoutSeconds = var(
        Env.PROBE_TIMEOUT_SECONDS, "watchdog probe timeout, seconds")
    consecutive_failures: ConsecutiveFailures = var(
        Env.CONSECUTIVE_FAILURES, "K failed probes in a row that start a failover")
    probe_window_seconds: ProbeWindowSeconds = var(
        Env.PROBE_WINDOW_SECONDS, "window, seconds, in which the K failures must fall")
    health_alarm_name: str = Field(alias=str(Env.HEALTH_ALARM_NAME), min_length=1,
                                   description="the us-east-1 alarm on the endpoint health check",
                                   json_schema_extra={"fill": Fill(Role.HEALTH_ALARM)})
    gate_alarm_name: str = var(Env.GATE_ALARM_NAME, "the gate alarm (standby Region)", "",
                               fill=Fill(Role.GATE_ALARM))
    gate_period_seconds: GatePeriodSeconds = var(
        Env.GATE_PERIOD_SECONDS, "the gate alarm's period, seconds (below 60: the gate metric "
        "is published at high resolution)", GATE_ALARM_PERIOD_SECONDS)
    step_budgets_seconds: Json[StepBudgets] = var(
        Env.STEP_BUDGETS_SECONDS, 'JSON {"<step>": seconds}, every failover step')
    promotion_seconds: PromotionSeconds = var(
        Env.PROMOTION_SECONDS, "how long to wait for the promotion, seconds")
    rto_seconds: TargetSeconds | None = var(Env.RTO_SECONDS, "the stack's RTO target, seconds",
                                            None)
    primary_db_arn: RdsArnText = var(
        Env.PRIMARY_DB_ARN, "the primary DB instance ARN (the primary Aurora cluster ARN for "
        "aurora-global)", fill=Fill(site="primary_db_arn"))
    standby_db_identifier: DbIdentifier = var(
        Env.STANDBY_DB_IDENTIFIER, "the replica, DMS target, restore target or secondary "
        "Aurora cluster", fill=Fill(Role.STANDBY_DATABASE))
    global_cluster_identifier: str = var(
        Env.GLOBAL_CLUSTER_IDENTIFIER, 'the Aurora global database; "" unless aurora-global', "")
    restore_instance_class: str = var(Env.RESTORE_INSTANCE_CLASS,
                                      'instance class of a restore; "" unless snapshot-restore', "")
    # Defaults are the parsed values (pydantic does not run a Json field's default through it).
    warm_urls: Json[list[str]] = var(Env.WARM_URLS, 'JSON ["https://..."] fetched after the move',
                                     [])
    warm_functions: Json[list[str]] = var(Env.WARM_FUNCTIONS,
                                          "JSON [Lambda names or ARNs] invoked after the move", [])
    failover_phase: Phase = var(
        Env.FAILOVER_PHASE, "the stack's configured failover.phase (never guessed from live "
        "state: the status report says when live state disagrees)", Phase.NORMAL)
    reverse_replica_identifier: str = var(
        Env.REVERSE_REPLICA_IDENTIFIER, "the reverse replica the program declares in the primary "
        "Region (phase reverse-replicating; for dms the ARN, or identifier, of the reverse CDC "
        'task into a fresh instance there); "" when none is declared (a failback is refused)', "")

    @model_validator(mode="after")
    def _failover(self) -> Self:
        for name, url in ((Env.PRIMARY_HEALTH_URL, self.primary_health_url),
                          (Env.STANDBY_HEALTH_URL, self.standby_health_url),
                          *((Env.WARM_URLS, u) for u in self.warm_urls)):
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"{name}: must be an http:// or https:// URL, got {url!r}")
        if self.db_strategy is Strategy.SNAPSHOT_RESTORE and not self.restore_instance_class:
            raise ValueError(f"{Env.RESTORE_INSTANCE_CLASS} is required when "
                             f"{Env.DB_STRATEGY} is snapshot-restore")
        self._primary_kind()
        self._reverse()
        # Readiness, promotion and snapshot selection look for the primary in PRIMARY_REGION.
        _require_region(Env.PRIMARY_DB_ARN, self.primary_db_arn, Env.PRIMARY_REGION,
                        self.primary_region)
        return self

    def _primary_kind(self) -> None:
        """PRIMARY_DB_ARN names what the strategy fails over from: an Aurora DB cluster for a
        cluster standby (with its global database), an RDS DB instance otherwise."""
        cluster = self.strategy.standby is Standby.CLUSTER
        if cluster and parse_rds_cluster_arn(self.primary_db_arn) is None:
            raise ValueError(f"{Env.PRIMARY_DB_ARN} must be an Aurora DB cluster ARN "
                             f"(arn:aws:rds:<region>:<account>:cluster:<id>) when {Env.DB_STRATEGY} "
                             f"is {self.db_strategy}, got {self.primary_db_arn!r}")
        if not cluster and parse_rds_instance_arn(self.primary_db_arn) is None:
            raise ValueError(f"{Env.PRIMARY_DB_ARN} must be an RDS DB instance ARN "
                             f"(arn:aws:rds:<region>:<account>:db:<id>) when {Env.DB_STRATEGY} is "
                             f"{self.db_strategy}, got {self.primary_db_arn!r}")
        if cluster and not is_db_identifier(self.global_cluster_identifier):
            raise ValueError(f"{Env.GLOBAL_CLUSTER_IDENTIFIER} must be the global database's "
                             f"identifier ({DB_IDENTIFIER_HELP}) when {Env.DB_STRATEGY} is "
                             f"{self.db_strategy}, got {self.global_cluster_identifier!r}")

    def _reverse(self) -> None:
        """REVERSE_REPLICA_IDENTIFIER, when set, is never the primary's identifier; for an
        instance standby it is a DB identifier, for dms a DMS task ARN in the standby Region or
        a task identifier ("" means: none is declared)."""
        name, rid = Env.REVERSE_REPLICA_IDENTIFIER, self.reverse_replica_identifier
        if not rid or self.strategy.standby is Standby.CLUSTER:
            return
        if rid.lower() == self.primary_db_identifier.lower():
            raise ValueError(f"{name} {rid!r} is the primary's identifier; the reverse replica is "
                             "another instance in the primary Region")
        if self.db_strategy is not Strategy.DMS:
            if not is_db_identifier(rid):
                raise ValueError(f"{name} must be the reverse replica's DB identifier "
                                 f"({DB_IDENTIFIER_HELP}) or \"\", got {rid!r}")
            return
        arn = parse_arn(rid) if rid.startswith("arn:") else None
        if rid.startswith("arn:") and (arn is None or arn.service != "dms"
                                       or arn.region != self.standby_region):
            raise ValueError(f"{name} must be a DMS task ARN in {Env.STANDBY_REGION} "
                             f"({self.standby_region}) or a task identifier when "
                             f"{Env.DB_STRATEGY} is dms, got {rid!r}")
        if arn is None and not is_db_identifier(rid):
            raise ValueError(f"{name} must be the reverse CDC task's ARN or identifier "
                             f"({DB_IDENTIFIER_HELP}) when {Env.DB_STRATEGY} is dms, got {rid!r}")

    @property
    def primary_db_identifier(self) -> str:
        """The primary DB identifier, the last part of ``PRIMARY_DB_ARN``."""
        return self.primary_db_arn.rsplit(":", 1)[-1]

    def budget(self, step: str) -> int:
        """Budget of ``step`` in seconds (the orchestrator's own work, waits excluded)."""
        return self.step_budgets_seconds[step]


class ProtectedDatabase(BaseModel):
    """One database the backup orchestrator protects: its primary-Region ARN (an RDS DB
    instance, or an Aurora DB cluster) and, if any, its standby (instance or cluster)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    primary_arn: str = Field(alias="primaryArn")
    standby_identifier: str | None = Field(None, alias="standbyIdentifier")

    @model_validator(mode="after")
    def _check(self) -> Self:
        if parse_rds_arn(self.primary_arn) is None:
            raise ValueError(f"primaryArn must look like arn:aws:rds:<region>:<account>:db:<id> "
                             f"or ...:cluster:<id>, <id> {DB_IDENTIFIER_HELP} "
                             f"(got {self.primary_arn!r})")
        if self.standby_identifier is not None and not is_db_identifier(self.standby_identifier):
            raise ValueError(f"standbyIdentifier must be {DB_IDENTIFIER_HELP}, or null "
                             f"(got {self.standby_identifier!r})")
        return self

    @property
    def identifier(self) -> str:
        """The primary DB instance (or cluster) identifier, lowercase as RDS stores it."""
        return self.primary_arn.rsplit(":", 1)[1].lower()

    @property
    def is_cluster(self) -> bool:
        """Whether the primary is an Aurora DB cluster (its standby is then a cluster too)."""
        return parse_rds_cluster_arn(self.primary_arn) is not None

    @property
    def standby(self) -> str | None:
        """``standbyIdentifier`` lowercase as RDS stores it, or None."""
        return self.standby_identifier.lower() if self.standby_identifier else None

    @property
    def region(self) -> str:
        return self.primary_arn.split(":")[3]


class BackupEnv(CommonEnv):
    """The backup orchestrator's environment (``handlers.backup``)."""

    WHO: ClassVar[str] = "backup orchestrator"

    protected_databases: Json[list[ProtectedDatabase]] = Field(
        alias=str(Env.PROTECTED_DATABASES), min_length=1,
        description='JSON [{"primaryArn": "<rds arn>", "standbyIdentifier": "<id>" | null}]')
    metadata_bucket: str = Field(alias=str(Env.METADATA_BUCKET), min_length=3,
                                 description="S3 bucket of run records (standby Region)",
                                 json_schema_extra={"fill": Fill(Role.METADATA_BUCKET)})
    cadence_minutes: CadenceMinutes = var(Env.CADENCE_MINUTES, "minutes between runs")
    retention_hours: RetentionHours = var(Env.RETENTION_HOURS,
                                          "age after which our snapshots may be pruned")
    keep_newest: KeepNewest = var(Env.KEEP_NEWEST, "newest snapshots never pruned")
    snapshot_quota: SnapshotQuota = var(Env.SNAPSHOT_QUOTA,
                                        "manual DB snapshots allowed per Region")

    @model_validator(mode="after")
    def _backup(self) -> Self:
        wrong = [d.primary_arn for d in self.protected_databases
                 if d.region != self.primary_region]
        if wrong:
            raise ValueError(f"{Env.PROTECTED_DATABASES}: primaryArn must be in "
                             f"{Env.PRIMARY_REGION} ({self.primary_region}): {wrong}")
        ids = [d.identifier for d in self.protected_databases]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{Env.PROTECTED_DATABASES}: duplicate database identifiers {ids} "
                             "(compared in lowercase, as RDS stores them)")
        return self

