"""The drill's options, records and errors, shared by its step modules."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from components.settings import PROJECT, DrSettings, read_stack_file, settings_from_raw
from contract.names import Role

from .emulator import ACCOUNT_ID

ROOT = Path(__file__).resolve().parents[2]

#: Where the real handlers live, per orchestrator role (the plan's function resources say
#: what to deploy; the code that runs is this repository's).
HANDLERS: dict[Role, str] = {
    Role.FAILOVER_ORCHESTRATOR: "handlers.failover.app.handler",
    Role.BACKUP_ORCHESTRATOR: "handlers.backup.app.handler",
}
#: Roles without which the drill cannot fail over.
REQUIRED_ROLES: tuple[Role, ...] = (
    Role.FAILOVER_ORCHESTRATOR, Role.BACKUP_ORCHESTRATOR, Role.GATE_ALARM, Role.HEALTH_ALARM,
    Role.STATE_TABLE, Role.ALERT_TOPIC,
)
#: Route 53 records cannot carry tags: the failover pair is found by its routing policy.
FAILOVER_RECORD_TYPES = ("PRIMARY", "SECONDARY")
DONE_STATUSES = ("completed", "already-failed-over")
#: Placeholder DMS source secret for a drill of the dms strategy on a stack configured
#: otherwise (the emulator never reads it).
DRILL_DMS = {"sourceSecretArn": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT_ID}:secret:drill-dms"}


class DrillError(Exception):
    """The drill cannot run (bad config, policy gate failed, a piece missing). Exit code 2."""


@dataclass
class DrillOptions:
    """What to drill.

    Attributes:
        stack: stack name (``Pulumi.<stack>.yaml``).
        scenario: one of :data:`offline.drill.scenarios.SCENARIOS`.
        strategy: database strategy override, or None for the stack's own.
        stack_file: another stack file instead of ``Pulumi.<stack>.yaml``.
        reports_dir: where the report files go (None: do not write them).
        policy_gate: run ``offline.preview`` first (step 1); off only for tests/benchmarks
            that run it elsewhere, and the report says so.
        progress: show rich progress on the terminal.
        max_triggers: failover invocations before the drill gives up.
        seeded_replica_lag_seconds: replication lag seeded into the emulator's metrics
            (moto does not replicate; AWS/RDS ReplicaLag and AWS/DMS CDCLatency* are inputs).
    """

    stack: str = "prod"
    scenario: str = "happy-path"
    strategy: str | None = None
    stack_file: Path | None = None
    reports_dir: Path | None = ROOT / "reports"
    policy_gate: bool = True
    progress: bool = True
    max_triggers: int = 12
    seeded_replica_lag_seconds: float = 5.0


@dataclass
class StepRecord:
    name: str
    title: str
    started_offset: float = 0.0
    seconds: float = 0.0
    status: str = "ok"          # ok | failed | skipped
    detail: dict[str, Any] = field(default_factory=dict)
    api_calls: dict[str, int] = field(default_factory=dict)       # handlers', served
    harness_calls: dict[str, int] = field(default_factory=dict)   # the drill's own, served
    handler_calls: dict[str, int] = field(default_factory=dict)   # handlers' clients, attempted
    throttled: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.name, "title": self.title, "basis": "measured",
                "started_offset_seconds": round(self.started_offset, 4),
                "seconds": round(self.seconds, 4), "status": self.status,
                "api_calls_total": sum(self.api_calls.values()) + sum(self.harness_calls.values()),
                "api_calls": self.api_calls, "harness_calls": self.harness_calls,
                "handler_calls": self.handler_calls, "throttled_responses": self.throttled,
                "detail": self.detail}


@dataclass
class Check:
    name: str
    passed: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


def stack_path(opts: DrillOptions) -> Path:
    return opts.stack_file or ROOT / f"Pulumi.{opts.stack}.yaml"


def drill_config(opts: DrillOptions) -> tuple[DrSettings, dict[str, Any]]:
    """Validated settings for the drill and the config overrides that produce them.

    Raises:
        DrillError: the stack file is missing or invalid (the message lists each key).
    """
    path = stack_path(opts)
    try:
        cfg = read_stack_file(path)
    except FileNotFoundError:
        raise DrillError(f"no stack file {path} (stack {opts.stack!r})") from None
    raw = {k[len(PROJECT) + 1:]: v for k, v in cfg.items() if k.startswith(f"{PROJECT}:")}
    overrides: dict[str, Any] = {}
    if opts.strategy:
        db = raw.get("database")
        db = json.loads(db) if isinstance(db, str) else dict(db or {})
        db["strategy"] = opts.strategy
        if opts.strategy == "dms" and not db.get("dms"):
            db["dms"] = dict(DRILL_DMS)
        raw["database"] = db
        overrides[f"{PROJECT}:database"] = db
    try:
        return settings_from_raw(raw), overrides
    except Exception as e:  # ConfigError: names each key
        raise DrillError(str(e)) from None


class StepSkipped(Exception):  # noqa: N818 - control flow
    """The step did not run; the message says why (the report shows it)."""


class Abort(Exception):  # noqa: N818 - control flow
    """The drill cannot go on; what ran so far is reported."""


def invocation_status(inv: Any) -> str:
    return str(inv.result.get("status", "error")) if isinstance(inv.result, dict) else "error"


def brief(result: Any) -> dict[str, Any]:
    if not isinstance(result, dict):
        return {"result": str(result)}
    return {k: result[k] for k in ("status", "armed", "consecutive_failures", "gate",
                                   "failover_id", "current_step") if k in result}
