"""Counting loss: the arithmetic on synthetic records, then on a real failover over a delayed link."""

from __future__ import annotations

import time

import pytest

from dataplane.customers import Ack, Customers, Failure
from dataplane.loss import count_loss, count_loss_from
from dataplane.physical import PhysicalReplica
from dataplane.plane import DataPlane
from dataplane.schema import order_ids
from dataplane.shop import ShopApp

EAST, WEST = "us-east-1", "us-west-2"


def _ack(order_id: str, at: float, region: str = EAST) -> Ack:
    return Ack(order_id, at, at - 0.01, region, ("127.0.0.1", 1))


def test_loss_window_runs_from_the_oldest_lost_ack_to_the_failure() -> None:
    acks = [_ack("a", 10.0), _ack("b", 11.0), _ack("c", 12.0), _ack("d", 12.5), _ack("e", 20.0, WEST)]
    failures = [Failure(9.0, "noise before the failure", None), Failure(13.0, "HTTP 503", None),
                Failure(14.0, "connect", None)]
    report = count_loss(acks, failures, failure_at=13.0, old_region=EAST, new_region=WEST,
                        new_writer_ids={"a", "b", "e"}, replayed_ids={"a", "b"},
                        old_primary_ids={"a", "b", "c", "d", "x"})
    assert report.lost_order_ids == ("c", "d") and report.orders_lost == 2
    assert report.data_loss_window_seconds == pytest.approx(1.0)
    assert (report.oldest_lost_ack_at, report.newest_lost_ack_at) == (12.0, 12.5)
    assert (report.acknowledged, report.acknowledged_by_old_primary) == (5, 4)
    assert report.replayed_before_failure == 2 and report.replayed_orders_kept
    assert report.stranded_order_ids == ("c", "d", "x")  # x committed, never acknowledged
    assert report.stranded_acknowledged == ("c", "d")
    assert (report.outage.first_failure_at, report.outage.recovered_at) == (13.0, 20.0)
    assert report.outage.seconds == pytest.approx(7.0) and report.outage.failed_orders == 2


def test_a_replayed_order_missing_from_the_new_writer_is_reported() -> None:
    report = count_loss([_ack("a", 1.0)], [], failure_at=2.0, old_region=EAST, new_region=WEST,
                        new_writer_ids=set(), replayed_ids={"a"})
    assert report.replayed_but_lost == ("a",) and not report.replayed_orders_kept


def test_nothing_lost_gives_a_zero_window_and_no_failure_a_zero_outage() -> None:
    report = count_loss([_ack("a", 1.0), _ack("b", 3.0, WEST)], [], failure_at=2.0, old_region=EAST,
                        new_region=WEST, new_writer_ids={"a", "b"})
    assert (report.orders_lost, report.data_loss_window_seconds) == (0, 0.0)
    assert report.oldest_lost_ack_at is None and report.stranded_order_ids is None
    assert (report.outage.seconds, report.outage.failed_orders) == (0.0, 0)


def test_an_outage_without_recovery_has_no_length() -> None:
    report = count_loss([_ack("a", 1.0)], [Failure(2.5, "x", None)], failure_at=2.0, old_region=EAST,
                        new_region=WEST, new_writer_ids={"a"})
    assert report.outage.first_failure_at == 2.5
    assert report.outage.recovered_at is None and report.outage.seconds is None


def test_an_isolated_primary_acknowledging_after_the_failure_does_not_shrink_the_window() -> None:
    report = count_loss([_ack("late", 5.0)], [], failure_at=2.0, old_region=EAST, new_region=WEST,
                        new_writer_ids=set())
    assert report.orders_lost == 1 and report.data_loss_window_seconds == 0.0


DELAY = 1.0
RATE = 20.0


def test_orders_lost_match_the_delayed_window_of_a_real_failover(plane: DataPlane) -> None:
    primary = plane.new_primary("primary", EAST)
    pair = PhysicalReplica.create(plane, primary, standby_region=WEST)
    pair.link.set_delay(DELAY)
    east = plane.own(ShopApp(EAST, primary).start())
    west = plane.own(ShopApp(WEST, pair.standby).start())
    answer = {"to": east.address}
    customers = plane.own(Customers("shop.example", lambda _n: (*answer["to"], 0.2), rate_per_second=RATE))

    customers.start()
    time.sleep(DELAY + 1.5)
    lag = pair.lag()
    failure_at = time.time()
    pair.link.cut()  # the Region goes, with the WAL in flight
    primary.crash()
    replayed = order_ids(pair.standby)
    assert pair.promote().performed
    # Customers see the outage before the name moves (as detection takes time in AWS): wait
    # for a failed order, which a loaded machine may not have sent yet.
    deadline = time.monotonic() + 10
    while not [f for f in customers.failures if f.at > failure_at] and time.monotonic() < deadline:
        time.sleep(0.05)
    answer["to"] = west.address
    time.sleep(1.0)
    customers.stop()

    acks = customers.acks
    report = count_loss_from(acks, customers.failures, failure_at=failure_at, old_primary=primary,
                             new_writer=pair.standby, replayed_ids=replayed)
    east_acks = [a for a in acks if a.region == EAST]
    recent = [a for a in east_acks if a.at > failure_at - DELAY]
    assert lag.seconds is not None and lag.seconds >= 0.8 * DELAY, lag
    assert report.orders_lost >= 0.6 * len(recent) > 0, (report.orders_lost, len(recent))
    assert all(a.at > failure_at - DELAY - 0.5 for a in east_acks if a.order_id in report.lost_order_ids)
    assert 0.6 * DELAY <= report.data_loss_window_seconds <= DELAY + 0.5
    assert report.replayed_before_failure and report.replayed_orders_kept
    assert report.outage.seconds is not None and report.outage.recovered_at > failure_at
    new_writer = order_ids(pair.standby)
    assert all(a.order_id in new_writer for a in acks if a.region == WEST)

    primary.start()  # the old primary comes back with its orders
    returned = count_loss_from(acks, customers.failures, failure_at=failure_at, old_primary=primary,
                               new_writer=pair.standby, replayed_ids=replayed)
    assert set(returned.stranded_acknowledged) == set(report.lost_order_ids)
