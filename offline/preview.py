"""``make preview``: an offline ``pulumi preview --policy-pack policies``, with no CLI and no cloud.

1. Runs the program under Pulumi mocks for the stack and records what it declares
   (:func:`offline.plan.record_plan`, preview semantics: computed outputs unknown).
2. Starts the policy pack as the CLI does and drives it over the analyzer gRPC protocol
   (:class:`offline.analyzer.PackProcess`): Configure with schema defaults, Analyze per
   resource, AnalyzeStack.
3. Prints the resources by Region and type, the RTO/RPO breakdown against the targets, and the
   violations by enforcement level (and which policies could not be decided, with why).

Exit codes: 0 no mandatory violation; 1 a mandatory violation; 2 bad stack config (the
program's config error is printed); 3 the program failed under mocks for another reason.

Usage::

    python -m offline.preview --stack prod
    python -m offline.preview --stack prod --stack-file weakened.yaml
    python -m offline.plan --stack prod --json > plan.json   # edit it, then
    python -m offline.preview --plan-file plan.json
    python -m offline.preview --policy-config policy-config.yaml   # {policy: {setting: value}}
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from offline.analyzer import PackProcess, Report, Resource, policy_resources, resources_from_plan

EXIT_OK, EXIT_MANDATORY, EXIT_CONFIG, EXIT_PROGRAM = 0, 1, 2, 3


@dataclass
class PreviewResult:
    """What one preview found; ``exit_code`` follows the module's exit codes."""

    exit_code: int
    report: Report | None = None
    objectives: Any = None
    config: dict[str, Any] | None = None
    error: str = ""


def short(urn: str) -> str:
    """``type::name`` of a URN (the stack and project are the same for every resource)."""
    parts = urn.split("::")
    if len(parts) < 4:
        return urn or "(stack)"
    return f"{parts[-2].split('$')[-1]}::{parts[-1]}"


def evaluate_plan(plan: Any, policy_config: Mapping[str, Mapping[str, Any]] | None = None
                  ) -> PreviewResult:
    """Run the pack over gRPC on a recorded plan; compute the breakdown for display."""
    from policies.rules.recovery import objectives

    resources: list[Resource] = resources_from_plan(plan)
    with PackProcess() as pack:
        report = pack.evaluate(resources, policy_config)
        sent = pack.last_config
    cfg = {k: v for k, v in sent["rto-rpo-objectives"].items() if k != "enforcementLevel"}
    found = objectives(policy_resources(resources), cfg)
    code = EXIT_MANDATORY if report.mandatory else EXIT_OK
    return PreviewResult(code, report, found, sent)


def make_console() -> Console:
    """A console that does not squeeze the tables to 80 columns when output is piped."""
    console = Console()
    return console if console.is_terminal else Console(width=160)


def run(stack: str = "prod", *, stack_file: Path | None = None, plan: Any = None,
        policy_config: Mapping[str, Mapping[str, Any]] | None = None, update: bool = False,
        console: Console | None = None) -> PreviewResult:
    """Record (unless ``plan`` is given), evaluate and print. Returns the result.

    ``update=True`` records with update semantics (mock outputs resolve, as ``pulumi up``
    would see them), so rules that read computed values - IAM documents built from ARNs -
    are decided too.
    """
    from offline.plan import PlanConfigError, PlanError, record_plan

    console = console or make_console()
    if plan is None:
        try:
            plan = record_plan(stack, stack_file=stack_file, preview=not update)
        except PlanConfigError as e:
            console.print(f"[bold red]Stack config error[/] ({stack_file or f'Pulumi.{stack}.yaml'}):")
            console.print(str(e), markup=False)
            return PreviewResult(EXIT_CONFIG, error=str(e))
        except PlanError as e:
            console.print("[bold red]The program failed under mocks:[/]")
            console.print(str(e), markup=False)
            return PreviewResult(EXIT_PROGRAM, error=str(e))
    result = evaluate_plan(plan, policy_config)
    render(plan, result, console)
    return result


def render(plan: Any, result: PreviewResult, console: Console) -> None:
    custom = [r for r in plan.resources if r.custom and not r.type.startswith("pulumi:providers:")]
    console.rule(f"[bold]Offline preview[/] of stack [cyan]{plan.stack}[/] "
                 f"({len(custom)} resources, policy pack over gRPC)")

    t = Table(title="Resources by Region and type", show_lines=False)
    t.add_column("Region")
    t.add_column("Type")
    t.add_column("Count", justify="right")
    for (region, typ), n in sorted(Counter((r.region or "(default provider)", r.type)
                                           for r in custom).items()):
        t.add_row(region, typ, str(n))
    console.print(t)

    found = result.objectives
    for est in (found.rto, found.rpo):
        if est is None:
            continue
        verdict = "[green]met[/]" if est.met else "[bold red]MISSED[/]"
        # The target is the stricter of the pack's and the stack's own (see policies).
        bt = Table(title=f"{est.kind}: worst case {est.total_seconds / 60:.1f} min vs target "
                         f"{est.target_seconds / 60:g} min - {verdict}",
                   caption=found.targets)
        bt.add_column("Term")
        bt.add_column("Seconds", justify="right")
        bt.add_column("Basis")
        bt.add_column("From")
        bt.add_column("Arithmetic")
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

    report = result.report
    assert report is not None
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
    na: dict[str, Counter[str]] = defaultdict(Counter)
    decisive = {"rto-rpo-objectives", "rds-cross-region-replica",
                "iam-lambda-policy-no-wildcard-action"}
    for n in report.not_applicable:
        if n.policy not in decisive and "can't be" not in n.reason and "bounded" not in n.reason:
            continue  # "not a backup schedule" etc: the rule simply does not apply
        na[n.policy][n.reason] += 1
    if na:
        console.print("\n[bold yellow]Not decided during preview[/] (values computed by other "
                      "resources; decided at `pulumi up`):")
        for policy, reasons in sorted(na.items()):
            for reason, count in reasons.items():
                console.print(f"  {policy}: {reason}" + (f" (x{count})" if count > 1 else ""),
                              markup=False)
    n_mand = len(report.mandatory)
    summary = (f"{len(report.policies)} policies, {report.analyze_calls} Analyze calls + 1 "
               f"AnalyzeStack; {n_mand} mandatory, "
               f"{len(by_level.get('advisory', []))} advisory violation(s)")
    console.rule(f"[bold {'red' if n_mand else 'green'}]{summary}[/]")


def _load_policy_config(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    import yaml

    doc = yaml.safe_load(path.read_text()) or {}
    if not isinstance(doc, dict):
        raise SystemExit(f"{path}: must map policy names to settings")
    return doc


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m offline.preview",
                                description="Offline preview with policy checks.")
    p.add_argument("--stack", default="prod", help="stack name (config Pulumi.<stack>.yaml)")
    p.add_argument("--stack-file", type=Path, help="another stack config file")
    p.add_argument("--plan-file", type=Path,
                   help="preview a recorded plan (python -m offline.plan --json) instead")
    p.add_argument("--update", action="store_true",
                   help="record as an update (mock outputs resolve), so rules on computed "
                        "values such as IAM documents are decided too")
    p.add_argument("--policy-config", type=Path,
                   help="YAML/JSON: policy name -> settings (and enforcementLevel)")
    a = p.parse_args(argv)
    plan = None
    if a.plan_file:
        from offline.plan import Plan

        plan = Plan.from_json(a.plan_file.read_text())
    result = run(a.stack, stack_file=a.stack_file, plan=plan, update=a.update,
                 policy_config=_load_policy_config(a.policy_config))
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
