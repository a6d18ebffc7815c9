"""The backup orchestrator's settings, read once per cold start from environment variables.

The program sets these on the function (names from :class:`rto_rpo.contract.Env`); nothing
here reads the stack config or calls AWS. :func:`get_settings` caches the parsed model;
tests call ``get_settings.cache_clear()`` after changing the environment.

Variables (all strings; ``(json)`` ones hold JSON documents):

* ``PRIMARY_REGION``, ``STANDBY_REGION``: Region codes; they must differ.
* ``STACK_NAME``: the Pulumi stack; it names the ``managed-by`` tag value and the metric
  dimension ``Stack``.
* ``DB_STRATEGY``: ``read-replica`` | ``dms`` | ``snapshot-restore``.
* ``RPO_SECONDS``: the RPO objective, seconds (> 0).
* ``ALERT_TOPIC_ARNS`` (json): ``{"<region>": "<sns topic arn>"}``.
* ``STANDBY_KMS_KEY_ARN``: KMS key in the standby Region for cross-Region copies.
* ``DMS_TASK_ARN``: ``""`` unless the strategy is ``dms`` (then required).
* ``PROTECTED_DATABASES`` (json): ``[{"primaryArn": "arn:aws:rds:<primary>:<acct>:db:<id>",
  "standbyIdentifier": "<id in the standby Region>" | null}]``, at least one.
* ``METADATA_BUCKET``: S3 bucket (standby Region) for one JSON record per run.
* ``CADENCE_MINUTES``: minutes between scheduled runs (>= 1); also the idempotency period.
* ``RETENTION_HOURS``: age in hours after which our snapshots may be pruned (>= 1).
* ``KEEP_NEWEST``: newest snapshots per database, Region and kind never pruned (>= 1).
* ``SNAPSHOT_QUOTA``: manual DB snapshots allowed per Region (default quota 100, Amazon RDS
  User Guide, "Quotas in Amazon RDS"; see :data:`rto_rpo.figures.DEFAULT_MANUAL_SNAPSHOT_QUOTA`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, Json, ValidationError, model_validator

from rto_rpo.contract import Env
from rto_rpo.figures import DEFAULT_MANUAL_SNAPSHOT_QUOTA

#: RDS DB instance identifier rule (Amazon RDS User Guide, "Naming constraints in Amazon
#: RDS"): 1-63 letters, digits or hyphens; first a letter; no trailing hyphen or two hyphens
#: in a row. The same rule as ``components.settings``. RDS stores identifiers in lowercase
#: (Amazon RDS API Reference, ModifyDBInstance, DBInstanceIdentifier: "stored as a lowercase
#: string"), so they are lowercased here: the snapshot identifiers and ``dr:database`` tags
#: we write then match what RDS lists.
_DB_ID_RULE = r"(?!.*--)[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
_RDS_DB_ARN = re.compile(r"^arn:aws[a-z-]*:rds:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):db:"
                         rf"(?P<id>{_DB_ID_RULE})$")
_DB_ID = re.compile(rf"^{_DB_ID_RULE}$")

Strategy = Literal["read-replica", "dms", "snapshot-restore"]


class SettingsError(ValueError):
    """An environment variable is missing or invalid; the message names each one."""


class ProtectedDatabase(BaseModel):
    """One database to protect: its primary-Region ARN and, if any, its standby instance."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    primary_arn: str = Field(alias="primaryArn")
    standby_identifier: str | None = Field(None, alias="standbyIdentifier")

    @model_validator(mode="after")
    def _check(self) -> ProtectedDatabase:
        if not _RDS_DB_ARN.match(self.primary_arn):
            raise ValueError(f"primaryArn must look like arn:aws:rds:<region>:<account>:db:<id>, "
                             "<id> a DB instance identifier (letter first, letters/digits/"
                             f"hyphens, <= 63, no trailing or double hyphen) (got {self.primary_arn!r})")
        if self.standby_identifier is not None and not _DB_ID.match(self.standby_identifier):
            raise ValueError("standbyIdentifier must be a DB instance identifier (letter first, "
                             "letters/digits/hyphens, <= 63, no trailing or double hyphen) or "
                             f"null (got {self.standby_identifier!r})")
        return self

    @property
    def identifier(self) -> str:
        """The primary DB instance identifier (last part of the ARN), lowercase as RDS
        stores it."""
        return self.primary_arn.rsplit(":", 1)[1].lower()

    @property
    def standby(self) -> str | None:
        """``standbyIdentifier`` lowercase as RDS stores it, or None."""
        return self.standby_identifier.lower() if self.standby_identifier else None

    @property
    def region(self) -> str:
        return self.primary_arn.split(":")[3]


