"""Steps 7-14 (scenario ``full-cycle``), after the unplanned failover: the stack goes through
its phases with orders placed throughout.

7. ``cycle-start``: the shops follow the write switch; the ``failed-over`` and
   ``reverse-replicating`` plans are recorded (``failover.phase`` set in the stack config).
8. ``deploy-failed-over``: that plan deployed with the primary Region's APIs still unreachable.
9. ``region-recovers``: the primary Region's APIs, endpoint and old database come back.
10. ``deploy-reverse-replicating``: the reverse replication: the program's reverse replica
    created in the primary Region (instance strategies: the ``pg-replica`` bridge builds it
    from the promoted standby), the old primary cluster Aurora rejoined (aurora-global), or
    the reverse DMS task into a fresh instance there (dms: the ``pg-instance`` and
    ``pg-dms-start`` bridges).
11. ``failback``: the operator's ``{"action": "failback"}`` event; the orchestrator pauses
    writes, drains, promotes the reverse replica (or switches the global database over) and
    releases the gate; customers reach the new primary.
12. ``deploy-normal``: the plan of the config the failback's alert gives: a fresh standby
    replica of the new primary, the old writer retained (instance strategies); the same
    clusters, the old writer a secondary again (aurora-global); the forward pipeline
    replaced, a new task feeding a fresh standby from the new primary (dms).
13. ``second-failover``: the new primary's Region goes; the orchestrator fails over to the
    standby the normal deploy left.
14. ``cycle-verify``: :func:`drill.cycle.verify.verify_cycle` with the strategy's checks.

What differs per strategy is a :class:`drill.cycle.tiers.Tier` of hooks
(:data:`drill.cycle.tiers.TIERS`); these steps know no strategy by name.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from typing import Any

from cli.console import console_for
from contract.names import Role
from dataplane.server import PostgresServer
from drill.apply import ApplyContext
from drill.context import DrillContext
from drill.cycle import plans
from drill.cycle.cdc import CdcBridge
from drill.cycle.deploy import (
    GLOBAL_CONTROL_PLANE,
    PhaseDeploy,
    copy_deployment,
    deploy_phase,
    unreachable_in,
)
from drill.cycle.observe import planned_event, unplanned_event
from drill.cycle.replicas import ReplicaBridge
from drill.cycle.state import CycleState, Event
from drill.cycle.tiers import tier
from drill.cycle.verify import global_changes, verify_cycle
from drill.data.reach import acked_after, orders_after_ttl
from drill.data.series import marks, per_second
from drill.data.settle import settled_drain
from drill.observe import answer, evaluate_gate
from drill.options import Abort
from drill.result import StepRecord
from drill.step import Step
from drill.steps import deploy as deploy_step
from drill.steps import failback as failback_step
from drill.steps.failover import _trigger
from drill.text import answer_text
from drill.triggers import brief, record_invocation, scheduled_event
from emulator import events
from emulator.replica_bridges import replica_bridge
from engine.plan import PROVIDER_PREFIX, Plan

_SSM = "aws:ssm/parameter:Parameter"
#: RDS operations (name prefixes) that make, remove, promote or move the writer of a database
#: (instance, cluster, global database; RemoveTagsFromResource is not one).
_DB_WRITES = ("Create", "Delete", "Restore", "Promote", "Failover", "Switchover",
              "RemoveFromGlobalCluster")
#: Real seconds the drill waits for customers to reach a new writer, and the orders it waits for.
REACH_WAIT_SECONDS = 10.0
REACH_ORDERS = 5
FAILBACK_TRIGGERS = 8


class CycleRun:
    """The cycle's working state on the drill context (``ctx.cycle``)."""

    def __init__(self, ctx: DrillContext) -> None:
        s = ctx.settings
        self.state = CycleState(s.primary_region, s.standby_region)
        self.plans: dict[str, Plan] = {}
        self.replicas = ReplicaBridge(lambda: ctx.data, ctx.client, ctx.clock, ctx.bridges)
        self.cdc = CdcBridge(lambda: ctx.data, ctx.client, ctx.clock, ctx.bridges)
        self.failback: dict[str, Any] | None = None
        self.old_writer: PostgresServer | None = None
        self.new_primary: PostgresServer | None = None
        self.old_primary: PostgresServer | None = None
        self.failback_done_at: float | None = None


