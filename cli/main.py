"""``python -m cli <command> [options]``: the one command line of the tools.

Commands (:data:`COMMANDS`, one thin module each): ``plan`` (record the plan under mocks),
``preview`` (the policy pack over the plan), ``tiers`` (the tier advisor), ``drill`` (the DR
drill), ``bench`` (the benchmarks). ``python -m cli <command> --help`` lists each command's
options; the exit codes are in :mod:`cli.exit_codes`. Installed as the ``ecommerce-dr``
console script too.

To add a command: write ``cli/<name>.py`` with ``NAME``, ``HELP``, ``DESCRIPTION``,
``add_arguments`` and ``run`` (see :mod:`cli.command`) and list it in :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
import sys
from types import ModuleType

from cli import bench, drill, plan, preview, tiers
from cli.command import configure
from cli.exit_codes import EPILOG

#: The subcommands, in ``--help`` order.
COMMANDS: tuple[ModuleType, ...] = (plan, preview, tiers, drill, bench)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with one subparser per command."""
    parser = argparse.ArgumentParser(
        prog="python -m cli", description=__doc__.split("\n\n")[0].replace("``", ""),
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                title="commands")
    for module in COMMANDS:
        configure(sub.add_parser(module.NAME, help=module.HELP), module)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command ``argv`` names; returns its exit code (bad options exit 2)."""
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    return int(args._run(args))
