"""Customers: DNS answers cached for their TTL on the injected clock; every order recorded."""

from __future__ import annotations

import pytest

from dataplane.customers import CachingResolver, Customers
from dataplane.shop import ShopApp


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_answer_is_reused_until_its_ttl_expires() -> None:
    clock, calls = FakeClock(), []

    def resolve(name: str) -> tuple[str, int, float]:
        calls.append(clock.now)
        return ("127.0.0.1", 8000 + len(calls), 60)

    resolver = CachingResolver(resolve, clock)
    assert resolver.lookup("shop").port == 8001
    clock.now += 59.9
    assert resolver.lookup("shop").port == 8001
    clock.now += 0.1
    assert resolver.lookup("shop").port == 8002
    assert calls == [1000.0, 1060.0] and resolver.upstream_lookups == 2


def test_customers_keep_posting_to_the_cached_region_until_the_ttl_passes() -> None:
    clock = FakeClock()
    with ShopApp("us-east-1", None) as east, ShopApp("us-west-2", None) as west:
        record = {"answer": east.address}
        customers = Customers("shop.example", lambda _name: (*record["answer"], 30), clock=clock)
        first = customers.place_order()
        record["answer"] = west.address  # the failover name moved
        clock.now += 29
        cached = customers.place_order()
        clock.now += 1
        moved = customers.place_order()
        addresses = east.address, west.address

    assert [f.region for f in (first, cached, moved)] == ["us-east-1", "us-east-1", "us-west-2"]
    assert [f.address for f in customers.failures] == [addresses[0], addresses[0], addresses[1]]
    assert [f.at for f in customers.failures] == [1000.0, 1029.0, 1030.0]
    assert customers.failures[0].cause == "HTTP 503: no database"
    assert customers.resolver.upstream_lookups == 2


def test_failures_name_their_cause() -> None:
    def unresolvable(_name: str) -> tuple[str, int, float]:
        raise LookupError("NXDOMAIN")

    customers = Customers("shop.example", unresolvable)
    failure = customers.place_order()
    assert failure.cause == "resolve: NXDOMAIN" and failure.address is None

    with ShopApp("us-east-1", None) as shop:
        port = shop.port
    refused = Customers("shop.example", lambda _n: ("127.0.0.1", port, 60)).place_order()
    assert refused.cause == "connect: ConnectionRefusedError"


def test_the_rate_must_be_positive() -> None:
    with pytest.raises(ValueError, match="rate_per_second"):
        Customers("shop", lambda _n: ("127.0.0.1", 1, 1), rate_per_second=0)
