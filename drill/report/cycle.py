"""The report's DR-cycle section (scenario ``full-cycle``): each phase's deploy, and what each
event cost customers (orders lost, the customer-visible write pause), each figure with its
basis: *measured* (orders read from the databases, seconds on the emulator), *modelled* (waits
skipped on the drill's clock, for what AWS would take) or *configured* (the RPO target)."""

from __future__ import annotations

from typing import Any

from drill.report.pause import seconds as _s
from drill.report.pause import write_pause as _pause
from drill.text import counts


def event_rows(cycle: dict[str, Any]) -> list[str]:
    """One Markdown table row per event."""
    rows = []
    for e in cycle.get("events") or []:
        window = e.get("data_loss_window_seconds")
        rows.append(f"| {e['kind']} | {e.get('status')} | {e.get('orders_lost')} of "
                    f"{e.get('acknowledged_by_old_writer')} acknowledged by the old writer "
                    f"(measured) | {_s(window)} (measured) vs RPO {_s(e.get('rpo_seconds'))} "
                    f"(configured) | {_pause(e.get('write_pause'))} |")
    return rows


def markdown_lines(r: dict[str, Any]) -> list[str]:
    """The section, or nothing when the drill was not a cycle."""
    cycle = r.get("cycle")
    if not cycle:
        return []
    lines = ["## DR cycle: phases and events", "", "| phase deployed | ok | changes | not applied |",
             "|---|---|---|---|"]
    for phase, d in (cycle.get("deploys") or {}).items():
        changed = "; ".join(f"{c['name']} {c['op']}"
                            + (" (old instance retained)" if c.get("retained") else "")
                            for c in d["changes"]) or "none"
        lines.append(f"| {phase} | {'yes' if d['ok'] else 'NO'} | {counts(d['ops'])}: {changed} | "
                     f"{len(d['not_applied'])} |")
    lines += ["", "| event | status | orders lost | data-loss window | customer-visible write "
              "pause |", "|---|---|---|---|---|", *event_rows(cycle), ""]
    return lines


def terminal_lines(r: dict[str, Any]) -> list[str]:
    """One line per event for the terminal summary."""
    return [f"{e['kind']}: {e.get('orders_lost')} order(s) lost (measured), write pause "
            f"{_pause(e.get('write_pause'))}" for e in (r.get("cycle") or {}).get("events") or []]
