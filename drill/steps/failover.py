"""Step 3d, fail over: invoke the real failover orchestrator through its triggers (the
forwarded alarm event while the primary Region works, then watchdog ticks; or a burst of
concurrent invocations) until it reports the failover done, then check the scenario's fault
really happened."""

from __future__ import annotations

import concurrent.futures
import json
import time
from collections import Counter
from typing import Any

from contract.names import Role
from drill.context import DrillContext
from drill.observe import evaluate_gate
from drill.options import DONE_STATUSES
from drill.result import StepRecord
from drill.step import Step
from drill.text import counts
from drill.triggers import (
    alarm_event,
    invocation_status,
    manual_event,
    record_invocation,
    scheduled_event,
)


def _after_crash(ctx: DrillContext) -> None:
    """A crashed holder's lock lease must expire before anyone resumes: move the handler's
    clock past it (a modelled wait, reported in the RTO).

    The wait is the worst case, one whole lease (the handler's ``state.LEASE_SECONDS``: the
    crash came right after a heartbeat renewal) + 1 s; the lease left on the table item must
    not exceed it (checked)."""
    from handlers.failover.state import LEASE_SECONDS

    table = ctx.need_deployment().one(Role.STATE_TABLE)
    item = ctx.client("dynamodb", table.region).get_item(
        TableName=table.physical_name, Key={"pk": {"S": "lock"}}).get("Item", {})
    expires = float(item.get("lease_expires_epoch", {}).get("N", "0"))
    left = max(0.0, expires - ctx.clock.now())
    ctx.check("the crashed holder's lock lease is at most one lease "
              f"({LEASE_SECONDS:g} s, handlers.failover.state.LEASE_SECONDS)",
              left <= LEASE_SECONDS, f"{left:.1f} s left on the lock item")
    wait = max(left, LEASE_SECONDS) + 1.0
    note = ("the drill's clock moved forward: worst case one heartbeat-renewed lease "
            f"({LEASE_SECONDS:g} s, handlers.failover.state.LEASE_SECONDS) + 1 s; "
            f"{left:.1f} s were left on the lock item")
    ctx.clock.advance(wait, "lock lease of the crashed invocation expires", note, in_rto=True)
    ctx.result.modelled_waits.append({
        "name": "lock lease of the crashed invocation expires", "seconds": round(wait, 1),
        "note": note})


def _data_jobs(ctx: DrillContext) -> None:
    """Let the data plane finish what the last calls started (a restored server starts on
    the main thread), as AWS goes on with a request after the caller's container died."""
    if ctx.data is not None:
        ctx.data.jobs.run_pending()


def _note_refusal(ctx: DrillContext, inv: Any) -> None:
    result = inv.result if isinstance(inv.result, dict) else {}
    if result.get("status") != "not-ready" or ctx.refusal is not None:
        return
    reasons = (result.get("detail") or {}).get("not_ready") or []
    ctx.refusal = {"status": "not-ready", "reasons": list(reasons), "trigger": inv.trigger,
                   "at_offset_seconds": round(ctx.clock.now() - ctx.t0_wall, 3)}
    ctx.marks["refused"] = ctx.clock.now()
    ctx.result.refusal = ctx.refusal


def _deliver(ctx: DrillContext, event: dict[str, Any], trigger: str, *, cold: bool) -> tuple[str, bool]:
    """Invoke the failover orchestrator once; returns ``(status, crashed)``."""
    inv = ctx.need_failover().invoke(event, trigger=trigger, cold=cold)
    record_invocation(ctx, inv)
    _data_jobs(ctx)
    _note_refusal(ctx, inv)
    if inv.crashed:
        _after_crash(ctx)
    ctx.gate_evaluations.append(evaluate_gate(ctx))
    return invocation_status(inv), inv.crashed


