"""Cost rule: the modelled monthly cost of the stack within a budget.

``dr-monthly-cost-within-budget`` prices the planned resources with :func:`cost.estimate` -
the pricing functions, price table (``cost/prices.yaml``: each figure with its AWS pricing
page and the date read) and usage defaults (:mod:`cost.usage`) that the program's
``estimatedMonthlyCostUsd`` output uses - and compares the total, USD per month of 730 hours,
with ``maxMonthlyUsd``.

* No budget set (the default): not applicable, and the reason gives the modelled figure.
* Advisory by default; a user who wants it to block sets ``"enforcementLevel": "mandatory"``
  in its policy config, as for any rule.
* ``costOverrides``: the same sections as a cost override file (``prices``, ``allowances``,
  ``usage``; :mod:`cost.files`), inline in the policy config, for negotiated prices, other
  Regions or the shop's own usage figures. Invalid overrides are a violation naming the key.

Never a silent pass: an unpriced line counts nothing, and a line whose figure assumed a
default for an input unknown during preview is left out of the lower bound. If even the lower
bound is over budget that is a violation ("at least"); if it is within, the rule reports
itself not applicable and names the unpriced lines and unknown inputs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Policy, ReportViolation, StackValidationArgs

import cost
from cost.files import SECTIONS
from policies.rules.cost_plan import planned_resources
from policies.rules.declare import Setting, check_settings, not_applicable, stack_policy

NAME = "dr-monthly-cost-within-budget"

SETTINGS = [
    Setting("maxMonthlyUsd", "number", None,
            "Budget for the stack's modelled monthly cost, USD per month (730 hours). Unset "
            "(null): no budget, the rule is not applicable and names the modelled figure.",
            {"type": ["number", "null"], "minimum": 0}),
    Setting("costOverrides", "object", {},
            "Cost-model overrides, as in a cost override file: 'prices' (price table items, "
            "Region by Region), 'allowances' and 'usage' (usage figures, key by key).",
            {"additionalProperties": False,
             "properties": {s: {"type": "object"} for s in SECTIONS}}),
    Setting("topLines", "integer", 5, "How many of the costliest lines a violation lists.",
            {"minimum": 1}),
]


def _money(usd: float) -> str:
    return f"${usd:,.2f}"


def _load(overrides: Mapping[str, Any]) -> tuple[cost.PriceTable, cost.Usage]:
    """Raises cost.CostFileError naming each bad key."""
    return cost.load_prices(overrides), cost.load_usage(overrides)


def _check_build_settings(overrides: Mapping[str, Any]) -> None:
    check_settings(NAME, SETTINGS, overrides)
    budget = overrides.get("maxMonthlyUsd")
    if budget is not None and budget < 0:
        raise ValueError(f"policy {NAME!r}: setting 'maxMonthlyUsd' must be >= 0, got {budget!r}")
    if overrides.get("topLines", 1) < 1:
        raise ValueError(f"policy {NAME!r}: setting 'topLines' must be >= 1")
    try:
        _load(overrides.get("costOverrides") or {})
    except cost.CostFileError as e:
        raise ValueError(f"policy {NAME!r}: setting 'costOverrides': {'; '.join(e.errors)}") from None


def _top(est: cost.CostEstimate, n: int) -> str:
    lines = sorted((ln for ln in est.lines if ln.monthly_usd), key=lambda ln: -(ln.monthly_usd or 0))
    return "; ".join(f"{ln.resource} ({ln.component}) {_money(ln.monthly_usd or 0.0)}"
                     for ln in lines[:n])


def _caveats(est: cost.CostEstimate) -> list[str]:
    """Why the total is not the whole cost: unpriced lines, inputs unknown during preview."""
    out = []
    if est.unpriced:
        out.append(f"{len(est.unpriced)} unpriced line(s) count nothing: "
                   + "; ".join(f"{ln.resource} ({ln.reason})" for ln in est.unpriced))
    if est.unknown_inputs:
        out.append("lines whose figure assumed a default for an input unknown during preview "
                   "are left out: " + ", ".join(est.unknown_inputs))
    return out


def lower_bound_usd(est: cost.CostEstimate) -> float:
    """USD/month of the lines whose inputs are all known (unpriced lines count nothing)."""
    return math.fsum(ln.monthly_usd or 0.0 for ln in est.lines if not ln.unknown_inputs)


def _figure(est: cost.CostEstimate) -> tuple[float, str]:
    """(lower bound USD/month, how to say it): exact when nothing is unpriced or unknown."""
    low, caveats = lower_bound_usd(est), _caveats(est)
    if not caveats:
        return low, f"{_money(low)}/month"
    return low, f"at least {_money(low)}/month (a lower bound: " + "; ".join(caveats) + ")"


def _judge(est: cost.CostEstimate, budget: float, top: int, report: ReportViolation) -> None:
    low, figure = _figure(est)
    if low > budget:
        report(f"Modelled monthly cost is {figure}, over the budget of {_money(budget)}/month "
               f"(maxMonthlyUsd) by {_money(low - budget)}. Costliest lines: {_top(est, top)}. "
               "Choose a cheaper strategy or instance class, or raise maxMonthlyUsd.")
    elif _caveats(est):
        not_applicable("the modelled monthly cost can't be decided against the budget of "
                       f"{_money(budget)}/month: it is {figure}")


def monthly_cost_within_budget(**overrides: Any) -> Policy:
    """``dr-monthly-cost-within-budget``: advisory stack policy over :func:`cost.estimate`.

    Raises:
        ValueError: bad ``overrides`` (unknown or mistyped setting, negative budget, invalid
            ``costOverrides``, naming the key).
    """
    _check_build_settings(overrides)

    def check(args: StackValidationArgs, report: ReportViolation, cfg: dict[str, Any]) -> None:
        try:
            prices, usage = _load(cfg["costOverrides"] or {})
        except cost.CostFileError as e:
            report(f"Policy config costOverrides is invalid: {'; '.join(e.errors)}.")
            return
        est = cost.estimate(planned_resources(args.resources), prices=prices, usage=usage)
        budget = cfg["maxMonthlyUsd"]
        if budget is None:
            not_applicable("not checked without a budget (set maxMonthlyUsd); the modelled "
                           f"monthly cost is {_figure(est)[1]}")
        _judge(est, float(budget), int(cfg["topLines"]), report)

    return stack_policy(
        name=NAME,
        description="Checks whether the stack's modelled monthly cost (cost.estimate over the "
                    "planned resources) is within the budget maxMonthlyUsd.",
        check=check, settings=SETTINGS, enforcement_level=EnforcementLevel.ADVISORY,
        overrides=overrides)


def policies() -> list[Policy]:
    return [monthly_cost_within_budget()]
