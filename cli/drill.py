"""``drill``: a DR drill on the embedded emulator (``make drill``), or a game day in a real
non-production account (``--target aws``)."""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path
from typing import Any

from cli import command
from cli.console import console_for
from cli.exit_codes import ExitCode
from drill.scenarios import SCENARIOS, runs_on


def scenarios_help() -> str:
    """Every scenario of ``drill.scenarios`` with what it does and the strategies it drills."""
    lines = ["scenarios (drill/scenarios.py; --scenario), each with the strategies it drills:"]
    for s in SCENARIOS.values():
        lines += textwrap.wrap(f"{s.name}: {s.description} [{runs_on(s)}]", width=95,
                               initial_indent="  ", subsequent_indent="      ",
                               break_on_hyphens=False)
    return "\n".join(lines)


NAME = "drill"
HELP = "a DR drill with the real handlers on moto at 127.0.0.1 (make drill)"
DESCRIPTION = """\
Run the policy gate (the preview, in-process), start moto server on 127.0.0.1, stand up the
site's existing parts, deploy the plan recorded under mocks, back up, break the primary, fail
over through the failover orchestrator's real triggers, verify from outside and write
<reports-dir>/drill-report.{json,md} and drill-timeline.png.

With --target aws the same steps run against a deployed, non-production stack: refused
without --confirm-non-production, for production-named stacks, and unless --account-id names
the account of the caller's credentials (sts:GetCallerIdentity) and not the production stack's
(database.primaryInstanceArn in Pulumi.prod.yaml). Each refusal, missing credentials included,
exits 2 with one line.

Real data: a PostgreSQL pair per drill on 127.0.0.1 (the strategy's replication), a shop per
Region behind the site's endpoints, customers ordering through the failover name; the drill
counts the orders lost from the new writer.

{scenarios}

Exit 1 also when a target is missed or the plan lacks a piece the drill needs (the report says
which).""".replace("{scenarios}", scenarios_help())



def add_arguments(p: argparse.ArgumentParser) -> None:
    """The command's options."""
    from contract.strategies import STRATEGIES
    from dataplane.customers import DEFAULT_RATE_PER_SECOND
    from drill.scenarios import SCENARIOS

    p.add_argument("--stack", default="prod", help="stack name (Pulumi.<stack>.yaml); default prod")
    p.add_argument("--stack-file", type=Path, help="use this stack file instead")
    p.add_argument("--scenario", default="happy-path", choices=list(SCENARIOS),
                   help="what goes wrong (default happy-path)")
    p.add_argument("--strategy", choices=list(STRATEGIES),
                   help="database strategy override (default: the stack's)")
    p.add_argument("--reports-dir", type=Path, default=None,
                   help="where to write the reports (default ./reports)")
    p.add_argument("--no-policy-gate", action="store_true",
                   help="skip step 1 (the policy gate); the report says it was skipped")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.add_argument("--order-rate", type=float, default=DEFAULT_RATE_PER_SECOND, metavar="N",
                   help="customers' orders per second through the failover name (default "
                        f"{DEFAULT_RATE_PER_SECOND:g})")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="where the drill's PostgreSQL servers live (default "
                        "<reports-dir>/dataplane; its run/ removed afterwards, server logs "
                        "kept)")
    p.add_argument("--target", choices=("emulator", "aws"), default="emulator",
                   help="emulator (default) or a real non-production AWS account")
    p.add_argument("--confirm-non-production", action="store_true",
                   help="required with --target aws: you confirm the account is not production")
    p.add_argument("--account-id", metavar="ID",
                   help="required with --target aws: the 12-digit id of the non-production "
                        "account to drill; must be the caller's (sts:GetCallerIdentity) and "
                        "not the production stack's")
    p.add_argument("--failover-function", help="--target aws: deployed failover function name")
    p.add_argument("--backup-function", help="--target aws: deployed backup function name")
    p.add_argument("--region", default="us-west-2", help="--target aws: the standby Region")
    p.add_argument("--force", action="store_true",
                   help="when readiness refuses (scenario replication-lag), fail over anyway "
                        "as an operator would (manual event, force=true) and measure the loss; "
                        "--target aws: the manual failover event has force=true")


def _game_day(a: argparse.Namespace, console: Any) -> int:
    from rich.markup import escape

    from drill.aws_target import TargetRefused, boto3_clients, guard, run_game_day

    try:
        if not (a.failover_function and a.backup_function):
            raise TargetRefused("--target aws needs --failover-function and --backup-function")
        guard(a.stack, confirmed=a.confirm_non_production, account_id=a.account_id,
              region=a.region, clients=boto3_clients)
    except TargetRefused as e:  # one line, whatever the terminal's width
        console.print(f"[red]refused:[/red] {escape(str(e))}", soft_wrap=True, highlight=False)
        return ExitCode.CANNOT_RUN
    if not a.no_policy_gate:  # step 1, as on the emulator, in-process
        from preview.run import run as preview

        if preview(a.stack, stack_file=a.stack_file).exit_code != ExitCode.OK:
            console.print("[red]policy gate failed:[/red] fix the preview's violations first")
            return ExitCode.CANNOT_RUN
    out = run_game_day(a.stack, confirmed=True, failover_function=a.failover_function,
                       backup_function=a.backup_function, region=a.region,
                       account_id=a.account_id, force=a.force)
    console.print_json(data=out)
    return ExitCode.OK if out["verdict"] == "pass" else ExitCode.FAILED


def _print_result(result: Any, reports_dir: Path, console: Any) -> None:
    from drill.report.terminal import summary_lines

    for line in summary_lines(result):
        console.print(line, markup=False, highlight=False, style=_style(line))
    console.print(f"reports in {reports_dir}/drill-report.{{json,md}}, drill-timeline.png",
                  markup=False, highlight=False)


def _style(line: str) -> str | None:
    if line.startswith("PASS"):
        return "bold green"
    if line.startswith("FAIL") or line.startswith("  - "):
        return "red" if not line.startswith("FAIL") else "bold red"
    return None


def run(a: argparse.Namespace) -> int:
    """Run the drill (or the game day) and print the verdict; the exit code."""
    console = console_for()
    if a.target == "aws":
        return _game_day(a, console)
    from drill.options import DrillError, DrillOptions
    from drill.pipeline import run_drill
    from engine.paths import REPORTS_DIR

    try:
        opts = DrillOptions(stack=a.stack, scenario=a.scenario, strategy=a.strategy,
                            stack_file=a.stack_file, reports_dir=a.reports_dir or REPORTS_DIR,
                            policy_gate=not a.no_policy_gate, progress=not a.quiet,
                            order_rate=a.order_rate, force=a.force, data_dir=a.data_dir)
        result = run_drill(opts, console=console)
    except DrillError as e:
        from rich.markup import escape

        console.print(f"[red]drill cannot run:[/red] {escape(str(e))}")
        return ExitCode.CANNOT_RUN
    _print_result(result, opts.reports_dir or REPORTS_DIR, console)
    return ExitCode.OK if result.passed else ExitCode.FAILED


def main(argv: list[str] | None = None) -> int:
    """``python -m cli drill ...``; returns the exit code."""
    return command.main(sys.modules[__name__], argv)
