"""Step 7 (scenario failback, aurora-global): after the unplanned failover, the primary Region
recovers and Aurora adds the old primary cluster back as a secondary (the
``aurora-region-recovers`` bridge: its ``rds:unplanned-global-failover-...`` snapshot, then the
rejoin; in PostgreSQL the old writer's volume is read for the orders stranded on it, then it
is resynchronised from the new writer). Customers order again; once its lag is near zero the
operator's ``{"action": "failback"}`` drives the real orchestrator's planned switchover
(check_reverse, pause_writes, drain, promote_reverse, release). Then: no order acknowledged
since the failback began is missing from the final writer, the write pause is measured, and
customers reach the primary Region again through the failover name."""

from __future__ import annotations

import time
from typing import Any

from contract.names import WRITE_SWITCH_REFRESH_SECONDS, Role
from dataplane.customers import Customers
from dataplane.schema import order_ids
from drill import aurora
from drill.context import DrillContext
from drill.data import write_switch
from drill.data.aurora_metrics import for_world
from drill.data.reach import orders_after_ttl
from drill.data.switchover import PAUSED_CAUSE, switchover_checks, switchover_section
from drill.observe import answer, evaluate_gate
from drill.options import Abort
from drill.result import StepRecord
from drill.step import Step
from drill.text import answer_text, http_text, listing
from drill.triggers import brief, invocation_status, record_invocation, scheduled_event

#: Real seconds the drill waits for the rejoined secondary's lag to be published near zero,
#: and for customers to reach the primary Region after the failback.
LAG_WAIT_SECONDS = 15.0
REACH_WAIT_SECONDS = 15.0
REACH_ORDERS = 5
DONE = "failed-back"


def region_recovers(ctx: DrillContext, rec: StepRecord) -> None:
    """The primary Region recovers: the old primary cluster rejoins as a secondary (its
    server resynchronised, the orders only on its old volume read), Aurora's
    unplanned-failover snapshot is kept by the backup orchestrator, the endpoint answers and
    the health alarm goes OK. Raises Abort without the aurora-global data plane."""
    s, world, site = ctx.settings, ctx.need_data(), ctx.need_site()
    if ctx.aurora_bridge is None or world.global_db is None:
        raise Abort("scenario failback needs the aurora-global data plane and bridges")
    key = (s.primary_region, s.database.primary_identifier)
    done = aurora.rejoin(ctx, world.primary, key, "aurora-region-recovers")
    snapshot = ctx.aurora_bridge.region_recovers(s.database.global_cluster_id,
                                                 site.primary_db_arn, at=ctx.clock.utc())
    site.primary.resume()
    health = ctx.need_deployment().one(Role.HEALTH_ALARM)
    ctx.client("cloudwatch", health.region).set_alarm_state(
        AlarmName=health.physical_name, StateValue="OK", StateReason="drill: Region recovered")
    _failover_snapshot_preserved(ctx, rec, snapshot)
    stranded = done.diverged_order_ids
    rec.detail["region_recovers"] = {
        "unplanned_failover_snapshot": snapshot, "rejoined_as": done.server.name,
        "resync_seconds": round(done.seconds, 3),
        "orders_only_on_old_volume": None if stranded is None else len(stranded)}
    lost = set((ctx.result.data or {}).get("orders", {}).get("lost_order_ids") or [])
    ctx.check("the orders lost in the failover are the ones on the old primary's volume "
              "(kept in Aurora's unplanned-failover snapshot, to reconcile)",
              stranded is not None and lost <= stranded,
              f"{len(lost)} lost in the failover; "
              f"{'?' if stranded is None else len(stranded)} only on the old volume")


def _failover_snapshot_preserved(ctx: DrillContext, rec: StepRecord, snapshot: str) -> None:
    """The backup orchestrator's next run copies Aurora's unplanned-failover snapshot to a
    manual snapshot it keeps (``<cluster>-dr-preserved-<timestamp>``, primary Region)."""
    inv = ctx.need_backup().invoke(scheduled_event(ctx, Role.BACKUP_SCHEDULE),
                                   trigger="backup schedule (after the Region recovered)")
    record_invocation(ctx, inv)
    s = ctx.settings
    prefix = f"{s.database.primary_identifier}-dr-preserved-"
    kept = [x["DBClusterSnapshotIdentifier"] for x in ctx.client("rds", s.primary_region)
            .describe_db_cluster_snapshots(SnapshotType="manual")["DBClusterSnapshots"]
            if x["DBClusterSnapshotIdentifier"].startswith(prefix)]
    rec.detail["failover_snapshot_preserved"] = {"source": snapshot, "copies": kept,
                                                 "backup_status": invocation_status(inv)}
    ctx.check("the backup orchestrator copied Aurora's unplanned-failover snapshot to a manual "
              "snapshot it keeps (control plane only: the drill reads the stranded orders from "
              "the old volume itself)", len(kept) == 1, f"{snapshot} -> {listing(kept)}")


def _customers_again(ctx: DrillContext) -> float:
    """Customers order again (the failover's count is done); returns the drill-clock start."""
    world = ctx.need_data()
    since = ctx.clock.now()
    world.customers = Customers(ctx.settings.site.failover_fqdn, world.resolver,
                                rate_per_second=ctx.opts.order_rate, clock=ctx.clock.now).start()
    world.publisher = for_world(ctx, world)
    return since


