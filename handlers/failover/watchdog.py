"""The watchdog tick: probe the primary from the standby Region, arm, detect, re-publish
the gate.

* A healthy probe arms automation (``armed`` in ``pk = "watchdog"``) and clears the run of
  failures. Until armed, failures never start a failover: a health check that is unhealthy
  at first deploy must not fail the site over (log + metric FailoverSuppressedUnarmed).
* A failed probe (PROBE_TIMEOUT_SECONDS) is appended to the run of consecutive failures;
  failures older than PROBE_WINDOW_SECONDS drop out. CONSECUTIVE_FAILURES of them within the
  window mean the primary has failed, and the failover starts (it verifies again first).
* A failover already in progress is resumed on every tick, whatever the probe says; so is a
  failback an operator started (it has paused the shop's writes, so it must not wait for
  anyone; a tick never starts one).
* Each scheduled event (its ``id``) counts once: a redelivered tick, even one arriving
  while the first delivery runs, is ``ignored`` (the watchdog item's writes are conditional
  on the version read, see :func:`_count`).
* Every tick re-publishes the gate latch (1 once tripped, else 0; never 0 after a failover
  until an operator failback): see :mod:`handlers.failover.gate`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contract.names import Metric
from handlers.failover import clock, gate
from handlers.failover.failback import failback
from handlers.failover.observability import count, logger
from handlers.failover.records import WatchdogItem
from handlers.failover.runner import run_failover
from handlers.failover.settings import FailoverSettings
from handlers.failover.state import StateStore
from handlers.shared.aws import ClientFactory
from handlers.shared.probe import ProbeResult, probe

#: Seconds a counted scheduled event id is remembered. A tick is delivered at least once:
#: Lambda retries an asynchronous invocation for up to 6 hours by default, and "it's
#: possible for it to receive the same event from Lambda multiple times" (AWS Lambda
#: Developer Guide, "How Lambda handles errors and retries with asynchronous invocation",
#: https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
#: At one tick a minute that is at most 360 ids (about 20 KB) in the watchdog item.
EVENT_MEMORY_SECONDS = 6 * 3600.0
#: Newest counted ids kept whatever their age, so the item stays far below DynamoDB's
#: 400 KB item limit however often the function is invoked.
MAX_COUNTED_EVENTS = 1000
#: Conditional writes of the watchdog item one tick tries before giving up (each retry
#: means another tick wrote in between; two ticks at once settle in two rounds).
WRITE_ROUNDS = 5


class WatchdogContended(RuntimeError):
    """The watchdog item kept changing under this tick; the tick counted nothing (Lambda
    retries the event, which then counts once)."""


def _observe(settings: FailoverSettings, wd: WatchdogItem, result: ProbeResult,
             event_id: str | None) -> None:
    """Fold one probe (of scheduled event ``event_id``) into the watchdog's memory: arming,
    the run of failures, the counted event ids."""
    now = clock.now()
    if result.healthy:
        if not wd.armed:
            wd.armed, wd.armed_at = True, clock.iso(now)
        wd.recent_failures_epoch, wd.last_healthy_at = [], clock.iso(now)
    else:
        recent = [t for t in wd.recent_failures_epoch
                  if now - t <= settings.probe_window_seconds]
        wd.recent_failures_epoch = (recent + [now])[-settings.consecutive_failures:]
    wd.last_probe_at, wd.last_probe_ok = clock.iso(now), result.healthy
    wd.last_probe = result.as_dict()
    if len(wd.recent_failures_epoch) >= settings.consecutive_failures and not wd.armed:
        wd.unarmed_failures = (wd.unarmed_failures or 0) + 1
    if event_id:
        kept = {k: t for k, t in (wd.counted_events or {}).items()
                if now - t <= EVENT_MEMORY_SECONDS}
        kept[event_id] = now
        wd.counted_events = dict(sorted(kept.items(), key=lambda kv: kv[1])[-MAX_COUNTED_EVENTS:])


def _duplicate(wd: WatchdogItem, event_id: str) -> dict[str, Any]:
    counted = (wd.counted_events or {})[event_id]
    reason = (f"duplicate delivery of scheduled event {event_id}: counted at "
              f"{clock.iso(counted)}; each tick counts once")
    logger.info("watchdog tick ignored", extra={"reason": reason})
    return {"status": "ignored", "reason": reason, "armed": wd.armed,
            "consecutive_failures": len(wd.recent_failures_epoch)}


def _count(settings: FailoverSettings, store: StateStore, wd: WatchdogItem, result: ProbeResult,
           event_id: str | None) -> WatchdogItem | dict[str, Any]:
    """Fold ``result`` into the watchdog item and write it conditionally, re-reading when
    another tick wrote in between: the saved item, or the duplicate answer when that other
    tick was a delivery of the same event.

    Raises:
        WatchdogContended: WRITE_ROUNDS writes all lost their race.
    """
    for _ in range(WRITE_ROUNDS):
        was_armed = wd.armed
        _observe(settings, wd, result, event_id)
        if store.save_watchdog(wd):
            if wd.armed and not was_armed:
                logger.info("primary seen healthy: automation armed")
            if not result.healthy:
                count(Metric.PRIMARY_PROBE_FAILED)
            return wd
        wd = store.watchdog()
        if event_id and event_id in (wd.counted_events or {}):
            return _duplicate(wd, event_id)
    raise WatchdogContended(f"the watchdog item changed under each of {WRITE_ROUNDS} writes")


def tick(settings: FailoverSettings, clients: ClientFactory, store: StateStore, *, owner: str,
         remaining_seconds: Callable[[], float], event_id: str | None = None) -> dict[str, Any]:
    """One watchdog run for the scheduled event ``event_id``. Returns ``{"status": ...,
    "probe": ..., "armed": ..., "consecutive_failures": n, "gate": 0|1, ...}``; when a
    failover ran, its result fields (``failover_id``, ``steps``) are merged in and ``status``
    is the failover's status. An event already counted (a redelivery) makes no probe, no
    write and no failover: ``{"status": "ignored", "reason": "duplicate delivery ...",
    "armed", "consecutive_failures"}``.

    Raises:
        WatchdogContended: see :func:`_count`.
    """
    wd = store.watchdog()
    if event_id and event_id in (wd.counted_events or {}):
        return _duplicate(wd, event_id)
    result = probe(settings.primary_health_url, settings.probe_timeout_seconds)
    counted = _count(settings, store, wd, result, event_id)
    if isinstance(counted, dict):
        return counted
    wd = counted
    failures = len(wd.recent_failures_epoch)
    failed = failures >= settings.consecutive_failures
    out: dict[str, Any] = {"probe": result.as_dict(), "armed": wd.armed,
                           "consecutive_failures": failures}
    current = store.failover()
    back = store.failback()
    if current is not None and current.status == "in-progress":
        out |= run_failover(settings, clients, store, trigger="watchdog",
                            reason="resume in-progress failover", force=False, owner=owner,
                            remaining_seconds=remaining_seconds)
    elif back is not None and back.status == "in-progress":
        out |= failback(settings, clients, store, reason="resume in-progress failback",
                        owner=owner, remaining_seconds=remaining_seconds)
    elif failed and not wd.armed:
        logger.warning("primary failed but automation is not armed (never seen healthy): "
                       "no failover", extra={"consecutive_failures": failures})
        count(Metric.FAILOVER_UNARMED)
        out["status"] = "unarmed"
    elif failed:
        out |= run_failover(settings, clients, store, trigger="watchdog",
                            reason=f"{failures} consecutive probe failures within "
                                   f"{settings.probe_window_seconds} s",
                            force=False, owner=owner, remaining_seconds=remaining_seconds)
    else:
        out["status"] = "healthy" if result.healthy else "probe-failed"
    out["gate"] = gate.republish(store, clients("cloudwatch", settings.standby_region),
                                 settings.stack_name, settings.gate_period_seconds)
    return out
