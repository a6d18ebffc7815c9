"""What the tier advisor found: one :class:`Outcome` per recorded variant, the
:class:`Suggestion` for each cheaper tier that misses, and the :class:`Advice` over them.

Durations are seconds, amounts USD per month of 730 hours. RTO and RPO are the policy pack's
planned worst cases (configured terms plus modelled AWS-side figures, :mod:`rto_rpo.model`);
costs are modelled (:func:`cost.estimate`: the price table times plan quantities and usage
defaults). Neither is measured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from advisor.claim import SEED_CLAIM, Claim
from advisor.variants import Change, Variant
from contract.strategies import spec
from cost import CostEstimate
from rto_rpo.inputs import EstimateInputs
from rto_rpo.model import Estimate

#: The pack's RTO/RPO rule; its violations are what :attr:`Outcome.breaks` explains by term.
OBJECTIVES_POLICY = "rto-rpo-objectives"


def minutes(seconds: float) -> str:
    """``1140`` -> ``"19 min"``, ``510`` -> ``"8.5 min"``."""
    m = seconds / 60
    return f"{m:.1f}".removesuffix(".0") + " min"


def breaking(est: Estimate | None, kind: str) -> str:
    """Why an estimate misses its target: its findings, or the total against the target and its
    two largest terms; ``""`` when it meets."""
    if est is None:
        return f"{kind}: a piece is missing (see the pack's {OBJECTIVES_POLICY} violation)"
    if est.met:
        return ""
    if est.findings:
        return f"{kind}: " + "; ".join(est.findings)
    terms = sorted((t for t in est.terms if t.seconds > 0), key=lambda t: -t.seconds)
    shown = " + ".join(f"{t.name} {minutes(t.seconds)}" for t in terms[:2])
    more = f" + {len(terms) - 2} more" if len(terms) > 2 else ""
    return (f"{kind} {minutes(est.total_seconds)} > {minutes(est.target_seconds)}: "
            f"{shown}{more}")


@dataclass
class Outcome:
    """One variant, recorded under mocks, evaluated by the pack and priced.

    Attributes:
        variant: the config recorded.
        rto, rpo: the pack's planned worst cases (None when a piece is missing or nothing was
            evaluated).
        targets: where the pack took each target from.
        cost: the monthly cost estimate (None when nothing was evaluated).
        mandatory: policies with a mandatory (or remediate) violation.
        advisory: policies with an advisory violation.
        error: why nothing was evaluated (config rejected, program failed); ``""`` otherwise.
        config_error: whether ``error`` is a config error.
        inputs: the pack's estimate input (for the knob search; not serialised).
    """

    variant: Variant
    rto: Estimate | None = None
    rpo: Estimate | None = None
    targets: str = ""
    cost: CostEstimate | None = None
    mandatory: list[str] = field(default_factory=list)
    advisory: list[str] = field(default_factory=list)
    error: str = ""
    config_error: bool = False
    inputs: EstimateInputs | None = None

    @property
    def strategy(self) -> str:
        return self.variant.strategy

    @property
    def tier(self) -> str:
        return spec(self.strategy).tier

    @property
    def monthly_usd(self) -> float | None:
        return None if self.cost is None else self.cost.total_usd

    @property
    def meets(self) -> bool:
        """Evaluated, both estimates meet their targets and no mandatory violation."""
        return (not self.error and not self.mandatory and self.rto is not None
                and self.rpo is not None and self.rto.met and self.rpo.met)

    @property
    def breaks(self) -> list[str]:
        """What keeps it from meeting: the RTO/RPO term by term, then other mandatory rules."""
        if self.error:
            return [self.error.splitlines()[0]]
        out = [b for b in (breaking(self.rto, "RTO"), breaking(self.rpo, "RPO")) if b]
        return out + [f"policy {p}" for p in self.mandatory if p != OBJECTIVES_POLICY]

    def to_dict(self) -> dict[str, Any]:
        return {
            "tier": self.tier, "strategy": self.strategy,
            "changes": [c.to_dict() for c in self.variant.changes],
            "rto_seconds": None if self.rto is None else self.rto.total_seconds,
            "rpo_seconds": None if self.rpo is None else self.rpo.total_seconds,
            "rto": None if self.rto is None else self.rto.to_dict(),
            "rpo": None if self.rpo is None else self.rpo.to_dict(),
            "monthly_usd": self.monthly_usd,
            "cost_complete": None if self.cost is None else self.cost.complete,
            "cost_unpriced": [] if self.cost is None else [ln.resource for ln in self.cost.unpriced],
            "by_component": {} if self.cost is None else self.cost.by_component(),
            "meets": self.meets, "breaks": self.breaks, "mandatory": self.mandatory,
            "advisory": self.advisory, "error": self.error,
            "basis": {"rto_rpo": "configured + modelled (policy pack)",
                      "cost": "modelled (price table x plan quantities and usage defaults)"},
        }


@dataclass
class Suggestion:
    """What it would take for a tier that misses to meet the targets.

    Attributes:
        base: the tier as configured (it misses).
        changes: the smallest change of each breaking term's knob (empty when none is found).
        outcome: the tier with the changes, recorded and evaluated (None when not recorded).
        reason: why no change was found or recorded, or what the pack still reports.
    """

    base: Outcome
    changes: tuple[Change, ...] = ()
    outcome: Outcome | None = None
    reason: str = ""

    @property
    def strategy(self) -> str:
        return self.base.strategy

    @property
    def confirmed(self) -> bool:
        """The pack, run on the changed config, reports both targets met and nothing mandatory."""
        return self.outcome is not None and self.outcome.meets

    @property
    def delta_usd(self) -> float | None:
        """USD/month the changes add to the tier as configured (negative: they save)."""
        if self.outcome is None or self.outcome.monthly_usd is None or self.base.monthly_usd is None:
            return None
        return self.outcome.monthly_usd - self.base.monthly_usd

    def to_dict(self) -> dict[str, Any]:
        return {"tier": self.base.tier, "strategy": self.strategy,
                "changes": [c.to_dict() for c in self.changes], "confirmed": self.confirmed,
                "monthly_usd": None if self.outcome is None else self.outcome.monthly_usd,
                "delta_usd": self.delta_usd, "reason": self.reason,
                "outcome": None if self.outcome is None else self.outcome.to_dict()}


def cheapest_meeting(tiers: list[Outcome]) -> Outcome | None:
    """The cheapest tier that meets the targets, or None. A tier with unpriced lines has only a
    lower bound for a cost, so a fully priced tier is preferred; among tiers with unpriced lines
    only, the lowest bound wins (:attr:`Advice.uncertain` names the others)."""
    meeting = [o for o in tiers if o.meets and o.cost is not None]
    priced = [o for o in meeting if o.cost is not None and o.cost.complete]
    pool = priced or meeting
    return min(pool, key=lambda o: o.monthly_usd or 0.0) if pool else None


@dataclass
class Advice:
    """The tier advisor's answer for one stack.

    Attributes:
        stack: the stack name.
        own_strategy: the stack's own ``database.strategy``.
        tiers: one outcome per strategy of :data:`contract.strategies.SPECS`, cheapest first
            (not evaluated ones last).
        suggestions: one per tier cheaper than the recommendation that misses (every tier
            that misses when none meets).
        claim: the original design's claim, for comparison.
        cost_overrides: the override file used (``"no override"``).
        plot: the PNG written, when one was.
    """

    stack: str
    own_strategy: str
    tiers: list[Outcome]
    suggestions: list[Suggestion] = field(default_factory=list)
    claim: Claim = SEED_CLAIM
    cost_overrides: str = "no override"
    plot: str | None = None

    @property
    def recommended(self) -> Outcome | None:
        """:func:`cheapest_meeting` of the tiers."""
        return cheapest_meeting(self.tiers)

    @property
    def uncertain(self) -> list[Outcome]:
        """Tiers that meet the targets with unpriced lines whose lower bound is below the
        recommendation's cost: they may be cheaper, the model cannot say."""
        rec = self.recommended
        if rec is None or rec.monthly_usd is None:
            return []
        return [o for o in self.tiers if o is not rec and o.meets and o.cost is not None
                and not o.cost.complete and (o.monthly_usd or 0.0) < rec.monthly_usd]

    @property
    def own(self) -> Outcome:
        return next(o for o in self.tiers if o.strategy == self.own_strategy)

    @property
    def targets(self) -> tuple[float | None, float | None]:
        """(RTO, RPO) target seconds the pack used (the stack's own tier's)."""
        o = self.own
        return (None if o.rto is None else o.rto.target_seconds,
                None if o.rpo is None else o.rpo.target_seconds)

    def to_dict(self) -> dict[str, Any]:
        rec = self.recommended
        rto_t, rpo_t = self.targets
        return {
            "stack": self.stack, "own_strategy": self.own_strategy,
            "targets": {"rto_seconds": rto_t, "rpo_seconds": rpo_t, "from": self.own.targets},
            "tiers": [o.to_dict() for o in self.tiers],
            "recommended": None if rec is None else {"tier": rec.tier, "strategy": rec.strategy,
                                                     "monthly_usd": rec.monthly_usd},
            "suggestions": [s.to_dict() for s in self.suggestions],
            "claim": self.claim.to_dict(), "cost_overrides": self.cost_overrides,
            "plot": self.plot, "currency": "USD", "period": "month (730 hours)",
        }
