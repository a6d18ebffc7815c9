"""Drill figures for ``make bench``: :func:`measure` returns rows, each with its basis.

* the default drill's wall time (``python -m cli drill --stack prod``, policy gate included,
  the whole data plane, fresh process each run): median of ``repeat`` runs after one warm-up,
  min-max, seconds (measured); and the data plane's share of it (seconds the drill spent
  blocked in PostgreSQL work: servers, base backups, copies, restores, promotion; measured);
* per scenario and strategy (in-process, policy gate off), from the drill's report
  (:func:`rows_from_report`): the handlers' AWS API calls on the failover path, failover
  invocations, throttled responses (counts, measured); orders acknowledged and lost, the
  data-loss window and the customer-visible outage measured from the real databases (a span
  that includes a wait the drill skipped on its clock is *measured + modelled*); the lag at
  the failure as PostgreSQL showed it (measured) and as the published metric showed it
  (measured + modelled when the drill skipped time while the link was stalled); the RTO
  achieved (*measured + modelled*: the emulator's failover plus the modelled AWS-side terms)
  and the RPO achieved (the data-loss window's term basis).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.table import basis_of
from contract.strategies import STRATEGIES, Strategy
from drill.options import DrillOptions
from drill.pipeline import run_drill
from drill.report import as_dict
from drill.scenarios import SCENARIOS
from engine.paths import ROOT

Row = dict[str, Any]


def wall_time(repeat: int = 3) -> list[Row]:
    """Median wall time of the default drill in a fresh process, seconds, and the data
    plane's share of it (from each run's report)."""
    samples, shares = [], []
    (ROOT / "reports").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ROOT / "reports") as tmp:
        os.chmod(tmp, 0o755)   # the PostgreSQL user passes through to its data directory
        cmd = [sys.executable, "-m", "cli", "drill", "--stack", "prod", "--quiet",
               "--reports-dir", tmp]
        for i in range(repeat + 1):
            t0 = time.perf_counter()
            subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
            if i:  # the first run warms the OS file cache
                samples.append(time.perf_counter() - t0)
                shares.append(json.loads((Path(tmp) / "drill-report.json").read_text())["data_plane"])
    case = "default (prod, happy-path, policy gate on, real data plane)"
    return [{"benchmark": "drill", "case": case, "metric": "wall time",
             "value": statistics.median(samples), "unit": "s",
             "spread": (min(samples), max(samples)), "basis": "measured"},
            {"benchmark": "drill", "case": case, "metric": "data plane's share of the wall time",
             "value": 100 * statistics.median(s["share_of_wall"] for s in shares), "unit": "%",
             "spread": (100 * min(s["share_of_wall"] for s in shares),
                        100 * max(s["share_of_wall"] for s in shares)), "basis": "measured"}]


def _span_basis(span: dict[str, Any]) -> str:
    return "measured + modelled" if span.get("skipped_seconds") else "measured"


def _data_rows(r: dict[str, Any], base: Row) -> list[Row]:
    data = r.get("data") or {}
    if not data.get("counted"):
        return []
    o = data["orders"]
    rows = [{**base, "metric": "orders acknowledged", "value": o["acknowledged"],
             "unit": "orders", "basis": "measured"},
            {**base, "metric": "orders lost (read from the new writer)", "value": o["lost"],
             "unit": "orders", "basis": "measured"},
            {**base, "metric": "data-loss window", "value": data["data_loss_window_seconds"],
             "unit": "s", "basis": _span_basis(data["data_loss_window"])}]
    outage = data["outage"]
    if data.get("failed_over", True) and outage.get("measured_seconds") is not None:
        rows.append({**base, "metric": "customer-visible outage on the emulator",
                     "value": outage["measured_seconds"], "unit": "s", "basis": "measured"})
    for name, lag in (data.get("lag_at_failure") or {}).items():
        pg, metric = lag.get("postgres") or {}, lag.get("metric") or {}
        if pg.get("seconds") is not None:
            rows.append({**base, "metric": f"{name} at the failure, as PostgreSQL showed it",
                         "value": pg["seconds"], "unit": "s", "basis": "measured"})
        if metric.get("seconds") is not None:
            stalled = any(s["name"] == "the link stays stalled" for s in r.get("clock_skips", []))
            rows.append({**base, "metric": f"{name} at the failure, as the metric showed it",
                         "value": metric["seconds"], "unit": "s",
                         "basis": "measured + modelled" if stalled else "measured"})
    return rows


def rows_from_report(r: dict[str, Any]) -> list[Row]:
    """The rows of one drill's report (:func:`drill.report.as_dict`); see the module."""
    fo = r["api_calls"]["per_step"].get("failover", {})
    base = {"benchmark": "drill", "scenario": r["drill"]["scenario"],
            "strategy": r["drill"]["strategy"], "verdict": r["verdict"]}
    rows = [
        {**base, "metric": "handler API calls on the failover path",
         "value": fo.get("handlers", 0), "unit": "calls", "basis": "measured"},
        {**base, "metric": "failover invocations",
         "value": next((s["detail"].get("invocations", 0) for s in r["timeline"]
                        if s["step"] == "failover"), 0), "unit": "invocations", "basis": "measured"},
        {**base, "metric": "Route 53 calls on the failover path",
         "value": r["route53"]["failover_path_calls"], "unit": "calls", "basis": "measured"},
    ]
    if fo.get("throttled"):
        rows.append({**base, "metric": "throttled responses", "value": fo["throttled"],
                     "unit": "responses", "basis": "measured"})
    rows += _data_rows(r, base)
    window = ((r.get("data") or {}).get("data_loss_window")) or {}
    for kind in ("rto", "rpo"):
        achieved = r[kind]["achieved"]
        if achieved:
            basis = basis_of(t["basis"] for t in achieved["terms"])
            if kind == "rpo" and window:   # the data-loss window: measured, plus any skip
                basis = _span_basis(window)
            rows.append({**base, "metric": f"{kind.upper()} achieved", "value": achieved["total_seconds"],
                         "unit": f"s (target {achieved['target_seconds']:.0f} s)", "basis": basis})
    dp = r.get("data_plane") or {}
    rows += [{**base, "metric": "drill wall time (in-process, no policy gate)",
              "value": r["drill"]["wall_seconds"], "unit": "s", "basis": "measured"},
             {**base, "metric": "data plane's share of the wall time",
              "value": 100 * dp.get("share_of_wall", 0.0), "unit": "%", "basis": "measured"}]
    return rows


