"""Benchmark rows, timing, and the BENCHMARKS.md table.

A row is ``{"benchmark", "case", "metric", "value", "unit", "spread": (min, max) | None,
"basis"}``, optionally with ``"text"``: the value as it must be shown (amounts of money to
the cent); area modules return rows with their own case keys (``strategy``, ``databases``...),
which :func:`area` folds into ``case``.

``basis`` says how the figure is known, as everywhere in the project: ``measured`` (this run
timed or counted it), ``modelled`` (an AWS figure or price, or the shared model's arithmetic
over config), ``configured`` (a value the stack sets), ``claimed`` (a figure another design
states, not checked), or a ``+`` of them for a total made of terms of each kind (``measured +
modelled``). A figure the tool wrote itself is never measured.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterable
from typing import Any

Row = dict[str, Any]
_NOT_CASE = {"benchmark", "metric", "value", "unit", "spread", "text", "basis"}
#: The bases a row may carry (alone or joined with " + ").
BASES = ("measured", "modelled", "configured", "claimed")


def timed(fn: Callable[[], Any], *, repeat: int = 5, warmup: int = 1) -> tuple[float, float, float]:
    """Run ``fn`` ``warmup`` times unmeasured, then ``repeat`` times.

    Returns:
        (median, min, max) wall time in seconds.
    """
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), min(samples), max(samples)


def row(benchmark: str, case: str, metric: str, value: float, unit: str,
        spread: tuple[float, float] | None = None, basis: str = "measured",
        text: str | None = None) -> Row:
    """One table row; ``text`` is how to show ``value`` when :func:`fmt` would round it wrongly.

    Raises:
        ValueError: ``basis`` is not one of :data:`BASES` (or a ``" + "`` of them).
    """
    if not basis or any(part not in BASES for part in basis.split(" + ")):
        raise ValueError(f"basis must be one of {BASES} or a ' + ' of them, got {basis!r}")
    out: Row = {"benchmark": benchmark, "case": case, "metric": metric, "value": value,
                "unit": unit, "spread": spread, "basis": basis}
    if text is not None:
        out["text"] = text
    return out


def basis_of(bases: Iterable[str]) -> str:
    """The basis of a total made of terms of ``bases``: ``"measured + modelled"`` etc., in
    :data:`BASES` order."""
    found = {str(b) for b in bases}
    return " + ".join(b for b in BASES if b in found) or "measured"


def case_of(r: Row) -> str:
    """``k=v, ...`` of a row's case keys."""
    return ", ".join(f"{k}={v}" for k, v in r.items() if k not in _NOT_CASE)


def area(module: str) -> Callable[[], list[Row]]:
    """Rows from an area's own benchmark module (``measure() -> list[dict]``)."""
    def run() -> list[Row]:
        return [row(r.get("benchmark", module), case_of(r), r["metric"], r["value"],
                    r.get("unit", ""), r.get("spread"), r.get("basis", "measured"))
                for r in importlib.import_module(module).measure()]
    return run


def fmt(v: float) -> str:
    """A figure for the table: integers as such, else 3 significant digits (below 100)."""
    if isinstance(v, int) or float(v).is_integer():
        return f"{int(v)}"
    return f"{v:.3g}" if abs(v) < 100 else f"{v:.0f}"


def shown(r: Row) -> str:
    """A row's value as the table shows it: its ``text`` if it has one, else :func:`fmt`."""
    return r["text"] if r.get("text") is not None else fmt(r["value"])


def spread_of(r: Row) -> str:
    return f"{fmt(r['spread'][0])}-{fmt(r['spread'][1])}" if r.get("spread") else ""


def render_markdown(rows: list[Row], failures: dict[str, str], command: str) -> str:
    """BENCHMARKS.md: machine, command, then one table row per benchmark row."""
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m cli bench`); do not edit by hand.",
        "",
        f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}",
        f"- Command: `{command}`",
        "- Timings: median of repeated runs after a warm-up, spread = min-max. Counts are exact.",
        "- Basis: *measured* (this run timed or counted it), *modelled* (AWS figures and prices, "
        "and the shared RTO/RPO model over config), *configured* (set by the stack), *claimed* "
        "(stated by another design, not checked); a total of terms of several kinds says so "
        "(*measured + modelled*).",
        "",
        "| Benchmark | Case | Metric | Median | Spread | Unit | Basis |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['benchmark']} | {r['case']} | {r['metric']} | {shown(r)} "
                     f"| {spread_of(r)} | {r['unit']} | {r.get('basis', 'measured')} |")
    if failures:
        lines += ["", "## Not measured in this run", ""]
        lines += [f"- {name}: {err}" for name, err in failures.items()]
    return "\n".join(lines) + "\n"
