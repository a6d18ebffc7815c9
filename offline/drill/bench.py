"""Drill figures for ``make bench``: :func:`measure` returns rows, ``python -m
offline.drill.bench`` prints them.

* the default drill's wall time (``python -m offline.drill --stack prod``, policy gate
  included, fresh process each run): median of ``repeat`` runs after one warm-up, min-max;
* per scenario and strategy (in-process, policy gate off): the handlers' AWS API calls on
  the failover path, failover invocations, throttled responses, and the RTO/RPO achieved
  (seconds; measured + modelled terms, see :mod:`offline.drill.report`). Counts are exact.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .runner import ROOT, DrillOptions, run_drill
from .scenarios import SCENARIOS

Row = dict[str, Any]


def wall_time(repeat: int = 3) -> Row:
    """Median wall time of the default drill in a fresh process, in seconds."""
    samples = []
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "offline.drill", "--stack", "prod", "--quiet",
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
    with tempfile.TemporaryDirectory() as tmp:
        r = run_drill(DrillOptions(stack="prod", scenario=scenario, strategy=strategy,
                                   reports_dir=Path(tmp), policy_gate=False, progress=False))
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
    for strategy in ("read-replica", "dms", "snapshot-restore"):
        rows += scenario_rows("happy-path", strategy)
    for name in scenarios or tuple(s for s in SCENARIOS if s != "happy-path"):
        rows += scenario_rows(name)
    return rows


def main() -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("case", "metric", "value", "unit")
    for r in measure():
        case = ", ".join(f"{k}={v}" for k, v in r.items()
                         if k not in {"benchmark", "metric", "value", "unit", "spread"})
        value = f"{r['value']:.3g}" if isinstance(r["value"], float) else str(r["value"])
        if r.get("spread"):
            value += f" ({r['spread'][0]:.3g}-{r['spread'][1]:.3g})"
        table.add_row(case, r["metric"], value, r["unit"])
    Console().print(table)


if __name__ == "__main__":
    main()
