"""The drill report: ``drill-report.json``, ``drill-report.md`` and ``drill-timeline.png``.

RTO and RPO achieved are computed by the shared model (:mod:`rto_rpo.model`), term by term:

* RTO achieved = the fastest detection path the scenario leaves (modelled from config: the
  emulator cannot wait for Route 53's checkers) + the failover as run on the emulator, from
  the failure to the handler's completion (measured) + any simulated wait (modelled, e.g. a
  crashed invocation's heartbeat-renewed lock lease: at most one
  ``handlers.failover.state.LEASE_SECONDS``) + the gate alarm's evaluation window (modelled) +
  promotion (modelled: the emulator promotes instantly) + DNS TTL (modelled: clients cache
  one TTL).
* RPO achieved = the recovery-point age at the failure: replication lag (read-replica, dms)
  or the age of the newest cross-Region copy (snapshot-restore), read by the drill.

Every timeline figure carries ``basis``: ``measured`` (seconds on the emulator) or
``modelled`` (AWS-side, from config and :mod:`rto_rpo.figures`).

JSON shape (top level)::

    {"schema": "ecommerce-dr/drill-report/1", "verdict": "pass"|"fail", "failures": [str],
     "drill": {stack, scenario, strategy, target, started_at, wall_seconds, policy_gate, ...},
     "orchestrator_steps": [...],   # the failover handler's own step record (its report)
     "timeline": [{step, title, basis, started_offset_seconds, seconds, status,
                   api_calls_total, api_calls, harness_calls, handler_calls,
                   throttled_responses, detail}],
     "modelled": [{name, seconds, basis: "modelled", source, note}],
     "rto": {"achieved": Estimate.to_dict(), "planned": Estimate.to_dict(), "breakdown": str},
     "rpo": {"achieved": ..., "planned": ..., "breakdown": str, "reading": {...}},
     "api_calls": {"per_step": {step: {total, handlers, by_operation, harness,
                                       harness_by_operation, handler_clients, throttled}},
                   "failover_path_handler_calls": int, "total": int},
     "route53": {"failover_path_calls": int, "handler_client_calls": int, "passed": bool},
     "checks": [{name, passed, detail}], "bridges": [{name, why, acted, actions}],
     "invocations": [...], "deployment": {...}, "notes": [str]}
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from components.budgets import planned_rpo, planned_rto
from contract.names import GATE_ALARM_EVALUATION_PERIODS, GATE_ALARM_PERIOD_SECONDS, Role
from rto_rpo.model import (
    Basis,
    Estimate,
    Term,
    estimate_rto,
    gate_alarm_evaluation,
    health_check_detection,
    watchdog_detection,
)

from .bridges import BRIDGES

if TYPE_CHECKING:
    from .runner import Drill

SCHEMA = "ecommerce-dr/drill-report/1"


def _modelled(t: Term, note_prefix: str = "") -> Term:
    note = f"{note_prefix}{t.note}" if t.note else note_prefix.rstrip("; ")
    return Term(t.name, t.seconds, t.source, Basis.MODELLED, note)


def detection_terms(drill: Drill) -> list[Term]:
    """The detection paths the scenario leaves: both normally; the watchdog alone when the
    primary Region (and its health-check alarm forwarder) is down."""
    s = drill.settings
    hc = health_check_detection(interval_seconds=s.health_check.interval_seconds,
                                failure_threshold=s.health_check.failure_threshold,
                                source="ecommerce-dr:healthCheck")
    wd = watchdog_detection(rate_seconds=s.failover.watchdog_rate_minutes * 60,
                            consecutive_failures=s.failover.consecutive_failures,
                            probe_timeout_seconds=s.failover.probe_timeout_seconds,
                            source="ecommerce-dr:failover.watchdogRateMinutes")
    paths = [wd] if drill.scenario.primary_region_down else [hc, wd]
    return [_modelled(t, "AWS-side, from config: ") for t in paths]


def gate_term(drill: Drill) -> Term:
    """The traffic-shift term from the deployed gate alarm's inputs (period x datapoints),
    computed by the shared model."""
    period = float(GATE_ALARM_PERIOD_SECONDS)
    points = float(GATE_ALARM_EVALUATION_PERIODS)
    source = "contract.names.GATE_ALARM_PERIOD_SECONDS"
    if drill.deployment:
        gates = drill.deployment.by_role(Role.GATE_ALARM)
        if gates:
            i = gates[0].inputs
            period = float(i.get("period", period))
            points = float(i.get("datapointsToAlarm") or i.get("evaluationPeriods") or points)
            source = gates[0].urn
    return gate_alarm_evaluation(period_seconds=period, datapoints=points, source=source)


def rto_achieved(drill: Drill) -> Estimate:
    measured = max(0.0, (drill.failover_done_at - drill.failure_injected_at)
                   if drill.failover_done_at else 0.0)
    fo = next((s for s in drill.steps if s.name == "failover"), None)
    invocations = fo.detail.get("invocations", 0) if fo else 0
    steps = [Term("failover on the emulator (failure -> handler reports completion)", measured,
                  "drill", Basis.MEASURED,
                  f"{invocations} invocation(s), wall time on 127.0.0.1")]
    steps += [Term(w["name"], float(w["seconds"]), "drill", Basis.MODELLED, w["note"])
              for w in drill.modelled_waits]
    planned = planned_rto(drill.settings)
    promotion = next(t for t in planned.terms if t.name.startswith("promotion"))
    ttl = next(t for t in planned.terms if t.name == "DNS TTL")
    return estimate_rto(detection_paths=detection_terms(drill), step_budgets=steps,
                        traffic_shift=gate_term(drill),
                        promotion=_modelled(promotion, "AWS-side (the emulator promotes at "
                                                       "once): "),
                        dns_ttl=_modelled(ttl, "AWS-side: clients cache one TTL; from "
                                               "ecommerce-dr:dns.ttlSeconds"),
                        target_seconds=drill.settings.rto_seconds)


def rpo_achieved(drill: Drill) -> Estimate | None:
    r = drill.recovery_point
    if not r or r.get("seconds") is None:
        return None
    return Estimate("RPO", (Term("recovery-point age at the failure", float(r["seconds"]),
                                 str(r.get("source", "drill")), Basis.MEASURED,
                                 str(r.get("note", ""))),),
                    float(drill.settings.rpo_seconds))


def build(drill: Drill, *, started_at: dt.datetime, wall_seconds: float) -> dict[str, Any]:
    """The report dict (shape in the module docstring)."""
    failures = [f"check failed: {c.name} ({c.detail})" for c in drill.checks if not c.passed]
    failures += [f"step {s.name} {s.status}" for s in drill.steps if s.status == "failed"]
    rto = rto_achieved(drill) if drill.failover_done_at else None
    rpo = rpo_achieved(drill)
    if rto is None:
        failures.append("RTO not achieved: the failover did not run")
    elif not rto.met:
        failures.append(f"RTO target missed: {rto.total_seconds:.0f} s > {rto.target_seconds:.0f} s")
    if rpo is None:
        failures.append("RPO not measured: no recovery point reading at the failure")
    elif not rpo.met:
        failures.append(f"RPO target missed: {rpo.total_seconds:.0f} s > {rpo.target_seconds:.0f} s")
    planned_r, planned_p = planned_rto(drill.settings), planned_rpo(drill.settings)
    for e in (planned_r, planned_p):
        if not e.met:
            failures.append(f"planned worst-case {e.kind} misses its target "
                            f"({e.total_seconds:.0f} s > {e.target_seconds:.0f} s): this drill's "
                            f"failure came at a lucky moment; see {e.kind.lower()}.planned")
    gate_step = next((s for s in drill.steps if s.name == "policy-gate"), None)
    if gate_step is not None and gate_step.status == "skipped":
        drill.notes.append("the policy gate was turned off for this run")
    per_step = {s.name: {"total": sum(s.api_calls.values()) + sum(s.harness_calls.values()),
                         "handlers": sum(s.api_calls.values()), "by_operation": s.api_calls,
                         "harness": sum(s.harness_calls.values()),
                         "harness_by_operation": s.harness_calls,
                         "handler_clients": s.handler_calls,
                         "throttled": s.throttled} for s in drill.steps}
    r53 = drill.emulator.ledger.count(step="failover", service="route53")
    r53c = drill.client_ledger.count(step="failover", service="route53")
    modelled = ([t.to_dict() for t in rto.terms if t.basis != Basis.MEASURED] if rto else [])
    fo = next((s for s in drill.steps if s.name == "failover"), None)
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "verdict": "pass" if not failures else "fail",
        "failures": failures,
        "drill": {
            "stack": drill.opts.stack, "scenario": drill.scenario.name,
            "scenario_description": drill.scenario.description, "strategy": drill.strategy,
            "target": "emulator (moto server on 127.0.0.1)",
            "started_at": started_at.isoformat(timespec="seconds"),
            "wall_seconds": round(wall_seconds, 3),
            "policy_gate": gate_step.status if gate_step else "not-run",
            "planned_resources": drill.plan_resources,
            "failover_status": drill.failover_status,
            "missing": drill.missing,
        },
        "timeline": [s.to_dict() for s in drill.steps],
        "orchestrator_steps": fo.detail.get("orchestrator_steps", []) if fo else [],
        "modelled": modelled,
        "rto": {"achieved": rto.to_dict() if rto else None, "planned": planned_r.to_dict(),
                "breakdown": rto.breakdown() if rto else "",
                "planned_breakdown": planned_r.breakdown()},
        "rpo": {"achieved": rpo.to_dict() if rpo else None, "planned": planned_p.to_dict(),
                "breakdown": rpo.breakdown() if rpo else "",
                "planned_breakdown": planned_p.breakdown(), "reading": drill.recovery_point},
        "api_calls": {"per_step": per_step,
                      "failover_path_handler_calls":
                          per_step.get("failover", {}).get("handlers", 0),
                      "total": len(drill.emulator.ledger.requests)},
        "route53": {"failover_path_calls": r53, "handler_client_calls": r53c,
                    "passed": r53 == 0 and r53c == 0},
        "checks": [c.to_dict() for c in drill.checks],
        "bridges": [{"name": n, "why": why, "acted": drill.bridges.counts.get(n, 0),
                     "actions": [a for a in drill.bridges.actions if a.startswith(f"[{n}]")][:20]}
                    for n, why in BRIDGES.items()],
        "invocations": drill.invocations,
        "deployment": drill.deployment.summary() if drill.deployment else None,
        "notes": drill.notes,
    }
    return report


def write(report: dict[str, Any], directory: Path) -> dict[str, Path]:
    """Write the three report files into ``directory``; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {"json": directory / "drill-report.json", "md": directory / "drill-report.md",
             "png": directory / "drill-timeline.png"}
    paths["json"].write_text(json.dumps(report, indent=2, default=str) + "\n")
    paths["md"].write_text(markdown(report))
    timeline_png(report, paths["png"])
    return paths


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds >= 60:
        return f"{seconds:.0f} s ({seconds / 60:.1f} min)"
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def markdown(r: dict[str, Any]) -> str:
    d = r["drill"]
    lines = [f"# DR drill: {d['stack']} / {d['scenario']} / {d['strategy']}", "",
             f"**Verdict: {r['verdict'].upper()}** - {d['target']}, started {d['started_at']}, "
             f"wall time {d['wall_seconds']:.1f} s, policy gate: {d['policy_gate']}.", ""]
    if r["failures"]:
        lines += ["## Failures", "", *[f"- {f}" for f in r["failures"]], ""]
    rto, rpo = r["rto"], r["rpo"]
    lines += ["## RTO and RPO achieved", "", "| | achieved | target | met | planned worst case |",
              "|---|---|---|---|---|"]
    for name, e in (("RTO", rto), ("RPO", rpo)):
        a = e["achieved"]
        lines.append(f"| {name} | {_fmt(a['total_seconds']) if a else '-'} | "
                     f"{_fmt(e['planned']['target_seconds'])} | "
                     f"{('yes' if a['met'] else 'NO') if a else '-'} | "
                     f"{_fmt(e['planned']['total_seconds'])} |")
    lines += ["", "```", rto["breakdown"], "", rpo["breakdown"], "```", "",
              "## Timeline", "",
              "| step | basis | start (s) | seconds | status | API calls (handlers / harness) |",
              "|---|---|---|---|---|---|"]
    for s in r["timeline"]:
        lines.append(f"| {s['title']} | measured (emulator) | {s['started_offset_seconds']:.2f} | "
                     f"{s['seconds']:.3f} | {s['status']} | {sum(s['api_calls'].values())} / "
                     f"{sum(s['harness_calls'].values())} |")
    for m in r["modelled"]:
        lines.append(f"| {m['name']} | modelled (AWS-side) | - | {m['seconds']:.0f} | - | - |")
    if r.get("orchestrator_steps"):
        lines += ["", "### Failover steps as the orchestrator recorded them (its own report)", "",
                  "| step | outcome | seconds | own seconds | budget (s) |", "|---|---|---|---|---|"]
        for st in r["orchestrator_steps"]:
            lines.append(f"| {st.get('step')} | {st.get('outcome')} | "
                         f"{st.get('duration_seconds', '-')} | {st.get('own_seconds', '-')} | "
                         f"{st.get('budget_seconds', '-')} |")
    lines += ["", "## AWS API calls per step", "",
              "Served by the emulator; *handlers* = the orchestrators' calls, *harness* = the "
              "drill's own (applier, bridges, verification).", ""]
    for step, c in r["api_calls"]["per_step"].items():
        ops = ", ".join(f"{k} x{v}" for k, v in c["by_operation"].items()) or "none"
        own = ", ".join(f"{k} x{v}" for k, v in c["harness_by_operation"].items()) or "none"
        throttled = f", {c['throttled']} throttled" if c.get("throttled") else ""
        lines.append(f"- **{step}**: handlers {c['handlers']}{throttled} ({ops}); "
                     f"harness {c['harness']} ({own})")
    rt = r["route53"]
    lines += ["", f"**No-Route-53 check: {'PASS' if rt['passed'] else 'FAIL'}** - "
                  f"{rt['failover_path_calls']} Route 53 calls served on the failover path, "
                  f"{rt['handler_client_calls']} attempted by the handlers' clients.", "",
              "## Checks (from outside the handler)", ""]
    lines += [f"- [{'x' if c['passed'] else ' '}] {c['name']} - {c['detail']}" for c in r["checks"]]
    lines += ["", "## Emulator-gap bridges", ""]
    lines += [f"- **{b['name']}** (acted {b['acted']}x): {b['why']}" for b in r["bridges"]]
    dep = r.get("deployment") or {}
    if dep:
        lines += ["", "## Deployment of the plan", "",
                  f"{dep['applied']} planned resources applied to the emulator; "
                  f"{len(dep['skipped'])} skipped, {len(dep['failed'])} failed, "
                  f"{len(dep['resolved'])} unknown inputs resolved, "
                  f"{len(dep['substituted'])} substitutions.", ""]
        lines += [f"- skipped `{s['type']}` {s['urn'].rsplit('::', 1)[-1]}: {s['reason']}"
                  for s in dep["skipped"]]
        lines += [f"- FAILED `{s['type']}` {s['urn'].rsplit('::', 1)[-1]}: {s['error']}"
                  for s in dep["failed"]]
        lines += [f"- substituted {s['property']} of {s['urn'].rsplit('::', 1)[-1]}: {s['value']}"
                  for s in dep["substituted"]]
    if d.get("missing"):
        lines += ["", "## Missing pieces", "", *[f"- {m}" for m in d["missing"]]]
    if r["notes"]:
        lines += ["", "## Notes", "", *[f"- {n}" for n in r["notes"]]]
    return "\n".join(lines) + "\n"


