"""Drill figures for ``make bench``: :func:`measure` returns rows.

* the default drill's wall time (``python -m cli drill --stack prod``, policy gate included,
  fresh process each run): median of ``repeat`` runs after one warm-up, min-max, seconds;
* per scenario and strategy (in-process, policy gate off): the handlers' AWS API calls on
  the failover path, failover invocations, throttled responses, and the RTO/RPO achieved
  (seconds; measured + modelled terms, see :mod:`drill.measure`). Counts are exact.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from contract.strategies import STRATEGIES
from drill.options import DrillOptions
from drill.pipeline import run_drill
from drill.report import as_dict
from drill.scenarios import SCENARIOS
from engine.paths import ROOT

Row = dict[str, Any]


def wall_time(repeat: int = 3) -> Row:
    """Median wall time of the default drill in a fresh process, in seconds."""
    samples = []
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "cli", "drill", "--stack", "prod", "--quiet",
               "--reports-dir", tmp]
        for i in range(repeat + 1):
            t0 = time.perf_counter()
            subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
            if i:  # the first run warms the OS file cache
                samples.append(time.perf_counter() - t0)
    return {"benchmark": "drill", "case": "default (prod, happy-path, policy gate on)",
            "metric": "wall time", "value": statistics.median(samples), "unit": "s",
            "spread": (min(samples), max(samples))}


def scenario_rows(scenario: str, strategy: str | None = None) -> list[Row]:
    """One in-process drill's figures (calls, invocations, seconds)."""
    with tempfile.TemporaryDirectory() as tmp:
        r = as_dict(run_drill(DrillOptions(stack="prod", scenario=scenario, strategy=strategy,
                                           reports_dir=Path(tmp), policy_gate=False,
                                           progress=False)))
    fo = r["api_calls"]["per_step"].get("failover", {})
    base = {"benchmark": "drill", "scenario": scenario, "strategy": r["drill"]["strategy"],
            "verdict": r["verdict"]}
    rows = [
        {**base, "metric": "handler API calls on the failover path",
         "value": fo.get("handlers", 0), "unit": "calls"},
        {**base, "metric": "failover invocations",
         "value": next((s["detail"].get("invocations", 0) for s in r["timeline"]
                        if s["step"] == "failover"), 0), "unit": "invocations"},
        {**base, "metric": "Route 53 calls on the failover path",
         "value": r["route53"]["failover_path_calls"], "unit": "calls"},
    ]
    if fo.get("throttled"):
        rows.append({**base, "metric": "throttled responses", "value": fo["throttled"],
                     "unit": "responses"})
    for kind in ("rto", "rpo"):
        achieved = r[kind]["achieved"]
        if achieved:
            label = "measured + modelled" if kind == "rto" else "measured"
            rows.append({**base, "metric": f"{kind.upper()} achieved ({label})",
                         "value": achieved["total_seconds"],
                         "unit": f"s (target {achieved['target_seconds']:.0f} s)"})
    rows.append({**base, "metric": "drill wall time (in-process, no policy gate)",
                 "value": r["drill"]["wall_seconds"], "unit": "s"})
    return rows


def measure(repeat: int = 3, *, scenarios: tuple[str, ...] | None = None) -> list[Row]:
    """All drill rows (see the module docstring)."""
    rows = [wall_time(repeat)]
    for strategy in STRATEGIES:
        rows += scenario_rows("happy-path", strategy)
    for name in scenarios or tuple(s for s in SCENARIOS if s != "happy-path"):
        rows += scenario_rows(name)
    return rows
