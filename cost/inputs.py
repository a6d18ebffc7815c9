"""The cost model's inputs for one run of a tool: the price table and usage figures, with a
user's override file (``--cost-overrides FILE``) merged in, read once.

The override's sections are kept as given too, so a tool can hand the same figures to the
policy pack's ``dr-monthly-cost-within-budget`` (its ``costOverrides`` setting) and the pack
prices the plan exactly as the tool does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cost.files import OverrideSource, read_override
from cost.prices import PriceTable, load_prices
from cost.usage import Usage, load_usage


@dataclass(frozen=True)
class CostInputs:
    """Prices and usage for :func:`cost.estimate`.

    Attributes:
        prices: the default table with the override's ``prices``/``allowances`` merged in.
        usage: the usage defaults with the override's ``usage`` merged in.
        sections: the override file's sections as written (empty without an override).
        where: the override file's name, or ``"no override"``.
    """

    prices: PriceTable
    usage: Usage
    sections: dict[str, Any] = field(default_factory=dict)
    where: str = "no override"


def load_inputs(source: OverrideSource = None) -> CostInputs:
    """Read the defaults and ``source`` (a YAML file path, a parsed mapping, or None).

    Raises:
        cost.files.CostFileError: the override is missing or invalid; each line names the key.
    """
    where, sections = read_override(source)
    # The source itself, not the parsed sections, so errors name the file.
    return CostInputs(load_prices(source), load_usage(source), sections, where)
