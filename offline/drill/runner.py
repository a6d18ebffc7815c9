"""The drill itself: policy gate, emulator and site, deploy the plan, back up, break the
primary, fail over through the real triggers, verify from outside, report.

:func:`run_drill` returns the report dict (see :mod:`offline.drill.report`) and writes the
report files. Each step is timed on the emulator (``measured``) and counted in AWS API calls
(served by the emulator, and attempted by the handlers' clients).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterator
from typing import Any
from unittest import mock

from . import scenarios as scenario_defs
from .applier import Deployment
from .bridges import BridgeLog, promotion_bridge
from .emulator import Emulator
from .failure_steps import FailureSteps
from .instrument import ClientLedger, Faults, instrumented_clients
from .records import (
    ROOT,
    Abort,
    Check,
    DrillError,
    DrillOptions,
    StepRecord,
    StepSkipped,
    drill_config,
)
from .runtime import FunctionRuntime, clear_caches
from .setup_steps import SetupSteps
from .site import Site
from .verify_steps import VerifySteps

__all__ = ["ROOT", "Check", "Drill", "DrillError", "DrillOptions", "StepRecord", "run_drill"]


class Drill(SetupSteps, FailureSteps, VerifySteps):
    """One drill run (use :func:`run_drill`)."""

    def __init__(self, opts: DrillOptions, console: Any = None) -> None:
        self.opts = opts
        self.scenario = scenario_defs.get(opts.scenario)
        self.settings, self.overrides = drill_config(opts)
        self.strategy = self.settings.database.strategy
        self.emulator = Emulator()
        self.client_ledger = ClientLedger()
        self.faults = Faults()
        self.bridges = BridgeLog()
        self.steps: list[StepRecord] = []
        self.checks: list[Check] = []
        self.notes: list[str] = []
        self.missing: list[str] = []
        self.modelled_waits: list[dict[str, Any]] = []
        self.site: Site | None = None
        self.deployment: Deployment | None = None
        self.failover_fn: FunctionRuntime | None = None
        self.backup_fn: FunctionRuntime | None = None
        self.backup_result: dict[str, Any] | None = None
        self.invocations: list[dict[str, Any]] = []
        self.queues: dict[str, str] = {}
        self.t0 = 0.0
        self.failure_injected_at = 0.0
        self.failover_done_at = 0.0
        self.failover_status = "not-run"
        self.clock_offset = 0.0
        self.console = console
        self._progress: Any = None
        self.plan_resources = 0
        self.recovery_point: dict[str, Any] = {}
        self._gate_evaluations: list[dict[str, Any]] = []

    # -- plumbing ---------------------------------------------------------------------------
    def client(self, service: str, region: str) -> Any:
        return self.emulator.client(service, region)

    @contextlib.contextmanager
    def step(self, name: str, title: str) -> Iterator[StepRecord]:
        rec = StepRecord(name, title, started_offset=time.perf_counter() - self.t0)
        self.steps.append(rec)
        task = self._progress.add_task(title, total=1) if self._progress else None
        self.client_ledger.step = name
        started = time.perf_counter()
        try:
            with self.emulator.step(name):
                yield rec
        except StepSkipped as s:
            rec.status, rec.detail["skipped"] = "skipped", str(s)
        except Exception:
            rec.status = "failed"
            raise
        finally:
            rec.seconds = time.perf_counter() - started
            rec.api_calls = self.emulator.ledger.counts(name, by_drill=False)
            rec.harness_calls = self.emulator.ledger.counts(name, by_drill=True)
            rec.handler_calls = self.client_ledger.counts(name)
            rec.throttled = sum(1 for r in self.emulator.ledger.for_step(name) if r.throttled)
            self.client_ledger.step = "between-steps"
            if self._progress and task is not None:
                mark = {"ok": "[green]✓", "failed": "[red]✗", "skipped": "[yellow]–"}[rec.status]
                self._progress.update(task, completed=1,
                                      description=f"{mark} {title} [dim]{rec.seconds:.2f} s, "
                                                  f"{sum(rec.api_calls.values())}+"
                                                  f"{sum(rec.harness_calls.values())} calls")

    def check(self, name: str, passed: bool, detail: str) -> bool:
        self.checks.append(Check(name, bool(passed), detail))
        return bool(passed)

    # -- the run ----------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        from . import report

        self.t0 = time.perf_counter()
        started_at = dt.datetime.now(dt.UTC)
        progress_cm = contextlib.nullcontext()
        if self.opts.progress:
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                      TimeElapsedColumn(), console=self.console, transient=False)
            progress_cm = self._progress
        try:
            with progress_cm, instrumented_clients(self.client_ledger, self.faults), \
                    promotion_bridge(self.bridges), self._handler_clock():
                self._policy_gate()
                with self.step("emulator", "Start the emulator and the site's existing parts"):
                    self._start()
                try:
                    self._deploy()
                    if self.missing:
                        raise Abort("the plan lacks resources the drill needs: "
                                     + "; ".join(self.missing))
                    self._baseline()
                    self._backup()
                    self._inject()
                    self._failover()
                    self._verify()
                    if self.scenario.primary_recovers:
                        self._primary_recovers()
                except Abort as e:
                    self.notes.append(f"drill stopped early: {e}")
                    self.check("drill ran to the end", False, str(e))
                except DrillError:
                    raise
                except Exception as e:  # noqa: BLE001 - an unexpected error fails the drill
                    # with a report, rather than losing what ran so far
                    import traceback

                    self.notes.append("drill stopped by an error:\n" + traceback.format_exc(limit=6))
                    self.check("drill ran to the end", False, f"{type(e).__name__}: {e}")
                finally:
                    self.emulator.storm = None
                    if self.site:
                        self.site.stop()
                    self.emulator.stop()
        finally:
            self.client_ledger.step = "report"
            # The handlers' per-container caches now hold clients bound to the stopped
            # emulator and settings from its environment: leave the process as found.
            clear_caches()
        return report.build(self, started_at=started_at,
                            wall_seconds=time.perf_counter() - self.t0)

    @contextlib.contextmanager
    def _handler_clock(self) -> Iterator[None]:
        """Let the drill move the failover handler's clock forward (a simulated wait, e.g.
        for a crashed holder's lock lease to expire); every jump is reported as modelled."""
        try:
            from handlers.failover import clock
        except ImportError:
            yield
            return
        real = time.time
        with mock.patch.object(clock, "now", lambda: real() + self.clock_offset):
            yield


def run_drill(opts: DrillOptions, console: Any = None) -> dict[str, Any]:
    """Run one drill and write its reports (unless ``opts.reports_dir`` is None).

    Returns:
        The report (see :mod:`offline.drill.report`); ``report["verdict"]`` is ``pass`` or
        ``fail``.

    Raises:
        DrillError: it cannot run (bad config, policy gate failed, a piece missing).
        ValueError: unknown scenario.
    """
    from . import report

    drill = Drill(opts, console)
    result = drill.run()
    if opts.reports_dir is not None:
        report.write(result, opts.reports_dir)
    return result
