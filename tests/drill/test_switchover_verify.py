"""The switchover's figures and the verifier's checks, on hand-made customers' records; each
check fails on a broken input (an order lost, no pause that ended, no order back home)."""

from __future__ import annotations

from typing import Any

from dataplane.customers import Ack, Failure
from drill.clock import DrillClock
from drill.data.switchover import switchover_checks, switchover_section

EAST, WEST = "us-east-1", "us-west-2"
ADDR = ("127.0.0.1", 1)


def _ack(i: str, at: float, region: str) -> Ack:
    return Ack(order_id=i, at=at, sent_at=at - 0.01, region=region, address=ADDR)


def _fail(at: float, cause: str = "HTTP 503: writes paused (write switch)") -> Failure:
    return Failure(at=at, cause=cause, address=ADDR, region=WEST)


def _section(*, held: set[str], acks: list[Ack] | None = None) -> dict[str, Any]:
    acks = acks if acks is not None else [_ack("a", 101, WEST), _ack("b", 102, WEST),
                                          _ack("c", 110, EAST), _ack("old", 50, WEST)]
    failures = [_fail(103), _fail(104, "HTTP 503: no database"), _fail(108)]
    return switchover_section(DrillClock(), acks, failures, since=100.0,
                              final_writer="primary-g2 (us-east-1)", final_orders=held,
                              primary_region=EAST)


def _verdicts(section: dict[str, Any]) -> list[bool]:
    return [c.passed for c in switchover_checks(section)]


def test_a_clean_switchover_passes_and_its_pause_runs_from_last_to_first_ack() -> None:
    s = _section(held={"a", "b", "c"})
    assert _verdicts(s) == [True, True, True]
    assert s["orders"] == {"acknowledged": 3, "by_region": {WEST: 2, EAST: 1}, "lost": 0,
                           "lost_order_ids": []}
    p = s["write_pause"]
    assert (p["drill_clock_seconds"], p["failed_orders"], p["refused_as_paused"]) == (8.0, 3, 2)


def test_an_order_lost_in_the_switchover_fails_the_verifier() -> None:
    s = _section(held={"a", "c"})
    assert s["orders"]["lost"] == 1 and s["orders"]["lost_order_ids"] == ["b"]
    assert _verdicts(s) == [False, True, True]


def test_a_pause_that_never_ended_and_no_order_back_home_fail() -> None:
    s = _section(held={"a", "b"}, acks=[_ack("a", 101, WEST), _ack("b", 102, WEST)])
    assert s["write_pause"]["drill_clock_seconds"] is None
    assert _verdicts(s) == [True, False, False]


def test_no_order_since_the_failback_began_is_not_a_pass() -> None:
    assert _verdicts(_section(held=set(), acks=[]))[0] is False
