"""The result of an estimate: lines (one per planned resource, plus lines for what the
orchestrators create at run time), each with its charges, and totals.

Amounts are USD per month (730 hours). Line bases:

* ``priced``: every charge's quantity comes from the plan and every price is ``published``
  (or a user's own figure);
* ``estimated``: some quantity comes from usage defaults, some price is an estimate, or an
  input unknown during preview was assumed;
* ``unpriced``: the resource may cost money but no figure could be given; ``reason`` says
  why (no pricing function for its type, no price for its Region, an input unknown). It
  counts in no total and makes the estimate incomplete;
* ``no charge``: AWS does not charge for the resource itself (IAM roles, aliases, event
  targets, providers, components); ``reason`` says so.

A priced or estimated line whose pricing read an input unknown during preview names it in
``unknown_inputs``: its figure assumed the input's default (see :func:`cost.plan.known`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Literal


class Basis(StrEnum):
    PRICED = "priced"
    ESTIMATED = "estimated"
    UNPRICED = "unpriced"
    NO_CHARGE = "no charge"


@dataclass(frozen=True)
class Charge:
    """One priced quantity of a line.

    Attributes:
        what: what is counted, e.g. ``"instance-hours db.r6g.large (postgres)"``.
        quantity: units a month (in the price item's unit).
        unit: the price item's unit.
        price_key: the price table key; ``region``: the figure's Region (or ``global``).
        usd_per: the figure: USD per ``per`` units; ``monthly_usd = quantity / per * usd_per``.
        quantity_from: ``plan`` (inputs, schedules, environment) or ``usage`` (a usage figure).
        standing: the figure's standing (``published`` | ``estimate`` | ``user``).
        note: how the quantity was found (the arithmetic, the usage keys used).
    """

    what: str
    quantity: float
    unit: str
    price_key: str
    region: str
    usd_per: float
    per: float
    monthly_usd: float
    quantity_from: Literal["plan", "usage"]
    standing: str
    note: str = ""

    @property
    def priced(self) -> bool:
        """Whether this charge alone would make a line ``priced``."""
        return self.quantity_from == "plan" and self.standing in ("published", "user")


@dataclass
class CostLine:
    """One line of the estimate.

    Attributes:
        component: logical name of the parent ComponentResource (``"stack"`` at top level).
        resource: logical name (for a run-time line, what it is).
        urn: the planned resource's URN; None for a line of what the orchestrators create at
            run time (snapshots, copy transfer, DNS queries), whose ``derived_from`` names the
            planned resources it follows from.
        type: the Pulumi type token, or a ``run-time:`` token for run-time lines.
        region: the resource's Region (None: global or unknown).
        basis: see :class:`Basis`.
        monthly_usd: USD/month; None when unpriced.
        charges: what makes up ``monthly_usd``.
        reason: why unpriced / no charge; for priced lines any caveat.
        derived_from: URNs of the planned resources a run-time line follows from.
        unknown_inputs: ``"<resource>.<input>"`` read while pricing this line but unknown
            during preview (the figure assumed a default for each).
    """

    component: str
    resource: str
    urn: str | None
    type: str
    region: str | None
    basis: Basis
    monthly_usd: float | None
    charges: list[Charge] = field(default_factory=list)
    reason: str = ""
    derived_from: list[str] = field(default_factory=list)
    unknown_inputs: list[str] = field(default_factory=list)

    @classmethod
    def from_charges(cls, *, charges: list[Charge], reason: str = "",
                     unknown_inputs: list[str] | None = None, **kw: Any) -> CostLine:
        """A line of these charges: ``priced`` when every charge is and no input was unknown,
        else ``estimated``."""
        unknown = list(unknown_inputs or [])
        basis = (Basis.PRICED if all(c.priced for c in charges) and not unknown
                 else Basis.ESTIMATED)
        return cls(basis=basis, monthly_usd=math.fsum(c.monthly_usd for c in charges),
                   charges=charges, reason=reason, unknown_inputs=unknown, **kw)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["basis"] = str(self.basis)
        return d


@dataclass
class CostEstimate:
    """The monthly cost of a plan.

    Attributes:
        lines: in plan order, run-time lines after the resource they follow from.
        prices: price table files merged (defaults first).
        usage: every usage figure in force (the assumptions behind ``estimated`` lines).
        figures: ``"<key>@<region>"`` -> the figure used (usd, unit, per, standing, source,
            title, recorded, why), for every price a charge used.
    """

    lines: list[CostLine]
    prices: tuple[str, ...] = ()
    usage: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def total_usd(self) -> float:
        """USD/month over every priced and estimated line (unpriced lines count nothing)."""
        return math.fsum(line.monthly_usd or 0.0 for line in self.lines)

    @property
    def unpriced(self) -> list[CostLine]:
        return [line for line in self.lines if line.basis is Basis.UNPRICED]

    @property
    def unknown_inputs(self) -> list[str]:
        """``"<resource>.<input>"`` unknown during preview that some line's figure assumed,
        each once, in line order."""
        return list(dict.fromkeys(i for line in self.lines for i in line.unknown_inputs))

    @property
    def complete(self) -> bool:
        """True when no line is unpriced (the total then covers every resource)."""
        return not self.unpriced

    def by_component(self) -> dict[str, float]:
        """Component -> USD/month, components in first-seen order."""
        out: dict[str, list[float]] = defaultdict(list)
        for line in self.lines:
            out[line.component].append(line.monthly_usd or 0.0)
        return {k: math.fsum(v) for k, v in out.items()}

    def by_basis(self) -> dict[str, float]:
        """Basis -> USD/month (``unpriced`` and ``no charge`` are always 0)."""
        return {str(b): math.fsum(line.monthly_usd or 0.0 for line in self.lines if line.basis is b)
                for b in Basis}

    def line(self, *, urn: str | None = None, resource: str | None = None) -> CostLine:
        """The single line with this URN and/or resource name. Raises LookupError."""
        hits = [ln for ln in self.lines
                if (urn is None or ln.urn == urn) and (resource is None or ln.resource == resource)]
        if len(hits) != 1:
            raise LookupError(f"expected one line urn={urn} resource={resource}, found {len(hits)}")
        return hits[0]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: totals (USD/month), lines with their charges, and the assumptions."""
        return {
            "currency": "USD", "period": "month (730 hours)",
            "total_usd": self.total_usd, "complete": self.complete,
            "unpriced": [ln.resource for ln in self.unpriced],
            "unknown_inputs": self.unknown_inputs,
            "by_component": self.by_component(), "by_basis": self.by_basis(),
            "lines": [ln.to_dict() for ln in self.lines],
            "prices": list(self.prices), "figures": self.figures, "usage": self.usage,
        }
