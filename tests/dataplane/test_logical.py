"""dms mechanics on real PostgreSQL: logical replication through the link, stopped at failover.

One source and target serve the whole scenario (two clusters are the costly part): it
replicates, its CDC latency follows the link, then the source's Region fails and the task
is stopped, after which nothing more arrives and the target takes the app's orders.
"""

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


def _both_reached(samples: list, seconds: float) -> bool:
    return (any((s.seconds or 0) >= seconds for s, _ in samples)
            and any((t.seconds or 0) >= seconds for _, t in samples))


def test_logical_replication_carries_changes_until_stopped_at_failover(plane: DataPlane) -> None:
    source = plane.new_primary("source", "us-east-1")
    _insert(source, 4)  # before the subscription: arrives by the initial copy
    task = LogicalReplication.create(plane, source, target_region="us-west-2")
    _insert(source, 3)  # after: arrives by change data capture
    task.wait_replayed()
    assert order_ids(task.target) == order_ids(source) and len(order_ids(source)) == 7
    assert task.link.stats().bytes_downstream > 0, "changes must cross the link"
    shop = plane.own(ShopApp("us-west-2", task.target).start())
    assert shop.place_order("c", 1).status == 503, "the target must refuse the app while replicating"

    task.link.set_delay(0.5)
    seen: list = []
    deadline = time.monotonic() + 5.0  # the target reports applied positions once a second
    while time.monotonic() < deadline and not _both_reached(seen, 0.4):
        _insert(source)
        time.sleep(0.1)
        seen.append(task.lag())
    assert _both_reached(seen, 0.4), seen
    assert {(s.metric, t.metric) for s, t in seen} == {("CDCLatencySource", "CDCLatencyTarget")}

    source.crash()  # the Region fails: stopping must not need the source
    stopped = task.stop()
    assert (stopped.performed, stopped.target_writable) == (True, True) and not task.replicating
    src, tgt = task.lag()
    assert (src.seconds, tgt.seconds, src.state) == (None, None, "disabled")
    kept = order_ids(task.target)

    source.start()  # the old source returns and takes a write: it must not reach the target
    task.link.set_delay(0.0)
    _insert(source, 2)
    time.sleep(0.5)  # many times what a running subscription needs to apply two rows
    assert order_ids(task.target) == kept

    taken = shop.place_order("c", 1)
    assert taken.status == 201 and taken.body["order_id"] in order_ids(task.target)
    again = task.stop()
    assert (again.performed, again.target_writable) == (False, True)
