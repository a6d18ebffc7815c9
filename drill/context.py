"""The drill's explicit state, handed to every step (:class:`DrillContext`).

Steps read what earlier steps set (``site``, ``deployment``, the function runtimes...) and
write their findings into :attr:`DrillContext.result`; nothing is shared any other way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, TypeVar

from components.settings import DrSettings
from contract.strategies import SPECS, StrategySpec
from drill.apply.common import Deployment
from drill.clock import DrillClock
from drill.data.bridge import DataBridge
from drill.data.world import DataWorld
from drill.options import Abort, DrillError, DrillOptions, drill_config
from drill.result import Check, DrillResult
from drill.scenarios import CYCLE_STRATEGIES, Scenario
from drill.scenarios import get as get_scenario
from emulator.bridges import BridgeLog
from emulator.faults import Faults
from emulator.lambda_runtime import FunctionRuntime
from emulator.ledger import ClientLedger
from emulator.server import Emulator
from emulator.site import ExistingSite, SiteBuilder
from engine.plan import Plan

_T = TypeVar("_T")


def _needed(part: _T | None, missing: str) -> _T:
    """``part``; raises :class:`drill.options.Abort` with ``missing`` when it is None."""
    if part is None:
        raise Abort(missing)
    return part


@dataclass
class DrillContext:
    """State of one drill run.

    Attributes:
        opts: what to drill.
        scenario: the scenario's definition.
        settings: the validated stack config the drill runs with.
        overrides: config overrides that produce ``settings`` (``--strategy``).
        result: what the drill found so far (steps append to it).
        emulator: moto server, its request ledger and the throttling storm.
        client_ledger: calls the handlers' clients attempted.
        faults: faults injected into the handlers' clients.
        bridges: how the emulator-gap bridges acted.
        t0: ``time.perf_counter()`` when the drill started.
        plan: the plan recorded under mocks (``engine.plan.Plan``), once recorded.
        site: the site's existing parts, once stood up.
        deployment: what the plan applier created (``drill.apply.Deployment``).
        failover_fn, backup_fn: the deployed orchestrators, invocable in-process.
        backup_summary: the backup orchestrator's run summary.
        alert_queues: Region -> SQS queue URL subscribed to that Region's alert topic.
        clock: the drill's clock (wall time plus the waits it skipped, :mod:`drill.clock`):
            the failover handler, CloudWatch's stamps and the customers run on it.
        t0_wall: ``clock.now()`` when the drill started (the report's time origin).
        failure_injected_at, failover_done_at: ``perf_counter`` marks (0: not yet).
        health_last_known: each gate-style health check's last status with enough data (the
            health-check bridge's memory for ``LastKnownStatus``, kept across its calls).
        marks: drill-clock times of ``failure``, ``traffic_shift`` (the gate alarm went to
            ALARM), ``refused``, ``forced``; the data bridges mark ``promoted``.
        gate_evaluations: the alarm-evaluation bridge's passes over the gate, per invocation.
        data_bridge: the hooks of the data-plane bridges (acts once ``data`` is built).
        data: the real databases, shops and customers, once the data-plane step ran.
        refusal: the readiness refusal the failover met (``status``, ``reasons``), if any.
        lag_at_failure: the replication lag at the failure (metric and PostgreSQL).
        replayed_at_failure: order ids the standby held at the failure (None: not read).
        progress: a ``rich.progress.Progress`` while it runs on a terminal, else None.
        cycle: the DR cycle's working state (scenario ``full-cycle``,
            :class:`drill.steps.cycle.CycleRun`), once started.
        aurora_bridge: the ``emulator.bridges.AuroraGlobalBridge`` in force (aurora-global).
    """

    opts: DrillOptions
    scenario: Scenario
    settings: DrSettings
    overrides: dict[str, Any]
    result: DrillResult
    emulator: Emulator = field(default_factory=Emulator)
    client_ledger: ClientLedger = field(default_factory=ClientLedger)
    faults: Faults = field(default_factory=Faults)
    bridges: BridgeLog = field(default_factory=BridgeLog)
    t0: float = 0.0
    plan: Plan | None = None
    site: ExistingSite | None = None
    deployment: Deployment | None = None
    failover_fn: FunctionRuntime | None = None
    backup_fn: FunctionRuntime | None = None
    backup_summary: dict[str, Any] | None = None
    alert_queues: dict[str, str] = field(default_factory=dict)
    clock: DrillClock = field(default_factory=DrillClock)
    t0_wall: float = 0.0
    failure_injected_at: float = 0.0
    failover_done_at: float = 0.0
    marks: dict[str, float] = field(default_factory=dict)
    health_last_known: dict[str, bool] = field(default_factory=dict)
    gate_evaluations: list[dict[str, Any]] = field(default_factory=list)
    data_bridge: DataBridge | None = None
    data: DataWorld | None = None
    refusal: dict[str, Any] | None = None
    lag_at_failure: dict[str, Any] = field(default_factory=dict)
    replayed_at_failure: frozenset[str] | None = None
    progress: Any = None
    cycle: Any = None
    aurora_bridge: Any = None

    def __post_init__(self) -> None:
        if self.data_bridge is None:
            self.data_bridge = DataBridge(self.bridges, self.clock.now)

    @classmethod
    def create(cls, opts: DrillOptions) -> DrillContext:
        """A fresh context for ``opts``.

        Raises:
            DrillError: invalid stack config (the message names each key), or a scenario the
                strategy cannot drill.
            ValueError: unknown scenario.
        """
        scenario = get_scenario(opts.scenario)
        settings, overrides = drill_config(opts)
        if scenario.replication_lag and not settings.database.spec.replication_metrics:
            replicating = ", ".join(str(sp.strategy) for sp in SPECS.values() if sp.replication_metrics)
            raise DrillError(f"scenario {scenario.name} needs a database strategy that replicates "
                             f"({replicating}), not {settings.database.strategy}")
        if scenario.full_cycle and settings.database.spec.strategy not in CYCLE_STRATEGIES:
            raise DrillError(f"scenario {scenario.name} drills the strategies "
                             f"{', '.join(map(str, CYCLE_STRATEGIES))}, not "
                             f"{settings.database.strategy}")
        if scenario.failback and not settings.database.is_cluster:
            raise DrillError(f"scenario {scenario.name} drills the aurora-global switchover "
                             f"(--stack aurora), not {settings.database.strategy}")
        expected = ("failover" if not scenario.readiness_refusal
                    else "forced" if opts.force else "refusal")
        result = DrillResult(stack=opts.stack, scenario=scenario.name,
                             scenario_description=scenario.description,
                             strategy=str(settings.database.strategy),
                             started_at=dt.datetime.now(dt.UTC), expected=expected)
        return cls(opts=opts, scenario=scenario, settings=settings, overrides=overrides,
                   result=result)

    @property
    def spec(self) -> StrategySpec:
        """The database strategy's row of ``contract.strategies.SPECS``."""
        return self.settings.database.spec

    def client(self, service: str, region: str) -> Any:
        """A client of the emulator for the harness's own calls."""
        return self.emulator.client(service, region)

    def builder(self) -> SiteBuilder:
        """The site builder over the emulator, in the stack's Regions."""
        return SiteBuilder(self.client, primary_region=self.settings.primary_region,
                           standby_region=self.settings.standby_region)

    def check(self, name: str, passed: bool, detail: str) -> bool:
        """Record an outside check; returns ``passed``."""
        self.result.checks.append(Check(name, bool(passed), detail))
        return bool(passed)

    @property
    def refused_as_expected(self) -> bool:
        """The scenario expects readiness to refuse, it did, and the drill was not forced:
        nothing was failed over, and the checks of a failover do not apply."""
        return bool(self.scenario.readiness_refusal and self.refusal is not None
                    and not self.opts.force)

    def need_data(self) -> DataWorld:
        """The data side. Raises :class:`drill.options.Abort` if it was not built."""
        return _needed(self.data, "the data plane was not started")

    def need_site(self) -> ExistingSite:
        """The site's existing parts. Raises :class:`drill.options.Abort` if not stood up."""
        return _needed(self.site, "the site's existing parts were not stood up")

    def need_deployment(self) -> Deployment:
        """The deployment. Raises :class:`drill.options.Abort` if none."""
        return _needed(self.deployment, "the plan was not deployed")

    def need_failover(self) -> FunctionRuntime:
        """The deployed failover orchestrator. Raises Abort if it was not deployed."""
        return _needed(self.failover_fn, "the failover orchestrator was not deployed")

    def need_backup(self) -> FunctionRuntime:
        """The deployed backup orchestrator. Raises Abort if it was not deployed."""
        return _needed(self.backup_fn, "the backup orchestrator was not deployed")
