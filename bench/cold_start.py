"""Cold start of each handler (import + init in a fresh process), as a ratio to a bare
``import boto3`` process measured in the same run, plus peak RSS (MiB)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys

from bench.table import Row, row
from engine.paths import ROOT

_PROBE = """
import resource, sys, time
t0 = time.perf_counter()
import {module}
{init}
elapsed = time.perf_counter() - t0
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

#: Case -> module imported (a handler's entry module, as Lambda imports it at cold start).
CASES = {"boto3 (baseline)": "boto3",
         "failover handler": "handlers.failover.app",
         "backup handler": "handlers.backup.app"}


def fresh_import(module: str, init: str = "") -> tuple[float, float]:
    """``(seconds, peak RSS MiB)`` of importing ``module`` in a fresh interpreter."""
    env = {**os.environ, "POWERTOOLS_TRACE_DISABLED": "true", "AWS_DEFAULT_REGION": "us-west-2"}
    out = subprocess.run([sys.executable, "-c", _PROBE.format(module=module, init=init)],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    seconds, rss_kib = out.split()
    return float(seconds), float(rss_kib) / 1024


def measure_rows(repeat: int = 5) -> list[Row]:
    """Median import time (ms, min-max), peak RSS (MiB) and the ratio to bare boto3."""
    rows: list[Row] = []
    medians: dict[str, float] = {}
    for case, module in CASES.items():
        fresh_import(module)  # warm the OS file cache
        runs = [fresh_import(module) for _ in range(repeat)]
        secs = [r[0] for r in runs]
        medians[case] = statistics.median(secs)
        rows.append(row("cold start", case, "import + init", medians[case] * 1000, "ms",
                        (min(secs) * 1000, max(secs) * 1000)))
        rows.append(row("cold start", case, "peak RSS", statistics.median(r[1] for r in runs), "MiB"))
    base = medians["boto3 (baseline)"]
    for case in ("failover handler", "backup handler"):
        rows.append(row("cold start", case, "ratio to bare boto3", medians[case] / base, "x"))
    return rows
