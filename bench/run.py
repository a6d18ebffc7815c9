"""``make bench``: run the benchmark sections, print one table, rewrite BENCHMARKS.md.

Sections (:data:`SECTIONS`): the modelled RTO/RPO against the original design's claims and the
targets; each DR tier's modelled monthly cost and planned RTO/RPO (the tier advisor's figures)
beside the original design's cost claim; handler cold start (ratio to a bare ``import boto3``)
and peak RSS; the preview's wall time and the program's evaluation time under mocks; policy
evaluation for 1,000 and 10,000 synthetic resources; failover on moto per strategy (API calls,
handler time); backups on moto (API calls per database per run for 1, 10 and 50 databases); the
default drill's wall time and, per scenario and strategy, the handlers' API calls and the
RTO/RPO achieved; the test suite's wall time.

Timings are repeated after a warm-up and reported as median and spread (min-max); counts are
exact. A run of some sections only (``--only``) never rewrites the file.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.table import Table

from bench import cold_start, commands, model, tiers
from bench.table import Row, area, render_markdown, row, shown, spread_of, timed
from cli.console import console_for
from engine.paths import BENCHMARKS_FILE

__all__ = ["BENCHMARKS_FILE", "SECTIONS", "area", "render_markdown", "row", "run", "timed"]

SECTIONS: dict[str, Callable[[], list[Row]]] = {
    "model": model.measure_rows,
    "tiers": tiers.measure_rows,
    "cold-start": cold_start.measure_rows,
    "preview": commands.preview_and_program,
    "policy": area("bench.policy"),
    "failover": area("bench.failover"),
    "backup": area("bench.backup"),
    "drill": area("bench.drill"),
    "tests": commands.test_suite,
}


@contextlib.contextmanager
def _metrics_silenced() -> Iterator[None]:
    """EMF metric lines would bury the table; they cost no AWS call, so no count changes.
    Restored afterwards: the benchmarks also run inside test processes."""
    previous = os.environ.get("POWERTOOLS_METRICS_DISABLED")
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("POWERTOOLS_METRICS_DISABLED", None)
        else:
            os.environ["POWERTOOLS_METRICS_DISABLED"] = previous


def _table(rows: list[Row]) -> Table:
    table = Table(title="ecommerce-dr benchmarks")
    for col in ("Benchmark", "Case", "Metric", "Median", "Spread", "Unit", "Basis"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["benchmark"], r["case"], r["metric"], shown(r), spread_of(r),
                      r["unit"], r.get("basis", "measured"))
    return table


def run(only: list[str] | None = None, *, write: bool = True, console: Console | None = None) -> int:
    """Run the sections ``only`` names (default all), print the table and, for a full run
    with ``write``, rewrite BENCHMARKS.md.

    Returns:
        0, or 1 when a section could not be measured (listed in the table and the file).

    Raises:
        ValueError: ``only`` names an unknown section.
    """
    chosen = only or list(SECTIONS)
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown:
        raise ValueError(f"unknown section(s) {unknown}; allowed: {', '.join(SECTIONS)}")
    console = console or console_for()
    rows: list[Row] = []
    failures: dict[str, str] = {}
    with _metrics_silenced():
        for name in chosen:
            with console.status(f"benchmark: {name}"):
                try:
                    rows.extend(SECTIONS[name]())
                except Exception as e:  # noqa: BLE001 - one broken section must not hide others
                    failures[name] = f"{type(e).__name__}: {e}".splitlines()[0]
    console.print(_table(rows))
    for name, err in failures.items():
        console.print(f"[red]not measured[/red] {name}: {err}")
    if write and not only:  # a partial run must not replace the full table
        BENCHMARKS_FILE.write_text(render_markdown(rows, failures, "make bench"))
        console.print("wrote BENCHMARKS.md")
    return 1 if failures else 0
