"""dms mechanics on real PostgreSQL: logical replication through the link, stopped at failover."""

from __future__ import annotations

import time

from dataplane.logical import LogicalReplication
from dataplane.plane import DataPlane
from dataplane.schema import SHOP_DB, order_ids
from dataplane.shop import ShopApp


def _insert(server, n: int = 1) -> None:
    with server.connect(SHOP_DB) as conn:
        for _ in range(n):
            conn.execute("INSERT INTO orders (customer, amount_cents, region) VALUES ('t', 1, 'us-east-1')")


def test_stop_ends_replication_and_opens_the_target(plane: DataPlane) -> None:
    source = plane.new_primary("source", "us-east-1")
    _insert(source, 4)  # before the subscription: arrives by the initial copy
    task = LogicalReplication.create(plane, source, target_region="us-west-2")
    _insert(source, 3)  # after: arrives by change data capture
    task.wait_replayed()
    assert order_ids(task.target) == order_ids(source) and len(order_ids(source)) == 7
    with ShopApp("us-west-2", task.target) as shop:
        assert shop.place_order("c", 1).status == 503, "the target must refuse the app while replicating"

        stopped = task.stop()
        assert (stopped.performed, stopped.target_writable) == (True, True)
        assert not task.replicating
        _insert(source, 2)
        time.sleep(0.5)  # many times what a running subscription needs to apply two rows
        assert len(order_ids(task.target)) == 7, "changes after the stop must not reach the target"

        taken = shop.place_order("c", 1)
        assert taken.status == 201 and taken.body["order_id"] in order_ids(task.target)
    again = task.stop()
    assert (again.performed, again.target_writable) == (False, True)


def test_cdc_latency_follows_the_link_and_the_task_stops_with_its_source_down(plane: DataPlane) -> None:
    source = plane.new_primary("source", "us-east-1")
    task = LogicalReplication.create(plane, source, target_region="us-west-2")
    task.link.set_delay(0.5)  # after the initial copy, whose many round trips it would slow
    seen = []
    for _ in range(10):
        _insert(source)
        time.sleep(0.1)
        seen.append(task.lag())
    sources = [s.seconds for s, _ in seen if s.seconds]
    targets = [t.seconds for _, t in seen if t.seconds]
    assert sources and max(sources) >= 0.4, seen
    assert targets and max(targets) >= 0.4, seen
    assert {s.metric for s, _ in seen} == {"CDCLatencySource"}
    assert {t.metric for _, t in seen} == {"CDCLatencyTarget"}

    source.crash()  # the Region is gone: stopping must not need it
    assert task.stop().performed
    src, tgt = task.lag()
    assert (src.seconds, tgt.seconds, src.state) == (None, None, "disabled")
    assert task.target.query("SELECT count(*) FROM orders", dbname=SHOP_DB)[0][0] >= 1
