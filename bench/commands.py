"""Whole commands, run as a user runs them: the preview and the program under mocks, and the
test suite."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

from bench.table import Row, row, timed
from engine.paths import ROOT


def command(args: list[str]) -> Callable[[], None]:
    """A callable running ``args`` in the repository root (output captured, must exit 0)."""
    # A whole command runs as a user would run it: without the bench's own env settings.
    env = {k: v for k, v in os.environ.items() if k != "POWERTOOLS_METRICS_DISABLED"}

    def run() -> None:
        subprocess.run(args, cwd=ROOT, check=True, capture_output=True, env=env)
    return run


def preview_and_program(repeat: int = 3) -> list[Row]:
    """``python -m cli preview --stack prod`` wall time and the program's evaluation time
    under mocks (seconds, median and min-max)."""
    from engine.plan import record_plan

    med, lo, hi = timed(command([sys.executable, "-m", "cli", "preview", "--stack", "prod"]),
                        repeat=repeat)
    rows = [row("offline preview", "prod", "wall time", med, "s", (lo, hi))]
    med, lo, hi = timed(lambda: record_plan("prod"), repeat=repeat)
    rows.append(row("program under mocks", "prod", "evaluation time", med, "s", (lo, hi)))
    return rows


def test_suite() -> list[Row]:
    """``make test`` wall time: one measured run (the suite takes minutes)."""
    med, lo, hi = timed(command(["make", "test"]), repeat=1, warmup=0)
    return [row("test suite", "make test (1 run)", "wall time", med, "s", (lo, hi))]
