"""The failback scenario's lines in the reports: orders lost and the customer-visible write
pause of the failover and of the switchover, side by side (``data.failback``, measured from
the customers and the final writer's database; pauses on the drill's clock with the skipped
seconds named)."""

from __future__ import annotations

from typing import Any

from drill.report.pause import write_pause as _pause
from drill.text import counts


def rows(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    """``(phase, orders lost, write pause)`` of the failover and the switchover; [] without a
    failback section."""
    fb = data.get("failback")
    if not fb:
        return []
    fo = fb.get("failover") or {}
    window = fo.get("data_loss_window_seconds")
    return [("failover (unplanned, FailoverGlobalCluster)",
             f"{fo.get('orders_lost')} (data-loss window {window} s)",
             _pause(fo.get("write_pause"))),
            ("switchover (failback, SwitchoverGlobalCluster)",
             f"{fb['orders']['lost']} of {fb['orders']['acknowledged']} acknowledged",
             _pause(fb.get("write_pause")))]


def terminal_lines(data: dict[str, Any]) -> list[str]:
    return [f"{phase}: orders lost {lost}; customer-visible write pause {pause}"
            for phase, lost, pause in rows(data)]


def markdown_lines(data: dict[str, Any]) -> list[str]:
    found = rows(data)
    if not found:
        return []
    fb = data["failback"]
    return ["### Failback: failover vs switchover", "",
            "| phase | orders lost | customer-visible write pause |", "|---|---|---|",
            *[f"| {p} | {lost} | {pause} |" for p, lost, pause in found], "",
            f"Final writer: {fb['final_writer']}; failed orders by cause since the failback "
            f"began: {counts(fb.get('failures_by_cause'), sep='; ')}", ""]
