"""The preview's terminal output: resources, the RTO/RPO breakdown, the monthly cost, violations,
undecided rules."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from cli.console import console_for, rule

if TYPE_CHECKING:
    from cost import CostEstimate
    from engine.pack import NotApplicable, Report
    from engine.plan import Plan
    from preview.result import PreviewResult

#: Policies whose "not applicable" always matters: they decide whether the stack can recover.
_DECISIVE = {"rto-rpo-objectives", "rds-cross-region-replica", "iam-lambda-policy-no-wildcard-action"}


def short(urn: str) -> str:
    """``type::name`` of a URN (the stack and project are the same for every resource)."""
    parts = urn.split("::")
    if len(parts) < 4:
        return urn or "(stack)"
    return f"{parts[-2].split('$')[-1]}::{parts[-1]}"


def make_console() -> Console:
    """The terminal's console; when output is piped, one that neither squeezes the tables nor
    wraps or cuts a line (``cli.console``)."""
    return console_for()


def render(plan: Plan, result: PreviewResult, console: Console) -> None:
    """Print one preview: resources, RTO/RPO breakdown, monthly cost line by line, violations,
    undecided rules, summary."""
    custom = plan.custom_resources
    rule(console, f"[bold]Offline preview[/] of stack [cyan]{plan.stack}[/] "
                 f"({len(custom)} resources, policy pack over gRPC)")
    t = Table(title="Resources by Region and type", show_lines=False)
    t.add_column("Region")
    t.add_column("Type")
    t.add_column("Count", justify="right")
    for (region, typ), n in sorted(Counter((r.region or "(default provider)", r.type)
                                           for r in custom).items()):
        t.add_row(region, typ, str(n))
    console.print(t)
    _objectives(result.objectives, console)
    report = result.report
    assert report is not None, "render needs an evaluated preview"
    if result.cost is not None:   # before the violations: a caller showing the output's
        _cost(result.cost, console)  # tail (the drill's gate) keeps seeing them
    by_level = _violations(report, console)
    _not_decided(report, console)
    n_mand = len(report.mandatory)
    summary = (f"{len(report.policies)} policies, {report.analyze_calls} Analyze calls + 1 "
               f"AnalyzeStack; {n_mand} mandatory, "
               f"{len(by_level.get('advisory', []))} advisory violation(s)")
    if result.cost is not None:
        summary += f"; DR cost {cost_figure(result.cost)}/month (modelled)"
    rule(console, f"[bold {'red' if n_mand else 'green'}]{summary}[/]")


def _objectives(found: Any, console: Console) -> None:
    """The RTO and RPO estimates term by term, against the targets."""
    for est in (found.rto, found.rpo):
        if est is None:
            continue
        verdict = "[green]met[/]" if est.met else "[bold red]MISSED[/]"
        # The target is the stricter of the pack's and the stack's own (see policies).
        bt = Table(title=f"{est.kind}: worst case {est.total_seconds / 60:.1f} min vs target "
                         f"{est.target_seconds / 60:g} min - {verdict}",
                   caption=found.targets)
        for col in ("Term", "Seconds", "Basis", "From", "Arithmetic"):
            bt.add_column(col, justify="right" if col == "Seconds" else "left")
        for term in est.terms:
            bt.add_row(term.name, f"{term.seconds:g}", str(term.basis),
                       " + ".join(short(s) for s in term.source.split(" + ")), term.note)
        bt.add_row("[bold]total[/]", f"[bold]{est.total_seconds:g}[/]", "", "", "")
        console.print(bt)
        for f in est.findings:
            console.print(f"  [red]![/] {f}", markup=True)
    for kind, est in (("RTO", found.rto), ("RPO", found.rpo)):
        if est is None:
            console.print(f"[red]{kind} cannot be computed:[/] a piece is missing "
                          "(see the rto-rpo-objectives violations below).")
    if found.unknown:
        console.print("[yellow]unknown during preview (counted as 0 s):[/] "
                      + "; ".join(found.unknown))


def cost_figure(est: CostEstimate) -> str:
    """``$222.08``, or ``at least $222.08`` when a line is unpriced (it counts nothing)."""
    return f"{'' if est.complete else 'at least '}${est.total_usd:,.2f}"


def _cost(est: CostEstimate, console: Console) -> None:
    """The monthly cost line by line (component, resource, basis, figure, why) and totals."""
    from cost import render_table

    console.print()
    console.print(render_table(est))
    if est.prices[1:]:
        console.print(f"prices and usage overridden by {', '.join(est.prices[1:])}", markup=False)


def _violations(report: Report, console: Console) -> dict[str, list[Any]]:
    """Violations by enforcement level; returns them grouped."""
    by_level: dict[str, list[Any]] = defaultdict(list)
    for v in report.violations:
        by_level[v.level].append(v)
    for level in ("mandatory", "remediate", "advisory"):
        items = by_level.get(level, [])
        if not items:
            continue
        colour = "red" if level != "advisory" else "yellow"
        console.print(f"\n[bold {colour}]{level.upper()} violations ({len(items)})[/]")
        for v in items:
            body = v.message.split("\n", 1)[1] if "\n" in v.message else v.message
            console.print(f"  [{colour}]{v.policy}[/] [dim]{short(v.urn)}[/]")
            for line in body.splitlines():
                console.print(f"      {line}", markup=False)
    return by_level


def undecided(report: Report) -> list[NotApplicable]:
    """The pack's "not applicable" answers that mean a rule could not decide during preview
    (simple "does not apply" answers, such as "not a backup schedule", are left out)."""
    return [n for n in report.not_applicable
            if n.policy in _DECISIVE or "can't be" in n.reason or "bounded" in n.reason]


def _not_decided(report: Report, console: Console) -> None:
    """Rules that could not decide during preview, with the reason."""
    na: dict[str, Counter[str]] = defaultdict(Counter)
    for n in undecided(report):
        na[n.policy][n.reason] += 1
    if not na:
        return
    console.print("\n[bold yellow]Not decided during preview[/] (values computed by other "
                  "resources; decided at `pulumi up`):")
    for policy, reasons in sorted(na.items()):
        for reason, count in reasons.items():
            console.print(f"  {policy}: {reason}" + (f" (x{count})" if count > 1 else ""),
                          markup=False)
