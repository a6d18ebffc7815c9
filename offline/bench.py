"""``make bench``: measure the project's performance figures and rewrite BENCHMARKS.md.

Runs every benchmark the issues ask for and prints one table:

* cold start of each handler (import + init in a fresh process) as a ratio to a bare
  ``import boto3`` process measured in the same run, plus peak RSS (MiB);
* the offline preview (``make preview`` on prod) wall time and the program's evaluation
  time under mocks;
* policy evaluation time for 1,000 and 10,000 synthetic resources;
* failover on moto per strategy: AWS API calls and the handler's own time;
* backups on moto: API calls per database per run for 1, 10 and 50 databases;
* the default drill's wall time, and per drill scenario the handlers' API calls and the RTO
  and RPO achieved;
* the test suite's wall time;
* the modelled RTO/RPO of Pulumi.prod.yaml next to the original design's claims and the
  targets.

Timings are repeated after a warm-up and reported as median and spread (min-max); counts
are exact. Usage: ``python -m offline.bench [--only cold-start,model,...] [--no-write]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
Row = dict[str, Any]

#: The original design's claims (shared/seed/original-design.md): detection 90 s,
#: total failover 8.5 min, RPO <= 1 h. Claims, not measurements.
SEED_CLAIMS = {"detection_seconds": 90.0, "failover_seconds": 8.5 * 60, "rpo_seconds": 3600.0}


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
        spread: tuple[float, float] | None = None) -> Row:
    return {"benchmark": benchmark, "case": case, "metric": metric, "value": value,
            "unit": unit, "spread": spread}


# --- cold start ----------------------------------------------------------------------------

_PROBE = """
import resource, sys, time
t0 = time.perf_counter()
import {module}
{init}
elapsed = time.perf_counter() - t0
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _fresh_import(module: str, init: str = "") -> tuple[float, float]:
    env = {**os.environ, "POWERTOOLS_TRACE_DISABLED": "true", "AWS_DEFAULT_REGION": "us-west-2"}
    out = subprocess.run([sys.executable, "-c", _PROBE.format(module=module, init=init)],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    seconds, rss_kib = out.split()
    return float(seconds), float(rss_kib) / 1024


def cold_start(repeat: int = 5) -> list[Row]:
    rows: list[Row] = []
    cases = {"boto3 (baseline)": "boto3",
             "failover handler": "handlers.failover.app",
             "backup handler": "handlers.backup.app"}
    medians: dict[str, float] = {}
    for case, module in cases.items():
        _fresh_import(module)  # warm the OS file cache
        runs = [_fresh_import(module) for _ in range(repeat)]
        secs = [r[0] for r in runs]
        med = statistics.median(secs)
        medians[case] = med
        rows.append(row("cold start", case, "import + init", med * 1000, "ms",
                        (min(secs) * 1000, max(secs) * 1000)))
        rows.append(row("cold start", case, "peak RSS", statistics.median(r[1] for r in runs), "MiB"))
    base = medians["boto3 (baseline)"]
    for case in ("failover handler", "backup handler"):
        rows.append(row("cold start", case, "ratio to bare boto3", medians[case] / base, "x"))
    return rows


# --- whole commands ------------------------------------------------------------------------

def _command(args: list[str]) -> Callable[[], None]:
    # A whole command runs as a user would run it: without the bench's own env settings.
    env = {k: v for k, v in os.environ.items() if k != "POWERTOOLS_METRICS_DISABLED"}

    def run() -> None:
        subprocess.run(args, cwd=ROOT, check=True, capture_output=True, env=env)
    return run


def preview_and_program(repeat: int = 3) -> list[Row]:
    from offline.plan import record_plan

    med, lo, hi = timed(_command([sys.executable, "-m", "offline.preview", "--stack", "prod"]),
                        repeat=repeat)
    rows = [row("offline preview", "prod", "wall time", med, "s", (lo, hi))]
    med, lo, hi = timed(lambda: record_plan("prod"), repeat=repeat)
    rows.append(row("program under mocks", "prod", "evaluation time", med, "s", (lo, hi)))
    return rows


def test_suite() -> list[Row]:
    # The full suite takes minutes: one measured run, no repeats (noted in the table).
    med, lo, hi = timed(_command(["make", "test"]), repeat=1, warmup=0)
    return [row("test suite", "make test (1 run)", "wall time", med, "s", (lo, hi))]


def area(module: str) -> Callable[[], list[Row]]:
    """Rows from an area's own benchmark module (``measure() -> list[dict]``)."""
    def run() -> list[Row]:
        rows = importlib.import_module(module).measure()
        out = []
        for r in rows:
            case = ", ".join(f"{k}={v}" for k, v in r.items()
                             if k not in {"benchmark", "metric", "value", "unit", "spread"})
            out.append(row(r.get("benchmark", module), case, r["metric"], r["value"],
                           r.get("unit", ""), r.get("spread")))
        return out
    return run


def model() -> list[Row]:
    from components.budgets import planned_rpo, planned_rto
    from components.settings import settings_from_stack_file

    s = settings_from_stack_file(ROOT / "Pulumi.prod.yaml")
    rto, rpo = planned_rto(s), planned_rpo(s)
    return [
        row("modelled (prod)", "detection", "ours vs seed claim",
            rto.terms[0].seconds, f"s (seed {SEED_CLAIMS['detection_seconds']:.0f} s)"),
        row("modelled (prod)", "RTO worst case", "ours vs seed claim vs target",
            rto.total_seconds, f"s (seed {SEED_CLAIMS['failover_seconds']:.0f} s; "
            f"target {rto.target_seconds:.0f} s)"),
        row("modelled (prod)", "RPO worst case", "ours vs seed claim vs target",
            rpo.total_seconds, f"s (seed {SEED_CLAIMS['rpo_seconds']:.0f} s; "
            f"target {rpo.target_seconds:.0f} s)"),
    ]


SECTIONS: dict[str, Callable[[], list[Row]]] = {
    "model": model,
    "cold-start": cold_start,
    "preview": preview_and_program,
    "policy": area("offline.bench_policy"),
    "failover": area("offline.bench_failover"),
    "backup": area("offline.bench_backup"),
    "drill": area("offline.drill.bench"),
    "tests": test_suite,
}


def _fmt(v: float) -> str:
    if isinstance(v, int) or float(v).is_integer():
        return f"{int(v)}"
    return f"{v:.3g}" if abs(v) < 100 else f"{v:.0f}"


def render_markdown(rows: list[Row], failures: dict[str, str], command: str) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m offline.bench`); do not edit by hand.",
        "",
        f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}",
        f"- Command: `{command}`",
        "- Timings: median of repeated runs after a warm-up, spread = min-max. Counts are exact.",
        "",
        "| Benchmark | Case | Metric | Median | Spread | Unit |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        spread = f"{_fmt(r['spread'][0])}-{_fmt(r['spread'][1])}" if r.get("spread") else ""
        lines.append(f"| {r['benchmark']} | {r['case']} | {r['metric']} | {_fmt(r['value'])} "
                     f"| {spread} | {r['unit']} |")
    if failures:
        lines += ["", "## Not measured in this run", ""]
        lines += [f"- {name}: {err}" for name, err in failures.items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", default="", help=f"comma list of sections: {', '.join(SECTIONS)}")
    p.add_argument("--no-write", action="store_true",
                   help="print only; leave BENCHMARKS.md (a run with --only never writes it)")
    a = p.parse_args(argv)
    chosen = [s for s in a.only.split(",") if s] or list(SECTIONS)
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown:
        p.error(f"unknown section(s) {unknown}; allowed: {', '.join(SECTIONS)}")
    console = Console(width=max(120, Console().width))
    rows: list[Row] = []
    failures: dict[str, str] = {}
    # EMF metric lines would bury the table; they cost no AWS call, so no count changes.
    # Restored afterwards: main() also runs inside test processes.
    previous = os.environ.get("POWERTOOLS_METRICS_DISABLED")
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    try:
        for name in chosen:
            with console.status(f"benchmark: {name}"):
                try:
                    rows.extend(SECTIONS[name]())
                except Exception as e:  # noqa: BLE001 - one broken section must not hide others
                    failures[name] = f"{type(e).__name__}: {e}".splitlines()[0]
    finally:
        if previous is None:
            os.environ.pop("POWERTOOLS_METRICS_DISABLED", None)
        else:
            os.environ["POWERTOOLS_METRICS_DISABLED"] = previous
    table = Table(title="ecommerce-dr benchmarks")
    for col in ("Benchmark", "Case", "Metric", "Median", "Spread", "Unit"):
        table.add_column(col)
    for r in rows:
        spread = f"{_fmt(r['spread'][0])}-{_fmt(r['spread'][1])}" if r.get("spread") else ""
        table.add_row(r["benchmark"], r["case"], r["metric"], _fmt(r["value"]), spread, r["unit"])
    console.print(table)
    for name, err in failures.items():
        console.print(f"[red]not measured[/red] {name}: {err}")
    # A partial run must not replace the full table.
    if not a.no_write and not a.only:
        (ROOT / "BENCHMARKS.md").write_text(render_markdown(rows, failures, "make bench"))
        console.print("wrote BENCHMARKS.md")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
