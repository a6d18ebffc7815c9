"""``drill-report.md``: the report dict (:func:`drill.report.as_dict`) as Markdown."""

from __future__ import annotations

from typing import Any


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
    return lines + ["", "```", r["rto"]["breakdown"], "", r["rpo"]["breakdown"], "```", ""]


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


def last(entry: dict[str, Any]) -> str:
    """The logical name at the end of an entry's URN."""
    return str(entry["urn"]).rsplit("::", 1)[-1]


def _deployment(r: dict[str, Any]) -> list[str]:
    dep = r.get("deployment") or {}
    if not dep:
        return []
    lines = ["", "## Deployment of the plan", "",
             f"{dep['applied']} planned resources applied to the emulator; "
             f"{len(dep['skipped'])} skipped, {len(dep['failed'])} failed, "
             f"{len(dep['resolved'])} unknown inputs resolved, "
             f"{len(dep['substituted'])} substitutions.", ""]
    lines += [f"- skipped `{s['type']}` {last(s)}: {s['reason']}" for s in dep["skipped"]]
    lines += [f"- FAILED `{s['type']}` {last(s)}: {s['error']}" for s in dep["failed"]]
    return lines + [f"- substituted {s['property']} of {last(s)}: {s['value']}"
                    for s in dep["substituted"]]


def markdown(r: dict[str, Any]) -> str:
    """The whole report as Markdown."""
    lines = [*_header(r), *_objectives(r), *_timeline(r), *_api_calls(r),
             *_checks_and_bridges(r), *_deployment(r)]
    if r["drill"].get("missing"):
        lines += ["", "## Missing pieces", "", *[f"- {m}" for m in r["drill"]["missing"]]]
    if r["notes"]:
        lines += ["", "## Notes", "", *[f"- {n}" for n in r["notes"]]]
    return "\n".join(lines) + "\n"
