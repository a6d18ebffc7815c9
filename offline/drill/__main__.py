"""``python -m offline.drill``: run a DR drill (``make drill``).

Exit codes: 0 the drill passed (all checks, RTO and RPO achieved within the targets);
1 a check failed, a target was missed, or the plan lacks a resource the drill needs (the
report says which); 2 the drill could not run (bad config, policy gate failed,
offline.plan/offline.preview missing, a refused ``--target aws``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from contract.strategies import STRATEGIES

from .scenarios import SCENARIOS


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m offline.drill", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--stack", default="prod", help="stack name (Pulumi.<stack>.yaml); default prod")
    p.add_argument("--stack-file", type=Path, help="use this stack file instead")
    p.add_argument("--scenario", default="happy-path", choices=list(SCENARIOS),
                   help="what goes wrong (default happy-path)")
    p.add_argument("--strategy", choices=list(STRATEGIES),
                   help="database strategy override (default: the stack's)")
    p.add_argument("--reports-dir", type=Path, default=None,
                   help="where to write the reports (default ./reports)")
    p.add_argument("--no-policy-gate", action="store_true",
                   help="skip step 1 (offline preview); the report says it was skipped")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.add_argument("--target", choices=("emulator", "aws"), default="emulator",
                   help="emulator (default) or a real non-production AWS account")
    p.add_argument("--confirm-non-production", action="store_true",
                   help="required with --target aws: you confirm the account is not production")
    p.add_argument("--failover-function", help="--target aws: deployed failover function name")
    p.add_argument("--backup-function", help="--target aws: deployed backup function name")
    p.add_argument("--region", default="us-west-2", help="--target aws: the standby Region")
    p.add_argument("--force", action="store_true",
                   help="--target aws: manual failover event with force=true")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from rich.console import Console

    console = Console(stderr=False)
    if args.target == "aws":
        from .aws_target import TargetRefused, check_target, run_game_day

        try:
            check_target(args.stack, confirmed=args.confirm_non_production)
            if not (args.failover_function and args.backup_function):
                raise TargetRefused("--target aws needs --failover-function and --backup-function")
        except TargetRefused as e:
            console.print(f"[red]refused:[/red] {e}")
            return 2
        if not args.no_policy_gate:  # step 1, as on the emulator
            import subprocess

            from .runner import ROOT

            gate = subprocess.run([sys.executable, "-m", "offline.preview", "--stack", args.stack],
                                  cwd=ROOT, check=False)
            if gate.returncode != 0:
                console.print("[red]policy gate failed:[/red] fix the preview's violations first")
                return 2
        out = run_game_day(args.stack, confirmed=True, failover_function=args.failover_function,
                           backup_function=args.backup_function, region=args.region,
                           force=args.force)
        console.print_json(data=out)
        return 0 if out["verdict"] == "pass" else 1

    from .runner import ROOT, DrillError, DrillOptions, run_drill

    opts = DrillOptions(stack=args.stack, scenario=args.scenario, strategy=args.strategy,
                        stack_file=args.stack_file,
                        reports_dir=args.reports_dir or ROOT / "reports",
                        policy_gate=not args.no_policy_gate, progress=not args.quiet)
    try:
        report = run_drill(opts, console=console)
    except DrillError as e:
        console.print(f"[red]drill cannot run:[/red] {e}")
        return 2
    verdict = report["verdict"]
    rto, rpo = report["rto"]["achieved"], report["rpo"]["achieved"]
    console.print(f"\n[bold]{'[green]PASS' if verdict == 'pass' else '[red]FAIL'}[/bold] "
                  f"{report['drill']['scenario']} / {report['drill']['strategy']} in "
                  f"{report['drill']['wall_seconds']:.1f} s")
    if rto:
        console.print(report["rto"]["breakdown"])
    if rpo:
        console.print(report["rpo"]["breakdown"])
    for f in report["failures"]:
        console.print(f"[red]  - {f}[/red]")
    console.print(f"reports in {opts.reports_dir}/drill-report.{{json,md}}, drill-timeline.png")
    return 0 if verdict == "pass" else 1


if __name__ == "__main__":
    sys.exit(main())
