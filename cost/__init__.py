"""Monthly DR cost estimate over a recorded plan.

Public API::

    from cost import estimate, load_prices, load_usage, render_text

    est = estimate(plan.resources)                       # defaults
    est = estimate(plan.resources, prices=load_prices("my-costs.yaml"),
                   usage=load_usage("my-costs.yaml"))    # one override file, both sections
    est.total_usd, est.by_component(), est.to_dict(), render_text(est)

* :func:`cost.prices.load_prices` -> :class:`cost.prices.PriceTable` (``cost/prices.yaml``
  plus an override's ``prices:``/``allowances:``).
* :func:`cost.usage.load_usage` -> :class:`cost.usage.Usage` (documented defaults plus an
  override's ``usage:``).
* :func:`cost.estimate.estimate` -> :class:`cost.result.CostEstimate` of
  :class:`cost.result.CostLine` (one per planned resource, plus run-time lines), each with
  its :class:`cost.result.Charge` list and a :class:`cost.result.Basis`.
* :func:`cost.inputs.load_inputs` -> :class:`cost.inputs.CostInputs`: both, and the override's
  sections as written, from one override file (the tools' ``--cost-overrides``).
* :func:`cost.render.render_text` / :func:`cost.render.render_table` for terminals.

Amounts are USD per month of 730 hours. Invalid override files raise
:class:`cost.files.CostFileError` naming each key.
"""

from cost.estimate import estimate, price_resource
from cost.files import CostFileError
from cost.inputs import CostInputs, load_inputs
from cost.prices import PriceNotFound, PriceTable, load_prices
from cost.render import render_table, render_text
from cost.result import Basis, Charge, CostEstimate, CostLine
from cost.usage import HOURS_PER_MONTH, Usage, load_usage

__all__ = [
    "HOURS_PER_MONTH", "Basis", "Charge", "CostEstimate", "CostFileError", "CostInputs", "CostLine",
    "PriceNotFound", "PriceTable", "Usage", "estimate", "load_inputs", "load_prices", "load_usage",
    "price_resource", "render_table", "render_text",
]
