"""Runs one failover under the lock, step by step, resuming where a previous invocation
stopped.

A failover is started or resumed by any trigger (watchdog tick, alarm, operator). Each step
records its start, end, outcome and detail in the state table before the next begins, so a
crashed or timed-out invocation is resumed by the next trigger (the watchdog ticks every
minute) at the first step that has not finished. Before each step the remaining Lambda time
is compared with the step's budget; if it is short the invocation returns ``in-progress``
(Lambda's longest timeout is 900 s: AWS Lambda Developer Guide, "Lambda quotas",
https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).

The lock's short lease is kept alive by a heartbeat (:mod:`handlers.failover.lease`) that is
started once the lock is taken and always stopped before this module returns or raises. If
the lock is lost, the run stops before the next step (or poll) and writes nothing more:
status ``lock-lost``.

A step that keeps failing is retried on every trigger and every attempt is recorded, but
its SNS alert goes out on the first failure and then at most once per
ALERT_REPEAT_SECONDS per failover and step (``step_alerts`` in the failover record). An
error text is kept to MAX_ERROR_CHARS in the record (DynamoDB items hold at most 400 KB:
Amazon DynamoDB Developer Guide, "Service, account, and table quotas in Amazon DynamoDB",
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html), and an
alert too long for SNS is cut (:func:`handlers.shared.alerts.fit_message`), so a failure is
always recorded and always alerted.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from contract.names import Metric
from handlers.failover import clock, old_writer, phase
from handlers.failover.context import COMPLETION_NOTES, StepContext, StepResult
from handlers.failover.lease import Heartbeat, LockLost, locked_run
from handlers.failover.observability import count, logger, seconds
from handlers.failover.records import (
    FailoverRecord,
    FalsePositive,
    StepAlerts,
    StepRecord,
    Trigger,
)
from handlers.failover.settings import FailoverSettings
from handlers.failover.state import StateStore
from handlers.failover.steps import STEPS
from handlers.shared.alerts import clip_text, publish_alert
from handlers.shared.aws import ClientFactory

DONE = ("ok", "skipped")
#: Seconds between two alerts for the same failing step of one failover (the first failure
#: always alerts). 15 min: an on-call engineer acknowledges within that, and a standby that
#: stays unhealthy for an hour pages 4 times instead of 60 (the watchdog ticks each minute).
ALERT_REPEAT_SECONDS = 900.0
#: Longest error text kept in the failover record, characters (an exception message can be
#: any length; two of them, the step's and ``last_error``, must fit one DynamoDB item).
MAX_ERROR_CHARS = 2000


def new_failover_id() -> str:
    return f"fo-{clock.iso().replace(':', '').replace('-', '')[:15]}-{uuid.uuid4().hex[:8]}"


def alert(settings: FailoverSettings, clients: ClientFactory, subject: str,
          body: dict[str, Any], *, record: str = "failover") -> dict[str, str]:
    """SNS alert in every Region's topic that can be reached; a body too long for SNS points
    at the full text in the state table's ``record`` item (``failover`` or ``failback``).

    Returns:
        Region -> ``sent`` or the error, as :func:`handlers.shared.alerts.publish_alert`.
    """
    return publish_alert(settings.alert_topic_arns, f"[{settings.stack_name}] {subject}", body,
                         lambda region: clients("sns", region),
                         full_text=f"the {record} record (pk '{record}') of state table "
                                   f"{settings.state_table_name}")


def summary(record: FailoverRecord) -> list[dict[str, Any]]:
    """The steps of ``record`` in order, as a timeline: ``[{"step": name, <set fields of
    StepRecord.TIMELINE>}, ...]``."""
    return [{"step": name, **record.steps[name].timeline()}
            for name in STEPS if name in record.steps]


def _result(record: FailoverRecord, **extra: Any) -> dict[str, Any]:
    return {"status": record.status, "failover_id": record.failover_id,
            "trigger": record.trigger, "current_step": record.current_step,
            "steps": summary(record), **extra}


def run_failover(settings: FailoverSettings, clients: ClientFactory, store: StateStore, *,
                 trigger: Trigger, reason: str, force: bool, owner: str,
                 remaining_seconds: Callable[[], float]) -> dict[str, Any]:
    """Start or resume the failover; never runs two at once.

    Returns:
        ``{"status": ..., "failover_id": ..., "steps": [...], ...}`` where status is one of
        ``completed``, ``in-progress`` (resume later), ``step-failed`` (retried on the next
        trigger), ``not-ready``, ``false-positive``, ``locked`` (another invocation runs it),
        ``already-failed-over`` (the gate is tripped; only failback releases it),
        ``lock-lost`` (the lock's lease was lost mid-run; the holder resumes it),
        ``failback-in-progress`` (a failback runs: no failover until it ends),
        ``standby-is-old-writer`` (a failback completed and the standby is still its old
        writer: :mod:`handlers.failover.old_writer`).
    """
    blocked = _failback_in_progress(store)
    if blocked is not None:
        return blocked
    current = store.failover()
    in_progress = current is not None and current.status == "in-progress"
    if not in_progress and not force:   # a forced run is alerted once, under the lock
        stale = _old_writer(settings, clients, store, force)
        if stale is not None:
            return stale
    if not in_progress and store.gate().tripped:
        return {"status": "already-failed-over", "failover_id": store.gate().failover_id,
                "steps": []}
    lock_for = current.failover_id if current is not None and in_progress else "new"

    def run(heartbeat: Heartbeat) -> dict[str, Any]:
        return _run_locked(settings, clients, store, trigger=trigger, reason=reason,
                           force=force, remaining_seconds=remaining_seconds, lease=heartbeat)

    def record_id() -> dict[str, Any]:
        record = store.failover()
        return {"failover_id": record and record.failover_id}

    return locked_run(store, owner, lock_for, run, what="failover", record_id=record_id,
                      locked_key="failover_id")


def _failback_in_progress(store: StateStore) -> dict[str, Any] | None:
    """The answer when a failback is in progress (no failover may start beside it), or None."""
    failback = store.failback()
    if failback is None or failback.status != "in-progress":
        return None
    logger.info("failover refused: a failback is in progress",
                extra={"failback_id": failback.failback_id})
    return {"status": "failback-in-progress", "failback_id": failback.failback_id,
            "current_step": failback.current_step, "steps": []}


def _old_writer(settings: FailoverSettings, clients: ClientFactory, store: StateStore,
                force: bool) -> dict[str, Any] | None:
    return old_writer.refusal(settings, store, force=force,
                              alert=lambda subject, body: alert(settings, clients, subject, body,
                                                                record="failback"))


def _start_or_resume(store: StateStore, *, trigger: Trigger, reason: str,
                     force: bool) -> tuple[FailoverRecord | None, bool]:
    """Under the lock: the record to run and whether it is resumed; ``(None, False)`` when
    the gate is tripped and nothing is in progress (another run finished in between)."""
    record = store.failover()
    if record is not None and record.status == "in-progress":
        logger.info("failover resumed", extra={"failover_id": record.failover_id,
                                               "current_step": record.current_step})
        # An operator's force applies to the resumed run as well.
        record.force = record.force or force
        return record, True
    if store.gate().tripped:
        return None, False
    now = clock.now()
    record = FailoverRecord(failover_id=new_failover_id(), status="in-progress", trigger=trigger,
                            reason=reason, force=force, started_at=clock.iso(now),
                            started_epoch=now, current_step="verify_failure")
    logger.info("failover started", extra={"failover_id": record.failover_id,
                                           "trigger": trigger, "reason": reason})
    return record, False


def _run_locked(settings: FailoverSettings, clients: ClientFactory, store: StateStore, *,
                trigger: Trigger, reason: str, force: bool,
                remaining_seconds: Callable[[], float], lease: Heartbeat) -> dict[str, Any]:
    # Re-read under the lock: another invocation may have finished, or a failback started.
    blocked = _failback_in_progress(store)
    if blocked is not None:
        return blocked
    current = store.failover()
    if current is None or current.status != "in-progress":
        stale = _old_writer(settings, clients, store, force)
        if stale is not None:
            return stale
    record, resumed = _start_or_resume(store, trigger=trigger, reason=reason, force=force)
    if record is None:
        return {"status": "already-failed-over", "failover_id": store.gate().failover_id,
                "steps": []}
    record.invocations += 1
    store.save_failover(record)
    for name, step_fn in STEPS.items():
        if name in record.steps and record.steps[name].outcome in DONE:
            continue
        lease.check()  # never start a step without the lock
        budget = settings.budget(name)
        if remaining_seconds() < budget:
            logger.info("pausing: less Lambda time left than the next step's budget",
                        extra={"step": name, "budget_seconds": budget})
            return _result(record, resumed=resumed, paused_before=name)
        ctx = StepContext(settings=settings, clients=clients, store=store, record=record,
                          force=record.force, remaining_seconds=remaining_seconds, lease=lease)
        stopped = _run_step(ctx, name, step_fn, budget, resumed)
        if stopped is not None:
            return stopped
    return _complete(settings, clients, store, record, resumed)


def _run_step(ctx: StepContext, name: str, step_fn: Callable[[StepContext], StepResult],
              budget: int, resumed: bool) -> dict[str, Any] | None:
    """Run one step and record it; the invocation's result when the run stops here
    (failed, paused, aborted), else None."""
    record, store, settings = ctx.record, ctx.store, ctx.settings
    started = clock.now()
    step = record.step(name)
    step.started_at = step.started_at or clock.iso(started)
    step.started_epoch = step.started_epoch or started
    step.outcome, step.budget_seconds, step.attempts = "in-progress", budget, step.attempts + 1
    step.error = None
    record.current_step = name
    store.save_failover(record)
    try:
        res = step_fn(ctx)
    except LockLost:
        raise
    except Exception as e:  # recorded and retried on the next trigger
        logger.exception("failover step failed", extra={"step": name})
        ctx.check_lease()  # the record is the holder's to write
        _account(step, started, ctx)
        error = clip_text(f"{type(e).__name__}: {e}", MAX_ERROR_CHARS)
        step.outcome, step.error = "failed", error
        step.ended_at, step.failures = clock.iso(), (step.failures or 0) + 1
        record.last_error = f"{name}: {error}"
        store.save_failover(record)
        count(Metric.ORCHESTRATOR_ERROR)
        _alert_step_failed(settings, ctx.clients, record, name)
        store.save_failover(record)
        return _result(record, resumed=resumed, error=record.last_error) | {
            "status": "step-failed"}
    ctx.check_lease()  # the step's outcome is the holder's to write
    _account(step, started, ctx)
    step.detail = res.detail
    if res.outcome == "paused":
        step.outcome = "paused"
        store.save_failover(record)
        return _result(record, resumed=resumed)
    _end_step(settings, step, name, res)
    if res.outcome == "aborted":
        return _abort(settings, ctx.clients, store, record, res, resumed)
    store.save_failover(record)
    return None


def _alert_step_failed(settings: FailoverSettings, clients: ClientFactory,
                       record: FailoverRecord, name: str) -> None:
    """Alert on the step's first failure, then at most once per ALERT_REPEAT_SECONDS; a
    suppressed alert is counted in ``record.step_alerts[name].suppressed``. An alert that
    reached no Region does not count as sent, so the next failure tries again."""
    now = clock.now()
    seen = record.step_alerts.setdefault(name, StepAlerts())
    if not seen.due(now, ALERT_REPEAT_SECONDS):
        logger.info("step failure alert suppressed (sent one recently)",
                    extra={"step": name, "last_sent_at": seen.last_sent_at,
                           "repeat_seconds": ALERT_REPEAT_SECONDS})
        return
    record.alerts = alert(settings, clients, f"Failover step {name} failed",
                          {"failover_id": record.failover_id, "error": record.last_error,
                           "failures": record.steps[name].failures or 1,
                           "suppressed_since_last_alert": seen.suppressed,
                           "timeline": summary(record),
                           "next": "retried on the next watchdog tick or invocation; "
                                   f"repeated at most every {ALERT_REPEAT_SECONDS:g} s"})
    seen.sent_now(now, clock.iso(now), record.alerts)


def _account(step: StepRecord, started: float, ctx: StepContext) -> None:
    elapsed = clock.now() - started
    step.wait_seconds = round((step.wait_seconds or 0.0) + ctx.waited_seconds, 3)
    step.own_seconds = round((step.own_seconds or 0.0)
                             + max(0.0, elapsed - ctx.waited_seconds), 3)


def _end_step(settings: FailoverSettings, step: StepRecord, name: str,
              res: StepResult) -> None:
    now = clock.now()
    step.outcome = res.outcome
    step.ended_at = clock.iso(now)
    step.duration_seconds = round(now - (step.started_epoch or now), 3)
    step.over_budget = (step.own_seconds or 0.0) > settings.budget(name)
    if step.over_budget:
        logger.warning("step exceeded its budget", extra={"step": name,
                                                          "own_seconds": step.own_seconds})
    seconds(Metric.STEP_DURATION, step.duration_seconds, settings.stack_name, Step=name)


def _abort(settings: FailoverSettings, clients: ClientFactory, store: StateStore,
           record: FailoverRecord, res: StepResult, resumed: bool) -> dict[str, Any]:
    record.status, record.completed_at = res.status or "not-ready", clock.iso()
    if res.status == "false-positive":
        count(Metric.FALSE_POSITIVE)
        store.log(FalsePositive(failover_id=record.failover_id, trigger=record.trigger,
                                detail=res.detail))
        logger.warning("false positive: no failover", extra={"detail": res.detail})
    else:
        logger.error("standby not ready: no promotion", extra={"detail": res.detail})
        record.alerts = alert(settings, clients, "Failover stopped: standby not ready",
                              {"failover_id": record.failover_id,
                               "reasons": res.detail.get("not_ready", []),
                               "detail": res.detail, "timeline": summary(record),
                               "next": "fix the standby, or invoke with force=true"})
    store.save_failover(record, archive=True)
    return _result(record, resumed=resumed, detail=res.detail)


def _complete(settings: FailoverSettings, clients: ClientFactory, store: StateStore,
              record: FailoverRecord, resumed: bool) -> dict[str, Any]:
    now = clock.now()
    record.status, record.completed_at = "completed", clock.iso(now)
    record.duration_seconds = round(now - record.started_epoch, 3)
    store.save_failover(record)
    seconds(Metric.FAILOVER_DURATION, record.duration_seconds, settings.stack_name)
    hint = phase.after_failover(settings).as_dict()
    record.alerts = alert(settings, clients, "Failover to the standby Region completed",
                          {"failover_id": record.failover_id, "trigger": record.trigger,
                           "reason": record.reason, "standby_region": settings.standby_region,
                           "duration_seconds": record.duration_seconds,
                           "timeline": summary(record), "phase": hint,
                           **({"next": record.notes[COMPLETION_NOTES]}
                              if COMPLETION_NOTES in record.notes else {})})
    store.save_failover(record, archive=True)
    logger.info("failover completed", extra={"failover_id": record.failover_id,
                                             "duration_seconds": record.duration_seconds})
    return _result(record, resumed=resumed, duration_seconds=record.duration_seconds,
                   alerts=record.alerts, phase=hint)