def _cycle(ctx: DrillContext) -> CycleRun:
    if ctx.cycle is None:
        raise Abort("the cycle was not started")
    return ctx.cycle


def _full_cycle(ctx: DrillContext) -> bool:
    return ctx.scenario.full_cycle and not ctx.refused_as_expected


# -- 7: start ------------------------------------------------------------------------------

def _follow_write_switches(ctx: DrillContext, rec: StepRecord) -> None:
    """Each Region's shop follows the write switch the program deployed there."""
    world = ctx.need_data()
    names = {a.region: a.physical_name for a in ctx.need_deployment().by_type(_SSM)
             if "/writes" in a.physical_name}
    for region, shop in world.shops.items():
        if region not in names:
            ctx.result.notes.append(f"no write switch deployed in {region}: its shop never pauses")
            continue
        ssm, name = ctx.client("ssm", region), names[region]

        def read(ssm: Any = ssm, name: str = name) -> str | None:
            try:
                return str(ssm.get_parameter(Name=name)["Parameter"]["Value"])
            except ssm.exceptions.ParameterNotFound:
                return None
        shop.follow_write_switch(read, clock=ctx.clock.now)
    rec.detail["write_switches"] = names


def start(ctx: DrillContext, rec: StepRecord) -> None:
    """Follow the write switches, stop the forward lag publisher, record two phase plans."""
    run = ctx.cycle = CycleRun(ctx)
    world = ctx.need_data()
    if world.publisher is not None:   # the forward replication ended with the failover
        world.publisher.close()
        world.publisher = None
    _follow_write_switches(ctx, rec)
    run.plans.update(plans.record(ctx.opts, ctx.overrides, {
        "failed-over": {"failover.phase": "failed-over"},
        "reverse-replicating": {"failover.phase": "reverse-replicating"}}))
    db = ctx.settings.database
    run.old_writer = world.standby
    run.state.primary_before = tier(ctx).database(ctx, db.primary_identifier,
                                                  ctx.settings.primary_region, world.primary)
    run.state.standby_before = tier(ctx).database(ctx, db.standby_id, ctx.settings.standby_region,
                                                  world.standby)
    rec.detail.update(plans={p: len(pl.resources) for p, pl in run.plans.items()},
                      standby=str(run.state.standby_before))


# -- deploys -------------------------------------------------------------------------------

def _options(plan: Plan | None) -> dict[str, dict[str, Any]]:
    return {r.urn: dict(r.options or {}) for r in (plan.resources if plan else [])}


def _settle(ctx: DrillContext) -> None:
    if ctx.data is not None:
        ctx.data.jobs.run_pending()


def _policy_gate(ctx: DrillContext, rec: StepRecord, plan: Plan) -> int | None:
    """The policy pack over the phase's plan, as CI runs it before ``pulumi up`` (None: the
    drill's policy gate is off)."""
    if not ctx.opts.policy_gate:
        return None
    from preview.run import run as preview

    out = io.StringIO()
    result = preview(ctx.opts.stack, plan=plan, console=console_for(out, color_system=None))
    rec.detail["policy_gate"] = {"exit_code": int(result.exit_code),
                                 "output_tail": out.getvalue().strip().splitlines()[-8:]}
    return int(result.exit_code)


def _deploy(ctx: DrillContext, rec: StepRecord, phase: str, *, down: frozenset[str]) -> PhaseDeploy:
    """The pack over the phase's plan, then (if it passed) the plan deployed over the current
    deployment, which becomes the stack's state."""
    run, s = _cycle(ctx), ctx.settings
    plan = run.plans[phase]
    policy = _policy_gate(ctx, rec, plan)
    if policy not in (None, 0):
        run.state.deploys[phase] = PhaseDeploy(phase, policy_exit_code=policy)
        raise Abort(f"the policy pack failed the {phase} plan (exit {policy}): CI would not deploy it")
    client = (unreachable_in(ctx.client, down, ctx.faults.closed_port_url) if down else ctx.client)
    actx = ApplyContext(client=client, site=ctx.need_site(),
                        deployment=copy_deployment(ctx.need_deployment()),
                        env_substitute=deploy_step._env_substitute(ctx),
                        primary_region=s.primary_region, standby_region=s.standby_region)
    with replica_bridge(run.replicas, ctx.bridges), tier(ctx).bridges(ctx):
        out = deploy_phase(phase, plan.custom_resources, actx, deployed_options=_options(ctx.plan),
                           settle=lambda: _settle(ctx))
    if silent := run.replicas.wait_published() + run.cdc.wait_published():
        ctx.result.notes.append(f"no lag datapoint published yet for {', '.join(silent)}")
    out.policy_exit_code = policy
    run.state.deploys[phase] = out
    rec.detail["deploy"] = out.to_dict()
    if not out.refused:
        if ctx.result.deployment is None:   # the report's deployment is the deploy step's
            ctx.result.deployment = ctx.need_deployment().summary()
        ctx.deployment, ctx.plan = actx.deployment, plan
        deploy_step._runtimes(ctx, actx.deployment)
    return out


