"""Step 5 (scenario primary-recovers): the old primary comes back (its database restarts
with its orders, its endpoint answers again) and the watchdog keeps ticking; traffic must
stay on the standby and the gate stay tripped (no automatic failback), and no customer order
may reach the old primary (fenced by the gate) once its cached answers expire."""

from __future__ import annotations

from contract.names import Role
from dataplane.schema import order_ids
from drill.context import DrillContext
from drill.data.reach import orders_after_ttl
from drill.observe import answer, evaluate_alarms, gate_datapoints_since
from drill.result import StepRecord
from drill.step import Step
from drill.text import listing
from drill.triggers import brief, record_invocation, scheduled_event

#: Orders the drill waits for after the old primary is back (real seconds at most).
ORDERS_AFTER_RECOVERY = 5
WAIT_SECONDS = 10.0


def _old_primary_back(ctx: DrillContext, rec: StepRecord) -> None:
    world = ctx.need_data()
    with world.timed("old primary restarts"):
        world.primary.start()   # crash recovery: back as a writer, with its orders
    rec.detail["old_primary"] = {"server": world.primary.name, "timeline": world.primary.timeline(),
                                 "in_recovery": world.primary.is_in_recovery(),
                                 "orders": len(order_ids(world.primary))}


def _customers_fenced(ctx: DrillContext, rec: StepRecord, since: float) -> None:
    """Skip one TTL so every cached answer expires, let customers order, and check no order
    was acknowledged by the old primary's Region after it came back."""
    world = ctx.need_data()
    customers, resolver = world.customers, world.resolver
    if customers is None or resolver is None:
        return
    after = orders_after_ttl(world, ctx.clock, customers, resolver.ttl(),
                             "one TTL of the failover records after the old primary came back, "
                             "so every customer resolves the failover name again",
                             orders=ORDERS_AFTER_RECOVERY, wait_seconds=WAIT_SECONDS)
    east = ctx.settings.primary_region
    later = [a for a in customers.acks if a.at >= since]
    to_old = [a.order_id for a in later if a.region == east]
    rec.detail["orders_after_recovery"] = {"acknowledged": len(later), "by_old_primary": len(to_old)}
    ctx.check("no customer order reached the old primary after it came back (fenced by the "
              "gate)", sum(a.at >= after for a in later) >= ORDERS_AFTER_RECOVERY and not to_old,
              f"{len(later)} acknowledged after it came back, {len(to_old)} by {east}")


def run(ctx: DrillContext, rec: StepRecord) -> None:
    """Bring the primary back, tick the watchdog, check nothing fails back."""
    site, fo = ctx.need_site(), ctx.need_failover()
    recovered_at = ctx.clock.utc()
    since = ctx.clock.now()
    _old_primary_back(ctx, rec)
    site.primary.resume()
    health = ctx.need_deployment().one(Role.HEALTH_ALARM)
    ctx.client("cloudwatch", health.region).set_alarm_state(
        AlarmName=health.physical_name, StateValue="OK", StateReason="drill: primary recovered")
    ticks = []
    for _ in range(ctx.settings.failover.consecutive_failures + 1):
        inv = fo.invoke(scheduled_event(ctx, Role.WATCHDOG_SCHEDULE),
                        trigger="watchdog (primary recovered)")
        record_invocation(ctx, inv)
        ticks.append(brief(inv.result) if inv.result else {"error": inv.error})
    rec.detail["ticks"] = ticks
    rec.detail["alarms"] = evaluate_alarms(ctx)
    dns = rec.detail["dns_answer"] = answer(ctx)
    ctx.check("after the primary recovers, traffic stays on the standby (no failback)",
              dns["answer"] == "SECONDARY", f"{dns['name']} -> {dns['answer']}")
    published = rec.detail["gate_datapoints_after_recovery"] = gate_datapoints_since(ctx, recovered_at)
    ctx.check("gate still published as tripped after recovery (raw datapoints read "
              "from the emulator: no 0 after the failover)",
              bool(published) and all(v >= 1 for v in published),
              "published " + listing(f"{v:g}" for v in published))
    _customers_fenced(ctx, rec, since)


STEP = Step("primary-recovers", "Old primary comes back: the gate must stay tripped", run,
            applies=lambda ctx: ctx.scenario.primary_recovers and not ctx.refused_as_expected)
