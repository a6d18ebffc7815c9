"""``bench``: run the benchmarks and rewrite BENCHMARKS.md (``make bench``)."""

from __future__ import annotations

import argparse
import sys

from cli import command
from cli.exit_codes import ExitCode

NAME = "bench"
HELP = "run the benchmarks and rewrite BENCHMARKS.md (make bench)"
DESCRIPTION = """\
Measure the project's figures (cold start, preview, policy evaluation, failover and backup
API calls on moto, the drill, the test suite, the modelled RTO/RPO) and print one table. A full
run rewrites BENCHMARKS.md; a run with --only never does. Timings: median of repeated runs
after a warm-up, with the min-max spread; counts are exact. Exit 1 when a section could not be
measured."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The command's options."""
    from bench.run import SECTIONS

    p.add_argument("--only", default="",
                   help=f"comma list of sections: {', '.join(SECTIONS)} (default: all)")
    p.add_argument("--no-write", action="store_true",
                   help="print only; leave BENCHMARKS.md (a run with --only never writes it)")


def run(a: argparse.Namespace) -> int:
    """Run the sections; the exit code (1 when one was not measured)."""
    from bench import run as bench

    try:
        return bench.run([s for s in a.only.split(",") if s], write=not a.no_write)
    except ValueError as e:
        print(f"bench: {e}", file=sys.stderr)
        return ExitCode.CANNOT_RUN


def main(argv: list[str] | None = None) -> int:
    """``python -m cli bench ...``; returns the exit code."""
    return command.main(sys.modules[__name__], argv)
