"""``drill-report.md``: the report dict (:func:`drill.report.as_dict`) as Markdown."""

from __future__ import annotations

from typing import Any

from drill.report import cycle, deployment, failback


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds >= 60:
        return f"{seconds:.0f} s ({seconds / 60:.1f} min)"
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def _header(r: dict[str, Any]) -> list[str]:
    d = r["drill"]
    lines = [f"# DR drill: {d['stack']} / {d['scenario']} / {d['strategy']}", "",
             f"**Verdict: {r['verdict'].upper()}** - {d['target']}, started {d['started_at']}, "
             f"wall time {d['wall_seconds']:.1f} s, policy gate: {d['policy_gate']}.", ""]
    if r["failures"]:
        lines += ["## Failures", "", *[f"- {f}" for f in r["failures"]], ""]
    if r.get("expected_findings"):
        lines += ["## Expected by the scenario", "", *[f"- {f}" for f in r["expected_findings"]], ""]
    return lines


def _objectives(r: dict[str, Any]) -> list[str]:
    lines = ["## RTO and RPO achieved", "", "| | achieved | target | met | planned worst case |",
             "|---|---|---|---|---|"]
    for name in ("RTO", "RPO"):
        e = r[name.lower()]
        a, p = e["achieved"], e["planned"] or {}
        lines.append(f"| {name} | {_fmt(a['total_seconds']) if a else '-'} | "
                     f"{_fmt(p.get('target_seconds'))} | "
                     f"{('yes' if a['met'] else 'NO') if a else '-'} | "
                     f"{_fmt(p.get('total_seconds'))} |")
    breakdowns = [b for b in (r["rto"]["breakdown"], r["rpo"]["breakdown"]) if b]
    if breakdowns:
        return lines + ["", "```", *"\n\n".join(breakdowns).splitlines(), "```", ""]
    nothing = r.get("refusal") or not (r.get("data") or {}).get("failed_over", True)
    return lines + ["", "Nothing failed over, so neither an RTO nor an RPO was achieved." if nothing
                    else "No RTO or RPO achieved: the drill measured neither.", ""]


def _lag_rows(lag: dict[str, Any]) -> list[str]:
    rows = []
    for name, v in lag.items():
        m, pg = v.get("metric") or {}, v.get("postgres") or {}
        rows.append(f"| replication lag at the failure, {name}, as the metric showed it | "
                    f"{_fmt(m.get('seconds'))} | published from PostgreSQL by the drill (newest "
                    f"one-minute maximum, drill clock) |")
        rows.append(f"| replication lag at the failure, {name}, as PostgreSQL showed it | "
                    f"{_fmt(pg.get('seconds'))} ({pg.get('bytes_behind', '-')} bytes of WAL "
                    f"behind, {pg.get('state', '-')}) | measured |")
    return rows


def _data_rows(d: dict[str, Any]) -> list[str]:
    o, w, out = d["orders"], d["data_loss_window"], d["outage"]
    by = (f"{o['acknowledged_by_old_primary']} by the old primary, "
          f"{o['acknowledged_by_new_writer']} by the new writer" if d.get("failed_over", True)
          else f"{o['acknowledged_by_old_primary']} by the primary; nothing failed over, no new "
               "writer")
    rows = [f"| orders acknowledged | {o['acknowledged']} ({by}) | measured |",
            f"| orders failed after the failure | {o['failed_after_failure']} | measured |",
            f"| orders lost | {o['lost']} | measured (read from {d['new_writer']['server']}) |",
            f"| data-loss window | {_fmt(d['data_loss_window_seconds'])} | "
            + (f"{w['measured_seconds']} s measured + {w['skipped_seconds']} s skipped on the "
               f"drill's clock, modelled ({', '.join(w['skipped'])}) |" if w.get("skipped_seconds")
               else "measured |")]
    if o["replayed_before_failure"] is not None:
        rows.append(f"| orders the standby had replayed at the failure / of them lost | "
                    f"{o['replayed_before_failure']} / {len(o['replayed_but_lost'])} | measured |")
    if o["stranded_on_old_primary"] is not None:
        rows.append(f"| orders stranded on the old primary / acknowledged (to reconcile) | "
                    f"{o['stranded_on_old_primary']} / {o['stranded_acknowledged_count']} | measured |")
    rows += _lag_rows(d.get("lag_at_failure") or {})
    if d.get("failed_over", True):
        rows.append(f"| customer-visible outage | {_fmt(out['measured_seconds'])} | measured on "
                    f"the emulator (first failed order -> first order acknowledged by the new "
                    f"writer through the failover name) |")
        if out.get("skipped_seconds"):
            rows.append(f"| ... on the drill's clock | {_fmt(out['drill_clock_seconds'])} | "
                        f"includes {out['skipped_seconds']} s skipped, modelled "
                        f"({', '.join(out['skipped'])}) |")
        rows += [f"| AWS-side: {t['name']} | {_fmt(t['seconds'])} | modelled, from {t['source']} |"
                 for t in out["modelled_aws_terms"]]
    return rows


