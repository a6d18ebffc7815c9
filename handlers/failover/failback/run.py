"""Runs one failback under the lock, step by step (:mod:`handlers.failover.failback.steps`),
resuming where a previous invocation stopped.

The operator starts it (``{"action": "failback", "reason": ...}``); it is never started by
anything else. Once started, an invocation that runs out of Lambda time (a step starts only
with its budget left, :data:`contract.names.FAILBACK_STEP_BUDGETS_SECONDS`) or crashes is
resumed by the operator's next failback invocation or by the next watchdog tick (writes are
paused meanwhile, so the switchover must not wait for a person). Each step records its start,
end, outcome and detail in the failback record (``pk = "failback"``) before the next begins.

It takes the same lock as the failover, kept alive by the same heartbeat
(:mod:`handlers.failover.lease`): one failover or failback at a time. While a failback is in
progress no failover starts (:func:`handlers.failover.runner.run_failover` answers
``failback-in-progress``), and no failback starts while a failover is in progress.

A failing step is retried on the next invocation; its alert goes out on the first failure and
then at most once per ``runner.ALERT_REPEAT_SECONDS`` (``step_alerts``), as the failover's.
Completion and abort alert too; a refusal does not (nothing changed: the answer says why).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from contract.names import FAILBACK_STEP_BUDGETS_SECONDS, FAILBACK_STEPS, Metric
from handlers.failover import clock, phase, runner
from handlers.failover.failback.context import FailbackContext
from handlers.failover.failback.reverse import ReverseOps, load
from handlers.failover.failback.steps import STEPS, abort
from handlers.failover.lease import Heartbeat, LockLost, locked_run
from handlers.failover.observability import count, logger
from handlers.failover.records import FailbackAttempt, FailbackRecord, StepAlerts, StepRecord
from handlers.failover.runner import ALERT_REPEAT_SECONDS, MAX_ERROR_CHARS
from handlers.failover.settings import FailoverSettings
from handlers.failover.state import StateStore
from handlers.shared.alerts import clip_text
from handlers.shared.aws import ClientFactory
from rto_rpo.figures import LAMBDA_MAX_TIMEOUT_SECONDS

assert tuple(STEPS) == FAILBACK_STEPS, "failback step order must match contract.names"

#: Result status -> FailbackAttempt outcome (``locked`` and ``lock-lost`` are not logged:
#: that invocation did nothing).
_OUTCOMES = {"failed-back": "released", "failback-refused": "refused",
             "failback-in-progress": "in-progress", "failback-step-failed": "step-failed",
             "failback-aborted": "aborted"}


def new_failback_id() -> str:
    return f"fb-{clock.iso().replace(':', '').replace('-', '')[:15]}-{uuid.uuid4().hex[:8]}"


def timeline(record: FailbackRecord) -> list[dict[str, Any]]:
    """The steps of ``record`` in order: ``[{"step": name, <set fields of
    StepRecord.TIMELINE>}, ...]``."""
    return [{"step": name, **record.steps[name].timeline()}
            for name in FAILBACK_STEPS if name in record.steps]


def _in_progress(record: FailbackRecord | None) -> bool:
    return record is not None and record.status == "in-progress"


def _precondition(store: StateStore) -> str | None:
    """Why no failback may start now, or None."""
    if not store.gate().tripped:
        return "the gate is not tripped: there is nothing to fail back"
    current = store.failover()
    if current is not None and current.status == "in-progress":
        return f"failover {current.failover_id} is still in progress"
    return None


def _refusal(store: StateStore, refusal: str) -> dict[str, Any]:
    return {"status": "failback-refused", "reason": refusal,
            "gate": 1 if store.gate().tripped else 0}


def failback(settings: FailoverSettings, clients: ClientFactory, store: StateStore, *,
             reason: str, owner: str,
             remaining_seconds: Callable[[], float] = lambda: LAMBDA_MAX_TIMEOUT_SECONDS
             ) -> dict[str, Any]:
    """Start or resume the failback; never two at once, never beside a failover.

    Returns:
        ``{"status": ..., ...}`` where status is ``failed-back`` (with ``phase``: what to set
        next), ``failback-refused`` (``{"status", "reason", "gate"}`` only: nothing changed),
        ``failback-in-progress`` (resume later), ``failback-step-failed`` (retried),
        ``failback-aborted`` (writes given back to the standby; nothing promoted), ``locked``
        (another invocation holds the lock) or ``lock-lost``.

    Raises:
        botocore.exceptions.ClientError / BotoCoreError: the state table cannot be read or
            written (nothing else is done then).
    """
    current = store.failback()
    if not _in_progress(current):
        refusal = _precondition(store)
        if refusal is not None:
            return _log(store, _refusal(store, refusal), reason)
    lock_for = current.failback_id if current is not None and _in_progress(current) else "failback"

    def run(heartbeat: Heartbeat) -> dict[str, Any]:
        return _run_locked(settings, clients, store, reason=reason,
                           remaining_seconds=remaining_seconds, lease=heartbeat)

    def record_id() -> dict[str, Any]:
        record = store.failback()
        return {"failback_id": record and record.failback_id}

    result = locked_run(store, owner, lock_for, run, what="failback", record_id=record_id)
    if result["status"] in ("locked", "lock-lost"):
        return result
    return _log(store, result, reason)


def supersede(settings: FailoverSettings, clients: ClientFactory, store: StateStore, *,
              reason: str, owner: str) -> dict[str, Any] | None:
    """The operator's forced failover while a failback is in progress (e.g. the primary Region
    failed again mid-switchover, so the failback can neither finish nor abort by itself): the
    failback ends ``aborted`` and, while the gate is still tripped, the standby's write switch
    is opened again (its database has every write: writes were paused in both Regions from
    ``pause_writes`` on, so a promoted reverse replica took none). Everything it touches is in
    the standby Region.

    Returns:
        the answer (``failback-aborted``, ``locked`` or ``lock-lost``); None when no failback
        is in progress, or when its ``release`` had already moved the gate (the failback is
        ended and the forced failover runs as usual).

    Raises:
        botocore.exceptions.ClientError / BotoCoreError: the standby Region's state table or
            write switch failed (nothing is ended then; the operator may invoke again).
    """
    current = store.failback()
    if not _in_progress(current):
        return None
    assert current is not None
    why = f"superseded by the operator's forced failover: {reason}"

    def run(heartbeat: Heartbeat) -> dict[str, Any]:
        record = store.failback()
        if not _in_progress(record):
            return {"status": "no-failback"}
        assert record is not None
        ctx = FailbackContext(settings=settings, clients=clients, store=store, record=record,
                              remaining_seconds=lambda: LAMBDA_MAX_TIMEOUT_SECONDS,
                              lease=heartbeat)
        if not store.gate().tripped:
            record.abort_reason = why
            _finish(record, "aborted")
            store.save_failback(record, archive=True)
            return {"status": "no-failback"}
        abort(ctx, why, {})
        return _end_aborted(ctx, why)

    def record_id() -> dict[str, Any]:
        return {"failback_id": current.failback_id}

    result = locked_run(store, owner, current.failback_id, run, what="failback",
                        record_id=record_id)
    if result["status"] == "no-failback":
        return None
    if result["status"] == "failback-aborted":
        _log(store, result, why)
    return result


def _log(store: StateStore, result: dict[str, Any], reason: str) -> dict[str, Any]:
    outcome = _OUTCOMES.get(result["status"])
    if outcome is not None:
        store.log(FailbackAttempt(
            outcome=outcome, reason=reason, failback_id=result.get("failback_id"),
            refusal=result["reason"] if outcome == "refused" else None,
            failover_id=result.get("failover_id") or store.gate().failover_id))
    return result


def _new_record(settings: FailoverSettings, store: StateStore, reason: str) -> FailbackRecord:
    now = clock.now()
    record = FailbackRecord(failback_id=new_failback_id(), failover_id=store.gate().failover_id,
                            status="in-progress", reason=reason, phase=str(settings.failover_phase),
                            started_at=clock.iso(now), started_epoch=now,
                            current_step=FAILBACK_STEPS[0])
    logger.info("failback started", extra={"failback_id": record.failback_id, "reason": reason})
    return record


def _run_locked(settings: FailoverSettings, clients: ClientFactory, store: StateStore, *,
                reason: str, remaining_seconds: Callable[[], float],
                lease: Heartbeat) -> dict[str, Any]:
    record = store.failback()  # again, under the lock: another invocation may have ended it
    if not _in_progress(record):
        refusal = _precondition(store)
        if refusal is not None:
            return _refusal(store, refusal)
        record = _new_record(settings, store, reason)
    assert record is not None
    record.invocations += 1
    store.save_failback(record)
    ops = load(settings.db_strategy)
    for name in FAILBACK_STEPS:
        if name in record.steps and record.steps[name].outcome == "ok":
            continue
        lease.check()  # never start a step without the lock
        budget = FAILBACK_STEP_BUDGETS_SECONDS[name]
        if remaining_seconds() < budget:
            logger.info("pausing: less Lambda time left than the next step's budget",
                        extra={"step": name, "budget_seconds": budget})
            return _progress(store, record, paused_before=name)
        ctx = FailbackContext(settings=settings, clients=clients, store=store, record=record,
                              remaining_seconds=remaining_seconds, lease=lease)
        stopped = _run_step(ctx, name, ops, budget)
        if stopped is not None:
            return stopped
    return _complete(settings, clients, store, record)


def _account(step: StepRecord, started: float, ctx: FailbackContext) -> None:
    elapsed = clock.now() - started
    step.wait_seconds = round((step.wait_seconds or 0.0) + ctx.waited_seconds, 3)
    step.own_seconds = round((step.own_seconds or 0.0)
                             + max(0.0, elapsed - ctx.waited_seconds), 3)


def _start_step(ctx: FailbackContext, name: str, budget: int) -> StepRecord:
    now = clock.now()
    step = ctx.record.step(name)
    step.started_at = step.started_at or clock.iso(now)
    step.started_epoch = step.started_epoch or now
    step.outcome, step.budget_seconds, step.attempts = "in-progress", budget, step.attempts + 1
    step.error = None
    ctx.record.current_step = name
    ctx.save()
    return step


def _run_step(ctx: FailbackContext, name: str, ops: ReverseOps,
              budget: int) -> dict[str, Any] | None:
    """Run one step and record it; the invocation's result when the run stops here, else
    None."""
    record, store = ctx.record, ctx.store
    started = clock.now()
    step = _start_step(ctx, name, budget)
    try:
        res = STEPS[name](ctx, ops)
    except LockLost:
        raise
    except Exception as e:  # recorded and retried on the next invocation
        logger.exception("failback step failed", extra={"step": name})
        ctx.check_lease()  # the record is the holder's to write
        return _failed(ctx, name, step, started, e)
    ctx.check_lease()
    _account(step, started, ctx)
    step.detail = res.detail
    if res.outcome == "paused":
        step.outcome = "paused"
        ctx.save()
        return _progress(store, record)
    now = clock.now()
    step.outcome = "ok" if res.outcome == "ok" else "aborted"
    step.ended_at = clock.iso(now)
    step.duration_seconds = round(now - (step.started_epoch or now), 3)
    step.over_budget = (step.own_seconds or 0.0) > budget
    if res.outcome == "refused":
        return _end_refused(store, record, res.reason or "refused")
    if res.outcome == "aborted":
        return _end_aborted(ctx, res.reason or "aborted")
    ctx.save()
    return None


def _failed(ctx: FailbackContext, name: str, step: StepRecord, started: float,
            e: Exception) -> dict[str, Any]:
    record = ctx.record
    _account(step, started, ctx)
    error = clip_text(f"{type(e).__name__}: {e}", MAX_ERROR_CHARS)
    step.outcome, step.error = "failed", error
    step.ended_at, step.failures = clock.iso(), (step.failures or 0) + 1
    record.last_error = f"{name}: {error}"
    ctx.save()
    count(Metric.ORCHESTRATOR_ERROR)
    _alert_step_failed(ctx, name)
    ctx.save()
    return _progress(ctx.store, record, status="failback-step-failed", error=record.last_error)


def _alert_step_failed(ctx: FailbackContext, name: str) -> None:
    """Alert on the step's first failure, then at most once per ALERT_REPEAT_SECONDS."""
    record, now = ctx.record, clock.now()
    seen = record.step_alerts.setdefault(name, StepAlerts())
    if not seen.due(now, ALERT_REPEAT_SECONDS):
        logger.info("failback step failure alert suppressed (sent one recently)",
                    extra={"step": name, "last_sent_at": seen.last_sent_at})
        return
    record.alerts = alert(ctx.settings, ctx.clients, f"Failback step {name} failed", {
        "failback_id": record.failback_id, "failover_id": record.failover_id,
        "reason": record.reason, "error": record.last_error,
        "failures": record.steps[name].failures or 1,
        "suppressed_since_last_alert": seen.suppressed, "writes": record.writes,
        "timeline": timeline(record),
        "next": "retried on the next watchdog tick or failback invocation; repeated at most "
                f"every {ALERT_REPEAT_SECONDS:g} s"})
    seen.sent_now(now, clock.iso(now), record.alerts)


