"""What every full-cycle drill's report must show of its events, whatever the strategy, and
reading a step's detail; the events of a verifier test's good cycle."""

from __future__ import annotations

from typing import Any

from drill.cycle.state import CycleState, Event
from drill.cycle.verify import Verify, verify_cycle


def good_events(rpo_seconds: float) -> list[Event]:
    """A cycle's three events as a verifier's good state holds them: the unplanned failover
    lost 5 orders within ``rpo_seconds``, the failback none, the second failover completed."""
    return [Event("unplanned failover", "completed", 5, list("abcde"), 23, {}, rpo_seconds, 0.43),
            Event("planned failback", "failed-back", 0, [], 60, {}, rpo_seconds, 0.0),
            Event("second failover", "completed", 0, [], 30, {}, rpo_seconds, 0.0)]


def failing(state: CycleState, checks: tuple[Verify, ...]) -> list[str]:
    """The names of the ``checks`` that ``state`` fails."""
    return [c.name for c in verify_cycle(state, checks) if not c.passed]


def fails_exactly(state: CycleState, checks: tuple[Verify, ...], expected: set[str]) -> None:
    """Assert ``state`` fails each check whose name begins with one of ``expected``, and no
    other."""
    failed = failing(state, checks)
    assert {e for e in expected if any(n.startswith(e) for n in failed)} == expected, failed
    assert all(any(n.startswith(e) for e in expected) for n in failed), failed


def step_detail(report: dict[str, Any], name: str) -> dict[str, Any]:
    """The detail of step ``name`` in the report's timeline."""
    return next(s["detail"] for s in report["timeline"] if s["step"] == name)


def cycle_ran(report: dict[str, Any]) -> None:
    """Assert the pack passed every phase's plan and the cycle's steps ran in order."""
    assert {p: d["policy_exit_code"] for p, d in report["cycle"]["deploys"].items()} == {
        "failed-over": 0, "reverse-replicating": 0, "normal": 0}
    assert [s["step"] for s in report["timeline"]][-8:] == [
        "cycle-start", "deploy-failed-over", "region-recovers", "deploy-reverse-replicating",
        "failback", "deploy-normal", "second-failover", "cycle-verify"]


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
