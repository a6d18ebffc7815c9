"""Each DR tier of Pulumi.prod.yaml - modelled monthly cost, planned worst-case RTO and RPO,
whether it meets the targets - beside the original design's cost claim, from the tier advisor
(:func:`advisor.advise.advise`: every variant recorded under mocks and judged by the policy
pack). Nothing here is timed or measured: costs are *modelled* (the price table times plan
quantities and usage defaults), RTO/RPO are *configured* terms plus *modelled* AWS-side figures,
and the original design's figures are its *claim*."""

from __future__ import annotations

from typing import Any

from advisor.result import Advice, Outcome
from bench.table import Row, basis_of, row

BENCHMARK = "DR tiers (prod)"
COST = "monthly cost, modelled (prices x plan and usage)"
RTO = "worst-case RTO, configured + modelled"
RPO = "worst-case RPO, configured + modelled"


def _verdict(o: Outcome, rec: Outcome | None) -> str:
    if o is rec:
        return "recommended (cheapest that meets the targets)"
    return "meets the targets" if o.meets else "misses: " + "; ".join(o.breaks)


def _case(o: Outcome, rec: Outcome | None) -> str:
    changes = "".join(f" + {c.path}={c.new}" for c in o.variant.changes)
    return f"{o.strategy} ({o.tier}){changes}, {_verdict(o, rec)}"


def _outcome_rows(o: Outcome, rec: Outcome | None, targets: tuple[Any, Any]) -> list[Row]:
    case = _case(o, rec)
    out = []
    if o.monthly_usd is not None:
        out.append(row(BENCHMARK, case, COST, o.monthly_usd, "USD/month", basis="modelled",
                       text=f"{o.monthly_usd:,.2f}"))
    for metric, est, target in ((RTO, o.rto, targets[0]), (RPO, o.rpo, targets[1])):
        if est is not None:
            out.append(row(BENCHMARK, case, metric, est.total_seconds,
                           f"s (target {target:.0f} s)", basis=basis_of(t.basis for t in est.terms)))
    return out


def rows(a: Advice) -> list[Row]:
    """The rows of an advice: per tier (cheapest first), per confirmed suggestion, then the
    original design's claim."""
    rec, out = a.recommended, []
    for o in a.tiers:
        out += _outcome_rows(o, rec, a.targets)
    for s in a.suggestions:
        if s.confirmed and s.outcome is not None:
            out += _outcome_rows(s.outcome, rec, a.targets)
    c = a.claim
    case = f"{c.label}, from its design document"   # advisor.claim names the passages
    out += [row(BENCHMARK, case, "monthly cost, claimed", c.monthly_usd, "USD/month",
                basis="claimed", text=f"{c.monthly_usd:,.2f}"),
            row(BENCHMARK, case, "RTO, claimed", c.rto_seconds, "s", basis="claimed"),
            row(BENCHMARK, case, "RPO, claimed (upper bound)", c.rpo_seconds, "s", basis="claimed")]
    return out


def measure_rows() -> list[Row]:
    """The tier advisor on the prod stack, as rows (see :func:`rows`)."""
    from advisor.advise import advise

    return rows(advise("prod"))