def _pilot_light_stack(tmp: Path) -> Path:
    """The README's snapshot-restore stack: prod backing up every 30 min."""
    import yaml

    doc = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())
    doc["config"]["ecommerce-dr:backup"]["cadenceMinutes"] = 30
    path = tmp / "Pulumi.pilot-light.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def scenario_rows(scenario: str, strategy: str | None = None, *, force: bool = False,
                  stack: str = "prod") -> list[Row]:
    """One in-process drill's figures (calls, invocations, data, seconds). Its files live
    under the checkout's ``reports/`` (the PostgreSQL user must reach them), not the system
    temporary directory."""
    (ROOT / "reports").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ROOT / "reports") as tmp:
        os.chmod(tmp, 0o755)   # the PostgreSQL user passes through to its data directory
        stack_file = _pilot_light_stack(Path(tmp)) if strategy == Strategy.SNAPSHOT_RESTORE else None
        r = as_dict(run_drill(DrillOptions(stack=stack, scenario=scenario, strategy=strategy,
                                           stack_file=stack_file,
                                           reports_dir=Path(tmp) / "reports",
                                           policy_gate=False, progress=False, force=force)))
    return rows_from_report(r)


def measure(repeat: int = 3, *, scenarios: tuple[str, ...] | None = None) -> list[Row]:
    """All drill rows (see the module docstring)."""
    rows = wall_time(repeat)
    for strategy in STRATEGIES:
        rows += scenario_rows("happy-path", strategy)
    for name in scenarios or tuple(s for s in SCENARIOS if s != "happy-path"):
        # The failback scenario drills the Aurora switchover: the aurora stack's.
        stack = "aurora" if SCENARIOS[name].failback else "prod"
        rows += scenario_rows(name, force=SCENARIOS[name].readiness_refusal, stack=stack)
        if SCENARIOS[name].full_cycle:   # and the Aurora tier's cycle
            rows += scenario_rows(name, stack="aurora")
    return rows
