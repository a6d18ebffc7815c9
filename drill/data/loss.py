"""The report's data section: what the failover lost, read from the databases themselves.

:func:`data_section` counts from the customers' records and the servers
(:func:`dataplane.loss.count_loss_from`): orders acknowledged, orders lost (acknowledged by
the old primary, absent from the new writer), the data-loss window (oldest lost
acknowledgement to the failure), orders the standby had replayed and lost (must be none),
orders stranded on an old primary that came back, and the customer-visible outage.

Times are on the drill's clock; every figure that spans a skipped wait says how much of it
was skipped (modelled) and how much was measured on the emulator (wall time on 127.0.0.1).
Offsets are seconds since the drill started, on the wall clock (the report's timeline).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from dataplane.customers import Ack, Failure
from dataplane.loss import LossReport, count_loss_from
from drill.clock import DrillClock
from drill.data.world import DataWorld

#: Stranded order ids listed in the report (all are counted; every lost id is listed).
LISTED_IDS = 50


def split(clock: DrillClock, start: float | None, end: float | None) -> dict[str, Any]:
    """A drill-clock span ``[start, end]`` as ``{"drill_clock_seconds", "measured_seconds",
    "skipped_seconds", "skipped": [names]}`` (None values when either end is None)."""
    if start is None or end is None:
        return {"drill_clock_seconds": None, "measured_seconds": None, "skipped_seconds": None,
                "skipped": []}
    skipped = clock.skipped_between(start, end)
    return {"drill_clock_seconds": round(end - start, 3),
            "measured_seconds": round(max(0.0, end - start - skipped), 3),
            "skipped_seconds": round(skipped, 3),
            "skipped": _named(s.name for s in clock.skips_between(start, end))}


def _named(names: Iterable[str]) -> list[str]:
    """Names in order of first appearance, repeated ones as ``"<name> x<n>"``."""
    counts = Counter(names)
    return [n if k == 1 else f"{n} x{k}" for n, k in counts.items()]


def count(world: DataWorld, *, failure_at: float,
          replayed: frozenset[str] | None) -> tuple[LossReport, list[Ack], list[Failure]] | None:
    """The loss report against the standby Region's server (None: no server there)."""
    customers, writer = world.customers, world.standby
    if customers is None or writer is None or not writer.running:
        return None
    acks, failures = customers.acks, customers.failures
    return count_loss_from(acks, failures, failure_at=failure_at, old_primary=world.primary,
                           new_writer=writer, replayed_ids=replayed), acks, failures


def _orders(report: LossReport, acks: list[Ack], failures: list[Failure], *,
            new_region: str, failure_at: float) -> dict[str, Any]:
    stranded = report.stranded_order_ids
    return {
        "acknowledged": report.acknowledged,
        "acknowledged_by_old_primary": report.acknowledged_by_old_primary,
        "acknowledged_by_new_writer": sum(a.region == new_region for a in acks),
        "failed": len(failures), "failed_after_failure": report.outage.failed_orders,
        "lost": report.orders_lost, "lost_order_ids": list(report.lost_order_ids),
        "replayed_before_failure": report.replayed_before_failure,
        "replayed_but_lost": list(report.replayed_but_lost),
        "stranded_on_old_primary": None if stranded is None else len(stranded),
        "stranded_acknowledged": list(report.stranded_acknowledged[:LISTED_IDS]),
        "stranded_acknowledged_count": len(report.stranded_acknowledged),
        "failure_causes": _causes(failures, failure_at)}


def _causes(failures: list[Failure], since: float) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in failures:
        if f.at >= since:
            out[f.cause] = out.get(f.cause, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1])[:6])


def data_section(world: DataWorld, clock: DrillClock, *, failure_at: float,
                 replayed: frozenset[str] | None, origin: float,
                 modelled_terms: list[dict[str, Any]]) -> dict[str, Any]:
    """The data section (see the module docstring), or ``{"counted": False, "why"}`` when
    there is no server in the standby Region to count against.

    Args:
        world: the drill's data side (customers stopped).
        clock: the drill's clock.
        failure_at: drill-clock time of the failure.
        replayed: order ids the standby held at the failure (None: nothing replicated).
        origin: drill-clock time the drill started (offsets are from it).
        modelled_terms: the AWS-side terms kept beside the outage (detection, promotion,
            DNS TTL), ``{"name", "seconds", "source"}``.
    """
    counted = count(world, failure_at=failure_at, replayed=replayed)
    if counted is None:
        return {"counted": False, "why": "no server in the standby Region to count against"}
    report, acks, failures = counted
    writer = world.standby
    assert writer is not None
    outage = report.outage
    window = split(clock, report.oldest_lost_ack_at, failure_at)
    return {
        "counted": True, "basis": "measured: orders read from the databases on 127.0.0.1",
        "new_writer": {"server": writer.name, "region": writer.region},
        "orders": _orders(report, acks, failures, new_region=writer.region, failure_at=failure_at),
        "data_loss_window_seconds": round(report.data_loss_window_seconds, 3),
        "data_loss_window": {**window, "oldest_lost_ack_offset_seconds": _offset(
            clock, report.oldest_lost_ack_at, origin)},
        "outage": {**split(clock, outage.first_failure_at, outage.recovered_at),
                   "first_failure_offset_seconds": _offset(clock, outage.first_failure_at, origin),
                   "recovered_offset_seconds": _offset(clock, outage.recovered_at, origin),
                   "failed_orders": outage.failed_orders,
                   "modelled_aws_terms": modelled_terms},
        "failure_offset_seconds": _offset(clock, failure_at, origin),
    }


def _offset(clock: DrillClock, at: float | None, origin: float) -> float | None:
    """Wall seconds from the drill's start to drill-clock time ``at``."""
    return None if at is None else round(clock.to_wall(at) - clock.to_wall(origin), 3)
