"""What every full-cycle drill's report must show of its events, whatever the strategy."""

from __future__ import annotations

from typing import Any


def labelled_events(report: dict[str, Any], rpo_seconds: float) -> dict[str, dict[str, Any]]:
    """Assert the cycle's three events in order: the planned failback completed, lost no order
    of the many the old writer acknowledged, and its customer-visible pause is measured and
    labelled; each unplanned failover's data-loss window is within ``rpo_seconds``; the second
    failover completed. Returns the events by kind."""
    events = {e["kind"]: e for e in report["cycle"]["events"]}
    assert list(events) == ["unplanned failover", "planned failback", "second failover"]
    back = events["planned failback"]
    assert back["status"] == "failed-back" and back["orders_lost"] == 0
    assert back["acknowledged_by_old_writer"] > 0
    pause = back["write_pause"]
    assert pause["failed_orders"] > 0 and pause["measured_seconds"] > 0
    assert "measured" in pause["basis"] and "modelled" in pause["basis"]
    for kind in ("unplanned failover", "second failover"):
        assert events[kind]["data_loss_window_seconds"] <= events[kind]["rpo_seconds"] == rpo_seconds
    assert events["second failover"]["status"] == "completed"
    return events