def timeline_png(r: dict[str, Any], path: Path) -> None:
    """Two panels: the drill's measured steps on the emulator (seconds), and the achieved
    RTO term by term (minutes, measured vs modelled) against the target."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 7.5),
                                   gridspec_kw={"height_ratios": [3, 1.2]})
    steps = r["timeline"]
    colors = {"ok": "#2b8cbe", "failed": "#d7301f", "skipped": "#bdbdbd"}
    for i, s in enumerate(steps):
        ax1.barh(i, max(s["seconds"], 0.01), left=s["started_offset_seconds"],
                 color=colors.get(s["status"], "#2b8cbe"))
        ax1.text(s["started_offset_seconds"] + s["seconds"], i,
                 f" {s['seconds']:.2f} s, {sum(s['api_calls'].values())} handler calls",
                 va="center", fontsize=8)
    ax1.set_yticks(range(len(steps)), [s["step"] for s in steps])
    ax1.invert_yaxis()
    ax1.set_xlabel("seconds since the drill started (measured on the emulator)")
    d = r["drill"]
    ax1.set_title(f"DR drill {d['stack']} / {d['scenario']} / {d['strategy']}: "
                  f"{r['verdict'].upper()}")
    achieved = r["rto"]["achieved"]
    if achieved:
        left = 0.0
        measured = ["#31a354", "#a1d99b"]
        modelled = ["#e6550d", "#fdae6b", "#fd8d3c", "#fdd0a2", "#a63603", "#d94801"]
        for k, t in enumerate(achieved["terms"]):
            minutes = t["seconds"] / 60
            palette = measured if t["basis"] == "measured" else modelled
            ax2.barh(0, minutes, left=left, color=palette[k % len(palette)], edgecolor="white",
                     label=f"{t['name'].split(' (')[0]}: {t['seconds']:.0f} s [{t['basis']}]")
            left += minutes
        target = achieved["target_seconds"] / 60
        if target <= left * 1.5:
            ax2.axvline(target, color="#d7301f", linestyle="--")
            ax2.set_xlim(0, max(left, target) * 1.05)
        else:
            ax2.set_xlim(0, left * 1.5)
            ax2.text(left * 1.48, 0, f"RTO target {target:.0f} min ->", color="#d7301f",
                     ha="right", va="center", fontsize=9)
        ax2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=2, fontsize=7,
                   frameon=False)
        ax2.set_title(f"RTO achieved {left:.1f} min term by term (green measured on the "
                      f"emulator, orange modelled AWS-side) vs target {target:.0f} min",
                      fontsize=9)
    ax2.set_yticks([])
    ax2.set_xlabel("minutes")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