def _concurrent(ctx: DrillContext, rec: StepRecord) -> tuple[str, int]:
    """``k`` invocations at once, alarm events and watchdog ticks alternating."""
    fo, k = ctx.need_failover(), ctx.scenario.concurrent_invocations
    events = [(alarm_event(ctx), "alarm event") if i % 2 == 0 else
              (scheduled_event(ctx, Role.WATCHDOG_SCHEDULE), "watchdog") for i in range(k)]
    with fo.active(), concurrent.futures.ThreadPoolExecutor(k) as pool:
        futures = [pool.submit(fo.invoke, e[0], trigger=f"{e[1]} (concurrent)", inside_active=True)
                   for e in events]
        while concurrent.futures.wait(futures, timeout=0.05).not_done:
            _data_jobs(ctx)   # the pool threads cannot start a server; this thread can
        invs = [f.result() for f in futures]
    _data_jobs(ctx)
    for inv in invs:
        record_invocation(ctx, inv)
    statuses = rec.detail["concurrent_statuses"] = [invocation_status(i) for i in invs]
    ctx.gate_evaluations.append(evaluate_gate(ctx))
    return ("completed" if any(s in DONE_STATUSES for s in statuses) else "not-started"), len(invs)


def _forwarder_matches(ctx: DrillContext, event: dict[str, Any]) -> str:
    """Does the planned forwarding rule's pattern match the alarm event? (EventBridge
    TestEventPattern on the emulator.)"""
    rules = [a for a in ctx.need_deployment().by_role(Role.ALARM_FORWARDER)
             if a.type == "aws:cloudwatch/eventRule:EventRule" and a.inputs.get("eventPattern")]
    if not rules:
        return "no forwarding rule with an event pattern in the plan"
    r = rules[0]
    try:
        ok = ctx.client("events", r.region).test_event_pattern(
            EventPattern=r.inputs["eventPattern"], Event=json.dumps(event))["Result"]
    except Exception as e:  # noqa: BLE001 - reported, not fatal
        return f"could not test the pattern: {type(e).__name__}"
    ctx.check("the forwarded alarm event matches the planned forwarding rule", ok, r.physical_name)
    return "matches" if ok else "does NOT match"


def _trigger(ctx: DrillContext, rec: StepRecord) -> tuple[str, int]:
    """Deliver the scenario's triggers until the failover is done; ``(status, invocations)``."""
    status, n, cold = "not-started", 0, False
    if ctx.scenario.concurrent_invocations:
        status, n = _concurrent(ctx, rec)
    elif ctx.scenario.alarm_trigger:
        event = alarm_event(ctx)
        rec.detail["forwarder_pattern"] = _forwarder_matches(ctx, event)
        status, cold = _deliver(ctx, event, "forwarded alarm event", cold=False)
        n += 1
    while status not in DONE_STATUSES and n < ctx.opts.max_triggers:
        if status == "not-ready" and ctx.scenario.readiness_refusal:
            if not ctx.opts.force or "forced" in ctx.marks:
                break
            ctx.marks["forced"] = ctx.clock.now()
            status, cold = _deliver(ctx, manual_event(
                "drill --force: fail over past the readiness check, as an operator would",
                force=True), "operator (manual event, force=true)", cold=cold)
        else:
            status, cold = _deliver(ctx, scheduled_event(ctx, Role.WATCHDOG_SCHEDULE),
                                    "watchdog", cold=cold)
        n += 1
    return status, n


def _scenario_checks(ctx: DrillContext, rec: StepRecord) -> None:
    """Evidence that the scenario's fault really happened during the failover."""
    sc, served, clients = ctx.scenario, ctx.emulator.ledger, ctx.client_ledger
    if sc.primary_region_down:
        region = ctx.settings.primary_region
        refused = clients.count(step="failover", region=region, outcome="unreachable")
        others = served.count(step="failover") - served.count(step="failover", service="route53")
        rec.detail["primary_region_calls_unreachable"] = refused
        ctx.check(f"{region} APIs were unreachable for the handler during the failover",
                  clients.count(step="failover", region=region, outcome="ok") == 0,
                  f"{refused} call(s) to {region} refused; {others} served in other Regions")
    if sc.throttling:
        n = served.count(step="failover", throttled=True)
        ctx.check("the storm throttled the handler's calls", n > 0,
                  f"{n} request(s) answered Throttling")
    if sc.crash_mid_failover:
        crashed = [i for i in ctx.result.invocations if i["crashed"]]
        ctx.check("the container was killed mid-failover, then the failover resumed",
                  len(crashed) == 1 and ctx.faults.crashed,
                  f"{len(crashed)} crashed invocation(s) after {ctx.faults.crash_after}")
    if sc.concurrent_invocations:
        statuses = rec.detail.get("concurrent_statuses", [])
        ran = sum(1 for s in statuses if s in ("completed", "in-progress", "step-failed", "not-ready"))
        ctx.check("exactly one of the concurrent invocations ran the failover "
                  "(the others saw the lock)", ran == 1, counts(Counter(statuses)))


