"""What every pricing function gets: the price table, the usage figures, the plan, the
account-wide free allowances still available, and a record of each figure used."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from cost.plan import PlanIndex
from cost.prices import PriceTable
from cost.result import Charge
from cost.usage import Usage


class Unpriceable(Exception):
    """A pricing function cannot price this resource; the message is the reason shown."""


@dataclass
class Context:
    """Shared state of one estimate.

    Attributes:
        prices: the price table in force.
        usage: the usage figures in force.
        plan: the plan's index.
        figures: ``"<key>@<region>"`` -> figure used (filled by :meth:`charge`).
        free: allowance key -> amount still free for this stack (account-wide allowances,
            sized by :class:`cost.usage.FreeTierUsage`).
    """

    prices: PriceTable
    usage: Usage
    plan: PlanIndex
    figures: dict[str, dict[str, Any]] = field(default_factory=dict)
    free: dict[str, float] = field(default_factory=dict)

    @classmethod
    def create(cls, prices: PriceTable, usage: Usage, plan: PlanIndex) -> Context:
        ft = usage.free_tier
        return cls(prices, usage, plan, free={
            "cloudwatch/free-dashboards": float(ft.cloudwatch_dashboards),
            "route53/free-aws-endpoint-health-checks": float(ft.route53_aws_endpoint_health_checks),
        })

    def charge(self, what: str, key: str, region: str | None, quantity: float, *,
               source: Literal["plan", "usage"], note: str = "") -> Charge:
        """A :class:`Charge` of ``quantity`` units of price ``key`` in ``region``.

        Raises:
            cost.prices.PriceNotFound: no figure for ``key`` in ``region`` (the line is then
                unpriced with that message).
        """
        item, fig, used = self.prices.figure(key, region)
        self.figures[f"{key}@{used}"] = {
            "description": item.description, "usd": fig.usd, "unit": item.unit, "per": item.per,
            "standing": fig.standing, "source": fig.source, "title": fig.title,
            "recorded": fig.recorded.isoformat(), "why": fig.why, "note": fig.note}
        return Charge(what=what, quantity=quantity, unit=item.unit, price_key=key, region=used,
                      usd_per=fig.usd, per=item.per, monthly_usd=quantity / item.per * fig.usd,
                      quantity_from=source, standing=fig.standing, note=note)

    def take_free(self, allowance: str, wanted: float) -> float:
        """Use up to ``wanted`` of an account-wide allowance; returns the amount that is free."""
        got = min(wanted, self.free.get(allowance, 0.0))
        if got:
            self.free[allowance] -= got
        return got