def alert(settings: FailoverSettings, clients: ClientFactory, subject: str,
          body: dict[str, Any]) -> dict[str, str]:
    """SNS alert in every Region's topic that can be reached (the failback record holds the
    full text)."""
    return runner.alert(settings, clients, subject, body, record="failback")


def _gate_value(store: StateStore) -> int:
    return 1 if store.gate().tripped else 0


def _progress(store: StateStore, record: FailbackRecord, *,
              status: str = "failback-in-progress", **extra: Any) -> dict[str, Any]:
    return {"status": status, "failback_id": record.failback_id,
            "failover_id": record.failover_id, "reason": record.reason,
            "current_step": record.current_step, "steps": timeline(record),
            "gate": _gate_value(store), "writes": dict(record.writes), **extra,
            "next": "resumed by the next watchdog tick (within a minute) or failback invocation"}


def _finish(record: FailbackRecord, status: str) -> None:
    now = clock.now()
    record.status = status  # type: ignore[assignment]
    record.completed_at = clock.iso(now)
    record.duration_seconds = round(now - record.started_epoch, 3)


def _end_refused(store: StateStore, record: FailbackRecord, refusal: str) -> dict[str, Any]:
    _finish(record, "refused")
    record.refusal = refusal
    store.save_failback(record, archive=True)
    logger.warning("failback refused", extra={"failback_id": record.failback_id,
                                              "refusal": refusal})
    return {**_refusal(store, refusal)}


