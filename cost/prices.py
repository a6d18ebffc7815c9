"""The price table: every figure the cost model multiplies by, with its unit, Region, source
page, the date it was recorded and its standing.

The defaults live in ``cost/prices.yaml`` (read it for the figures and their sources). Each
item is priced per Region; ``global`` stands for services AWS prices without a Region
(Route 53). Standing:

* ``published``: read from AWS's own pricing page or the AWS Price List API; ``source`` is
  that page's URL.
* ``estimate``: a third-party figure, a figure read for another Region, or no figure found;
  ``why`` says which. An estimate is never presented as fact.
* ``user``: given in a user's override file (a negotiated price, another Region); taken as
  the user states it, ``source`` says where it comes from.

Overrides (``prices:`` section of an override file, see :mod:`cost.files`): an item already in
the table takes new Region figures, each replacing that Region's figure whole (so a user's
number never inherits AWS's source or standing); its ``unit`` and ``per`` cannot change, since
the pricing functions count in them. A new item gives every field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from contract.identifiers import is_region
from cost.files import CostFileError, OverrideSource, key_path, read_override, validation_errors

DEFAULT_TABLE = Path(__file__).with_name("prices.yaml")

#: Where a ``published`` figure may come from: AWS's pricing pages and its Price List API.
AWS_PRICE_SOURCES = ("https://aws.amazon.com/", "https://pricing.us-east-1.amazonaws.com/")

#: Pseudo-Region of services priced without a Region.
GLOBAL = "global"

Standing = Literal["published", "estimate", "user"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Sourced(_Strict):
    """Where a figure or an allowance comes from: ``standing``, ``source``, ``title``,
    ``recorded`` and ``why``, as :class:`Figure` describes them."""

    standing: Standing
    source: str = Field(min_length=1)
    title: str | None = None
    recorded: dt.date
    why: str | None = None

    @model_validator(mode="after")
    def _standing_rules(self) -> Self:
        if self.standing == "published" and not self.source.startswith(AWS_PRICE_SOURCES):
            raise ValueError(f"a published figure's source must be an AWS pricing page "
                             f"({' or '.join(AWS_PRICE_SOURCES)}...); got {self.source!r}: "
                             "use standing 'estimate' (with why) or 'user'")
        if self.standing == "estimate" and not self.why:
            raise ValueError("an estimate must say why it is not a published figure (why: ...)")
        return self


class Figure(_Sourced):
    """One Region's figure of an item.

    Attributes:
        usd: USD per :attr:`PriceItem.per` :attr:`PriceItem.unit` (>= 0).
        standing: ``published`` | ``estimate`` | ``user`` (see the module docstring).
        source: the page's URL (``published``: an AWS pricing page), or for ``user`` where
            the figure comes from.
        title: the source page's title.
        recorded: the date the figure was written into the table.
        why: required for ``estimate``: why it is not a published figure.
        note: anything else a reader needs (tiers, what it excludes).
    """

    usd: float = Field(ge=0)
    note: str | None = None


class PriceItem(_Strict):
    """A priced quantity.

    Attributes:
        description: what is charged.
        unit: what is counted (``"GB-seconds"``, ``"requests"``, ``"instance-hours"``).
        per: how many units a figure's ``usd`` buys (1, 1000, 1000000).
        regions: Region code (or ``global``) -> :class:`Figure`.
    """

    description: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    per: float = Field(1.0, gt=0)
    regions: dict[str, Figure] = Field(min_length=1)

    @field_validator("regions")
    @classmethod
    def _region_keys(cls, v: dict[str, Figure]) -> dict[str, Figure]:
        bad = [k for k in v if k != GLOBAL and not is_region(k)]
        if bad:
            raise ValueError(f"not a Region code (or '{GLOBAL}'): {', '.join(bad)}")
        return v


class Allowance(_Sourced):
    """A free amount AWS includes (a free tier, storage included with an instance).

    Attributes:
        description: what is free.
        amount: how much, in ``unit``.
        unit: e.g. ``"dashboards"``, ``"GiB per instance"``, ``"fraction of provisioned storage"``.
        scope: ``account`` (shared by everything in the account and Region: the estimate
            deducts only what :class:`cost.usage.FreeTierUsage` says is available), ``instance``
            (each instance gets it) or ``region`` (per Region, per account).
        standing, source, title, recorded, why: as for :class:`Figure`.
    """

    description: str = Field(min_length=1)
    amount: float = Field(ge=0)
    unit: str = Field(min_length=1)
    scope: Literal["account", "instance", "region"]


class PriceNotFound(LookupError):
    """No figure for ``key`` in ``region``. The message says how to add one."""

    def __init__(self, key: str, region: str | None) -> None:
        self.key, self.region = key, region
        where = region or "an unknown Region"
        path = key_path(("prices", key, "regions", region or "<region>"))
        super().__init__(f"no price for {key} in {where}: add {path} in an override file")


class PriceTable(_Strict):
    """The price table in force: the defaults with any override merged in.

    Attributes:
        items: key (``service/what[/detail]``) -> :class:`PriceItem`.
        allowances: key -> :class:`Allowance`.
        sources: files merged, in order (the defaults first).
    """

    items: dict[str, PriceItem]
    allowances: dict[str, Allowance] = Field(default_factory=dict)
    sources: tuple[str, ...] = ()

    def item(self, key: str) -> PriceItem:
        """The item ``key``. Raises :class:`PriceNotFound` (Region None) when absent."""
        try:
            return self.items[key]
        except KeyError:
            raise PriceNotFound(key, None) from None

    def figure(self, key: str, region: str | None) -> tuple[PriceItem, Figure, str]:
        """``(item, figure, region used)`` for ``key`` in ``region``; an item priced only
        ``global`` answers for every Region.

        Raises:
            PriceNotFound: no such item, or no figure for that Region.
        """
        item = self.items.get(key)
        if item is None:
            raise PriceNotFound(key, region)
        for r in (region, GLOBAL):
            if r is not None and r in item.regions:
                return item, item.regions[r], r
        raise PriceNotFound(key, region)

    def allowance(self, key: str) -> Allowance:
        """The allowance ``key``. Raises KeyError naming it."""
        try:
            return self.allowances[key]
        except KeyError:
            raise KeyError(f"no allowance {key!r} in the price table") from None


@lru_cache(maxsize=1)
def _default_raw() -> dict[str, Any]:
    data = yaml.safe_load(DEFAULT_TABLE.read_text())
    return {"prices": data.get("prices", {}), "allowances": data.get("allowances", {})}


#: Fields of a default item an override cannot change (the pricing functions count in them),
#: and the defaults of those the YAML may leave out.
_FIXED = ("unit", "per", "scope")
_FIELD_DEFAULTS = {"per": 1.0}


def _merge_items(base: Mapping[str, Any], over: Any, section: str) -> tuple[dict[str, Any], list[str]]:
    """Merge an override section into the defaults, enforcing the unit rule."""
    if not isinstance(over, Mapping):
        return dict(base), [f"{section}: must be a mapping of item key -> item"]
    out, errors = {k: dict(v) for k, v in base.items()}, []
    for key, item in over.items():
        if not isinstance(item, Mapping):
            errors.append(f"{key_path((section, key))}: must be a mapping")
            continue
        if key not in out:
            out[key] = dict(item)
            continue
        merged = out[key]
        for field, value in item.items():
            current = merged.get(field, _FIELD_DEFAULTS.get(field))
            if field in _FIXED and value != current:
                errors.append(f"{key_path((section, key, field))}: cannot change ({current!r} in "
                              f"the default table); give figures in the same {field}")
            elif field == "regions" and isinstance(value, Mapping):
                merged["regions"] = {**merged.get("regions", {}), **value}
            else:
                merged[field] = value
    return out, errors


def load_prices(override: OverrideSource = None) -> PriceTable:
    """The default price table (``cost/prices.yaml``) with ``override`` merged in.

    Args:
        override: an override file (path) or its parsed mapping; its ``prices`` and
            ``allowances`` sections are read (``usage`` is for :func:`cost.usage.load_usage`).

    Raises:
        CostFileError: the override is invalid; each line names the key.
    """
    where, data = read_override(override)
    base = _default_raw()
    errors: list[str] = []
    merged: dict[str, Any] = {}
    for section in ("prices", "allowances"):
        merged[section], errs = _merge_items(base[section], data.get(section, {}), section)
        errors += errs
    if errors:
        raise CostFileError(where, errors)
    try:
        return PriceTable(items=merged["prices"], allowances=merged["allowances"],
                          sources=(str(DEFAULT_TABLE),) + ((where,) if data else ()))
    except ValidationError as e:
        lines = [line.replace("items.", "prices.", 1) if line.startswith("items.") else line
                 for line in validation_errors(e, ())]
        raise CostFileError(where if data else str(DEFAULT_TABLE), lines) from None