class BackupSettings(BaseModel):
    """Validated backup orchestrator settings. Field aliases are the env var names."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    primary_region: str = Field(alias=Env.PRIMARY_REGION.value, min_length=1)
    standby_region: str = Field(alias=Env.STANDBY_REGION.value, min_length=1)
    stack_name: str = Field(alias=Env.STACK_NAME.value, min_length=1)
    db_strategy: Strategy = Field(alias=Env.DB_STRATEGY.value)
    rpo_seconds: int = Field(alias=Env.RPO_SECONDS.value, gt=0)
    alert_topic_arns: Json[dict[str, str]] = Field(alias=Env.ALERT_TOPIC_ARNS.value)
    standby_kms_key_arn: str = Field(alias=Env.STANDBY_KMS_KEY_ARN.value, min_length=1)
    dms_task_arn: str = Field("", alias=Env.DMS_TASK_ARN.value)
    protected_databases: Json[list[ProtectedDatabase]] = Field(
        alias=Env.PROTECTED_DATABASES.value, min_length=1)
    metadata_bucket: str = Field(alias=Env.METADATA_BUCKET.value, min_length=3)
    cadence_minutes: int = Field(60, alias=Env.CADENCE_MINUTES.value, ge=1, le=24 * 60)
    retention_hours: int = Field(24, alias=Env.RETENTION_HOURS.value, ge=1)
    keep_newest: int = Field(3, alias=Env.KEEP_NEWEST.value, ge=1)
    snapshot_quota: int = Field(DEFAULT_MANUAL_SNAPSHOT_QUOTA, alias=Env.SNAPSHOT_QUOTA.value,
                                ge=1)

    @model_validator(mode="after")
    def _cross(self) -> BackupSettings:
        if self.primary_region == self.standby_region:
            raise ValueError(f"{Env.PRIMARY_REGION} and {Env.STANDBY_REGION} must differ")
        wrong = [d.primary_arn for d in self.protected_databases
                 if d.region != self.primary_region]
        if wrong:
            raise ValueError(f"{Env.PROTECTED_DATABASES}: primaryArn must be in "
                             f"{Env.PRIMARY_REGION} ({self.primary_region}): {wrong}")
        ids = [d.identifier for d in self.protected_databases]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{Env.PROTECTED_DATABASES}: duplicate database identifiers {ids} "
                             "(compared in lowercase, as RDS stores them)")
        if self.db_strategy == "dms" and not self.dms_task_arn:
            raise ValueError(f"{Env.DMS_TASK_ARN} is required when {Env.DB_STRATEGY} is dms")
        return self

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> BackupSettings:
        """Parse settings from an environment mapping.

        Raises:
            SettingsError: one line per missing/invalid variable, naming it.
        """
        names = {e.value for e in Env}
        try:
            return cls.model_validate({k: v for k, v in env.items() if k in names})
        except ValidationError as e:
            lines = []
            for err in e.errors():
                loc = ".".join(str(p) for p in err["loc"]) or "settings"
                lines.append(f"{loc}: {err['msg']}")
            raise SettingsError("invalid backup orchestrator environment:\n  "
                                + "\n  ".join(lines)) from None


@cache
def get_settings() -> BackupSettings:
    """Settings from ``os.environ``, parsed once per process (cold start).

    ``get_settings.cache_clear()`` re-reads the environment (tests).
    """
    return BackupSettings.from_env(os.environ)