def _end_aborted(ctx: FailbackContext, why: str) -> dict[str, Any]:
    record, store = ctx.record, ctx.store
    _finish(record, "aborted")
    ctx.save()
    logger.error("failback aborted", extra={"failback_id": record.failback_id, "why": why})
    record.alerts = alert(ctx.settings, ctx.clients, "Failback aborted: the standby writes again", {
        "failback_id": record.failback_id, "failover_id": record.failover_id,
        "reason": record.reason, "abort_reason": why, "writes": record.writes,
        "timeline": timeline(record),
        "next": "nothing was promoted and the gate stays tripped: the standby serves and "
                "writes; invoke failback again once the reverse replication keeps up"})
    store.save_failback(record, archive=True)
    return _progress(store, record, status="failback-aborted", abort_reason=why,
                     alerts=record.alerts) | {"next": "invoke failback again when the reverse "
                                                      "replication keeps up"}


def _complete(settings: FailoverSettings, clients: ClientFactory, store: StateStore,
              record: FailbackRecord) -> dict[str, Any]:
    _finish(record, "completed")
    store.save_failback(record)
    hint = phase.after_failback(settings, record).as_dict()
    new_primary = record.reverse.new_primary_arn if record.reverse else None
    record.alerts = alert(settings, clients, "Failback completed: the primary Region writes again",
                          {"failback_id": record.failback_id, "failover_id": record.failover_id,
                           "reason": record.reason, "new_primary_arn": new_primary,
                           "old_writer": record.old_writer, "writes": record.writes,
                           "duration_seconds": record.duration_seconds,
                           "timeline": timeline(record), "phase": hint})
    store.save_failback(record, archive=True)
    logger.info("failback completed", extra={"failback_id": record.failback_id,
                                             "duration_seconds": record.duration_seconds})
    return {"status": "failed-back", "failback_id": record.failback_id,
            "failover_id": record.failover_id, "reason": record.reason, "gate": 0,
            "writes": dict(record.writes), "current_step": record.current_step,
            "steps": timeline(record), "new_primary_arn": new_primary, "phase": hint,
            "duration_seconds": record.duration_seconds, "alerts": record.alerts}
