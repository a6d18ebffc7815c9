"""The input of an RTO/RPO estimate: every term known (with its source and basis) or unknown
(with the input paths it needs), and the one function that estimates from it.

Three builders produce an :class:`EstimateInputs`, each from what it can see:

* the program, from validated settings (:func:`components.budgets.planned_inputs`);
* the policy pack, from planned resource inputs (:mod:`policies.inventory`), where a term
  computed from another resource's output is :class:`Unknown` during preview;
* the drill, from measurements (see :mod:`rto_rpo.model` for how it builds one).

:func:`estimate` turns any of them into :class:`~rto_rpo.model.Estimate` objects with the
arithmetic of :mod:`rto_rpo.model`. An unknown term counts as 0 s, so an estimate over
unknown terms is a lower bound: if it already misses the target, the real one does too.

Shapes: every duration is in seconds (float). A term is a :data:`TermInput`, either a
:class:`~rto_rpo.model.Term` (known: ``seconds``, ``source``, ``basis`` configured, modelled
or measured) or an :class:`Unknown`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rto_rpo.model import Basis, Estimate, Term, cadence_findings, estimate_rpo, estimate_rto


@dataclass(frozen=True)
class Unknown:
    """A term whose value cannot be known yet (an input computed during preview).

    Attributes:
        name: the term, e.g. ``"detection"``, ``"DNS TTL"``.
        needs: the input paths it needs, as ``"<urn>: <path>"``; at least one.
        why: a few words on what is unknown, shown with the 0 s stand-in.

    Raises:
        ValueError: ``needs`` is empty (an unknown term must say what it waits for).
    """

    name: str
    needs: tuple[str, ...]
    why: str = "computed"

    def __post_init__(self) -> None:
        if not self.needs:
            raise ValueError(f"unknown term {self.name!r} must name the input it needs")

    def counted(self) -> Term:
        """The 0 s stand-in the estimate adds (so the estimate is a lower bound)."""
        return Term(f"{self.name} ({self.why}; counted as 0 s)", 0.0, "preview", Basis.CONFIGURED)


#: One term of an estimate: known (a :class:`Term`) or :class:`Unknown`.
TermInput = Term | Unknown


def counted(t: TermInput) -> Term:
    """``t`` as a term of the sum: itself when known, its 0 s stand-in when unknown."""
    return t.counted() if isinstance(t, Unknown) else t


@dataclass(frozen=True)
class RtoInputs:
    """The terms of a worst-case RTO (see :func:`rto_rpo.model.estimate_rto`).

    Attributes:
        target_seconds: the RTO objective.
        detection: every detection path (the fastest one counts); at least one.
        steps: the orchestrator's step budgets, or what a drill measured for them.
        promotion: time until the standby database takes writes.
        dns_ttl: how long clients may cache the old answer.
        traffic_shift: the gate alarm's evaluation window, or None when there is none.
    """

    target_seconds: float
    detection: tuple[TermInput, ...]
    steps: tuple[TermInput, ...]
    promotion: TermInput
    dns_ttl: TermInput
    traffic_shift: TermInput | None = None


@dataclass(frozen=True)
class RpoInputs:
    """The terms of a worst-case RPO (see :func:`rto_rpo.model.estimate_rpo`).

    Attributes:
        target_seconds: the RPO objective.
        strategy: the database strategy; its :attr:`~contract.strategies.StrategySpec.rpo_rule`
            picks the terms.
        backup_cadence: seconds between backups; a cadence over the target is a finding.
            None only for a measured RPO (below), which then has no cadence finding.
        replication_alarm: the replication alarm's threshold (replication strategies).
        snapshot_copy: the cross-Region copy time (cadence-plus-copy strategies).
        recovery_point: a measured recovery-point age at the failure (a drill). When given it
            is the RPO, whatever the strategy's rule.
        managed_rpo: the managed RPO (aurora-global with ``rds.global_db_rpo``); when given it
            is the RPO instead of the replication alarm.
    """

    target_seconds: float
    strategy: str
    backup_cadence: TermInput | None = None
    replication_alarm: TermInput | None = None
    snapshot_copy: TermInput | None = None
    recovery_point: TermInput | None = None
    managed_rpo: TermInput | None = None


@dataclass(frozen=True)
class EstimateInputs:
    """The input of an RTO/RPO estimate, as every builder produces it.

    Attributes:
        rto, rpo: the terms of each estimate, or None when a piece it needs is missing
            (the builder says which; :func:`estimate` then gives no estimate for it).
    """

    rto: RtoInputs | None = None
    rpo: RpoInputs | None = None

    def unknown(self) -> tuple[str, ...]:
        """Every input path an unknown term needs, in term order, each once."""
        found: list[str] = []
        for t in _terms(self):
            if isinstance(t, Unknown):
                found.extend(p for p in t.needs if p not in found)
        return tuple(found)


@dataclass(frozen=True)
class Estimates:
    """What :func:`estimate` computed.

    Attributes:
        rto, rpo: each estimate, or None when its inputs were None.
        unknown: the input paths unknown terms need (counted as 0 s; the estimates are lower
            bounds when this is not empty).
    """

    rto: Estimate | None
    rpo: Estimate | None
    unknown: tuple[str, ...] = field(default=())

    def complete(self) -> tuple[Estimate, Estimate]:
        """Both estimates.

        Raises:
            ValueError: one of them could not be made.
        """
        if self.rto is None or self.rpo is None:
            lacking = [k for k, e in (("RTO", self.rto), ("RPO", self.rpo)) if e is None]
            raise ValueError(f"no {' or '.join(lacking)} estimate: a piece it needs is missing")
        return self.rto, self.rpo


def estimate(inputs: EstimateInputs) -> Estimates:
    """The worst-case RTO and RPO of ``inputs``, unknown terms counted as 0 s.

    Raises:
        ValueError: no detection path, a negative or non-finite term, an unknown strategy, or
            a strategy without the term its RPO rule needs.
    """
    rto = None if inputs.rto is None else _rto(inputs.rto)
    rpo = None if inputs.rpo is None else _rpo(inputs.rpo)
    return Estimates(rto, rpo, inputs.unknown())


def _rto(i: RtoInputs) -> Estimate:
    return estimate_rto(detection_paths=[counted(t) for t in i.detection],
                        step_budgets=[counted(t) for t in i.steps],
                        promotion=counted(i.promotion), dns_ttl=counted(i.dns_ttl),
                        traffic_shift=_maybe(i.traffic_shift),
                        target_seconds=i.target_seconds)


def _rpo(i: RpoInputs) -> Estimate:
    cadence = None if i.backup_cadence is None else counted(i.backup_cadence)
    if i.recovery_point is not None:
        findings = () if cadence is None else cadence_findings(cadence, i.target_seconds)
        return Estimate("RPO", (counted(i.recovery_point),), float(i.target_seconds), findings)
    if cadence is None:
        raise ValueError("an RPO estimate needs the backup cadence (or a measured recovery point)")
    return estimate_rpo(strategy=i.strategy, target_seconds=i.target_seconds,
                        backup_cadence=cadence, replication_alarm=_maybe(i.replication_alarm),
                        snapshot_copy=_maybe(i.snapshot_copy), managed_rpo=_maybe(i.managed_rpo))


def _maybe(t: TermInput | None) -> Term | None:
    return None if t is None else counted(t)


def _terms(inputs: EstimateInputs) -> Iterable[TermInput | None]:
    if inputs.rto is not None:
        r = inputs.rto
        yield from (*r.detection, *r.steps, r.promotion, r.traffic_shift, r.dns_ttl)
    if inputs.rpo is not None:
        p = inputs.rpo
        yield from (p.backup_cadence, p.replication_alarm, p.snapshot_copy, p.recovery_point,
                    p.managed_rpo)


def larger_promotion(*, strategy: str, modelled: Term, configured: Term | None) -> Term:
    """The promotion term: a configured time may raise the modelled AWS-side figure, never
    lower it (the program and the pack both take this maximum, so they agree).

    Args:
        strategy: the database strategy, named in the term.
        modelled: the modelled seconds (basis modelled) and where they come from.
        configured: the stack's own promotion seconds, or None when it sets none.
    """
    chosen = configured if configured is not None and configured.seconds > modelled.seconds \
        else modelled
    return Term(f"promotion ({strategy})", chosen.seconds, chosen.source, chosen.basis, chosen.note)
