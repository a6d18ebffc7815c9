"""Runs one failover under the lock, step by step, resuming where a previous invocation
stopped.

A failover is started or resumed by any trigger (watchdog tick, alarm, operator). Each step
records its start, end, outcome and detail in the state table before the next begins, so a
crashed or timed-out invocation is resumed by the next trigger (the watchdog ticks every
minute) at the first step that has not finished. Before each step the remaining Lambda time
is compared with the step's budget; if it is short the invocation returns ``in-progress``
(Lambda's longest timeout is 900 s: field-notes).

The lock's short lease is kept alive by a heartbeat (:mod:`handlers.failover.lease`) that is
started once the lock is taken and always stopped before this module returns or raises. If
the lock is lost, the run stops before the next step (or poll) and writes nothing more:
status ``lock-lost``.

A step that keeps failing is retried on every trigger and every attempt is recorded, but
its SNS alert goes out on the first failure and then at most once per
ALERT_REPEAT_SECONDS per failover and step (``step_alerts`` in the failover record).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from contract.names import Metric
from handlers.failover import clock
from handlers.failover.context import StepContext, StepResult
from handlers.failover.lease import Heartbeat, LockLost
from handlers.failover.observability import count, logger, seconds
from handlers.failover.settings import FailoverSettings
from handlers.failover.state import StateStore
from handlers.failover.steps import STEPS
from handlers.shared.alerts import publish_alert
from handlers.shared.aws import ClientFactory

DONE = ("ok", "skipped")
#: Seconds between two alerts for the same failing step of one failover (the first failure
#: always alerts). 15 min: an on-call engineer acknowledges within that, and a standby that
#: stays unhealthy for an hour pages 4 times instead of 60 (the watchdog ticks each minute).
ALERT_REPEAT_SECONDS = 900.0


def new_failover_id() -> str:
    return f"fo-{clock.iso().replace(':', '').replace('-', '')[:15]}-{uuid.uuid4().hex[:8]}"


def alert(settings: FailoverSettings, clients: ClientFactory, subject: str,
          body: dict[str, Any]) -> dict[str, str]:
    """SNS alert in every Region's topic that can be reached."""
    return publish_alert(settings.alert_topic_arns, f"[{settings.stack_name}] {subject}", body,
                         lambda region: clients("sns", region))


