"""``plan``: record what the program declares under Pulumi mocks and print it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli import command
from cli.exit_codes import ExitCode
from cost.plan import UNKNOWN

NAME = "plan"
HELP = "record the plan under Pulumi mocks and print it"
DESCRIPTION = """\
Run the Pulumi program under mocks (no CLI, no cloud account) and print what it declares:
resources by Region and type, roles and stack outputs, or the whole plan as JSON (which
`preview --plan-file` reads back)."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The command's options."""
    p.add_argument("--stack", default="prod", help="stack name (config Pulumi.<stack>.yaml); default prod")
    p.add_argument("--stack-file", type=Path, help="another stack config file")
    from contract.strategies import STRATEGIES

    p.add_argument("--strategy", choices=STRATEGIES,
                   help="override database.strategy (" + " | ".join(STRATEGIES) + ")")
    p.add_argument("--mode", help="override failover.mode (orchestrated | automatic)")
    p.add_argument("--no-preview", action="store_true",
                   help="record as an update: mock outputs resolve (default: preview semantics)")
    p.add_argument("--json", action="store_true",
                   help="print the plan as JSON (a value not known until deployed is Pulumi's "
                        f"unknown placeholder, {UNKNOWN!r})")


def run(a: argparse.Namespace) -> int:
    """Record and print; the exit code."""
    from engine.config import StackConfigError, overrides_for, read_config
    from engine.plan import PlanConfigError, PlanError, record_plan, summary

    try:
        overrides = (overrides_for(read_config(a.stack, stack_file=a.stack_file),
                                   strategy=a.strategy, mode=a.mode)
                     if a.strategy or a.mode else {})
        plan = record_plan(a.stack, stack_file=a.stack_file, config_overrides=overrides,
                           preview=not a.no_preview)
    except (PlanConfigError, StackConfigError, ValueError) as e:
        print(e, file=sys.stderr)
        return ExitCode.CANNOT_RUN
    except PlanError as e:
        print(e, file=sys.stderr)
        return ExitCode.PROGRAM_FAILED
    print(plan.to_json() if a.json else summary(plan))
    return ExitCode.OK


def main(argv: list[str] | None = None) -> int:
    """``python -m cli plan ...``; returns the exit code."""
    return command.main(sys.modules[__name__], argv)
