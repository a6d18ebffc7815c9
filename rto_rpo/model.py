"""The one RTO/RPO model: worst-case recovery time and recovery point, term by term.

The program's outputs, the CrossGuard policy and the drill's report all call this module,
so the arithmetic exists once. Callers gather the terms (from validated settings, from
planned resource inputs, or from a drill's measurements) into one
:class:`rto_rpo.inputs.EstimateInputs` and :func:`rto_rpo.inputs.estimate` adds them up here;
the functions below stay public for callers that build single terms.

All durations are in **seconds** (float). Every :class:`Term` says where its value came
from (``source``: a config key, a resource URN or a measurement) and whether it is
``configured``, ``modelled`` (an AWS-side figure from :mod:`rto_rpo.figures`) or
``measured``.

RTO = detection (fastest path) + orchestrator step budgets + promotion time + traffic shift
(the gate alarm's evaluation, before the alarm-based health check turns the PRIMARY record
unhealthy) + DNS TTL.

RPO depends on the database strategy's :class:`contract.strategies.RpoRule`:

* replication alarm (the strategy's replication metrics, e.g. ReplicaLag): its threshold;
* cadence plus copy (nothing replicates): snapshot cadence + cross-Region copy time;
* managed RPO or alarm (Aurora Global Database): the managed RPO (``rds.global_db_rpo``, the
  primary blocks commits beyond it) when set, else the replication alarm's threshold.

Whatever the strategy, the backup schedule must run at least once per RPO target.

Building the input from a drill's measurements. A drill knows what it ran and what it could
not run (the emulator cannot wait for Route 53's checkers or an RDS promotion), so it fills
:class:`rto_rpo.inputs.RtoInputs` and :class:`rto_rpo.inputs.RpoInputs` like this:

* ``detection``: the paths the scenario leaves (both, or the watchdog alone when the primary
  Region is down), from :func:`health_check_detection` / :func:`watchdog_detection` over the
  settings, re-labelled :attr:`Basis.MODELLED` (AWS-side, not run);
* ``steps``: one :attr:`Basis.MEASURED` term for the failover as run (failure injected ->
  handler reports completion, wall seconds, ``source="drill"``), plus one
  :attr:`Basis.MODELLED` term per simulated wait (e.g. a crashed invocation's lock lease);
* ``promotion`` and ``dns_ttl``: the program's planned terms
  (:func:`components.budgets.planned_inputs`), re-labelled modelled;
* ``traffic_shift``: :func:`gate_alarm_evaluation` over the deployed gate alarm's inputs;
* ``recovery_point`` (in ``RpoInputs``): the recovery-point age read at the failure, as one
  :attr:`Basis.MEASURED` term; it is then the RPO, whatever the strategy's rule. Leave
  ``backup_cadence`` None unless the cadence finding should apply to the drill too.

No unknown terms: a drill that could not read a value has no estimate for it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from contract.strategies import RpoRule, spec
from rto_rpo.figures import HEALTH_CHECK_METRIC_PERIOD_SECONDS


class Basis(StrEnum):
    """How a term's value is known."""

    CONFIGURED = "configured"
    MODELLED = "modelled"
    MEASURED = "measured"


@dataclass(frozen=True)
class Term:
    """One addend of an RTO or RPO estimate.

    Attributes:
        name: what the term is, e.g. ``"detection (health check)"``.
        seconds: its value in seconds (>= 0).
        source: where the value came from: a config key, a resource URN or ``"drill"``.
        basis: configured, modelled or measured.
        note: the arithmetic behind the value, e.g. ``"10 s x 3 + 60 s alarm"``.
    """

    name: str
    seconds: float
    source: str
    basis: Basis = Basis.CONFIGURED
    note: str = ""

    def __post_init__(self) -> None:
        if not math.isfinite(self.seconds) or self.seconds < 0:
            raise ValueError(f"term {self.name!r} must be a finite number of seconds >= 0, "
                             f"got {self.seconds!r}")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "seconds": self.seconds, "source": self.source,
                "basis": str(self.basis), "note": self.note}


