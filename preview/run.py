"""Record a plan, evaluate it with the policy pack over gRPC, render the findings.

1. Runs the program under Pulumi mocks for the stack and records what it declares
   (:func:`engine.plan.record_plan`, preview semantics: computed outputs unknown).
2. Starts the policy pack as the CLI does and drives it over the analyzer gRPC protocol
   (:class:`engine.pack.PackProcess`): Configure with schema defaults, Analyze per resource,
   AnalyzeStack.
3. Prints the resources by Region and type, the RTO/RPO breakdown against the targets, and the
   violations by enforcement level (and which policies could not be decided, with why).

The result's ``exit_code`` follows :mod:`cli.exit_codes`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rich.console import Console

from cli.exit_codes import ExitCode
from engine.pack import PackProcess, Resource, policy_resources, resources_from_plan
from engine.plan import Plan, PlanConfigError, PlanError, record_plan
from preview.render import make_console, render
from preview.result import PreviewResult


def evaluate_plan(plan: Plan, policy_config: Mapping[str, Mapping[str, Any]] | None = None
                  ) -> PreviewResult:
    """Run the pack over gRPC on a recorded plan; compute the breakdown for display.

    Raises:
        engine.pack.PackError: the pack did not start, or ``policy_config`` names an unknown
            policy or setting.
    """
    from policies.rules.recovery import objectives

    resources: list[Resource] = resources_from_plan(plan)
    with PackProcess() as pack:
        report = pack.evaluate(resources, policy_config)
        sent = pack.last_config
    cfg = {k: v for k, v in sent["rto-rpo-objectives"].items() if k != "enforcementLevel"}
    found = objectives(policy_resources(resources), cfg)
    code = ExitCode.FAILED if report.mandatory else ExitCode.OK
    return PreviewResult(code, report, found, sent)


def run(stack: str = "prod", *, stack_file: Path | None = None, plan: Plan | None = None,
        policy_config: Mapping[str, Mapping[str, Any]] | None = None, update: bool = False,
        console: Console | None = None) -> PreviewResult:
    """Record (unless ``plan`` is given), evaluate and print. Returns the result.

    ``update=True`` records with update semantics (mock outputs resolve, as ``pulumi up``
    would see them), so rules that read computed values - IAM documents built from ARNs -
    are decided too.
    """
    console = console or make_console()
    if plan is None:
        try:
            plan = record_plan(stack, stack_file=stack_file, preview=not update)
        except PlanConfigError as e:
            console.print(f"[bold red]Stack config error[/] ({stack_file or f'Pulumi.{stack}.yaml'}):")
            console.print(str(e), markup=False)
            return PreviewResult(ExitCode.CANNOT_RUN, error=str(e))
        except PlanError as e:
            console.print("[bold red]The program failed under mocks:[/]")
            console.print(str(e), markup=False)
            return PreviewResult(ExitCode.PROGRAM_FAILED, error=str(e))
    result = evaluate_plan(plan, policy_config)
    render(plan, result, console)
    return result
