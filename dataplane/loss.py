"""Counting what a failover lost, from the customers' records and the databases themselves.

Definitions (times on the customers' clock, seconds):

* **orders lost**: acknowledged by the old primary's Region, absent from the new writer.
* **data-loss window**: from the oldest lost acknowledgement to the failure time: the RPO as
  customers felt it. 0.0 when nothing was lost; never negative (an order acknowledged
  *after* the failure time and lost, as on an isolated primary, does not shrink it).
* **replayed but lost**: orders the standby had already replayed when the failure struck
  (read from it before promotion) that the new writer lacks. Must be none: promotion must
  not discard replayed work.
* **stranded**: orders on an old primary that came back, absent from the new writer: they
  were committed there after the standby stopped receiving, and must be reconciled.
  Split into acknowledged (a customer was told "yes") and not acknowledged.
* **customer-visible outage**: from the first failed order at or after the failure time to
  the first order the new writer's Region acknowledged after that.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dataplane.customers import Ack, Failure
from dataplane.schema import order_ids
from dataplane.server import PostgresServer


@dataclass(frozen=True)
class Outage:
    """What customers saw.

    Attributes:
        first_failure_at: clock time of the first failed order at or after the failure
            (``None``: no order failed).
        recovered_at: clock time of the new writer's first acknowledgement after that
            (``None``: not recovered while customers were recorded).
        seconds: ``recovered_at - first_failure_at``; 0.0 when no order failed; ``None``
            when not recovered.
        failed_orders: failed orders at or after the failure time.
    """

    first_failure_at: float | None
    recovered_at: float | None
    seconds: float | None
    failed_orders: int


@dataclass(frozen=True)
class LossReport:
    """What a failover lost and what customers saw.

    Attributes:
        failure_at: the failure time given (clock seconds).
        acknowledged: every acknowledged order.
        acknowledged_by_old_primary: acknowledged by the old primary's Region.
        lost_order_ids: acknowledged by the old primary, absent from the new writer (sorted).
        data_loss_window_seconds: see the module docstring (0.0 when nothing was lost).
        oldest_lost_ack_at, newest_lost_ack_at: clock times (``None`` when nothing was lost).
        replayed_before_failure: orders the standby held at the failure (``None``: not read).
        replayed_but_lost: of those, ids the new writer lacks (must be empty).
        stranded_order_ids: on the returned old primary, not on the new writer (``None``: the
            old primary was not read).
        stranded_acknowledged: of those, ids a customer was told were accepted.
        outage: the customer-visible outage.
    """

    failure_at: float
    acknowledged: int
    acknowledged_by_old_primary: int
    lost_order_ids: tuple[str, ...]
    data_loss_window_seconds: float
    oldest_lost_ack_at: float | None
    newest_lost_ack_at: float | None
    replayed_before_failure: int | None
    replayed_but_lost: tuple[str, ...]
    stranded_order_ids: tuple[str, ...] | None
    stranded_acknowledged: tuple[str, ...]
    outage: Outage

    @property
    def orders_lost(self) -> int:
        """How many acknowledged orders were lost."""
        return len(self.lost_order_ids)

    @property
    def replayed_orders_kept(self) -> bool:
        """Whether every order the standby had replayed survived the failover."""
        return not self.replayed_but_lost


def count_loss(acks: Sequence[Ack], failures: Sequence[Failure], *, failure_at: float,
               old_region: str, new_region: str, new_writer_ids: Iterable[str],
               replayed_ids: Iterable[str] | None = None,
               old_primary_ids: Iterable[str] | None = None) -> LossReport:
    """The loss report from the customers' records and the order ids the databases hold.

    Args:
        acks, failures: the customers' records (:class:`dataplane.customers.Customers`).
        failure_at: when the failure struck, on the customers' clock.
        old_region: the failed primary's Region (its acknowledgements are at risk).
        new_region: the Region of the promoted/restored writer.
        new_writer_ids: every order id the new writer holds, read from it directly.
        replayed_ids: order ids the standby held at the failure, read before promotion.
        old_primary_ids: order ids on the old primary after it came back.
    """
    have = frozenset(new_writer_ids)
    at_risk = [a for a in acks if a.region == old_region]
    lost = sorted((a for a in at_risk if a.order_id not in have), key=lambda a: a.at)
    replayed = None if replayed_ids is None else frozenset(replayed_ids)
    stranded = None if old_primary_ids is None else tuple(sorted(frozenset(old_primary_ids) - have))
    acked_ids = {a.order_id for a in acks}
    return LossReport(
        failure_at=failure_at,
        acknowledged=len(acks),
        acknowledged_by_old_primary=len(at_risk),
        lost_order_ids=tuple(a.order_id for a in lost),
        data_loss_window_seconds=max(0.0, failure_at - lost[0].at) if lost else 0.0,
        oldest_lost_ack_at=lost[0].at if lost else None,
        newest_lost_ack_at=lost[-1].at if lost else None,
        replayed_before_failure=None if replayed is None else len(replayed),
        replayed_but_lost=tuple(sorted(replayed - have)) if replayed is not None else (),
        stranded_order_ids=stranded,
        stranded_acknowledged=tuple(i for i in stranded or () if i in acked_ids),
        outage=outage(acks, failures, failure_at=failure_at, new_region=new_region),
    )


def outage(acks: Sequence[Ack], failures: Sequence[Failure], *, failure_at: float,
           new_region: str) -> Outage:
    """The customer-visible outage (see the module docstring)."""
    failed = [f for f in failures if f.at >= failure_at]
    if not failed:
        return Outage(None, None, 0.0, 0)
    first = min(f.at for f in failed)
    recovered = [a.at for a in acks if a.region == new_region and a.at >= first]
    back = min(recovered) if recovered else None
    return Outage(first, back, None if back is None else back - first, len(failed))


def count_loss_from(acks: Sequence[Ack], failures: Sequence[Failure], *, failure_at: float,
                    old_primary: PostgresServer, new_writer: PostgresServer,
                    replayed_ids: Iterable[str] | None = None) -> LossReport:
    """:func:`count_loss` reading the new writer (and the old primary, if running) directly.

    Args:
        old_primary: the failed primary; read for stranded orders only if it is running.
        new_writer: the promoted, opened or restored server.
        replayed_ids: what the standby held at the failure (:func:`dataplane.schema.order_ids`
            on it before promotion).
    """
    return count_loss(acks, failures, failure_at=failure_at, old_region=old_primary.region,
                      new_region=new_writer.region, new_writer_ids=order_ids(new_writer),
                      replayed_ids=replayed_ids,
                      old_primary_ids=order_ids(old_primary) if old_primary.running else None)