@dataclass(frozen=True)
class Estimate:
    """A worst-case RTO or RPO: its terms, their total and the target.

    Attributes:
        kind: ``"RTO"`` or ``"RPO"``.
        terms: the addends; ``total_seconds`` is their sum.
        target_seconds: the objective the total is held against.
        findings: extra failed conditions that break the objective on their own
            (e.g. a backup schedule slower than the RPO), as human-readable strings.
    """

    kind: Literal["RTO", "RPO"]
    terms: tuple[Term, ...]
    target_seconds: float
    findings: tuple[str, ...] = field(default=())

    @property
    def total_seconds(self) -> float:
        return float(sum(t.seconds for t in self.terms))

    @property
    def met(self) -> bool:
        return self.total_seconds <= self.target_seconds and not self.findings

    def breakdown(self, label: str = "worst case") -> str:
        """A multi-line, human-readable explanation: one line per term, then the verdict.

        Args:
            label: what the total is: ``"worst case"`` for a planned estimate,
                ``"achieved"`` for a drill's.
        """
        lines = [f"{self.kind} {label} {_fmt(self.total_seconds)} vs target "
                 f"{_fmt(self.target_seconds)}: {'met' if self.met else 'MISSED'}"]
        for t in self.terms:
            note = f" = {t.note}" if t.note else ""
            lines.append(f"  + {t.name}: {_fmt(t.seconds)} [{t.basis}] from {t.source}{note}")
        lines.extend(f"  ! {f}" for f in self.findings)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "total_seconds": self.total_seconds,
                "target_seconds": self.target_seconds, "met": self.met,
                "terms": [t.to_dict() for t in self.terms], "findings": list(self.findings)}


def _fmt(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds:.0f} s ({seconds / 3600:.2f} h)"
    if seconds >= 60:
        return f"{seconds:.0f} s ({seconds / 60:.1f} min)"
    if 0 < seconds < 1:   # a sub-second data-loss window is not "0 s"
        return f"{seconds:.2f} s"
    return f"{seconds:.0f} s"


# --- detection -----------------------------------------------------------------------------

def health_check_detection(*, interval_seconds: float, failure_threshold: float,
                           alarm_period_seconds: float = HEALTH_CHECK_METRIC_PERIOD_SECONDS,
                           alarm_evaluation_periods: float = 1, source: str) -> Term:
    """Detection through a Route 53 health check and its us-east-1 alarm, in seconds.

    ``interval x threshold`` (Route 53 Developer Guide, "How Route 53 determines whether a
    health check is healthy"; AWS gives no end-to-end figure) plus the alarm's evaluation
    window ``period x evaluation_periods`` (HealthCheckStatus is one-minute data).
    """
    hc = interval_seconds * failure_threshold
    alarm = alarm_period_seconds * alarm_evaluation_periods
    return Term("detection (health check + alarm)", hc + alarm, source, Basis.CONFIGURED,
                f"{interval_seconds:g} s x {failure_threshold:g} + "
                f"{alarm_period_seconds:g} s x {alarm_evaluation_periods:g} alarm")


def watchdog_detection(*, rate_seconds: float, consecutive_failures: float,
                       probe_timeout_seconds: float = 0, source: str) -> Term:
    """Detection by the standby-Region watchdog: cadence x K consecutive failed probes,
    plus one probe timeout for the last probe, in seconds."""
    total = rate_seconds * consecutive_failures + probe_timeout_seconds
    return Term("detection (standby watchdog)", total, source, Basis.CONFIGURED,
                f"{rate_seconds:g} s x {consecutive_failures:g}"
                + (f" + {probe_timeout_seconds:g} s probe timeout" if probe_timeout_seconds else ""))


def gate_alarm_evaluation(*, period_seconds: float, datapoints: float, source: str) -> Term:
    """Traffic shift: after the orchestrator publishes the gate metric, CloudWatch needs up to
    ``period x datapoints-to-alarm`` seconds to put the gate alarm in ALARM, which the
    alarm-based (CLOUDWATCH_METRIC) health check then follows (Route 53 Developer Guide,
    "Health checks that monitor CloudWatch alarms"; AWS publishes no lag for that hand-off)."""
    return Term("traffic shift (gate alarm evaluation)", period_seconds * datapoints, source,
                Basis.MODELLED, f"{period_seconds:g} s period x {datapoints:g} datapoint(s)")