def lag_near_zero(ctx: DrillContext, rec: StepRecord) -> None:
    """Publish the rejoined secondary's lag until it is at most the switchover's bound (at
    most :data:`LAG_WAIT_SECONDS` real seconds)."""
    from handlers.failover.strategies.aurora_global import SWITCHOVER_MAX_LAG_SECONDS

    world = ctx.need_data()
    deadline, sent = time.monotonic() + LAG_WAIT_SECONDS, []
    while time.monotonic() < deadline:
        sent = world.publisher.publish_now() if world.publisher else []
        if sent and sent[0].value <= SWITCHOVER_MAX_LAG_SECONDS:
            break
        time.sleep(0.2)
    rec.detail["rejoined_lag_published"] = [
        {"metric": p.metric, "seconds": p.value, "postgres_state": p.state} for p in sent]


def _fail_back(ctx: DrillContext, rec: StepRecord) -> str:
    fo, world = ctx.need_failover(), ctx.need_data()
    event = {"action": "failback", "reason": "drill: planned switchover back to "
                                             f"{ctx.settings.primary_region}"}
    status, statuses = "not-started", []
    for n in range(ctx.opts.max_triggers):
        inv = fo.invoke(event, trigger="operator (manual event, action=failback)", cold=n == 0)
        record_invocation(ctx, inv)
        world.jobs.run_pending()
        ctx.gate_evaluations.append(evaluate_gate(ctx))
        status = invocation_status(inv)
        statuses.append(brief(inv.result) if inv.result else {"error": inv.error})
        if status in (DONE, "failback-refused", "failback-aborted"):
            break
    world.jobs.run_pending()
    rec.detail["invocations"] = statuses
    ctx.check("the failback completed (the orchestrator's planned switchover)", status == DONE,
              f"status {status} after {len(statuses)} invocation(s)")
    return status


def _reach_primary(ctx: DrillContext, rec: StepRecord) -> None:
    world, east = ctx.need_data(), ctx.settings.primary_region
    customers, resolver = world.customers, world.resolver
    if customers is None or resolver is None:
        return
    dns = rec.detail["dns_answer"] = answer(ctx)
    ctx.check("after the failback, the failover name resolves to the primary", dns["answer"] == "PRIMARY",
              answer_text(dns))
    orders_after_ttl(world, ctx.clock, customers, resolver.ttl(),
                     "one TTL of the failover records after Route 53 answers the primary again",
                     orders=REACH_ORDERS, wait_seconds=REACH_WAIT_SECONDS, region=east)


def standby_refuses_writes(ctx: DrillContext, rec: StepRecord) -> None:
    """The standby Region's switch stays paused after the failback (its database is the old
    writer): its shop must refuse an order with 503 ``writes paused`` (placed directly, once
    the shop's refresh is due)."""
    shop = ctx.need_data().shops.get(ctx.settings.standby_region)
    if shop is None:
        return
    ctx.clock.advance(WRITE_SWITCH_REFRESH_SECONDS, "the shop's write-switch refresh is due",
                      "contract.names.WRITE_SWITCH_REFRESH_SECONDS: the longest a shop trusts "
                      "the value it read")
    out = shop.place_order("drill-probe", 1)
    rec.detail["standby_shop_after_failback"] = {"status": out.status, **out.body}
    ctx.check("the standby Region's shop honours its write switch (paused after the failback: "
              "an order is answered 503 writes paused)",
              out.status == 503 and PAUSED_CAUSE in str(out.body.get("error")),
              http_text(out.status, out.body))


def _measure(ctx: DrillContext, rec: StepRecord, since: float) -> dict[str, Any]:
    world = ctx.need_data()
    for thing in (world.customers, world.publisher):
        if thing is not None:
            thing.close()
    world.jobs.run_pending()
    writer = world.global_db.writer if world.global_db else None
    held = order_ids(writer) if writer is not None and writer.running else frozenset()
    customers = world.customers
    section = switchover_section(
        ctx.clock, customers.acks if customers else [], customers.failures if customers else [],
        since=since, final_writer=f"{writer.name} ({writer.region})" if writer else "none",
        final_orders=held, primary_region=ctx.settings.primary_region)
    section["switchovers"] = [{"promoted": sw.promotion.server, "synced_lsn": sw.synced_lsn,
                               "sync_seconds": round(sw.sync_seconds, 4),
                               "old_writer": sw.old_writer.name} for sw in world.switchovers]
    failover = ctx.result.data or {}
    section["failover"] = {"orders_lost": (failover.get("orders") or {}).get("lost"),
                           "data_loss_window_seconds": failover.get("data_loss_window_seconds"),
                           "write_pause": failover.get("outage")}
    for check in switchover_checks(section):
        ctx.check(check.name, check.passed, check.detail)
    return section


def run(ctx: DrillContext, rec: StepRecord) -> None:
    """Region recovers, customers order, the operator fails back, measure and check."""
    created = write_switch.deploy_missing(ctx.client, (ctx.settings.primary_region,
                                                       ctx.settings.standby_region), ctx.opts.stack)
    if created:
        ctx.result.notes.append(
            "the plan declares no write switch parameter: the drill created "
            f"{created} /ecommerce-dr/{ctx.opts.stack}/writes (open) as pulumi up should")
    region_recovers(ctx, rec)
    since = _customers_again(ctx)
    lag_near_zero(ctx, rec)
    if _fail_back(ctx, rec) == DONE:
        _reach_primary(ctx, rec)
    section = _measure(ctx, rec, since)
    standby_refuses_writes(ctx, rec)
    if ctx.result.data is not None:
        ctx.result.data["failback"] = section
    rec.detail["switchover"] = {k: section[k] for k in ("orders", "write_pause", "final_writer",
                                                        "failures_by_cause")}


STEP = Step("aurora-failback", "Primary Region recovers; the operator fails back (switchover, RPO 0)",
            run, applies=lambda ctx: ctx.scenario.failback and not ctx.refused_as_expected)
