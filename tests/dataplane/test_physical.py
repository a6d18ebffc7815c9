"""read-replica mechanics on real PostgreSQL: streaming through the link, promotion, lag."""

from __future__ import annotations

import threading
import time

import pytest

from dataplane.errors import NotReplicatingError
from dataplane.physical import PhysicalReplica
from dataplane.plane import DataPlane
from dataplane.schema import SHOP_DB, order_ids


def _insert(server, n: int = 1, region: str = "us-east-1") -> None:
    with server.connect(SHOP_DB) as conn:
        for _ in range(n):
            conn.execute("INSERT INTO orders (customer, amount_cents, region) VALUES ('t', 1, %s)", (region,))


def test_standby_replays_through_the_link(stable_pair: PhysicalReplica) -> None:
    _insert(stable_pair.primary, 3)
    stable_pair.wait_replayed()
    assert order_ids(stable_pair.standby) == order_ids(stable_pair.primary)
    assert stable_pair.standby.is_in_recovery()
    assert stable_pair.link.stats().bytes_downstream > 0, "WAL must cross the link, not a side channel"
    conninfo = stable_pair.standby.query("SHOW primary_conninfo")[0][0]
    assert f"port={stable_pair.link.port}" in conninfo


def test_promotion_advances_the_timeline_exactly_once(plane: DataPlane) -> None:
    primary = plane.new_primary("primary", "us-east-1")
    pair = PhysicalReplica.create(plane, primary, standby_region="us-west-2")
    _insert(primary, 5)
    pair.wait_replayed()
    primary.crash()

    results: list = []
    racers = [threading.Thread(target=lambda: results.append(pair.promote())) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    again = pair.promote()

    assert sorted(r.performed for r in results) == [False, True]
    done = next(r for r in results if r.performed)
    assert (done.timeline_before, done.timeline_after) == (1, 2)
    assert (again.performed, again.timeline_before, again.timeline_after) == (False, 2, 2)
    assert pair.standby.timeline() == 2
    assert not pair.standby.is_in_recovery()
    _insert(pair.standby, 1, "us-west-2")  # takes writes now
    assert len(order_ids(pair.standby)) == 6


def test_replica_lag_is_zero_when_caught_up(stable_pair: PhysicalReplica, wait_until) -> None:
    _insert(stable_pair.primary)
    stable_pair.wait_replayed()
    wait_until(lambda: stable_pair.lag().bytes_behind == 0, what="standby confirms replay")
    sample = stable_pair.lag()
    assert (sample.metric, sample.namespace) == ("ReplicaLag", "AWS/RDS")
    assert sample.seconds == 0.0 and sample.has_data


def test_replica_lag_follows_a_link_delay(stable_pair: PhysicalReplica) -> None:
    stable_pair.link.set_delay(0.6)
    try:
        samples = []
        deadline = time.monotonic() + 5.0  # the standby reports replay once a second
        while time.monotonic() < deadline and not any((s.seconds or 0) >= 0.5 for s in samples):
            _insert(stable_pair.primary)
            time.sleep(0.1)
            samples.append(stable_pair.lag())
        seconds = [s.seconds for s in samples if s.seconds]
        assert seconds and 0.5 <= max(seconds) <= 2.0, samples
        assert any((s.bytes_behind or 0) > 0 for s in samples)
    finally:
        stable_pair.link.set_delay(0.0)
        stable_pair.wait_replayed()


def test_lag_has_no_data_and_promotion_refuses_once_the_standby_is_gone(plane: DataPlane, wait_until) -> None:
    primary = plane.new_primary("primary", "us-east-1")
    pair = PhysicalReplica.create(plane, primary, standby_region="us-west-2")
    pair.link.cut()
    wait_until(lambda: pair.lag().state == "not-connected", what="walsender gone")
    sample = pair.lag()
    assert sample.seconds is None and not sample.has_data

    pair.standby.stop()
    with pytest.raises(NotReplicatingError, match="not running"):
        pair.promote()
    primary.stop()
    assert pair.lag().state == "source-unreachable" and pair.lag().seconds is None
