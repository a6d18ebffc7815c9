"""The watchdog tick: probe the primary from the standby Region, arm, detect, re-publish
the gate.

* A healthy probe arms automation (``armed`` in ``pk = "watchdog"``) and clears the run of
  failures. Until armed, failures never start a failover: a health check that is unhealthy
  at first deploy must not fail the site over (log + metric FailoverSuppressedUnarmed).
* A failed probe (PROBE_TIMEOUT_SECONDS) is appended to the run of consecutive failures;
  failures older than PROBE_WINDOW_SECONDS drop out. CONSECUTIVE_FAILURES of them within the
  window mean the primary has failed, and the failover starts (it verifies again first).
* A failover already in progress is resumed on every tick, whatever the probe says.
* Every tick re-publishes the gate latch (1 once tripped, else 0; never 0 after a failover
  until an operator failback): see :mod:`handlers.failover.gate`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contract.names import Metric
from handlers.failover import clock, gate
from handlers.failover.observability import count, logger
from handlers.failover.records import WatchdogItem
from handlers.failover.runner import run_failover
from handlers.failover.settings import FailoverSettings
from handlers.failover.state import StateStore
from handlers.shared.aws import ClientFactory
from handlers.shared.probe import ProbeResult, probe


def _observe(settings: FailoverSettings, wd: WatchdogItem, result: ProbeResult) -> None:
    """Fold one probe into the watchdog's memory (arming, the run of failures)."""
    now = clock.now()
    if result.healthy:
        if not wd.armed:
            logger.info("primary seen healthy: automation armed")
            wd.armed, wd.armed_at = True, clock.iso(now)
        wd.recent_failures_epoch, wd.last_healthy_at = [], clock.iso(now)
    else:
        count(Metric.PRIMARY_PROBE_FAILED)
        recent = [t for t in wd.recent_failures_epoch
                  if now - t <= settings.probe_window_seconds]
        wd.recent_failures_epoch = (recent + [now])[-settings.consecutive_failures:]
    wd.last_probe_at, wd.last_probe_ok = clock.iso(now), result.healthy
    wd.last_probe = result.as_dict()
    if len(wd.recent_failures_epoch) >= settings.consecutive_failures and not wd.armed:
        wd.unarmed_failures = (wd.unarmed_failures or 0) + 1


def tick(settings: FailoverSettings, clients: ClientFactory, store: StateStore, *, owner: str,
         remaining_seconds: Callable[[], float]) -> dict[str, Any]:
    """One watchdog run. Returns ``{"status": ..., "probe": ..., "armed": ...,
    "consecutive_failures": n, "gate": 0|1, ...}``; when a failover ran, its result fields
    (``failover_id``, ``steps``) are merged in and ``status`` is the failover's status."""
    result = probe(settings.primary_health_url, settings.probe_timeout_seconds)
    wd = store.watchdog()
    _observe(settings, wd, result)
    store.save_watchdog(wd)
    failures = len(wd.recent_failures_epoch)
    failed = failures >= settings.consecutive_failures
    out: dict[str, Any] = {"probe": result.as_dict(), "armed": wd.armed,
                           "consecutive_failures": failures}
    current = store.failover()
    if current is not None and current.status == "in-progress":
        out |= run_failover(settings, clients, store, trigger="watchdog",
                            reason="resume in-progress failover", force=False, owner=owner,
                            remaining_seconds=remaining_seconds)
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
                                 settings.stack_name)
    return out
