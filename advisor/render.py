"""The tier advisor's terminal output: one table (every tier, cheapest first, and the original
design's claim as a labelled row), the recommendation and what it would take for a cheaper tier
to meet the targets."""

from __future__ import annotations

import io

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from advisor.result import Advice, Outcome, Suggestion, minutes

BASIS_NOTE = ("RTO/RPO: planned worst case computed by the policy pack from configured terms and "
              "modelled AWS-side figures (not measured). Cost: modelled, USD per 730-hour month "
              "(price table x plan quantities and usage defaults; not billed).")


def usd(amount: float | None) -> str:
    return "-" if amount is None else f"${amount:,.2f}"


def _cost(o: Outcome) -> str:
    if o.cost is None:
        return "-"
    return ("" if o.cost.complete else "at least ") + usd(o.cost.total_usd)


def _row(t: Table, o: Outcome, recommended: bool) -> None:
    meets = "[green]yes[/]" if o.meets else "[red]no[/]"
    t.add_row(o.tier + (" [bold](recommended)[/]" if recommended else ""), o.strategy,
              "-" if o.rto is None else minutes(o.rto.total_seconds),
              "-" if o.rpo is None else minutes(o.rpo.total_seconds), _cost(o), meets,
              Text("; ".join(o.breaks) or "-"))


def _claim_row(t: Table, a: Advice) -> None:
    c = a.claim
    t.add_row(Text(c.label, style="italic"), "-", f"{minutes(c.rto_seconds)} (claimed)",
              f"<= {minutes(c.rpo_seconds)} (claimed)", f"{usd(c.monthly_usd)} (claimed)",
              "claimed", Text(f"a claim, not a measurement: {c.source}"))


def table(a: Advice) -> Table:
    """The comparison table."""
    rto_t, rpo_t = a.targets
    goal = " and ".join(f"{k} {minutes(v)}" for k, v in (("RTO", rto_t), ("RPO", rpo_t)) if v)
    t = Table(title=f"DR tiers for stack {a.stack} (targets {goal})", caption=BASIS_NOTE)
    for col, kw in (("Tier", {}), ("Strategy", {}), ("RTO worst case", {"justify": "right"}),
                    ("RPO worst case", {"justify": "right"}), ("USD/month", {"justify": "right"}),
                    ("Meets targets", {}), ("Breaks them", {"overflow": "fold", "ratio": 1})):
        t.add_column(col, **kw)
    rec = a.recommended
    for o in a.tiers:
        _row(t, o, o is rec)
    t.add_section()
    _claim_row(t, a)
    return t


def suggestion_line(s: Suggestion, rec: Outcome | None) -> str:
    """``snapshot-restore meets a 60 min RPO with backup.cadenceMinutes 30 (now 60): +$0.09/month
    ...``, or why no change was found."""
    head = f"{s.strategy} ({s.base.tier})"
    if not s.changes:
        return f"{head}: {s.reason}."
    kinds = []
    o = s.outcome
    for kind, est in (("RTO", s.base.rto), ("RPO", s.base.rpo)):
        if est is not None and not est.met:
            kinds.append(f"a {minutes(est.target_seconds)} {kind}")
    how = ", ".join(f"{c.path} {c.new} (now {c.old})" for c in s.changes)
    if not s.confirmed or o is None:
        return f"{head} would need {how} for {' and '.join(kinds)}, but {s.reason}."
    delta = s.delta_usd or 0.0
    cheaper = ("" if rec is None or o.monthly_usd is None else
               f", {usd(rec.monthly_usd - o.monthly_usd)} less than {rec.strategy}")
    return (f"{head} meets {' and '.join(kinds)} with {how}: {'+' if delta >= 0 else '-'}"
            f"{usd(abs(delta))}/month ({usd(o.monthly_usd)}/month in all{cheaper}); recorded "
            "and checked by the policy pack.")


def summary(a: Advice) -> list[str]:
    """The recommendation (or that no tier meets) and each suggestion."""
    rec = a.recommended
    rto_t, rpo_t = a.targets
    goal = " and ".join(f"{k} {minutes(v)}" for k, v in (("RTO", rto_t), ("RPO", rpo_t)) if v)
    if rec is None:
        lines = [f"No tier meets the targets ({goal})."]
    else:
        lines = [f"Recommended: {rec.strategy} ({rec.tier}), {_cost(rec)}/month - the cheapest "
                 f"tier that meets {goal}" + ("" if rec.strategy == a.own_strategy
                                              else f" (the stack runs {a.own_strategy})") + "."]
    for o in a.uncertain:
        lines.append(f"{o.strategy} ({o.tier}) also meets them, but {len(o.cost.unpriced)} of its "
                     f"lines are unpriced ({', '.join(ln.resource for ln in o.cost.unpriced)}): "
                     f"at least {usd(o.monthly_usd)}/month, so it may be cheaper.")
    if a.suggestions:
        lines.append("What it would take for a cheaper tier:" if rec else
                     "What it would take for a tier to meet them:")
        lines += [f"  - {suggestion_line(s, rec)}" for s in a.suggestions]
    lines.append(f"Targets: {a.own.targets}.")
    if a.cost_overrides != "no override":
        lines.append(f"Prices and usage overridden by {a.cost_overrides}.")
    if a.plot:
        lines.append(f"Plot: {a.plot}")
    return lines


def render(a: Advice, console: Console) -> None:
    """Print the table and the summary."""
    console.print(table(a))
    for line in summary(a):
        console.print(line, markup=False, highlight=False)


def render_text(a: Advice, *, width: int = 160) -> str:
    """The output as plain text (no colour), ``width`` columns wide."""
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(Group(table(a)))
    for line in summary(a):
        console.print(line, markup=False, highlight=False)
    return console.export_text()
