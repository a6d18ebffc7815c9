"""What to drill (:class:`DrillOptions`), the validated config it runs with, and the drill's
control-flow errors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.settings import PROJECT, DrSettings, settings_from_raw
from contract.names import Role
from dataplane.customers import DEFAULT_RATE_PER_SECOND
from engine.config import StackConfigError, read_config, strategy_database
from engine.paths import REPORTS_DIR

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
#: Failover handler statuses that mean the failover is done.
DONE_STATUSES = ("completed", "already-failed-over")
#: Highest order rate the drill accepts, orders per second: one customer thread places one
#: order at a time, each a new HTTP and database connection on 127.0.0.1.
MAX_ORDER_RATE = 200.0


class DrillError(Exception):
    """The drill cannot run (bad config, policy gate failed, a piece missing): exit code 2,
    no report."""


class StepSkipped(Exception):  # noqa: N818 - control flow
    """The step did not run; the message says why (the report shows it)."""


class Abort(Exception):  # noqa: N818 - control flow
    """The drill cannot go on; what ran so far is reported and the drill fails."""


@dataclass
class DrillOptions:
    """What to drill.

    Attributes:
        stack: stack name (``Pulumi.<stack>.yaml``).
        scenario: one of :data:`drill.scenarios.SCENARIOS`.
        strategy: database strategy override, or None for the stack's own.
        stack_file: another stack file instead of ``Pulumi.<stack>.yaml``.
        reports_dir: where the report files go (None: do not write them).
        policy_gate: run the preview's policy gate first (step 1); off only for
            tests/benchmarks that run it elsewhere, and the report says so.
        progress: show rich progress on the terminal.
        max_triggers: failover invocations before the drill gives up.
        order_rate: customers' orders per second through the failover name (> 0).
        force: when readiness refuses (scenario ``replication-lag``), fail over anyway as an
            operator would (a manual event with ``force: true``); the loss is measured.
        data_dir: where the real databases live during the drill (default
            ``<reports_dir>/dataplane``); the PostgreSQL service user must be able to reach it.
    """

    stack: str = "prod"
    scenario: str = "happy-path"
    strategy: str | None = None
    stack_file: Path | None = None
    reports_dir: Path | None = REPORTS_DIR
    policy_gate: bool = True
    progress: bool = True
    max_triggers: int = 12
    order_rate: float = DEFAULT_RATE_PER_SECOND
    force: bool = False
    data_dir: Path | None = None

    def __post_init__(self) -> None:
        if not (self.order_rate > 0 and self.order_rate <= MAX_ORDER_RATE):
            raise DrillError(f"order rate must be more than 0 and at most {MAX_ORDER_RATE:g} "
                             f"orders per second, got {self.order_rate!r}")


def drill_config(opts: DrillOptions) -> tuple[DrSettings, dict[str, Any]]:
    """Validated settings for the drill and the config overrides that produce them.

    Raises:
        DrillError: the stack file is missing or invalid (the message lists each key).
    """
    try:
        cfg = read_config(opts.stack, stack_file=opts.stack_file)
    except StackConfigError as e:
        raise DrillError(f"{e} (stack {opts.stack!r})") from None
    raw = {k[len(PROJECT) + 1:]: v for k, v in cfg.items() if k.startswith(f"{PROJECT}:")}
    overrides: dict[str, Any] = {}
    try:
        if opts.strategy:
            raw["database"] = overrides[f"{PROJECT}:database"] = strategy_database(cfg, opts.strategy)
        return settings_from_raw(raw), overrides
    except Exception as e:  # ConfigError (names each key), or an unknown strategy
        raise DrillError(str(e)) from None
