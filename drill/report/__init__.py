"""The drill report: ``drill-report.json``, ``drill-report.md`` and ``drill-timeline.png``,
all from one :class:`drill.result.DrillResult` (:func:`write`; :func:`as_dict` is the JSON).

Every timeline figure carries ``basis``: ``measured`` (seconds on the emulator) or
``modelled`` (AWS-side, from config and :mod:`rto_rpo.figures`); how RTO and RPO achieved are
made up is in :mod:`drill.measure`.

JSON shape (top level)::

    {"schema": "ecommerce-dr/drill-report/1", "verdict": "pass"|"fail", "failures": [str],
     "drill": {stack, scenario, scenario_description, strategy, target, started_at,
               wall_seconds, policy_gate, planned_resources, failover_status, missing},
     "orchestrator_steps": [...],   # the failover handler's own step record (its report)
     "timeline": [{step, title, basis, started_offset_seconds, seconds, status,
                   api_calls_total, api_calls, harness_calls, handler_calls,
                   throttled_responses, detail}],
     "modelled": [{name, seconds, basis: "modelled", source, note}],
     "rto": {"achieved": Estimate.to_dict(), "planned": Estimate.to_dict(), "breakdown": str,
             "planned_breakdown": str},
     "rpo": {"achieved": ..., "planned": ..., "breakdown": str, "planned_breakdown": str,
             "reading": {...}},
     "api_calls": {"per_step": {step: {total, handlers, by_operation, harness,
                                       harness_by_operation, handler_clients, throttled}},
                   "failover_path_handler_calls": int, "total": int},
     "route53": {"failover_path_calls": int, "handler_client_calls": int, "passed": bool},
     "checks": [{name, passed, detail}], "bridges": [{name, why, acted, actions}],
     "invocations": [...], "deployment": {...}, "notes": [str],
     "expected": "failover"|"refusal"|"forced", "expected_findings": [str],
     "refusal": {status, reasons, trigger, at_offset_seconds} | null,
     "clock_skips": [{name, seconds, basis: "modelled", wall_offset_seconds, note, in_rto}],
     "data_plane": {"seconds": float, "share_of_wall": float, "by_kind": {kind: seconds}},
     "data": {counted, basis, failed_over, new_writer: {server, region},
              orders: {acknowledged, acknowledged_by_old_primary, acknowledged_by_new_writer,
                       failed, failed_after_failure, lost, lost_order_ids,
                       replayed_before_failure, replayed_but_lost, stranded_on_old_primary,
                       stranded_acknowledged, stranded_acknowledged_count, failure_causes},
              data_loss_window_seconds,
              data_loss_window: {drill_clock_seconds, measured_seconds, skipped_seconds,
                                 skipped, oldest_lost_ack_offset_seconds},
              outage: {drill_clock_seconds, measured_seconds, skipped_seconds, skipped,
                       first_failure_offset_seconds, recovered_offset_seconds,
                       failed_orders, modelled_aws_terms: [Term.to_dict()]},
              lag_at_failure: {"<namespace> <metric>": {metric: {seconds, timestamp},
                                                        postgres: {seconds, replay_lag_seconds,
                                                                   bytes_behind, state}}},
              customers: {order_rate_per_second, series: [{t, acked: {region: n}, failed}],
                          marks: {failure, promoted, traffic_shift, ...}},
              failure_offset_seconds} | null,
     "cycle": drill.cycle.state.CycleState.to_dict() | null}   # scenario full-cycle

The data section is measured from the real databases (``data.basis``); its seconds are on the
drill's clock, and each span says how much of it was skipped (modelled) and measured.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from drill.report.markdown import markdown
from drill.report.timeline import timeline_png
from drill.result import DrillResult
from rto_rpo.model import Basis, Estimate

SCHEMA = "ecommerce-dr/drill-report/1"

__all__ = ["SCHEMA", "as_dict", "markdown", "timeline_png", "write"]


def _estimate(achieved: Estimate | None, planned: Estimate | None) -> dict[str, Any]:
    return {"achieved": achieved.to_dict() if achieved else None,
            "planned": planned.to_dict() if planned else None,
            "breakdown": achieved.breakdown("achieved") if achieved else "",
            "planned_breakdown": planned.breakdown() if planned else ""}


def _per_step(result: DrillResult) -> dict[str, dict[str, Any]]:
    return {s.name: {"total": sum(s.api_calls.values()) + sum(s.harness_calls.values()),
                     "handlers": sum(s.api_calls.values()), "by_operation": s.api_calls,
                     "harness": sum(s.harness_calls.values()),
                     "harness_by_operation": s.harness_calls, "handler_clients": s.handler_calls,
                     "throttled": s.throttled} for s in result.steps}


def _drill(r: DrillResult) -> dict[str, Any]:
    gate = r.step("policy-gate")
    return {"stack": r.stack, "scenario": r.scenario, "scenario_description": r.scenario_description,
            "strategy": r.strategy, "target": r.target,
            "started_at": r.started_at.isoformat(timespec="seconds"),
            "wall_seconds": round(r.wall_seconds, 3),
            "policy_gate": gate.status if gate else "not-run",
            "planned_resources": r.planned_resources, "failover_status": r.failover_status,
            "missing": r.missing}


def as_dict(r: DrillResult) -> dict[str, Any]:
    """The report as JSON-ready data (shape in the module docstring)."""
    per_step = _per_step(r)
    fo = r.step("failover")
    return {
        "schema": SCHEMA, "verdict": r.verdict, "failures": r.failures, "drill": _drill(r),
        "timeline": [s.to_dict() for s in r.steps],
        "orchestrator_steps": fo.detail.get("orchestrator_steps", []) if fo else [],
        "modelled": [t.to_dict() for t in r.rto.terms if t.basis != Basis.MEASURED] if r.rto else [],
        "rto": _estimate(r.rto, r.rto_planned),
        "rpo": {**_estimate(r.rpo, r.rpo_planned), "reading": r.recovery_point},
        "api_calls": {"per_step": per_step,
                      "failover_path_handler_calls": per_step.get("failover", {}).get("handlers", 0),
                      "total": r.api_requests_total},
        "route53": {"failover_path_calls": r.route53_failover_calls,
                    "handler_client_calls": r.route53_handler_calls,
                    "passed": r.route53_failover_calls == 0 and r.route53_handler_calls == 0},
        "checks": [c.to_dict() for c in r.checks],
        "bridges": [asdict(b) for b in r.bridges],
        "invocations": r.invocations, "deployment": r.deployment, "notes": r.notes,
        "expected": r.expected, "expected_findings": r.expected_findings, "refusal": r.refusal,
        "clock_skips": r.clock_skips, "data_plane": _data_plane(r), "data": r.data,
        "cycle": r.cycle,
    }


def _data_plane(r: DrillResult) -> dict[str, Any]:
    """Wall seconds the drill spent blocked in data-plane work (measured), and their share."""
    seconds = float(sum(r.data_plane_seconds.values()))
    return {"seconds": round(seconds, 3), "basis": "measured",
            "share_of_wall": round(seconds / r.wall_seconds, 3) if r.wall_seconds else 0.0,
            "by_kind": r.data_plane_seconds}


def write(result: DrillResult, directory: Path) -> dict[str, Path]:
    """Write the three report files into ``directory``; returns their paths by kind
    (``json``, ``md``, ``png``)."""
    report = as_dict(result)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {"json": directory / "drill-report.json", "md": directory / "drill-report.md",
             "png": directory / "drill-timeline.png"}
    paths["json"].write_text(json.dumps(report, indent=2, default=str) + "\n")
    paths["md"].write_text(markdown(report))
    timeline_png(report, paths["png"])
    return paths