def _data(r: dict[str, Any]) -> list[str]:
    d = r.get("data") or {}
    lines = ["## Data: orders, loss, lag, outage (real PostgreSQL on 127.0.0.1)", ""]
    if r.get("refusal"):
        ref = r["refusal"]
        lines += [f"**Readiness refused** ({ref['status']}, {ref['trigger']}): "
                  f"{'; '.join(ref['reasons'])}", ""]
    if not d.get("counted"):
        return lines + [f"Not counted: {d.get('why', 'the data plane did not run')}.", ""]
    if not d.get("failed_over", True):
        w = d["new_writer"]
        lines += [f"Nothing failed over: *orders lost* are the acknowledged orders the standby's "
                  f"database ({w['server']}, {w['region']}) lacks, what a forced failover would "
                  "lose.", ""]
    lines += ["| figure | value | basis |", "|---|---|---|", *_data_rows(d), ""]
    lines += failback.markdown_lines(d)
    dp = r.get("data_plane") or {}
    lines.append(f"Data plane: {dp.get('seconds', 0):.1f} s of the drill's "
                 f"{r['drill']['wall_seconds']:.1f} s wall time ({100 * dp.get('share_of_wall', 0):.0f} %), "
                 f"measured: " + ", ".join(f"{k} {v:.2f} s" for k, v in dp.get("by_kind", {}).items()))
    if r.get("clock_skips"):
        lines += ["", "Waits the drill skipped on its clock (modelled, not sat through):", ""]
        lines += [f"- {sk['name']}: {sk['seconds']:.0f} s at {sk['wall_offset_seconds']:.1f} s "
                  f"(wall){' (an RTO term)' if sk['in_rto'] else ''} - {sk['note']}"
                  for sk in r["clock_skips"]]
    return lines + [""]


def _timeline(r: dict[str, Any]) -> list[str]:
    lines = ["## Timeline", "",
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
    return lines


def _api_calls(r: dict[str, Any]) -> list[str]:
    lines = ["", "## AWS API calls per step", "",
             "Served by the emulator; *handlers* = the orchestrators' calls, *harness* = the "
             "drill's own (applier, bridges, verification).", ""]
    for step, c in r["api_calls"]["per_step"].items():
        ops = ", ".join(f"{k} x{v}" for k, v in c["by_operation"].items()) or "none"
        own = ", ".join(f"{k} x{v}" for k, v in c["harness_by_operation"].items()) or "none"
        throttled = f", {c['throttled']} throttled" if c.get("throttled") else ""
        lines.append(f"- **{step}**: handlers {c['handlers']}{throttled} ({ops}); "
                     f"harness {c['harness']} ({own})")
    rt = r["route53"]
    return lines + ["", f"**No-Route-53 check: {'PASS' if rt['passed'] else 'FAIL'}** - "
                        f"{rt['failover_path_calls']} Route 53 calls served on the failover "
                        f"path, {rt['handler_client_calls']} attempted by the handlers' clients.",
                    ""]


def _checks_and_bridges(r: dict[str, Any]) -> list[str]:
    lines = ["## Checks (from outside the handler)", ""]
    lines += [f"- [{'x' if c['passed'] else ' '}] {c['name']} - {c['detail']}" for c in r["checks"]]
    lines += ["", "## Emulator-gap bridges", ""]
    return lines + [f"- **{b['name']}** (acted {b['acted']}x): {b['why']}" for b in r["bridges"]]


def markdown(r: dict[str, Any]) -> str:
    """The whole report as Markdown."""
    lines = [*_header(r), *_objectives(r), *_data(r), *cycle.markdown_lines(r), *_timeline(r),
             *_api_calls(r),
             *_checks_and_bridges(r), *deployment.markdown_lines(r)]
    if r["drill"].get("missing"):
        lines += ["", "## Missing pieces", "", *[f"- {m}" for m in r["drill"]["missing"]]]
    if r["notes"]:
        lines += ["", "## Notes", "", *[f"- {n}" for n in r["notes"]]]
    return "\n".join(lines) + "\n"