def _primary_provider(plan: Plan, region: str) -> dict[str, Any] | None:
    found = [r for r in plan.resources if r.type.startswith(PROVIDER_PREFIX)
             and (r.inputs.get("region") or r.region) == region]
    return dict(found[0].inputs) if found else None


def deploy_failed_over(ctx: DrillContext, rec: StepRecord) -> None:
    """The failed-over plan, deployed while the primary Region's APIs are unreachable."""
    run, s = _cycle(ctx), ctx.settings
    run.state.primary_provider = _primary_provider(run.plans["failed-over"], s.primary_region)
    out = _deploy(ctx, rec, "failed-over", down=frozenset({s.primary_region}))
    changed = global_changes(out)
    if changed and s.primary_region == GLOBAL_CONTROL_PLANE[0]:
        ctx.result.notes.append(
            f"the failed-over deploy changes global-service resources ({', '.join(changed)}); "
            f"their control plane is only in {GLOBAL_CONTROL_PLANE[0]}, the primary Region, so "
            "in a real outage of that Region this deploy may fail (AWS Networking & Content "
            "Delivery Blog, \"Creating Disaster Recovery Mechanisms Using Amazon Route 53\"). "
            "The drill takes only the Region's Regional APIs down.")
    run.state.standby_after = tier(ctx).database(ctx, s.database.standby_id, s.standby_region,
                                                 run.old_writer)
    run.state.failed_over_db_requests = {
        k: n for k, n in ctx.emulator.ledger.counts("deploy-failed-over").items()
        if k.startswith("rds:") and k.split(":", 1)[1].startswith(_DB_WRITES)}
    rec.detail["standby_after"] = str(run.state.standby_after)


# -- 9: the primary Region recovers --------------------------------------------------------

def region_recovers(ctx: DrillContext, rec: StepRecord) -> None:
    """The primary Region's APIs come back, then its endpoint and old database (the tier's
    :attr:`drill.cycle.tiers.Tier.region_recovers`)."""
    ctx.faults.down_regions = frozenset()
    tier(ctx).region_recovers(ctx, rec)
    ctx.marks["primary_recovered"] = ctx.clock.now()


def deploy_reverse(ctx: DrillContext, rec: StepRecord) -> None:
    """The reverse-replicating plan; then the reverse replication it leaves (the tier's
    :attr:`drill.cycle.tiers.Tier.reverse`)."""
    out = _deploy(ctx, rec, "reverse-replicating", down=frozenset())
    tier(ctx).reverse(ctx, rec, out)
    rec.detail["reverse"] = str(_cycle(ctx).state.reverse)


# -- 11: failback --------------------------------------------------------------------------

def _drain_sleep(ctx: DrillContext) -> contextlib.AbstractContextManager[None]:
    """The orchestrator's poll waits during the failback (:func:`drill.data.settle.settled_drain`),
    publishing the reverse replicas', the CDC tasks' and (aurora-global) the rejoined
    secondary's lag after each."""
    run, world = _cycle(ctx), ctx.need_data()

    def publish() -> None:
        run.replicas.publish_now()
        run.cdc.publish_now()
        if world.publisher is not None:
            world.publisher.publish_now()

    return settled_drain(lambda: world.customers, publish)


def _invoke_failback(ctx: DrillContext, rec: StepRecord) -> dict[str, Any]:
    fo = ctx.need_failover()
    event = events.operator_request("failback", "drill: planned failback after the primary "
                                    "Region recovered")
    statuses: list[str | None] = []
    with _drain_sleep(ctx):
        inv = fo.invoke(event, trigger="operator (failback)", cold=True)
        while True:
            record_invocation(ctx, inv)
            result = inv.result if isinstance(inv.result, dict) else {"status": "error",
                                                                        "error": inv.error}
            statuses.append(result.get("status"))
            if result.get("status") != "in-progress" or len(statuses) >= FAILBACK_TRIGGERS:
                break
            inv = fo.invoke(scheduled_event(ctx, Role.WATCHDOG_SCHEDULE),
                            trigger="watchdog (resumes the failback)")
    rec.detail["statuses"] = statuses
    return result


