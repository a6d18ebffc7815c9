"""Config knobs that shorten an RTO or RPO term, and the search for the smallest change of one
that makes a missed estimate meet its target.

A :class:`Knob` is one stack config key (``backup.cadenceMinutes``) whose value sets one term
of the pack's estimate input (:class:`rto_rpo.inputs.EstimateInputs`, as
:func:`policies.inventory.objectives` built it from a recorded plan). :func:`smallest_change`
re-estimates that input with the term at other values - the pack's own arithmetic,
:func:`rto_rpo.inputs.estimate`, in-process - and bisects for the value nearest the current one
that meets the target (:func:`changes_for` first brings a backup cadence slower than the RPO
target within it, since that alone breaks an RPO). Every knob here lowers its term as its
value goes down, so "nearest" means the largest value below the current one that meets. The
caller then records the stack with that value and runs the pack on it, so a suggestion is never
the search's word alone.

Left out on purpose: the failover step budgets (each bounds a real step: a budget below what
the step takes makes the orchestrator time out mid-failover) and the modelled promotion time
(an AWS-side figure; ``failover.promotionSeconds`` may raise it, never lower it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from components.settings import DrSettings
from contract.quantities import CADENCE_MINUTES
from rto_rpo.figures import FAILURE_THRESHOLD_MIN, MIN_FAILOVER_TTL_SECONDS
from rto_rpo.inputs import EstimateInputs, estimate
from rto_rpo.model import Basis, Estimate, Term

Kind = Literal["RTO", "RPO"]

#: The lowest replication-lag alarm threshold suggested, seconds: one period of the one-minute
#: replication metrics (ReplicaLag, CDCLatency*); below it the alarm pages on ordinary lag.
MIN_LAG_ALARM_SECONDS = 60


@dataclass(frozen=True)
class Knob:
    """One config key that sets one term.

    Attributes:
        path: the key under ``ecommerce-dr:``, dotted (``backup.cadenceMinutes``).
        kind: the estimate its term belongs to.
        unit: the key's unit as the config writes it (``min``, ``s``, ``failures``).
        lowest: the smallest value suggested (the config's lower bound, or a floor with a reason).
        read: the stack's current value (defaults applied), or None when the knob does not
            apply to it.
        apply: the estimate input with the knob's term at a value (None: the input lacks
            the term, e.g. an unknown or missing one).
    """

    path: str
    kind: Kind
    unit: str
    lowest: int
    read: Callable[[DrSettings], int | None]
    apply: Callable[[EstimateInputs, DrSettings, int], EstimateInputs | None]


def _suggested(name: str, seconds: float, knob: str, note: str = "") -> Term:
    return Term(name, float(seconds), f"ecommerce-dr:{knob} (suggested)", Basis.CONFIGURED, note)


def _cadence(i: EstimateInputs, _s: DrSettings, v: int) -> EstimateInputs | None:
    if i.rpo is None or not isinstance(i.rpo.backup_cadence, Term):
        return None
    term = _suggested("backup cadence", v * 60, "backup.cadenceMinutes")
    return replace(i, rpo=replace(i.rpo, backup_cadence=term))


def _lag_alarm(i: EstimateInputs, _s: DrSettings, v: int) -> EstimateInputs | None:
    if i.rpo is None or not isinstance(i.rpo.replication_alarm, Term):
        return None
    old = i.rpo.replication_alarm
    return replace(i, rpo=replace(i.rpo, replication_alarm=_suggested(
        old.name, v, "database.replicationLagAlarmSeconds")))


def _ttl(i: EstimateInputs, _s: DrSettings, v: int) -> EstimateInputs | None:
    if i.rto is None or not isinstance(i.rto.dns_ttl, Term):
        return None
    return replace(i, rto=replace(i.rto, dns_ttl=_suggested("DNS TTL", v, "dns.ttlSeconds")))


def _threshold(i: EstimateInputs, s: DrSettings, v: int) -> EstimateInputs | None:
    """The health-check path with ``v`` failures instead of the stack's: interval x change."""
    if i.rto is None:
        return None
    hc = s.health_check
    paths, hit = [], False
    for t in i.rto.detection:
        if isinstance(t, Term) and t.name.startswith("detection (health check"):
            hit = True
            t = _suggested(t.name, t.seconds - hc.interval_seconds * (hc.failure_threshold - v),
                           "healthCheck.failureThreshold",
                           f"{hc.interval_seconds} s x {v} + the alarm's window")
        paths.append(t)
    return replace(i, rto=replace(i.rto, detection=tuple(paths))) if hit else None


