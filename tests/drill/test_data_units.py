"""Units of the drill's data side, without a drill: the drill's clock and its skips, the
spans the report splits into measured and skipped, the customers' chart, the resolver over
the Route 53 model, the metrics publisher, and the terminal lines."""

from __future__ import annotations

import io
from typing import Any

import pytest

from cli.console import console_for
from dataplane.customers import Ack, CachingResolver, Failure
from dataplane.lag import LagSample
from drill.clock import DrillClock
from drill.data.loss import split
from drill.data.metrics import LagPublisher
from drill.data.resolver import FailoverResolver
from drill.data.series import marks, per_second
from emulator.bridges import BridgeLog


class _Wall:
    def __init__(self, t: float = 1000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def test_the_drill_clock_adds_its_skips_and_maps_back_to_the_wall() -> None:
    wall = _Wall()
    clock = DrillClock(wall)
    wall.t = 1010.0
    skip = clock.advance(60, "DNS TTL", "one TTL")
    assert (skip.at, skip.wall_at, clock.now()) == (1010.0, 1010.0, 1070.0)
    wall.t = 1015.0
    assert clock.now() == 1075.0 and clock.offset == 60
    assert clock.at_wall(1005.0) == 1005.0 and clock.at_wall(1012.0) == 1072.0
    assert clock.to_wall(1072.0) == 1012.0 and clock.to_wall(1040.0) == 1010.0  # inside the skip
    assert clock.skipped_between(1000.0, 1075.0) == 60 and clock.skipped_between(1000.0, 1040.0) == 30
    assert clock.skipped_between(1071.0, 1075.0) == 0
    # an age read on the wall clock gains the skips made since its start
    assert clock.age(8.0) == 68.0 and clock.age(3.0) == 3.0
    with pytest.raises(ValueError, match="positive"):
        clock.advance(0, "nothing")


def test_a_span_says_what_was_measured_and_what_was_skipped() -> None:
    wall = _Wall()
    clock = DrillClock(wall)
    wall.t = 1002.0
    clock.advance(15, "orchestrator poll wait")
    clock.advance(15, "orchestrator poll wait")
    wall.t = 1003.0
    clock.advance(60, "DNS TTL")
    wall.t = 1004.0
    out = split(clock, 1001.0, clock.now())
    assert out == {"drill_clock_seconds": 93.0, "measured_seconds": 3.0, "skipped_seconds": 90.0,
                   "skipped": ["orchestrator poll wait x2", "DNS TTL"]}
    assert split(clock, None, 1.0)["measured_seconds"] is None


def test_customers_chart_bins_orders_per_wall_second_across_a_skip() -> None:
    wall = _Wall()
    clock = DrillClock(wall)
    acks = [Ack("a", 1000.2, 1000.1, "us-east-1", ("h", 1)), Ack("b", 1000.7, 1000.6, "us-east-1", ("h", 1))]
    wall.t = 1001.5
    clock.advance(60, "DNS TTL")
    fails = [Failure(1001.2, "connect: ConnectionRefusedError", ("h", 1))]
    acks.append(Ack("c", 1063.3, 1063.2, "us-west-2", ("h", 2)))   # wall 1003.3
    series = per_second(acks, fails, clock, origin=1000.0)
    assert series == [{"t": 0, "acked": {"us-east-1": 2}, "failed": 0},
                      {"t": 1, "acked": {}, "failed": 1},
                      {"t": 2, "acked": {}, "failed": 0},
                      {"t": 3, "acked": {"us-west-2": 1}, "failed": 0}]
    assert marks({"failure": 1001.1, "traffic_shift": 1062.0}, clock, origin=1000.0) == {
        "failure": 1.1, "traffic_shift": 2.0}
    assert per_second([], [], clock, origin=1000.0) == []


_SETS = [
    {"Name": "shop.example.com.", "Type": "CNAME", "Failover": "PRIMARY", "SetIdentifier": "p",
     "HealthCheckId": "gate", "TTL": 60, "ResourceRecords": [{"Value": "shop-use1.example.com"}]},
    {"Name": "shop.example.com.", "Type": "CNAME", "Failover": "SECONDARY", "SetIdentifier": "s",
     "TTL": 60, "ResourceRecords": [{"Value": "shop-usw2.example.com"}]},
]


def test_customers_resolve_through_route53_and_keep_the_answer_one_ttl_on_the_drill_clock() -> None:
    healthy = {"gate": True}
    clock = DrillClock(_Wall())
    resolver = FailoverResolver("shop.example.com", _SETS,
                                {"shop-use1.example.com": ("127.0.0.1", 1001),
                                 "shop-usw2.example.com": ("127.0.0.1", 1002)},
                                lambda: lambda hc: (healthy[hc], "stub"), clock.now)
    cached = CachingResolver(resolver, clock.now)
    assert cached.lookup("shop.example.com").port == 1001 and resolver.ttl() == 60
    healthy["gate"] = False                 # the gate trips: Route 53 answers the standby ...
    assert cached.lookup("shop.example.com").port == 1001   # ... but the answer is cached
    clock.advance(60, "DNS TTL")
    assert cached.lookup("shop.example.com").port == 1002
    assert [a[1] for a in resolver.answers] == ["PRIMARY", "SECONDARY"]
    with pytest.raises(LookupError, match="not the failover name"):
        resolver("other.example.com")


class _CloudWatch:
    def __init__(self) -> None:
        self.sent: list[tuple[str, list[dict[str, Any]]]] = []

    def put_metric_data(self, Namespace: str, MetricData: list[dict[str, Any]]) -> None:  # noqa: N803
        self.sent.append((Namespace, MetricData))


def _sample(metric: str, seconds: float | None, namespace: str = "AWS/DMS") -> LagSample:
    return LagSample(namespace, metric, seconds, 0 if seconds == 0 else 100, "streaming", 0.0)


def test_the_publisher_sends_postgresql_lag_on_the_drill_clock() -> None:
    wall = _Wall()
    clock = DrillClock(wall)
    readings = [_sample("CDCLatencySource", 2.0), _sample("CDCLatencyTarget", 0.5)]
    cw = _CloudWatch()
    dims = {"CDCLatencySource": [{"Name": "ReplicationTaskIdentifier", "Value": "t"}],
            "CDCLatencyTarget": [{"Name": "ReplicationTaskIdentifier", "Value": "t"}]}
    pub = LagPublisher(cw, lambda: readings, dims, clock, BridgeLog())
    sent = pub.publish_now()
    # the target is at least as late as the source; PostgreSQL's own readings are kept
    assert [(p.metric, p.value, p.postgres_seconds) for p in sent] == [
        ("CDCLatencySource", 2.0, 2.0), ("CDCLatencyTarget", 2.0, 0.5)]
    (namespace, data), = cw.sent
    assert namespace == "AWS/DMS" and data[0]["Timestamp"].timestamp() == clock.now()
    clock.advance(100, "the link stays stalled")   # a stall skipped: the lag grows by it
    assert [p.value for p in pub.publish_now()] == [102.0, 102.0]
    readings[:] = [_sample("CDCLatencySource", None), _sample("CDCLatencyTarget", None)]
    assert pub.publish_now() == [] and len(cw.sent) == 2   # no data: nothing published
    assert pub.values("CDCLatencySource") == [2.0, 102.0]


def test_a_console_that_is_not_a_terminal_never_wraps_or_cuts() -> None:
    out = io.StringIO()
    console = console_for(out)
    line = "  + " + "term " * 80 + "from urn:pulumi:prod::ecommerce-dr::x$aws:cloudwatch/metricAlarm"
    console.print(line, markup=False)
    console.print("[modelled] stays", markup=False)
    assert out.getvalue().splitlines() == [line, "[modelled] stays"]