def _reach(ctx: DrillContext, region: str, since_note: str) -> int:
    """Skip one TTL; wait for orders the Region's writer acknowledges after it."""
    world = ctx.need_data()
    resolver, customers = world.resolver, world.customers
    if resolver is None or customers is None:
        return 0
    since = orders_after_ttl(world, ctx.clock, customers, resolver.ttl(), since_note,
                             orders=REACH_ORDERS, wait_seconds=REACH_WAIT_SECONDS, region=region)
    return acked_after(customers, since, region)


def failback(ctx: DrillContext, rec: StepRecord) -> None:
    """The operator's failback event; then customers reach the new primary."""
    run, s, world = _cycle(ctx), ctx.settings, ctx.need_data()
    started = ctx.marks["failback"] = ctx.clock.now()
    result = run.failback = _invoke_failback(ctx, rec)
    world.jobs.run_pending()   # what the promotion left for the main thread (a rejoin)
    rec.detail["result"] = {k: result.get(k) for k in ("status", "failback_id", "writes", "gate",
                                                       "new_primary_arn", "phase", "reason",
                                                       "abort_reason")}
    rec.detail["gate"] = evaluate_gate(ctx)
    if run.new_primary is not None and result.get("status") == "failed-back":
        world.primary = run.new_primary
        world.links = [world.copies_link] if world.copies_link else []
    reached = _reach(ctx, s.primary_region, "one TTL of the failover records after the gate was "
                     "released: the worst case, a client that resolved just before")
    dns = rec.detail["dns_answer"] = answer(ctx)
    ctx.check("after the failback, the failover name resolves to the primary",
              dns["answer"] == "PRIMARY", answer_text(dns))
    rec.detail["orders_acknowledged_by_new_primary"] = reached
    run.failback_done_at = ctx.clock.now()
    customers = world.customers
    if run.new_primary is not None and customers is not None and run.new_primary.running:
        run.state.events.append(planned_event(
            ctx.clock, customers.acks, customers.failures, started_at=started,
            old_region=s.standby_region, new_writer=run.new_primary,
            status=result.get("status"), rpo_seconds=s.rpo_seconds))
    run.state.new_primary = tier(ctx).database(ctx, run.state.reverse_identifier or "",
                                               s.primary_region, run.new_primary)
    failback_step.standby_refuses_writes(ctx, rec)
    run.state.old_writer_at_failback = tier(ctx).database(ctx, s.database.standby_id,
                                                          s.standby_region, run.old_writer)
    rec.detail["old_writer"] = str(run.state.old_writer_at_failback)


# -- 12: normal ----------------------------------------------------------------------------

def deploy_normal(ctx: DrillContext, rec: StepRecord) -> None:
    """The config the failback's alert gives, recorded and deployed; then the standby it
    leaves (the tier's :attr:`drill.cycle.tiers.Tier.normal`)."""
    run, hooks = _cycle(ctx), tier(ctx)
    hint = (run.failback or {}).get("phase") or {}
    settings = plans.settings_from_commands(list(hint.get("commands") or []))
    rec.detail["config_set"] = settings
    if settings.get("failover.phase") != "normal" or not set(hooks.normal_keys) <= set(settings):
        raise Abort(f"the failback's phase hint gives no normal config: {hint}")
    run.plans.update(plans.record(ctx.opts, ctx.overrides, {"normal": settings}))
    out = _deploy(ctx, rec, "normal", down=frozenset())
    hooks.normal(ctx, rec, settings)
    rec.detail["ok"] = out.ok
    inv = ctx.need_failover().invoke(scheduled_event(ctx, Role.WATCHDOG_SCHEDULE),
                                     trigger="watchdog (after the normal deploy)", cold=True)
    record_invocation(ctx, inv)
    rec.detail["watchdog"] = brief(inv.result) if inv.result else inv.error


# -- 13: second failover -------------------------------------------------------------------

