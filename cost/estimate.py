"""The estimate: price every planned resource once, add the run-time lines, total them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import cost.pricing  # noqa: F401  (registers the pricing functions)
from cost.context import Context, Unpriceable
from cost.derived import dns_query_lines, snapshot_lines
from cost.plan import PROVIDER_PREFIX, PlanIndex, PlannedResourceLike, noting_unknowns
from cost.prices import PriceNotFound, PriceTable, load_prices
from cost.registry import NO_CHARGE, PENDING, PRICERS, NoCharge
from cost.result import Basis, CostEstimate, CostLine
from cost.usage import Usage, load_usage


def estimate(resources: Iterable[PlannedResourceLike], *, prices: PriceTable | None = None,
             usage: Usage | None = None) -> CostEstimate:
    """The monthly cost (USD, 730-hour month) of a plan's resources.

    Args:
        resources: planned resources (see :mod:`cost.plan`), e.g. ``Plan.resources``;
            providers and components included (they are listed as no charge).
        prices: the price table, default :func:`cost.prices.load_prices` ``()``.
        usage: the usage figures, default :func:`cost.usage.load_usage` ``()``.

    Returns:
        A :class:`cost.result.CostEstimate` with exactly one line per resource (in plan
        order), run-time lines (snapshots, copy transfer, DNS queries) after the resource
        each follows from, and totals. Never raises for a resource it cannot price: that
        resource's line is ``unpriced`` with the reason.
    """
    plan = PlanIndex.of(resources)
    ctx = Context.create(prices or load_prices(), usage or load_usage(), plan)
    lines = [price_resource(r, ctx) for r in plan.resources]
    after: dict[str, list[CostLine]] = {}
    for make in (snapshot_lines, dns_query_lines):
        with noting_unknowns() as unknown:
            run_time = make(ctx)
        for rt in run_time:   # inputs read for a batch count against each of its lines
            line = rt.line
            if unknown and line.basis is not Basis.UNPRICED:
                line.unknown_inputs, line.basis = list(unknown), Basis.ESTIMATED
            after.setdefault(rt.after, []).append(line)
    ordered: list[CostLine] = []
    for line in lines:
        ordered.append(line)
        ordered += after.pop(line.urn or "", [])
    for rest in after.values():
        ordered += rest
    return CostEstimate(ordered, prices=ctx.prices.sources, usage=ctx.usage.to_dict(),
                        figures=ctx.figures)


def _base(r: Any, ctx: Context) -> dict[str, Any]:
    return {"component": ctx.plan.component_of(r), "resource": r.name, "urn": r.urn,
            "type": r.type, "region": r.region}


def _flat(basis: Basis, reason: str, r: Any, ctx: Context) -> CostLine:
    return CostLine(basis=basis, monthly_usd=0.0 if basis is Basis.NO_CHARGE else None,
                    reason=reason, **_base(r, ctx))


def price_resource(r: PlannedResourceLike, ctx: Context) -> CostLine:
    """The line of one planned resource (see :mod:`cost.registry` for how types are found)."""
    if r.type.startswith(PROVIDER_PREFIX):
        return _flat(Basis.NO_CHARGE, "a Pulumi provider: not an AWS resource", r, ctx)
    if ctx.plan.is_component(r):
        return _flat(Basis.NO_CHARGE, "a ComponentResource: its children are priced", r, ctx)
    if r.type in NO_CHARGE:
        return _flat(Basis.NO_CHARGE, NO_CHARGE[r.type], r, ctx)
    if r.type in PENDING:
        return _flat(Basis.UNPRICED, PENDING[r.type], r, ctx)
    fn = PRICERS.get(r.type)
    if fn is None:
        return _flat(Basis.UNPRICED, f"no pricing function for {r.type}", r, ctx)
    try:
        with noting_unknowns() as unknown:
            out = fn(r, ctx)
    except (Unpriceable, PriceNotFound) as e:
        return _flat(Basis.UNPRICED, str(e), r, ctx)
    if isinstance(out, NoCharge):
        return _flat(Basis.NO_CHARGE, out.reason, r, ctx)
    return CostLine.from_charges(charges=out.charges, reason=out.note, unknown_inputs=unknown,
                                 **_base(r, ctx))
