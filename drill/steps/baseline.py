"""Step 3a, baseline: the replication metrics published from PostgreSQL, the alarms
evaluated, the failover name resolving to the primary, customers' orders acknowledged by the
primary, and the watchdog arming on a healthy primary."""

from __future__ import annotations

import time

from contract.names import Role
from drill.aurora import watched_metrics
from drill.context import DrillContext
from drill.observe import answer, evaluate_alarms
from drill.result import StepRecord
from drill.step import Step
from drill.text import answer_text, pairs
from drill.triggers import brief, record_invocation, scheduled_event

#: Acknowledged orders the baseline waits for before the failure (real seconds at most).
BASELINE_ACKS = 3
BASELINE_WAIT_SECONDS = 10.0
#: Real seconds the baseline waits for every replication metric to have been published once.
METRICS_WAIT_SECONDS = 10.0


def _customers(ctx: DrillContext, rec: StepRecord) -> None:
    world = ctx.need_data()
    customers = world.customers
    deadline = time.monotonic() + BASELINE_WAIT_SECONDS
    with world.timed("customers"):
        while customers is not None and len(customers.acks) < BASELINE_ACKS \
                and time.monotonic() < deadline:
            time.sleep(0.05)
    acks = customers.acks if customers else []
    east = ctx.settings.primary_region
    rec.detail["orders_acknowledged"] = {"total": len(acks), east: sum(a.region == east for a in acks)}
    failures = customers.failures if customers else []
    ctx.check("before the failure, customers' orders are acknowledged by the primary's shop",
              len(acks) >= BASELINE_ACKS and all(a.region == east for a in acks) and not failures,
              f"{len(acks)} acknowledged ({sum(a.region == east for a in acks)} by {east}), "
              f"{len(failures)} failed" + (f": {failures[0].cause}" if failures else ""))


def _metrics(ctx: DrillContext, rec: StepRecord) -> None:
    world = ctx.need_data()
    if world.publisher is None:
        rec.detail["replication_metrics"] = f"{ctx.spec.strategy} has no replication to publish"
        return
    wanted = {m.name for m in watched_metrics(ctx)}
    deadline = time.monotonic() + METRICS_WAIT_SECONDS
    newest = {p.metric: p for p in world.publisher.publish_now()}
    # A reading without data (PostgreSQL has no lag sample yet) publishes nothing, as RDS and
    # DMS leave a gap: wait for the publisher to have sent each metric once.
    while set(newest) < wanted and time.monotonic() < deadline:
        time.sleep(0.2)
        newest.update({p.metric: p for p in world.publisher.publish_now()})
    rec.detail["replication_metrics"] = [
        {"metric": f"{p.namespace} {p.metric}", "seconds": p.value, "postgres_state": p.state,
         "bytes_behind": p.bytes_behind} for p in newest.values()]
    ctx.check("replication metrics published from PostgreSQL (replication-metrics bridge)",
              set(newest) == wanted,
              ", ".join(f"{p.metric}={p.value:.4f} s ({p.state})" for p in newest.values())
              or "none")


def run(ctx: DrillContext, rec: StepRecord) -> None:
    """Publish, evaluate, resolve, see orders acknowledged, and let the watchdog arm."""
    _metrics(ctx, rec)
    rec.detail["alarms"] = evaluate_alarms(ctx)
    dns = rec.detail["dns_answer"] = answer(ctx)
    ctx.check("before the failure, the failover name resolves to the primary",
              dns["answer"] == "PRIMARY", answer_text(dns))
    _customers(ctx, rec)
    inv = ctx.need_failover().invoke(scheduled_event(ctx, Role.WATCHDOG_SCHEDULE),
                                     trigger="watchdog (healthy primary)", cold=True)
    record_invocation(ctx, inv)
    rec.detail["watchdog"] = brief(inv.result) if inv.result else inv.error
    armed = bool(inv.result and inv.result.get("armed") is not False and not inv.error)
    ctx.check("watchdog armed after seeing the primary healthy", armed,
              pairs(brief(inv.result)) if inv.result else str(inv.error))
    rec.detail["alarms_after"] = evaluate_alarms(ctx)


STEP = Step("baseline", "Baseline: metrics, alarms, DNS answer, orders, watchdog arms", run)
