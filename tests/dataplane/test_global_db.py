"""aurora-global mechanics on real PostgreSQL: failover loses what had not crossed, the old
writer rejoins as a secondary, and a switchover swaps the roles with nothing lost."""

from __future__ import annotations

import psycopg
import pytest

from dataplane.errors import DataPlaneError
from dataplane.global_db import RPO_LAG_METRIC, GlobalDatabase
from dataplane.plane import DataPlane
from dataplane.schema import SHOP_DB, order_ids


def _insert(server, n: int = 1) -> None:
    with server.connect(SHOP_DB) as conn:
        for _ in range(n):
            conn.execute("INSERT INTO orders (customer, amount_cents, region) VALUES ('t', 1, 'x')")


def test_failover_then_rejoin_then_switchover_back(plane: DataPlane) -> None:
    east = plane.new_primary("primary", "us-east-1")
    g = GlobalDatabase.create(plane, east, secondary_region="us-west-2")
    _insert(east, 3)
    g.pair.wait_replayed()
    (sample,) = g.lag()
    assert sample.metric == RPO_LAG_METRIC and sample.seconds is not None
    g.pair.link.cut()
    _insert(east, 2)                      # acknowledged, never crossed
    east.crash()
    west = g.secondary
    assert g.failover().performed and g.writer is west and g.secondary is None and g.lag() == []
    assert not west.is_in_recovery()

    rejoined = g.rejoin(east)
    assert rejoined.diverged_order_ids is not None and len(rejoined.diverged_order_ids) == 2
    assert g.secondary is rejoined.server and rejoined.server.region == "us-east-1"
    _insert(west, 4)
    g.pair.wait_replayed()
    assert order_ids(rejoined.server) == order_ids(west)

    held = order_ids(west)
    done = g.switchover()
    assert done.promotion.performed and g.writer is rejoined.server and not done.old_writer.running
    assert order_ids(rejoined.server) == held     # RPO 0: everything the writer had
    _insert(rejoined.server, 1)
    with pytest.raises(DataPlaneError):
        g.switchover()                    # no secondary until the old writer rejoins
    again = g.rejoin(done.old_writer)
    assert again.diverged_order_ids == frozenset()   # a switchover leaves nothing behind
    g.pair.wait_replayed()
    assert order_ids(again.server) == order_ids(rejoined.server)


def test_switchover_ends_sessions_and_refuses_writes_on_the_old_writer(plane: DataPlane) -> None:
    east = plane.new_primary("primary", "us-east-1")
    g = GlobalDatabase.create(plane, east, secondary_region="us-west-2")
    session = east.connect(SHOP_DB, autocommit=False)
    session.execute("INSERT INTO orders (customer, amount_cents, region) VALUES ('late', 1, 'x')")
    before = order_ids(east)
    g.switchover()
    with pytest.raises(psycopg.Error):   # ended before it committed: never acknowledged
        session.commit()
    assert order_ids(g.writer) == before