def second_failover(ctx: DrillContext, rec: StepRecord) -> None:
    """The new primary's Region goes; watchdog ticks until the failover is done."""
    run, s, world, site = _cycle(ctx), ctx.settings, ctx.need_data(), ctx.need_site()
    if world.primary is None or run.state.standing_standby and world.standby is None:
        raise Abort("no fresh standby to fail over to")
    failure = ctx.marks["second_failure"] = ctx.clock.now()
    world.fail_primary_region()
    site.primary.stop_answering()
    health = ctx.need_deployment().one(Role.HEALTH_ALARM)
    ctx.client("cloudwatch", health.region).set_alarm_state(
        AlarmName=health.physical_name, StateValue="ALARM", StateReason="drill: primary down again")
    ctx.faults.down_regions = frozenset({s.primary_region})
    ctx.need_failover().cold_start()   # a new container: its clients see the Region down
    status, n = _trigger(ctx, rec)
    rec.detail.update(status=status, invocations=n, dns_answer=answer(ctx))
    reached = _reach(ctx, s.standby_region, "one TTL after Route 53 answers the standby")
    rec.detail["orders_acknowledged_by_standby"] = reached
    customers = world.customers
    if customers is not None and world.standby.running:
        run.state.events.append(unplanned_event(
            "second failover", ctx.clock, customers.acks, customers.failures, failure_at=failure,
            since=run.failback_done_at or failure, old_region=s.primary_region,
            new_writer=world.standby, status=status, rpo_seconds=s.rpo_seconds))
    tier(ctx).second(ctx, rec)


# -- 14: verify ----------------------------------------------------------------------------

def _first_failover(ctx: DrillContext) -> Event:
    data = ctx.result.data or {}
    orders = data.get("orders") or {}
    outage = data.get("outage") or {}
    return Event("unplanned failover", ctx.result.failover_status, orders.get("lost"),
                 list(orders.get("lost_order_ids") or []), orders.get("acknowledged_by_old_primary"),
                 {**{k: outage.get(k) for k in ("drill_clock_seconds", "measured_seconds",
                                                "skipped_seconds", "skipped", "failed_orders")},
                  "basis": "measured on the emulator; skipped waits on the drill's clock are "
                           "modelled"},
                 float(ctx.settings.rpo_seconds), data.get("data_loss_window_seconds"))


def _whole_chart(ctx: DrillContext) -> None:
    """The customers' chart over the whole cycle (the data-loss step drew it up to then)."""
    world, data = ctx.need_data(), ctx.result.data or {}
    customers = world.customers
    if customers is None or "customers" not in data:
        return
    data["customers"]["series"] = per_second(customers.acks, customers.failures, ctx.clock,
                                             origin=ctx.t0_wall)
    data["customers"]["marks"] = marks({**world.marks, **ctx.marks}, ctx.clock, origin=ctx.t0_wall)


def verify(ctx: DrillContext, rec: StepRecord) -> None:
    """The cycle's checks; the report's cycle section."""
    run = _cycle(ctx)
    run.state.events.insert(0, _first_failover(ctx))
    checks = verify_cycle(run.state, tier(ctx).checks)
    for check in checks:
        ctx.check(check.name, check.passed, check.detail)
    ctx.result.cycle = run.state.to_dict()
    _whole_chart(ctx)
    rec.detail["failing"] = [c.name for c in checks if not c.passed]


#: The cycle's steps in order: ``(name, title, run)``; each applies to the full-cycle scenario.
_CYCLE: tuple[tuple[str, str, Callable[[DrillContext, StepRecord], None]], ...] = (
    ("cycle-start", "Cycle: shops follow the write switch; phase plans recorded", start),
    ("deploy-failed-over", "Cycle: deploy phase failed-over with the primary Region down",
     deploy_failed_over),
    ("region-recovers", "Cycle: the primary Region recovers", region_recovers),
    ("deploy-reverse-replicating", "Cycle: deploy phase reverse-replicating (the reverse "
     "replication)", deploy_reverse),
    ("failback", "Cycle: the operator's failback (planned switchover)", failback),
    ("deploy-normal", "Cycle: deploy phase normal (the standby of the new primary)",
     deploy_normal),
    ("second-failover", "Cycle: fail over a second time", second_failover),
    ("cycle-verify", "Cycle: verify the whole cycle", verify),
)

STEPS: tuple[Step, ...] = tuple(Step(name, title, run, applies=_full_cycle)
                                for name, title, run in _CYCLE)
