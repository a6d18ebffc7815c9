"""Step 4b, verify the data plane from outside: PostgreSQL shows the strategy's promotion
happened exactly once (a promoted replica's timeline advanced once, a DMS target opened once,
one server restored), the new writer's shop takes orders, and customers reach it through the
failover name once their cached answer expires (one TTL, skipped on the drill's clock)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from contract.strategies import Strategy
from drill.context import DrillContext
from drill.data.reach import orders_after_ttl
from drill.data.world import DataWorld
from drill.result import StepRecord
from drill.step import Step
from drill.text import http_text, pairs

#: Real seconds the drill waits for customers to reach the new writer after the TTL, and the
#: orders it lets them place there (so the chart shows the recovered rate).
REACH_WAIT_SECONDS = 10.0
REACH_ORDERS = 5


def _promoted_once(ctx: DrillContext, world: DataWorld) -> dict[str, Any]:
    """The strategy's promotion, as PostgreSQL shows it."""
    writer = world.standby
    detail: dict[str, Any] = {"server": writer.name if writer else None}
    if world.strategy in (Strategy.READ_REPLICA, Strategy.AURORA_GLOBAL):
        performed = [p for p in world.promotions if p.performed]
        after = writer.timeline() if writer and writer.running else None
        detail.update(promote_calls=len(world.promotions), performed=len(performed),
                      timeline_before=world.timeline_before, timeline_after=after,
                      seconds=[round(p.seconds, 4) for p in performed])
        ok = (len(performed) == 1 and world.timeline_before is not None and after is not None
              and after == world.timeline_before + 1 and not writer.is_in_recovery())
        name = ("PostgreSQL: the standby was promoted exactly once (pg_promote) and its timeline "
                "advanced once")
    elif world.strategy is Strategy.DMS:
        performed = [st for st in world.stops if st.performed]
        detail.update(stop_calls=len(world.stops), performed=len(performed),
                      replicating=world.task.replicating if world.task else None)
        ok = len(performed) == 1 and world.task is not None and not world.task.replicating
        name = "PostgreSQL: the subscription was stopped exactly once and the target opened for writes"
    else:
        detail.update(restores=world.restores, jobs_failed=world.jobs.errors)
        ok = (len(world.restores) == 1 and writer is not None and writer.running
              and not writer.is_in_recovery())
        name = "PostgreSQL: exactly one server was restored from the cross-Region copy and takes writes"
    ctx.check(name, ok, pairs(detail))
    return detail


def _shop_takes_orders(ctx: DrillContext, world: DataWorld) -> dict[str, Any]:
    shop = world.shops.get(ctx.settings.standby_region)
    outcome = shop.health() if shop else None
    body = outcome.body if outcome else {"reason": "no shop"}
    ctx.check("the standby Region's shop takes orders (GET /health: its database takes the "
              "app's writes)", outcome is not None and outcome.status == HTTPStatus.OK,
              http_text(outcome.status if outcome else "-", body))
    return body


def _customers_reach_new_writer(ctx: DrillContext, rec: StepRecord, world: DataWorld) -> None:
    """Skip one TTL so cached answers expire; wait for an order the new writer acknowledges."""
    west, customers, resolver = ctx.settings.standby_region, world.customers, world.resolver
    if customers is None or resolver is None:
        return
    ttl = resolver.ttl()
    since = orders_after_ttl(world, ctx.clock, customers, ttl,
                             f"one TTL of the failover records ({ttl:g} s, "
                             "ecommerce-dr:dns.ttlSeconds) after Route 53 answers the standby: "
                             "the worst case, a client that resolved just before the flip",
                             orders=REACH_ORDERS, wait_seconds=REACH_WAIT_SECONDS, region=west)
    reached = [a for a in customers.acks if a.region == west]
    last = customers.failures[-1].cause if customers.failures else "none"
    rec.detail["customers_after_ttl"] = {"acknowledged_by_new_writer": len(reached),
                                         "last_failure": last}
    ctx.check("customers reach the new writer through the failover name (once their cached "
              "answer expired)", any(a.at >= since for a in reached),
              f"{len(reached)} order(s) acknowledged by {west}; last failure: {last}")


def run(ctx: DrillContext, rec: StepRecord) -> None:
    """The data plane's checks after the failover."""
    world = ctx.need_data()
    world.jobs.run_pending()
    rec.detail["promotion"] = _promoted_once(ctx, world)
    rec.detail["new_writer_health"] = _shop_takes_orders(ctx, world)
    _customers_reach_new_writer(ctx, rec, world)
    if world.jobs.errors:
        ctx.check("the data plane's deferred work ran", False, "; ".join(world.jobs.errors))


STEP = Step("verify-data", "Verify the data plane: PostgreSQL promoted once, customers reach "
            "the new writer", run, applies=lambda ctx: not ctx.refused_as_expected)
