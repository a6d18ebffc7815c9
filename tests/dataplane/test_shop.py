"""The shop: orders committed before 201, a read-only standby, maintenance, bad input."""

from __future__ import annotations

import http.client
import json

import pytest

from dataplane.physical import PhysicalReplica
from dataplane.schema import order_ids
from dataplane.shop import ShopApp, parse_order


def _http(app: ShopApp, method: str, path: str, body: bytes | None = None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection(*app.address, timeout=5)
    try:
        conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def test_primary_shop_answers_201_with_an_id_its_database_holds(stable_pair: PhysicalReplica) -> None:
    with ShopApp("us-east-1", stable_pair.primary) as shop:
        status, body = _http(shop, "POST", "/orders", b'{"customer": "ann", "amount_cents": 1250}')
        assert status == 201 and body["region"] == "us-east-1"
        assert body["order_id"] in order_ids(stable_pair.primary)
        assert _http(shop, "GET", "/health") == (200, {"status": "ok", "region": "us-east-1",
                                                       "database": "writer"})
        row = stable_pair.primary.query("SELECT customer, amount_cents, region FROM orders WHERE id = %s",
                                        (body["order_id"],), dbname="shop")
        assert row == [("ann", 1250, "us-east-1")]
    stable_pair.wait_replayed()
    assert body["order_id"] in order_ids(stable_pair.standby)


def test_standby_shop_is_read_only_while_its_database_is_a_replica(stable_pair: PhysicalReplica) -> None:
    before = order_ids(stable_pair.standby)
    with ShopApp("us-west-2", stable_pair.standby) as shop:
        status, body = _http(shop, "POST", "/orders", b"{}")
        assert (status, body["error"]) == (503, "read-only: database is a replica")
        status, health = _http(shop, "GET", "/health")
        assert (status, health["reason"]) == (503, "database is a replica (read-only)")
        assert shop.orders_committed == 0
    assert order_ids(stable_pair.standby) == before


def test_maintenance_refuses_orders_and_fails_health(stable_pair: PhysicalReplica) -> None:
    with ShopApp("us-east-1", stable_pair.primary) as shop:
        shop.set_maintenance(True)
        assert _http(shop, "POST", "/orders", b"{}") == (503, {"error": "maintenance", "region": "us-east-1"})
        assert _http(shop, "GET", "/health")[0] == 503
        shop.set_maintenance(False)
        assert _http(shop, "POST", "/orders", b"{}")[0] == 201


def test_a_shop_without_a_running_database_is_unhealthy(stable_pair: PhysicalReplica) -> None:
    with ShopApp("us-west-2", None) as shop:
        assert _http(shop, "GET", "/health")[1]["reason"] == "no database"
        assert _http(shop, "POST", "/orders", b"{}") == (503, {"error": "no database", "region": "us-west-2"})
        shop.attach(stable_pair.primary)
        assert _http(shop, "GET", "/health")[0] == 200


@pytest.mark.parametrize(("raw", "message"), [
    (b"[1]", "JSON object"),
    (b'{"customer": ""}', "customer"),
    (b'{"amount_cents": -5}', "amount_cents"),
    (b'{"amount_cents": true}', "amount_cents"),
])
def test_malformed_orders_are_refused(raw: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_order(raw)
    with ShopApp("us-east-1", None) as shop:
        status, body = _http(shop, "POST", "/orders", raw)
        assert status == 400 and message in body["error"]


def test_write_switch_paused_refuses_orders_and_is_reread_at_most_every_refresh(
        stable_pair: PhysicalReplica) -> None:
    reads: list[str] = []
    value, now = ["paused"], [100.0]

    def read() -> str:
        reads.append(value[0])
        return value[0]

    with ShopApp("us-east-1", stable_pair.primary) as shop:
        shop.follow_write_switch(read, refresh_seconds=5, clock=lambda: now[0])
        before = order_ids(stable_pair.primary)
        assert _http(shop, "POST", "/orders", b"{}") == (
            503, {"error": "writes paused (write switch)", "region": "us-east-1"})
        assert order_ids(stable_pair.primary) == before
        assert _http(shop, "GET", "/health")[0] == 200   # a deliberate pause is not a failure
        value[0] = "open"
        now[0] += 4.9   # still within the refresh: the cached "paused" holds
        assert _http(shop, "POST", "/orders", b"{}")[0] == 503
        now[0] += 0.1
        assert _http(shop, "POST", "/orders", b"{}")[0] == 201
        assert reads == ["paused", "open"]


def test_an_unreadable_write_switch_keeps_its_last_value(stable_pair: PhysicalReplica) -> None:
    answers: list[object] = ["paused", RuntimeError("ssm down"), None]
    now = [0.0]

    def read() -> str | None:
        got = answers.pop(0)
        if isinstance(got, Exception):
            raise got
        return got  # type: ignore[return-value]

    with ShopApp("us-east-1", stable_pair.primary) as shop:
        shop.follow_write_switch(read, refresh_seconds=1, clock=lambda: now[0])
        assert shop.writes_paused
        now[0] = 1.0
        assert shop.writes_paused          # the read failed: still paused
        now[0] = 2.0
        assert not shop.writes_paused      # no parameter: open
        assert _http(shop, "POST", "/orders", b"{}")[0] == 201
