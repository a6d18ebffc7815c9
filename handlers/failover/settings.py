"""Orchestrator settings, read from environment variables once per cold start.

The program (and the drill) set exactly the names in :class:`rto_rpo.contract.Env`; JSON
ones hold JSON documents. :func:`get_settings` parses them into :class:`FailoverSettings`
on first use and caches the result; tests change the environment and call
``get_settings.cache_clear()``. Nothing here calls AWS.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, Json, ValidationError, field_validator, model_validator

from rto_rpo.contract import Env, step_budgets
from rto_rpo.figures import LAMBDA_MAX_TIMEOUT_SECONDS
from rto_rpo.model import STRATEGIES

#: Env vars the failover orchestrator reads (common + failover keys of the contract).
FAILOVER_ENV: tuple[Env, ...] = (
    Env.PRIMARY_REGION, Env.STANDBY_REGION, Env.STACK_NAME, Env.DB_STRATEGY, Env.RPO_SECONDS,
    Env.ALERT_TOPIC_ARNS, Env.STANDBY_KMS_KEY_ARN, Env.DMS_TASK_ARN,
    Env.STATE_TABLE_NAME, Env.FAILOVER_MODE, Env.PRIMARY_HEALTH_URL, Env.STANDBY_HEALTH_URL,
    Env.PROBE_TIMEOUT_SECONDS, Env.CONSECUTIVE_FAILURES, Env.PROBE_WINDOW_SECONDS,
    Env.HEALTH_ALARM_NAME, Env.GATE_ALARM_NAME, Env.STEP_BUDGETS_SECONDS, Env.PROMOTION_SECONDS,
    Env.PRIMARY_DB_ARN, Env.STANDBY_DB_IDENTIFIER, Env.RESTORE_INSTANCE_CLASS, Env.WARM_URLS,
    Env.WARM_FUNCTIONS,
)


class SettingsError(ValueError):
    """The environment is incomplete or invalid; the message names each env var at fault."""


class FailoverSettings(BaseModel):
    """Typed orchestrator settings. Field aliases are the env var names; units in names."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    primary_region: str = Field(alias=Env.PRIMARY_REGION, min_length=1)
    standby_region: str = Field(alias=Env.STANDBY_REGION, min_length=1)
    stack_name: str = Field(alias=Env.STACK_NAME, min_length=1)
    db_strategy: Literal["read-replica", "dms", "snapshot-restore"] = Field(alias=Env.DB_STRATEGY)
    rpo_seconds: int = Field(alias=Env.RPO_SECONDS, gt=0)
    alert_topic_arns: Json[dict[str, str]] = Field(alias=Env.ALERT_TOPIC_ARNS)
    standby_kms_key_arn: str = Field("", alias=Env.STANDBY_KMS_KEY_ARN)
    dms_task_arn: str = Field("", alias=Env.DMS_TASK_ARN)
    state_table_name: str = Field(alias=Env.STATE_TABLE_NAME, min_length=1)
    failover_mode: Literal["orchestrated", "automatic"] = Field("orchestrated",
                                                                alias=Env.FAILOVER_MODE)
    primary_health_url: str = Field(alias=Env.PRIMARY_HEALTH_URL)
    standby_health_url: str = Field(alias=Env.STANDBY_HEALTH_URL)
    probe_timeout_seconds: float = Field(5.0, alias=Env.PROBE_TIMEOUT_SECONDS, gt=0, le=30)
    consecutive_failures: int = Field(3, alias=Env.CONSECUTIVE_FAILURES, ge=1, le=10)
    probe_window_seconds: int = Field(alias=Env.PROBE_WINDOW_SECONDS, gt=0)
    health_alarm_name: str = Field(alias=Env.HEALTH_ALARM_NAME, min_length=1)
    gate_alarm_name: str = Field("", alias=Env.GATE_ALARM_NAME)
    step_budgets_seconds: Json[dict[str, int]] = Field(alias=Env.STEP_BUDGETS_SECONDS)
    promotion_seconds: int = Field(alias=Env.PROMOTION_SECONDS, gt=0)
    primary_db_arn: str = Field(alias=Env.PRIMARY_DB_ARN, pattern=r"^arn:aws[a-z-]*:rds:")
    standby_db_identifier: str = Field(alias=Env.STANDBY_DB_IDENTIFIER, min_length=1)
    restore_instance_class: str = Field("", alias=Env.RESTORE_INSTANCE_CLASS)
    warm_urls: Json[list[str]] = Field(alias=Env.WARM_URLS, default_factory=lambda: [])
    warm_functions: Json[list[str]] = Field(alias=Env.WARM_FUNCTIONS, default_factory=lambda: [])

    @field_validator("primary_health_url", "standby_health_url")
    @classmethod
    def _http_url(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError(f"must be an http:// or https:// URL, got {v!r}")
        return v

    @field_validator("warm_urls")
    @classmethod
    def _warm_urls(cls, v: list[str]) -> list[str]:
        bad = [u for u in v if not u.startswith(("http://", "https://"))]
        if bad:
            raise ValueError(f"warm URLs must be http:// or https:// URLs, got {bad}")
        return v

    @field_validator("step_budgets_seconds")
    @classmethod
    def _budgets(cls, v: dict[str, int]) -> dict[str, int]:
        return step_budgets(v, max_seconds=LAMBDA_MAX_TIMEOUT_SECONDS)

    @model_validator(mode="after")
    def _strategy_needs(self) -> FailoverSettings:
        assert self.db_strategy in STRATEGIES
        if self.db_strategy == "dms" and not self.dms_task_arn:
            raise ValueError(f"{Env.DMS_TASK_ARN} is required when {Env.DB_STRATEGY} is dms")
        if self.db_strategy == "snapshot-restore" and not self.restore_instance_class:
            raise ValueError(f"{Env.RESTORE_INSTANCE_CLASS} is required when "
                             f"{Env.DB_STRATEGY} is snapshot-restore")
        if self.primary_region == self.standby_region:
            raise ValueError(f"{Env.PRIMARY_REGION} and {Env.STANDBY_REGION} must differ")
        return self

    @property
    def primary_db_identifier(self) -> str:
        """The primary DB identifier, the last part of ``PRIMARY_DB_ARN``."""
        return self.primary_db_arn.rsplit(":", 1)[-1]

    def budget(self, step: str) -> int:
        """Budget of ``step`` in seconds (the orchestrator's own work, waits excluded)."""
        return self.step_budgets_seconds[step]


def load_settings(environ: Mapping[str, str]) -> FailoverSettings:
    """Parse ``environ`` into :class:`FailoverSettings`.

    Raises:
        SettingsError: one line per missing or invalid env var.
    """
    values = {str(k): environ[str(k)] for k in FAILOVER_ENV if str(k) in environ}
    try:
        return FailoverSettings.model_validate(values)
    except ValidationError as e:
        lines = []
        for err in e.errors():
            where = ".".join(str(p) for p in err["loc"]) or "settings"
            lines.append(f"{where}: {err['msg']}")
        raise SettingsError("invalid failover orchestrator environment:\n  "
                            + "\n  ".join(lines)) from None


@cache
def get_settings() -> FailoverSettings:
    """Settings from ``os.environ``, parsed once per process (Lambda cold start)."""
    return load_settings(os.environ)
