"""What the plan applier did, counted the same way in the terminal and in Markdown: the planned
resources (as the preview counts them), applied (some only partly, with what was left out),
skipped and failed; applied + skipped + failed is the planned count."""

from __future__ import annotations

from typing import Any


def _name(entry: dict[str, Any]) -> str:
    return str(entry["urn"]).rsplit("::", 1)[-1]


def counts_line(r: dict[str, Any]) -> str:
    """``56 planned resources: 54 applied to the emulator (2 of them partly: ...), 2 skipped,
    0 failed`` from a report (:func:`drill.report.as_dict`); "" without a deployment."""
    dep = r.get("deployment") or {}
    if not dep:
        return ""
    partial = dep.get("partly_applied") or []
    partly = (f" ({len(partial)} of them partly: {', '.join(_name(p) for p in partial)})"
              if partial else "")
    return (f"{r['drill']['planned_resources']} planned resources: {dep['applied']} applied to "
            f"the emulator{partly}, {len(dep['skipped'])} skipped, {len(dep['failed'])} failed")


def markdown_lines(r: dict[str, Any]) -> list[str]:
    """The report's deployment section, or nothing without a deployment."""
    dep = r.get("deployment") or {}
    if not dep:
        return []
    title = ("## Deployment of the plan (the deploy step; the cycle's deploys: above)"
             if r.get("cycle") else "## Deployment of the plan")
    lines = ["", title, "",
             f"{counts_line(r)}; {len(dep['resolved'])} unknown inputs resolved, "
             f"{len(dep['substituted'])} substitutions.", ""]
    lines += [f"- partly applied `{p['type']}` {_name(p)}: {p['left_out']}"
              for p in dep.get("partly_applied") or []]
    lines += [f"- skipped `{s['type']}` {_name(s)}: {s['reason']}" for s in dep["skipped"]]
    lines += [f"- FAILED `{s['type']}` {_name(s)}: {s['error']}" for s in dep["failed"]]
    return lines + [f"- substituted {s['property']} of {_name(s)}: {s['value']}"
                    for s in dep["substituted"]]
