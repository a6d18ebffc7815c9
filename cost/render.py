"""Terminal renderings of a :class:`cost.result.CostEstimate` (USD per month)."""

from __future__ import annotations

import io
from collections import Counter

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from cost.result import Basis, Charge, CostEstimate, CostLine

LEGEND = ("priced: plan quantities x published (or your own) prices. estimated: a usage "
          "default or an estimated price is involved. unpriced: no figure could be given, not "
          "in the total. no charge: AWS does not charge for the resource itself.")


def usd(amount: float | None) -> str:
    """``12.3`` -> ``"12.30"``; under a cent but above 0 -> ``"<0.01"``; None -> ``"-"``."""
    if amount is None:
        return "-"
    return "<0.01" if 0 < amount < 0.005 else f"{amount:,.2f}"


def _short(type_: str) -> str:
    """``aws:route53/healthCheck:HealthCheck`` -> ``route53/HealthCheck``."""
    parts = type_.split(":")
    if type_.startswith("run-time:") or len(parts) != 3:
        return type_
    return f"{parts[1].split('/')[0]}/{parts[-1]}"


def _num(x: float) -> str:
    """Readable count: ``43800.0`` -> ``43,800``; ``0.0835`` -> ``0.0835``."""
    if x >= 100 or float(x).is_integer():
        return f"{x:,.0f}"
    return f"{x:,.2f}" if x >= 1 else f"{x:.3g}"


def _charge_detail(c: Charge) -> str:
    per = "" if c.per == 1 else f" per {c.per:,.0f}"
    price = f"{_num(c.quantity)} {c.unit} x ${c.usd_per:.10g}{per}"
    tags = [t for t, on in (("est. price", c.standing == "estimate"),
                            ("usage", c.quantity_from == "usage")) if on]
    return f"{price}" + (f" [{', '.join(tags)}]" if tags else "") + (f"; {c.note}" if c.note else "")


def _add_line(table: Table, ln: CostLine) -> None:
    first = ln.reason if ln.basis in (Basis.UNPRICED, Basis.NO_CHARGE) or not ln.charges else (
        _charge_detail(ln.charges[0]) if len(ln.charges) == 1 else ln.reason)
    table.add_row(ln.component, Text(f"{ln.resource}\n{_short(ln.type)}"), ln.region or "global",
                  str(ln.basis), usd(ln.monthly_usd), Text(first))
    if len(ln.charges) > 1:
        for c in ln.charges:
            table.add_row("", Text(f"  {c.what}"), "", "", usd(c.monthly_usd), Text(_charge_detail(c)))


def render_table(est: CostEstimate, *, show_no_charge: bool = False) -> Group:
    """A rich renderable: the lines (a sub-row per charge), totals by component, notes.

    Args:
        show_no_charge: list no-charge lines one by one (default: one summary line).
    """
    table = Table(title="Monthly DR cost estimate (USD, 730-hour month)")
    for col, kw in (("Component", {}), ("Resource / charge", {}), ("Region", {}), ("Basis", {}),
                    ("USD/month", {"justify": "right"}), ("Detail", {"overflow": "fold", "ratio": 1})):
        table.add_column(col, **kw)
    free: Counter[str] = Counter()
    order = {c: i for i, c in enumerate(est.by_component())}
    for ln in sorted(est.lines, key=lambda x: order[x.component]):
        if ln.basis is Basis.NO_CHARGE and not show_no_charge:
            free[ln.reason] += 1
        else:
            _add_line(table, ln)
    totals = Table(title="Totals by component")
    totals.add_column("Component")
    totals.add_column("USD/month", justify="right")
    for comp, amount in est.by_component().items():
        totals.add_row(comp, usd(amount))
    totals.add_row(Text("total", style="bold"), Text(usd(est.total_usd), style="bold"))
    notes = [Text(LEGEND)]
    if free:
        notes.append(Text(f"no charge ({sum(free.values())} resources): "
                          + "; ".join(f"{n} x {why}" for why, n in free.items())))
    if est.unpriced:
        notes.append(Text(f"INCOMPLETE: {len(est.unpriced)} unpriced line(s) not in the total: "
                          + ", ".join(ln.resource for ln in est.unpriced), style="bold"))
    return Group(table, totals, *notes)


def render_text(est: CostEstimate, *, width: int = 160, show_no_charge: bool = False) -> str:
    """The estimate as plain text (no colour), ``width`` columns wide."""
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(render_table(est, show_no_charge=show_no_charge))
    return console.export_text()