def summary(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The steps of ``record`` in order, as a timeline."""
    out = []
    for name in STEPS:
        step = record.get("steps", {}).get(name)
        if step:
            out.append({"step": name, **{k: step.get(k) for k in (
                "outcome", "started_at", "ended_at", "duration_seconds", "own_seconds",
                "wait_seconds", "budget_seconds", "over_budget", "attempts", "failures",
                "error")
                if step.get(k) is not None}})
    return out


def _result(record: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"status": record["status"], "failover_id": record["failover_id"],
            "trigger": record.get("trigger"), "current_step": record.get("current_step"),
            "steps": summary(record), **extra}


def run_failover(settings: FailoverSettings, clients: ClientFactory, store: StateStore, *,
                 trigger: str, reason: str, force: bool, owner: str,
                 remaining_seconds: Callable[[], float]) -> dict[str, Any]:
    """Start or resume the failover; never runs two at once.

    Returns:
        ``{"status": ..., "failover_id": ..., "steps": [...], ...}`` where status is one of
        ``completed``, ``in-progress`` (resume later), ``step-failed`` (retried on the next
        trigger), ``not-ready``, ``false-positive``, ``locked`` (another invocation runs it),
        ``already-failed-over`` (the gate is tripped; only failback releases it),
        ``lock-lost`` (the lock's lease was lost mid-run; the holder resumes it).
    """
    current = store.failover()
    in_progress = bool(current and current.get("status") == "in-progress")
    if not in_progress and store.gate().get("tripped"):
        return {"status": "already-failed-over", "failover_id": store.gate().get("failover_id"),
                "steps": []}
    if not store.acquire_lock(owner, current["failover_id"] if in_progress else "new"):
        lock = store.get("lock") or {}
        logger.info("failover lock held elsewhere", extra={"holder": lock.get("owner")})
        return {"status": "locked", "failover_id": lock.get("failover_id"),
                "held_by": lock.get("owner"), "steps": []}
    heartbeat = Heartbeat(store, owner)
    try:
        with heartbeat:
            result = _run_locked(settings, clients, store, trigger=trigger, reason=reason,
                                 force=force, remaining_seconds=remaining_seconds,
                                 lease=heartbeat)
    except LockLost as e:
        # Another invocation may hold the lock now: write nothing, leave the record to it.
        logger.error("failover stopped: lock lost", extra={"reason": str(e)})
        count(Metric.ORCHESTRATOR_ERROR)
        record = store.failover() or {}
        return {"status": "lock-lost", "failover_id": record.get("failover_id"),
                "error": str(e), "steps": []}
    except Exception:
        store.release_lock(owner)
        raise
    # Released only after the heartbeat thread has stopped, so no renewal follows it.
    store.release_lock(owner)
    return result


def _run_locked(settings: FailoverSettings, clients: ClientFactory, store: StateStore, *,
                trigger: str, reason: str, force: bool,
                remaining_seconds: Callable[[], float], lease: Heartbeat) -> dict[str, Any]:
    # Re-read under the lock: another invocation may have finished in between.
    record = store.failover()
    resumed = bool(record and record.get("status") == "in-progress")
    if not resumed:
        if store.gate().get("tripped"):
            return {"status": "already-failed-over",
                    "failover_id": store.gate().get("failover_id"), "steps": []}
        now = clock.now()
        record = {"failover_id": new_failover_id(), "status": "in-progress", "trigger": trigger,
                  "reason": reason, "force": force, "started_at": clock.iso(now),
                  "started_epoch": now, "current_step": "verify_failure", "steps": {},
                  "invocations": 0}
        logger.info("failover started", extra={"failover_id": record["failover_id"],
                                               "trigger": trigger, "reason": reason})
    else:
        assert record is not None
        logger.info("failover resumed", extra={"failover_id": record["failover_id"],
                                               "current_step": record.get("current_step")})
        # An operator's force applies to the resumed run as well.
        record["force"] = bool(record.get("force")) or force
    record["invocations"] = int(record.get("invocations", 0)) + 1
    store.save_failover(record)

    for name, step_fn in STEPS.items():
        step = record["steps"].get(name, {})
        if step.get("outcome") in DONE:
            continue
        lease.check()  # never start a step without the lock
        budget = settings.budget(name)
        if remaining_seconds() < budget:
            logger.info("pausing: less Lambda time left than the next step's budget",
                        extra={"step": name, "budget_seconds": budget})
            return _result(record, resumed=resumed, paused_before=name)
        started = clock.now()
        step.setdefault("started_at", clock.iso(started))
        step.setdefault("started_epoch", started)
        step.update(outcome="in-progress", budget_seconds=budget,
                    attempts=int(step.get("attempts", 0)) + 1)
        step.pop("error", None)
        record["steps"][name] = step
        record["current_step"] = name
        store.save_failover(record)

        ctx = StepContext(settings=settings, clients=clients, store=store, record=record,
                          force=bool(record["force"]), remaining_seconds=remaining_seconds,
                          lease=lease)
        try:
            res = step_fn(ctx)
        except LockLost:
            raise
        except Exception as e:  # recorded and retried on the next trigger
            logger.exception("failover step failed", extra={"step": name})
            lease.check()  # the record is the holder's to write
            _account(step, started, ctx)
            step.update(outcome="failed", error=f"{type(e).__name__}: {e}", ended_at=clock.iso(),
                        failures=int(step.get("failures", 0)) + 1)
            record["last_error"] = f"{name}: {type(e).__name__}: {e}"
            store.save_failover(record)
            count(Metric.ORCHESTRATOR_ERROR)
            _alert_step_failed(settings, clients, record, name)
            store.save_failover(record)
            return _result(record, resumed=resumed, error=record["last_error"]) | {
                "status": "step-failed"}
        lease.check()  # the step's outcome is the holder's to write
        _account(step, started, ctx)
        step["detail"] = res.detail
        if res.outcome == "paused":
            step["outcome"] = "paused"
            store.save_failover(record)
            return _result(record, resumed=resumed)
        _end_step(settings, step, name, res)
        if res.outcome == "aborted":
            return _abort(settings, clients, store, record, res, resumed)
        store.save_failover(record)
    return _complete(settings, clients, store, record, resumed)


def _alert_step_failed(settings: FailoverSettings, clients: ClientFactory,
                       record: dict[str, Any], name: str) -> None:
    """Alert on the step's first failure, then at most once per ALERT_REPEAT_SECONDS; a
    suppressed alert is counted in ``record["step_alerts"][name]["suppressed"]``. An alert
    that reached no Region does not count as sent, so the next failure tries again."""
    now = clock.now()
    seen = record.setdefault("step_alerts", {}).setdefault(name, {"sent": 0, "suppressed": 0})
    last = seen.get("last_sent_epoch")
    if last is not None and now - float(last) < ALERT_REPEAT_SECONDS:
        seen["suppressed"] = int(seen.get("suppressed", 0)) + 1
        logger.info("step failure alert suppressed (sent one recently)",
                    extra={"step": name, "last_sent_at": seen.get("last_sent_at"),
                           "repeat_seconds": ALERT_REPEAT_SECONDS})
        return
    step = record["steps"][name]
    record["alerts"] = alert(settings, clients, f"Failover step {name} failed",
                             {"failover_id": record["failover_id"],
                              "error": record["last_error"],
                              "failures": step.get("failures", 1),
                              "suppressed_since_last_alert": int(seen.get("suppressed", 0)),
                              "timeline": summary(record),
                              "next": "retried on the next watchdog tick or invocation; "
                                      f"repeated at most every {ALERT_REPEAT_SECONDS:g} s"})
    if any(v == "published" for v in record["alerts"].values()):
        seen.update(sent=int(seen.get("sent", 0)) + 1, last_sent_epoch=now,
                    last_sent_at=clock.iso(now), suppressed=0)


def _account(step: dict[str, Any], started: float, ctx: StepContext) -> None:
    elapsed = clock.now() - started
    step["wait_seconds"] = round(float(step.get("wait_seconds", 0)) + ctx.waited_seconds, 3)
    step["own_seconds"] = round(float(step.get("own_seconds", 0))
                                + max(0.0, elapsed - ctx.waited_seconds), 3)


def _end_step(settings: FailoverSettings, step: dict[str, Any], name: str,
              res: StepResult) -> None:
    now = clock.now()
    step.update(outcome="aborted" if res.outcome == "aborted" else res.outcome,
                ended_at=clock.iso(now),
                duration_seconds=round(now - float(step["started_epoch"]), 3),
                over_budget=step["own_seconds"] > settings.budget(name))
    if step["over_budget"]:
        logger.warning("step exceeded its budget", extra={"step": name,
                                                          "own_seconds": step["own_seconds"]})
    seconds(Metric.STEP_DURATION, step["duration_seconds"], settings.stack_name, Step=name)


def _abort(settings: FailoverSettings, clients: ClientFactory, store: StateStore,
           record: dict[str, Any], res: StepResult, resumed: bool) -> dict[str, Any]:
    record.update(status=res.status, completed_at=clock.iso())
    if res.status == "false-positive":
        count(Metric.FALSE_POSITIVE)
        store.put({"pk": f"false-positive#{clock.iso()}", "failover_id": record["failover_id"],
                   "trigger": record.get("trigger"), "detail": res.detail})
        logger.warning("false positive: no failover", extra={"detail": res.detail})
    else:
        logger.error("standby not ready: no promotion", extra={"detail": res.detail})
        record["alerts"] = alert(settings, clients, "Failover stopped: standby not ready",
                                 {"failover_id": record["failover_id"],
                                  "reasons": res.detail.get("not_ready", []),
                                  "detail": res.detail, "timeline": summary(record),
                                  "next": "fix the standby, or invoke with force=true"})
    store.save_failover(record, archive=True)
    return _result(record, resumed=resumed, detail=res.detail)


def _complete(settings: FailoverSettings, clients: ClientFactory, store: StateStore,
              record: dict[str, Any], resumed: bool) -> dict[str, Any]:
    now = clock.now()
    record.update(status="completed", completed_at=clock.iso(now),
                  duration_seconds=round(now - float(record["started_epoch"]), 3))
    store.save_failover(record)
    seconds(Metric.FAILOVER_DURATION, record["duration_seconds"], settings.stack_name)
    record["alerts"] = alert(settings, clients, "Failover to the standby Region completed",
                             {"failover_id": record["failover_id"],
                              "trigger": record.get("trigger"), "reason": record.get("reason"),
                              "standby_region": settings.standby_region,
                              "duration_seconds": record["duration_seconds"],
                              "timeline": summary(record)})
    store.save_failover(record, archive=True)
    logger.info("failover completed", extra={"failover_id": record["failover_id"],
                                             "duration_seconds": record["duration_seconds"]})
    return _result(record, resumed=resumed, duration_seconds=record["duration_seconds"],
                   alerts=record["alerts"])
