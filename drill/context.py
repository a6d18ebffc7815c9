"""The drill's explicit state, handed to every step (:class:`DrillContext`).

Steps read what earlier steps set (``site``, ``deployment``, the function runtimes...) and
write their findings into :attr:`DrillContext.result`; nothing is shared any other way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from components.settings import DrSettings
from contract.strategies import StrategySpec
from drill.apply.common import Deployment
from drill.options import Abort, DrillOptions, drill_config
from drill.result import Check, DrillResult
from drill.scenarios import Scenario
from drill.scenarios import get as get_scenario
from emulator.bridges import BridgeLog
from emulator.faults import Faults
from emulator.lambda_runtime import FunctionRuntime
from emulator.ledger import ClientLedger
from emulator.server import Emulator
from emulator.site import ExistingSite, SiteBuilder
from engine.plan import Plan


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
        clock_offset: seconds the failover handler's clock runs ahead (simulated waits).
        failure_injected_at, failover_done_at: ``perf_counter`` marks (0: not yet).
        gate_evaluations: the alarm-evaluation bridge's passes over the gate, per invocation.
        progress: a ``rich.progress.Progress`` while it runs on a terminal, else None.
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
    clock_offset: float = 0.0
    failure_injected_at: float = 0.0
    failover_done_at: float = 0.0
    gate_evaluations: list[dict[str, Any]] = field(default_factory=list)
    progress: Any = None

    @classmethod
    def create(cls, opts: DrillOptions) -> DrillContext:
        """A fresh context for ``opts``.

        Raises:
            DrillError: invalid stack config (the message names each key).
            ValueError: unknown scenario.
        """
        scenario = get_scenario(opts.scenario)
        settings, overrides = drill_config(opts)
        result = DrillResult(stack=opts.stack, scenario=scenario.name,
                             scenario_description=scenario.description,
                             strategy=str(settings.database.strategy),
                             started_at=dt.datetime.now(dt.UTC))
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

    def need_site(self) -> ExistingSite:
        """The site's existing parts. Raises :class:`drill.options.Abort` if not stood up."""
        if self.site is None:
            raise Abort("the site's existing parts were not stood up")
        return self.site

    def need_deployment(self) -> Deployment:
        """The deployment. Raises :class:`drill.options.Abort` if none."""
        if self.deployment is None:
            raise Abort("the plan was not deployed")
        return self.deployment

    def need_failover(self) -> FunctionRuntime:
        """The deployed failover orchestrator. Raises Abort if it was not deployed."""
        if self.failover_fn is None:
            raise Abort("the failover orchestrator was not deployed")
        return self.failover_fn

    def need_backup(self) -> FunctionRuntime:
        """The deployed backup orchestrator. Raises Abort if it was not deployed."""
        if self.backup_fn is None:
            raise Abort("the backup orchestrator was not deployed")
        return self.backup_fn