def _refusal_checks(ctx: DrillContext, rec: StepRecord) -> None:
    """Scenario replication-lag: readiness refused, named why, and (unless forced) nothing
    was promoted and the gate did not trip."""
    refusal = ctx.refusal or {}
    reasons = "; ".join(refusal.get("reasons", [])) or "none given"
    rec.detail["refusal"] = refusal or None
    lag_named = any("lag" in r.lower() or "latency" in r.lower() for r in refusal.get("reasons", []))
    ctx.check("readiness refused to promote while the lag exceeded the RPO (status not-ready, "
              "the reason names the lag)", bool(refusal) and lag_named,
              f"status {refusal.get('status', 'none')}: {reasons}")
    request = ctx.spec.promotion_request
    service, operation = request.split(":", 1)
    requests = ctx.emulator.ledger.count(step="failover", service=service, operation=operation)
    forced = "forced" in ctx.marks
    if forced:
        ctx.check("the failover proceeded only when forced (manual event, force=true)",
                  ctx.result.failover_status in DONE_STATUSES,
                  f"status {ctx.result.failover_status} after the forced invocation")
        return
    ctx.check(f"no promotion request ({request}) was made", requests == 0,
              f"{requests} {operation} served")
    world = ctx.need_data()
    in_recovery = bool(world.standby and world.standby.running and world.standby.is_in_recovery())
    ctx.check("PostgreSQL: the standby still replicates (not promoted, not opened for writes)",
              in_recovery or (world.task is not None and world.task.replicating),
              f"{world.standby.name if world.standby else 'no standby'}: "
              f"{'in recovery' if in_recovery else 'not in recovery'}")


def run(ctx: DrillContext, rec: StepRecord) -> None:
    """Trigger until done (or refused, when the scenario expects it), then the outside
    checks of this step."""
    fo, site = ctx.need_failover(), ctx.need_site()
    ctx.gate_evaluations = []
    standby_requests = site.standby.requests
    status, n = _trigger(ctx, rec)
    ctx.result.failover_status = status
    if not ctx.refused_as_expected:
        ctx.failover_done_at = time.perf_counter()
    done = [i.result for i in fo.invocations if isinstance(i.result, dict) and i.result.get("steps")]
    rec.detail["orchestrator_steps"] = done[-1]["steps"] if done else []
    throttled = ctx.emulator.storm.throttled if ctx.emulator.storm else 0
    ctx.emulator.storm = None
    rec.detail.update(invocations=n, final_status=status, throttled_responses=throttled,
                      gate_evaluations=ctx.gate_evaluations)
    if ctx.scenario.readiness_refusal:
        _refusal_checks(ctx, rec)
    if ctx.refused_as_expected:
        return
    ctx.check("failover completed (handler's own report)", status in DONE_STATUSES,
              f"status {status} after {n} invocation(s)")
    seen = rec.detail["standby_endpoint_requests"] = site.standby.requests - standby_requests
    ctx.check("the standby endpoint was warmed and probed (requests seen by its server)",
              seen > 0, f"{seen} request(s) to the standby endpoint during the failover")
    _scenario_checks(ctx, rec)


STEP = Step("failover", "Fail over: invoke the real orchestrator through its triggers", run)
