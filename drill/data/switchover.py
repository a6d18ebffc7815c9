"""What the failback's switchover cost, measured from the customers and the final writer's
database (:func:`switchover_section`), and the verifier's checks of it
(:func:`switchover_checks`).

* orders lost: every order the customers had acknowledged since the failback began (by
  either Region's shop) that the final writer does not hold, read directly from its
  database. A switchover waits for zero lag before it moves the writer, so this must be 0.
* customer-visible write pause: from the last order acknowledged before the first order that
  failed after the failback began (HTTP 503 ``writes paused`` from the write switch, the old
  writer read-only or gone, a Region not answering) to the first acknowledged after the last
  failure; on the drill's clock, split into measured and skipped seconds
  (:func:`drill.data.loss.split`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dataplane.customers import Ack, Failure
from drill.clock import DrillClock
from drill.data.loss import split
from drill.result import Check

#: The shop's answer while its write switch is paused (:mod:`dataplane.shop`).
PAUSED_CAUSE = "writes paused"


def write_pause(clock: DrillClock, acks: list[Ack], failures: list[Failure],
                since: float) -> dict[str, Any] | None:
    """The customer-visible write pause after ``since`` (see the module docstring), or None
    when no order failed."""
    failed = [f for f in failures if f.at >= since]
    if not failed:
        return None
    first, last = failed[0].at, failed[-1].at
    start = max((a.at for a in acks if since <= a.at <= first), default=first)
    end = min((a.at for a in acks if a.at > last), default=None)
    return {**split(clock, start, end), "failed_orders": len(failed),
            "refused_as_paused": sum(1 for f in failed if PAUSED_CAUSE in f.cause)}


def switchover_section(clock: DrillClock, acks: list[Ack], failures: list[Failure], *,
                       since: float, final_writer: str, final_orders: Iterable[str],
                       primary_region: str) -> dict[str, Any]:
    """The switchover's measured figures: ``{"orders": {acknowledged, by_region, lost,
    lost_order_ids}, "write_pause": {...} or None, "final_writer", "acknowledged_by_primary_after"}``."""
    held = frozenset(final_orders)
    mine = [a for a in acks if a.at >= since]
    lost = sorted(a.order_id for a in mine if a.order_id not in held)
    pause = write_pause(clock, acks, failures, since)
    by_region: dict[str, int] = {}
    for a in mine:
        by_region[a.region] = by_region.get(a.region, 0) + 1
    # Before the switchover the primary Region's database is a replica: an order it
    # acknowledged came after the writer moved back.
    after = [a for a in mine if a.region == primary_region]
    causes: dict[str, int] = {}
    for f in failures:
        if f.at >= since:
            causes[f.cause] = causes.get(f.cause, 0) + 1
    return {"basis": "measured", "final_writer": final_writer, "failures_by_cause": causes,
            "orders": {"acknowledged": len(mine), "by_region": by_region, "lost": len(lost),
                       "lost_order_ids": lost[:50]},
            "write_pause": pause, "acknowledged_by_primary_after": len(after)}


def switchover_checks(section: dict[str, Any]) -> list[Check]:
    """The verifier's checks of a switchover section (each fails on a bad section)."""
    o, pause = section.get("orders") or {}, section.get("write_pause")
    lost = o.get("lost")
    return [
        Check("the switchover lost no acknowledged order (RPO 0, read from the final writer's "
              "database)", lost == 0 and bool(o.get("acknowledged")),
              f"{o.get('acknowledged')} acknowledged since the failback began, {lost} not on "
              f"{section.get('final_writer')}"),
        Check("the write pause ended: customers' orders are acknowledged again after the "
              "switchover", pause is not None and pause.get("drill_clock_seconds") is not None,
              "no order failed (no pause seen)" if pause is None else
              f"{pause['failed_orders']} failed ({pause['refused_as_paused']} refused as paused); "
              f"pause {pause['drill_clock_seconds']} s on the drill's clock "
              f"({pause['measured_seconds']} s measured)"),
        Check("after the failback, customers' orders are acknowledged by the primary Region "
              "again", int(section.get("acknowledged_by_primary_after") or 0) > 0,
              f"{section.get('acknowledged_by_primary_after')} acknowledged there"),
    ]