#: The knobs, per estimate, in the order they are tried.
KNOBS: tuple[Knob, ...] = (
    Knob("backup.cadenceMinutes", "RPO", "min", int(CADENCE_MINUTES.ge or 1),
         lambda s: s.backup.cadence_minutes, _cadence),
    Knob("database.replicationLagAlarmSeconds", "RPO", "s", MIN_LAG_ALARM_SECONDS,
         lambda s: s.replication_lag_alarm_seconds if s.database.spec.replication_metrics else None,
         _lag_alarm),
    Knob("dns.ttlSeconds", "RTO", "s", MIN_FAILOVER_TTL_SECONDS,
         lambda s: s.dns.ttl_seconds, _ttl),
    Knob("healthCheck.failureThreshold", "RTO", "failures", FAILURE_THRESHOLD_MIN,
         lambda s: s.health_check.failure_threshold, _threshold),
)


def _estimate(inputs: EstimateInputs, kind: Kind) -> Estimate | None:
    found = estimate(inputs)
    return found.rto if kind == "RTO" else found.rpo


def smallest_change(knob: Knob, inputs: EstimateInputs, settings: DrSettings) -> int | None:
    """The value of ``knob`` nearest the stack's at which its estimate meets the target.

    Args:
        knob: what to change.
        inputs: the pack's estimate input for the recorded stack (its estimate misses).
        settings: the stack's validated config (the knob's current value).

    Returns:
        The largest value below the current one that meets; None when the knob does not
        apply, or even :attr:`Knob.lowest` does not meet (the other terms alone miss).
    """
    current = knob.read(settings)
    if current is None or current <= knob.lowest:
        return None

    def meets(v: int) -> bool:
        changed = knob.apply(inputs, settings, v)
        est = None if changed is None else _estimate(changed, knob.kind)
        return est is not None and est.met

    if not meets(knob.lowest):
        return None
    lo, hi = knob.lowest, current            # meets(lo); the current value misses
    while hi - lo > 1:                       # each term grows with its knob: bisect
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if meets(mid) else (lo, mid)
    return lo


def knobs_for(kind: Kind) -> tuple[Knob, ...]:
    """The knobs of one estimate, in the order they are tried."""
    return tuple(k for k in KNOBS if k.kind == kind)


def _cadence_within_target(inputs: EstimateInputs, settings: DrSettings
                           ) -> tuple[Knob, int] | None:
    """A backup cadence slower than the RPO target breaks the RPO whatever its terms
    (:func:`rto_rpo.model.cadence_findings`): the largest cadence within the target, when the
    stack's is slower."""
    knob = KNOBS[0]
    current = knob.read(settings)
    if inputs.rpo is None or current is None:
        return None
    within = int(inputs.rpo.target_seconds // 60)
    return (knob, within) if knob.lowest <= within < current else None


def changes_for(kind: Kind, inputs: EstimateInputs, settings: DrSettings
                ) -> list[tuple[Knob, int]] | None:
    """The knob values that make ``kind`` meet: one knob's smallest change, after bringing the
    backup cadence within the RPO target when it is slower (that alone breaks an RPO).

    Returns:
        ``[(knob, value), ...]`` (empty when the estimate already meets), or None when no
        single knob (after the cadence) meets.
    """
    est = _estimate(inputs, kind)
    if est is None:
        return None
    if est.met:
        return []
    first: list[tuple[Knob, int]] = []
    if kind == "RPO" and est.findings:
        fix = _cadence_within_target(inputs, settings)
        changed = None if fix is None else fix[0].apply(inputs, settings, fix[1])
        if fix is None or changed is None:
            return None
        first, inputs = [fix], changed
        again = _estimate(inputs, kind)
        if again is not None and again.met:
            return first
    for knob in knobs_for(kind):
        if first and knob is first[0][0]:
            continue
        value = smallest_change(knob, inputs, settings)
        if value is not None:
            return [*first, (knob, value)]
    return None
