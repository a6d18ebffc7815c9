"""Record a plan, evaluate it with the policy pack over gRPC, price it, render the findings.

1. Runs the program under Pulumi mocks for the stack and records what it declares
   (:func:`engine.plan.record_plan`, preview semantics: computed outputs unknown).
2. Starts the policy pack as the CLI does and drives it over the analyzer gRPC protocol
   (:class:`engine.pack.PackProcess`): Configure with schema defaults, Analyze per resource,
   AnalyzeStack.
3. Prices the plan with :func:`cost.estimate` (the price table and usage defaults, or a
   user's override file, which the pack's ``dr-monthly-cost-within-budget`` then uses too).
4. Prints the resources by Region and type, the RTO/RPO breakdown against the targets, the
   violations by enforcement level (and which policies could not be decided, with why) and
   the monthly cost line by line (:mod:`preview.render`), or one JSON document
   (:mod:`preview.document`).

The result's ``exit_code`` follows :mod:`cli.exit_codes`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console

import cost
from cli.console import console_for
from cli.exit_codes import ExitCode
from engine.pack import PackProcess, Resource, policy_resources, resources_from_plan
from engine.plan import Plan, PlanConfigError, PlanError, record_plan
from preview.document import preview_document
from preview.render import make_console, render
from preview.result import PreviewResult

PolicyConfig = Mapping[str, Mapping[str, Any]]

#: The pack's cost rule, which a cost override file is handed to as ``costOverrides``.
BUDGET_POLICY = "dr-monthly-cost-within-budget"


def with_cost_overrides(policy_config: PolicyConfig | None, inputs: cost.CostInputs | None
                        ) -> dict[str, dict[str, Any]] | None:
    """``policy_config`` with the override file's sections as the budget rule's
    ``costOverrides``, so the pack prices as the tool does; a ``costOverrides`` the policy
    config sets itself is kept. Unchanged (copied) without an override file."""
    out = {k: dict(v) for k, v in (policy_config or {}).items()}
    if inputs is None or not inputs.sections:
        return out or None
    out.setdefault(BUDGET_POLICY, {}).setdefault("costOverrides", inputs.sections)
    return out


def evaluate_with(pack: PackProcess, plan: Plan, policy_config: PolicyConfig | None = None, *,
                  cost_inputs: cost.CostInputs | None = None) -> PreviewResult:
    """Evaluate one recorded plan on a started pack (Configure, Analyze per resource,
    AnalyzeStack), compute its breakdown for display and price it.

    Args:
        pack: a started :class:`engine.pack.PackProcess` (one pack can evaluate many plans).
        policy_config: policy name -> settings, as ``--policy-config`` gives them.
        cost_inputs: prices and usage (:func:`cost.load_inputs`); default the repository's.

    Raises:
        engine.pack.PackError: a call failed, or ``policy_config`` names an unknown policy or
            setting.
    """
    from policies.rules.recovery import objectives

    inputs = cost_inputs or cost.load_inputs()
    resources: list[Resource] = resources_from_plan(plan)
    report = pack.evaluate(resources, with_cost_overrides(policy_config, inputs))
    sent = pack.last_config
    cfg = {k: v for k, v in sent["rto-rpo-objectives"].items() if k != "enforcementLevel"}
    found = objectives(policy_resources(resources), cfg)
    code = ExitCode.FAILED if report.mandatory else ExitCode.OK
    return PreviewResult(code, report, found, sent, cost=cost.estimate(
        plan.resources, prices=inputs.prices, usage=inputs.usage))


def evaluate_plans(plans: Sequence[Plan], policy_config: PolicyConfig | None = None, *,
                   cost_inputs: cost.CostInputs | None = None) -> list[PreviewResult]:
    """:func:`evaluate_with` on each plan, with ONE pack process started for all of them.

    Raises:
        engine.pack.PackError: the pack did not start, or as :func:`evaluate_with`.
    """
    inputs = cost_inputs or cost.load_inputs()
    with PackProcess() as pack:
        return [evaluate_with(pack, plan, policy_config, cost_inputs=inputs) for plan in plans]


def evaluate_plan(plan: Plan, policy_config: PolicyConfig | None = None, *,
                  cost_inputs: cost.CostInputs | None = None) -> PreviewResult:
    """:func:`evaluate_plans` for one plan. Raises engine.pack.PackError as it does."""
    return evaluate_plans([plan], policy_config, cost_inputs=cost_inputs)[0]


def run(stack: str = "prod", *, stack_file: Path | None = None, plan: Plan | None = None,
        policy_config: PolicyConfig | None = None, update: bool = False,
        console: Console | None = None, cost_inputs: cost.CostInputs | None = None,
        json_to: TextIO | None = None) -> PreviewResult:
    """Record (unless ``plan`` is given), evaluate, price and print. Returns the result.

    ``update=True`` records with update semantics (mock outputs resolve, as ``pulumi up``
    would see them), so rules that read computed values - IAM documents built from ARNs -
    are decided too. ``json_to`` (e.g. ``sys.stdout``) prints one JSON document there
    instead of the tables (:func:`preview.document.preview_document`), also when the config
    is bad.
    """
    console = console or (make_console() if json_to is None else console_for(sys.stderr))
    if plan is None:
        try:
            plan = record_plan(stack, stack_file=stack_file, preview=not update)
        except PlanConfigError as e:
            console.print(f"[bold red]Stack config error[/] ({stack_file or f'Pulumi.{stack}.yaml'}):")
            console.print(str(e), markup=False)
            return _emit(PreviewResult(ExitCode.CANNOT_RUN, error=str(e)), stack, None, json_to)
        except PlanError as e:
            console.print("[bold red]The program failed under mocks:[/]")
            console.print(str(e), markup=False)
            return _emit(PreviewResult(ExitCode.PROGRAM_FAILED, error=str(e)), stack, None, json_to)
    result = evaluate_plan(plan, policy_config, cost_inputs=cost_inputs)
    if json_to is None:
        render(plan, result, console)
    return _emit(result, plan.stack, plan, json_to)


def _emit(result: PreviewResult, stack: str, plan: Plan | None, json_to: TextIO | None
          ) -> PreviewResult:
    if json_to is not None:
        json_to.write(json.dumps(preview_document(result, stack=stack, plan=plan), indent=1) + "\n")
    return result