def fastest(paths: Iterable[Term]) -> Term:
    """The fastest detection path.

    Raises:
        ValueError: if no path is given (nothing can detect a failure).
    """
    paths = list(paths)
    if not paths:
        raise ValueError("no detection path: declare a health check or a watchdog schedule")
    return min(paths, key=lambda t: t.seconds)


# --- estimates -----------------------------------------------------------------------------

def estimate_rto(*, detection_paths: Sequence[Term], step_budgets: Sequence[Term],
                 promotion: Term, dns_ttl: Term, target_seconds: float,
                 traffic_shift: Term | None = None) -> Estimate:
    """Worst-case RTO: fastest detection + sum of step budgets + promotion + traffic shift
    (see :func:`gate_alarm_evaluation`; omitted when None) + DNS TTL.

    Raises:
        ValueError: no detection path, or a negative/non-finite term.
    """
    shift = (traffic_shift,) if traffic_shift is not None else ()
    terms = (fastest(detection_paths), *step_budgets, promotion, *shift, dns_ttl)
    return Estimate("RTO", tuple(terms), float(target_seconds))


def estimate_rpo(*, strategy: str, target_seconds: float, backup_cadence: Term,
                 replication_alarm: Term | None = None, snapshot_copy: Term | None = None,
                 managed_rpo: Term | None = None) -> Estimate:
    """Worst-case RPO for a database strategy.

    Args:
        strategy: a :class:`contract.strategies.Strategy` value; its spec's ``rpo_rule``
            picks the terms.
        target_seconds: the RPO objective.
        backup_cadence: seconds between scheduled backups (must be <= the target).
        replication_alarm: replica-lag (read-replica) or CDC-latency (dms) alarm threshold.
        snapshot_copy: cross-Region copy time (snapshot-restore).
        managed_rpo: the managed RPO, when the strategy has one and it is set (aurora-global);
            it then replaces the alarm threshold.

    Raises:
        ValueError: unknown strategy, or the term that strategy needs is missing.
    """
    findings = cadence_findings(backup_cadence, target_seconds)
    rule = spec(strategy).rpo_rule
    if rule is RpoRule.MANAGED_OR_ALARM and managed_rpo is not None:
        return Estimate("RPO", (managed_rpo,), float(target_seconds), findings)
    if rule in (RpoRule.REPLICATION_ALARM, RpoRule.MANAGED_OR_ALARM):
        if replication_alarm is None:
            raise ValueError(f"strategy {strategy!r} needs its replication-lag alarm threshold")
        terms: tuple[Term, ...] = (replication_alarm,)
    else:
        if snapshot_copy is None:
            raise ValueError(f"strategy {strategy!r} needs the snapshot copy time")
        terms = (backup_cadence, snapshot_copy)
    return Estimate("RPO", terms, float(target_seconds), findings)


def cadence_findings(backup_cadence: Term, target_seconds: float) -> tuple[str, ...]:
    """The finding that breaks an RPO whatever its terms: backups less than once per target.

    Returns:
        one human-readable finding, or none when ``backup_cadence.seconds <= target_seconds``.
    """
    if backup_cadence.seconds <= target_seconds:
        return ()
    return (f"backup schedule every {_fmt(backup_cadence.seconds)} ({backup_cadence.source}) "
            f"runs less than once per RPO target of {_fmt(target_seconds)}",)


def manual_snapshots_held(*, cadence_minutes: float, retention_hours: float, databases: int,
                          keep_newest: int = 1, standby_snapshots: bool) -> dict[str, int]:
    """Manual snapshots held per Region at steady state, for the quota check.

    The primary Region holds one snapshot per database per run; the standby Region holds
    the cross-Region copy plus, when a standby instance exists, its own snapshot.

    Returns:
        ``{"primary": n, "standby": n}`` counts of manual snapshots.
    """
    per_db = max(math.ceil(retention_hours * 60 / cadence_minutes), keep_newest)
    return {"primary": per_db * databases,
            "standby": per_db * databases * (2 if standby_snapshots else 1)}
