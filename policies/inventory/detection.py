"""Detection paths among the planned resources: the endpoint health check with its us-east-1
alarm, and the standby-Region watchdog.

* Health check: ``requestInterval x failureThreshold`` of the slowest endpoint health check
  (``dr:role=endpoint-health-check``) plus ``period x evaluationPeriods`` of the slowest
  health-check alarm (``dr:role=health-check-alarm``); omitted inputs take the AWS defaults
  (:mod:`rto_rpo.figures`).
* Watchdog: the slowest running watchdog schedule's rate x the failover orchestrator's
  ``CONSECUTIVE_FAILURES`` + ``PROBE_TIMEOUT_SECONDS``.

A path with a computed input is :class:`~rto_rpo.inputs.Unknown`: it could be the fastest, so
the estimate counts detection as 0 s. No path at all is a violation.
"""

from __future__ import annotations

from typing import Any

from contract.env import Env
from contract.names import Role
from policies.inventory.survey import COMPUTED, Survey
from policies.orchestrator_env import PlannedEnv
from policies.resource_types import HEALTH_CHECK, METRIC_ALARM
from rto_rpo.figures import (
    DEFAULT_FAILURE_THRESHOLD,
    DEFAULT_REQUEST_INTERVAL_SECONDS,
    HEALTH_CHECK_METRIC_PERIOD_SECONDS,
)
from rto_rpo.inputs import TermInput, Unknown
from rto_rpo.model import health_check_detection, watchdog_detection

#: ``(seconds, count, urn)``: one health check's or alarm's evaluation window.
Window = tuple[float, float, str]

NO_DETECTION = ("No detection path: declare an endpoint health check "
                f"(dr:role={Role.ENDPOINT_HEALTH_CHECK}) with its us-east-1 alarm "
                f"(dr:role={Role.HEALTH_ALARM}), or a watchdog schedule "
                f"(dr:role={Role.WATCHDOG_SCHEDULE}) for the failover orchestrator.")


def detection_paths(sv: Survey, orch: PlannedEnv | None) -> list[TermInput]:
    """Every detection path the stack declares; a violation when there is none."""
    mark = sv.mark()
    paths = [p for p in (health_check_path(sv), watchdog_path(sv, orch)) if p is not None]
    if not paths:
        sv.problem(NO_DETECTION)
    if any(isinstance(p, Unknown) for p in paths):
        # A computed path could be the fastest: count detection as 0 s (a lower bound).
        return [Unknown("detection", sv.since(mark), why="a path is computed")]
    return paths


def slowest(windows: list[Window]) -> Window | None:
    """The window whose product is largest (the first on a tie): with several health checks or
    alarms, the worst case is the slowest one."""
    return max(windows, key=lambda w: w[0] * w[1], default=None)


def health_check_path(sv: Survey) -> TermInput | None:
    """The health-check path, or None unless both a health check and its alarm exist."""
    checks = sv.with_role(HEALTH_CHECK, Role.ENDPOINT_HEALTH_CHECK)
    alarms = sv.with_role(METRIC_ALARM, Role.HEALTH_ALARM)
    if not (checks and alarms):
        return None
    mark = sv.mark()
    hc = _windows(sv, checks, ("requestInterval", DEFAULT_REQUEST_INTERVAL_SECONDS),
                  ("failureThreshold", DEFAULT_FAILURE_THRESHOLD))
    alarm = _windows(sv, alarms, ("period", HEALTH_CHECK_METRIC_PERIOD_SECONDS),
                     ("evaluationPeriods", 1))
    if hc is None or alarm is None:
        return Unknown("health-check detection", sv.since(mark))
    worst_hc, worst_alarm = slowest(hc), slowest(alarm)
    if worst_hc is None or worst_alarm is None:
        return None
    return health_check_detection(
        interval_seconds=worst_hc[0], failure_threshold=worst_hc[1],
        alarm_period_seconds=worst_alarm[0], alarm_evaluation_periods=worst_alarm[1],
        source=f"{worst_hc[2]} + {worst_alarm[2]}")


def _windows(sv: Survey, resources: list[Any], seconds: tuple[str, float],
             count: tuple[str, float]) -> list[Window] | None:
    """Each resource's ``(seconds, count, urn)``, or None when any input is computed (every
    input is still read, so each computed one is recorded)."""
    out: list[Window] = []
    computed = False
    for r in resources:
        s = sv.num(r, seconds[0], default=float(seconds[1]))
        n = sv.num(r, count[0], default=float(count[1]))
        if s is COMPUTED or n is COMPUTED:
            computed = True
        elif s is not None and n is not None:
            out.append((s, n, r.urn))
    return None if computed else out


def watchdog_path(sv: Survey, orch: PlannedEnv | None) -> TermInput | None:
    """The watchdog path, or None (no running watchdog, no orchestrator, or an invalid K or
    probe timeout, each reported as a violation by the orchestrator's variables)."""
    watchdogs, _ = sv.schedules(Role.WATCHDOG_SCHEDULE)
    if orch is None:
        return None
    mark = sv.mark()
    k = sv.var(orch, Env.CONSECUTIVE_FAILURES)
    timeout = sv.var(orch, Env.PROBE_TIMEOUT_SECONDS)
    k_computed = orch.computed(Env.CONSECUTIVE_FAILURES)
    timeout_computed = orch.computed(Env.PROBE_TIMEOUT_SECONDS)
    if not watchdogs:
        return None
    rates = [(sv.period(w), w.urn) for w in watchdogs]
    known = [(r, u) for r, u in rates if r is not None]
    if known and k is not None and timeout is not None:
        rate, urn = max(known)
        return watchdog_detection(rate_seconds=rate, consecutive_failures=k,
                                  probe_timeout_seconds=timeout, source=f"{urn} + {orch.urn}")
    # A computed input, not an invalid one: the path may exist and be the fastest. Without a
    # valid K or probe timeout (a violation reported above) the watchdog is no path at all.
    k_may, timeout_may = k is not None or k_computed, timeout is not None or timeout_computed
    if (len(known) < len(rates) or k_computed or timeout_computed) and k_may and timeout_may:
        return Unknown("watchdog detection", sv.since(mark))
    return None
