"""Step 1, the policy gate: the preview's policy pack over the plan the drill will deploy
(with ``--strategy``, the overridden plan), in-process. The drill stops if it fails."""

from __future__ import annotations

import io

from cli.console import console_for
from drill.context import DrillContext
from drill.options import DrillError, StepSkipped
from drill.plans import plan_for
from drill.result import StepRecord
from drill.step import Step
from engine.plan import PlanError


def _command(ctx: DrillContext) -> str:
    o = ctx.opts
    cmd = f"preview --stack {o.stack}" + (f" --stack-file {o.stack_file}" if o.stack_file else "")
    return cmd + (" (in-process, on the overridden plan)" if ctx.overrides else " (in-process)")


def run(ctx: DrillContext, rec: StepRecord) -> None:
    """Evaluate the drilled plan with the pack. Raises DrillError when it fails."""
    if not ctx.opts.policy_gate:
        raise StepSkipped("turned off by --no-policy-gate (the report says so)")
    # The pack client (gRPC, the Pulumi SDK) is imported only when the gate runs.
    from engine.pack import PackError
    from preview.run import run as preview

    try:
        plan, _ = plan_for(ctx)
    except PlanError as e:
        raise DrillError(f"policy gate failed: the program failed under mocks: {e}") from None
    if ctx.overrides:
        rec.detail["overrides"] = ctx.overrides
    out = io.StringIO()
    try:
        result = preview(ctx.opts.stack, plan=plan,
                         console=console_for(out, color_system=None))
    except PackError as e:
        raise DrillError(f"policy gate could not run the policy pack: {e}") from None
    tail = out.getvalue().strip().splitlines()[-8:]
    rec.detail.update(command=_command(ctx), exit_code=int(result.exit_code), output_tail=tail)
    if result.exit_code != 0:
        rec.status = "failed"
        raise DrillError(f"policy gate failed: `{_command(ctx)}` exited {int(result.exit_code)}:\n"
                         + "\n".join(tail))


STEP = Step("policy-gate", "Policy gate: offline preview with the policy pack", run, setup=True)
