"""Run the drill: the steps of :data:`drill.steps.PIPELINE` over one
:class:`drill.context.DrillContext`, each timed on the emulator and counted in AWS API calls
(served by the emulator, and attempted by the handlers' clients), then the measurements.

:func:`run_drill` returns the :class:`drill.result.DrillResult` and writes the report files
(:mod:`drill.report`).
"""

from __future__ import annotations

import contextlib
import time
import traceback
from collections.abc import Iterator
from typing import Any
from unittest import mock

from rich.markup import escape

from drill import aurora
from drill.context import DrillContext
from drill.data import metrics as data_metrics
from drill.data.build import data_dir
from drill.data.world import DataDirInUse, locked_data_dir
from drill.measure import measure
from drill.observe import route53_calls
from drill.options import Abort, DrillError, DrillOptions, StepSkipped
from drill.result import BridgeUse, DrillResult, StepRecord
from drill.step import Step
from drill.steps import PIPELINE
from emulator import cdc_bridges, data_bridges, replica_bridges
from emulator.bridges import BRIDGES, promote_read_replica
from emulator.clock import account_clock
from emulator.faults import instrumented_clients
from emulator.lambda_runtime import clear_caches
from engine.warm import warm_recorder

#: Every bridge the report lists: the emulator gaps, the data plane's, the metrics publisher.
ALL_BRIDGES: dict[str, str] = {**BRIDGES, **data_bridges.BRIDGES, **replica_bridges.BRIDGES,
                               **cdc_bridges.BRIDGES,
                               data_metrics.BRIDGE: data_metrics.BRIDGE_WHY}

_MARKS = {"ok": "[green]✓", "failed": "[red]✗", "skipped": "[yellow]–"}


@contextlib.contextmanager
def _recording(ctx: DrillContext, step: Step) -> Iterator[StepRecord]:
    """The step's record: timing, status, and the calls served and attempted during it."""
    rec = StepRecord(step.name, step.title, started_offset=time.perf_counter() - ctx.t0)
    ctx.result.steps.append(rec)
    task = ctx.progress.add_task(step.title, total=1) if ctx.progress else None
    ctx.client_ledger.step = step.name
    started = time.perf_counter()
    try:
        with ctx.emulator.step(step.name):
            yield rec
    except StepSkipped as s:
        rec.status, rec.detail["skipped"] = "skipped", str(s)
    except BaseException as e:
        rec.status = "failed"
        rec.detail.setdefault("error", f"{type(e).__name__}: {e}".splitlines()[0])
        raise
    finally:
        ledger = ctx.emulator.ledger
        rec.seconds = time.perf_counter() - started
        rec.api_calls = ledger.counts(step.name, by_drill=False)
        rec.harness_calls = ledger.counts(step.name, by_drill=True)
        rec.handler_calls = ctx.client_ledger.counts(step.name)
        rec.throttled = sum(1 for r in ledger.for_step(step.name) if r.throttled)
        ctx.client_ledger.step = "between-steps"
        if ctx.progress and task is not None:
            cause = f" [red]{escape(rec.detail['error'])}" if rec.status == "failed" \
                and rec.detail.get("error") else ""
            ctx.progress.update(task, completed=1, description=(
                f"{_MARKS[rec.status]} {escape(step.title)} [dim]{rec.seconds:.2f} s, "
                f"{sum(rec.api_calls.values())} handler + {sum(rec.harness_calls.values())} drill "
                f"AWS calls{cause}"))


def _run_step(ctx: DrillContext, step: Step) -> None:
    with _recording(ctx, step) as rec:
        step.run(ctx, rec)
    if step.then is not None:
        step.then(ctx)


def _run_setup_step(ctx: DrillContext, step: Step) -> None:
    """A setup step: any error means the drill cannot run (no report)."""
    try:
        _run_step(ctx, step)
    except DrillError:
        raise
    except Exception as e:
        raise DrillError(f"{step.title}: {type(e).__name__}: {e}") from e


def run_steps(ctx: DrillContext, steps: tuple[Step, ...] = PIPELINE) -> None:
    """Run ``steps`` in order. An :class:`Abort` or an unexpected error stops the drill with a
    failing check and a note (what ran so far is reported).

    Raises:
        DrillError: a setup step failed, or a step found the drill cannot run.
    """
    for step in steps:
        if not step.applies(ctx):
            continue
        if step.setup:
            _run_setup_step(ctx, step)
            continue
        try:
            _run_step(ctx, step)
        except DrillError:
            raise
        except Abort as e:
            ctx.result.notes.append(f"drill stopped early: {e}")
            ctx.check("drill ran to the end", False, str(e))
            return
        except Exception as e:  # noqa: BLE001 - an unexpected error fails the drill with a
            # report, rather than losing what ran so far
            ctx.result.notes.append("drill stopped by an error:\n" + traceback.format_exc(limit=6))
            ctx.check("drill ran to the end", False, f"{type(e).__name__}: {e}")
            return


#: Orders (at the drill's order rate) customers may place after each skipped poll wait of a
#: failback, so the write pause is seen by customers and not only skipped.
ORDERS_PER_SKIPPED_WAIT = 2


