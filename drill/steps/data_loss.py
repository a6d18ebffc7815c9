"""Step 6, count what was lost: customers stop, and the new writer (the promoted replica, the
opened DMS target or the restored server) is read directly. Checks: no order the standby had
already replayed was lost, the data-loss window is within the RPO target (a forced failover
past readiness must instead lose exactly the orders of the stalled window), every order the
new writer acknowledged is on it, and after ``primary-recovers`` the lost orders are the ones
stranded on the old primary (to reconcile). When readiness refused as expected, the standby
is read for what a forced failover would lose."""

from __future__ import annotations

from typing import Any

from dataplane.schema import order_ids
from drill.context import DrillContext
from drill.data.loss import data_section
from drill.data.series import marks, per_second
from drill.measure import modelled_aws_terms
from drill.result import StepRecord
from drill.step import Step

#: Orders that may straddle the moment the link stalled: committed just before it but sent
#: after it (lost although acknowledged before), or sent just before it (kept although
#: acknowledged after); and how long before the stall such an order may have been acknowledged.
STRADDLE_ORDERS = 2
STRADDLE_SECONDS = 1.0


def _stop(ctx: DrillContext) -> None:
    world = ctx.need_data()
    for thing in (world.customers, world.publisher):
        if thing is not None:
            thing.close()


def _check_forced_loss(ctx: DrillContext, section: dict[str, Any]) -> None:
    """The orders a forced failover lost are those acknowledged after the link stalled."""
    world, east = ctx.need_data(), ctx.settings.primary_region
    stalled, failure = ctx.marks.get("link_stalled"), ctx.marks["failure"]
    acks = world.customers.acks if world.customers else []
    window = {a.order_id for a in acks if a.region == east and stalled is not None
              and stalled <= a.at <= failure}
    lost = set(section["orders"]["lost_order_ids"])
    early = {a.order_id for a in acks if stalled is not None and a.at >= stalled - STRADDLE_SECONDS}
    n = len(lost)
    ok = n > 0 and lost <= early and abs(n - len(window)) <= STRADDLE_ORDERS
    ctx.check("the forced failover lost the orders acknowledged while the link was stalled "
              "(the delayed window), and only those", ok,
              f"{n} lost; {len(window)} acknowledged by {east} while the link was stalled")


def window_detail(seconds: float, lost: int, window: dict[str, Any]) -> str:
    """The data-loss window check's detail: the window (seconds), the orders lost and, when the
    drill skipped part of the window on its clock, how much was measured and how much skipped
    (``window`` as :func:`drill.data.loss.split` gives it: no split without lost orders)."""
    split = (f"; {window['measured_seconds']} s measured + {window['skipped_seconds']} s skipped "
             f"on the drill's clock, modelled ({', '.join(window['skipped'])})"
             if window.get("skipped_seconds") else
             "; measured" if window.get("measured_seconds") is not None else "")
    return f"{seconds:.3f} s ({lost} order(s) lost{split})"


def _checks(ctx: DrillContext, section: dict[str, Any]) -> None:
    orders, rpo = section["orders"], ctx.settings.rpo_seconds
    window = section["data_loss_window"]
    if orders["replayed_before_failure"] is not None:
        ctx.check("no order the standby had already replayed was lost",
                  not orders["replayed_but_lost"],
                  f"{orders['replayed_before_failure']} replayed at the failure, "
                  f"{len(orders['replayed_but_lost'])} of them lost")
    if ctx.result.expected == "forced":
        _check_forced_loss(ctx, section)
    else:
        ctx.check(f"data-loss window within the RPO target ({rpo} s)",
                  section["data_loss_window_seconds"] <= rpo,
                  window_detail(section["data_loss_window_seconds"], orders["lost"], window))
    world = ctx.need_data()
    writer = world.standby
    west = ctx.settings.standby_region
    have = order_ids(writer) if writer is not None and writer.running else frozenset()
    acked = [a.order_id for a in (world.customers.acks if world.customers else []) if a.region == west]
    missing = [i for i in acked if i not in have]
    ctx.check("every order the new writer acknowledged is on it (read from its database)",
              not missing, f"{len(acked)} acknowledged by {west}, {len(missing)} missing")
    if orders["stranded_on_old_primary"] is not None:
        ctx.check("the orders lost are on the old primary, reported to reconcile",
                  orders["stranded_acknowledged_count"] == orders["lost"],
                  f"{orders['stranded_on_old_primary']} stranded on the old primary, "
                  f"{orders['stranded_acknowledged_count']} of them acknowledged; "
                  f"{orders['lost']} lost")


def run(ctx: DrillContext, rec: StepRecord) -> None:
    """Stop the customers, count from the databases, check."""
    world = ctx.need_data()
    if not ctx.scenario.full_cycle:   # the cycle goes on with customers ordering
        _stop(ctx)
    failure_at = ctx.marks.get("failure")
    if failure_at is None:
        rec.detail["why"] = "no failure was injected"
        return
    with world.timed("loss counting"):
        section = data_section(world, ctx.clock, failure_at=failure_at,
                               replayed=ctx.replayed_at_failure, origin=ctx.t0_wall,
                               modelled_terms=[t.to_dict() for t in modelled_aws_terms(ctx)])
    acks = world.customers.acks if world.customers else []
    failures = world.customers.failures if world.customers else []
    section["failed_over"] = not ctx.refused_as_expected
    section["customers"] = {
        "order_rate_per_second": ctx.opts.order_rate,
        "series": per_second(acks, failures, ctx.clock, origin=ctx.t0_wall),
        "marks": marks({**world.marks, **ctx.marks}, ctx.clock, origin=ctx.t0_wall)}
    section["lag_at_failure"] = ctx.lag_at_failure
    ctx.result.data = section
    if section.get("counted"):
        rec.detail = {"new_writer": section["new_writer"], "orders_lost": section["orders"]["lost"],
                      "data_loss_window_seconds": section["data_loss_window_seconds"],
                      "outage_measured_seconds": section["outage"]["measured_seconds"]}
    else:
        rec.detail = {"counted": False, "why": section.get("why")}
    if section.get("counted") and not ctx.refused_as_expected:
        _checks(ctx, section)


STEP = Step("data-loss", "Count what was lost, from the databases", run,
            applies=lambda ctx: ctx.data is not None)