def _after_skipped_wait(ctx: DrillContext) -> None:
    """During a failback, a skipped wait is time in which customers ordered and the
    replication metrics got their datapoints: let customers place a couple of orders (real
    time) and publish one datapoint now, so the next read sees the state after the wait (the
    drain counts only readings newer than the write pause)."""
    world = ctx.data
    if world is None or not ctx.scenario.failback:
        return
    if world.customers is not None:
        time.sleep(ORDERS_PER_SKIPPED_WAIT / ctx.opts.order_rate)
    if world.publisher is not None:
        with contextlib.suppress(Exception):  # a failed publication is a gap, as in AWS
            world.publisher.publish_now()


@contextlib.contextmanager
def _handler_clock(ctx: DrillContext) -> Iterator[None]:
    """The failover handler runs on the drill's clock (``handlers.failover.clock``, its seam
    for tests): ``now`` reads it, and ``sleep`` (a poll wait between two AWS reads) lets the
    data plane finish work due on the main thread and then *skips* the wait on the clock
    (reported as modelled; it happens inside the modelled promotion term in AWS)."""
    try:
        from handlers.failover import clock
    except ImportError:
        yield
        return

    def sleep(seconds: float) -> None:
        if ctx.data is not None and not ctx.data.jobs.run_pending():
            ctx.data.jobs.wait_idle(30.0)   # another thread: the main thread runs them
        if seconds > 0:
            ctx.clock.advance(seconds, "orchestrator poll wait",
                              "handlers.failover.clock.sleep between two AWS reads; in AWS "
                              "inside the modelled promotion term")
            _after_skipped_wait(ctx)

    with mock.patch.object(clock, "now", ctx.clock.now), mock.patch.object(clock, "sleep", sleep):
        yield


@contextlib.contextmanager
def _progress(ctx: DrillContext, console: Any) -> Iterator[None]:
    if not ctx.opts.progress:
        yield
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        ctx.progress = progress
        yield
    ctx.progress = None


def _teardown(ctx: DrillContext) -> None:
    """Stop everything the drill started, the data plane first (its customers and metrics
    publisher talk to the site and the emulator), whatever happened before."""
    ctx.emulator.storm = None
    try:
        if ctx.data is not None:
            ctx.data.close()
    finally:
        if ctx.site is not None:
            ctx.site.stop()
        ctx.emulator.stop()


def _finish(ctx: DrillContext) -> DrillResult:
    """Measurements and ledgers into the result."""
    r, ledger = ctx.result, ctx.emulator.ledger
    measure(ctx)
    gate = r.step("policy-gate")
    if gate is not None and gate.status == "skipped":
        r.notes.append("the policy gate was turned off for this run")
    r.api_requests_total = len(ledger.requests)
    r.route53_failover_calls, r.route53_handler_calls = route53_calls(ctx, "failover")
    r.bridges = [BridgeUse(n, why, ctx.bridges.counts.get(n, 0),
                           [a for a in ctx.bridges.actions if a.startswith(f"[{n}]")][:20])
                 for n, why in {**ALL_BRIDGES, **aurora.bridges(ctx)}.items()]
    if r.deployment is None:   # a DR cycle kept the deploy step's (its phases: r.cycle)
        r.deployment = ctx.deployment.summary() if ctx.deployment else None
    r.clock_skips = [skip.to_dict(ctx.t0_wall) for skip in ctx.clock.skips]
    if ctx.data is not None:
        r.data_plane_seconds = {k: round(v, 3) for k, v in ctx.data.seconds.items()}
    r.wall_seconds = time.perf_counter() - ctx.t0
    return r


def run_drill(opts: DrillOptions, console: Any = None) -> DrillResult:
    """Run one drill and write its reports (unless ``opts.reports_dir`` is None).

    Returns:
        The :class:`drill.result.DrillResult`; ``result.verdict`` is ``pass`` or ``fail``.

    Raises:
        DrillError: it cannot run (bad config, another drill uses its data directory, policy
            gate failed, the emulator did not start).
        ValueError: unknown scenario.
    """
    ctx = DrillContext.create(opts)
    try:
        with locked_data_dir(data_dir(opts)):
            return _run_locked(ctx, console)
    except DataDirInUse as e:
        raise DrillError(f"the drill cannot start: {e}") from None


def _run_locked(ctx: DrillContext, console: Any) -> DrillResult:
    opts = ctx.opts
    ctx.t0 = time.perf_counter()
    ctx.t0_wall = ctx.clock.now()
    assert ctx.data_bridge is not None
    try:
        with _progress(ctx, console), instrumented_clients(ctx.client_ledger, ctx.faults), \
                promote_read_replica(ctx.bridges), aurora.global_bridges(ctx), \
                data_bridges.data_plane_bridges(ctx.data_bridge, ctx.bridges), \
                account_clock(ctx.clock.now), _handler_clock(ctx), warm_recorder():
            try:
                run_steps(ctx)
            finally:
                _teardown(ctx)
    finally:
        ctx.client_ledger.step = "report"
        # The handlers' per-container caches now hold clients bound to the stopped emulator
        # and settings from its environment: leave the process as found.
        clear_caches()
    result = _finish(ctx)
    if opts.reports_dir is not None:
        from drill.report import write

        write(result, opts.reports_dir)
    return result
