"""Step 3c, inject the failure: read the replication lag (as the metric shows it and as
PostgreSQL does) and the recovery point, then the primary Region goes: its inter-Region links
are cut, its database crashes, its endpoint stops answering, and the health-check alarm goes
to ALARM; then the scenario's fault (Region APIs down, throttling storm, crash right after the
strategy's promotion request). The scenario ``replication-lag`` first stalls the link past
the lag alarm threshold and the RPO (:func:`drill.scenarios.lag_stall_seconds`)."""

from __future__ import annotations

import time
from typing import Any

from contract.names import Role
from drill.context import DrillContext
from drill.observe import evaluate_alarms
from drill.options import Abort
from drill.replication import lag_reading, read_recovery_point
from drill.result import StepRecord
from drill.scenarios import STALL_MARGIN_SECONDS, STALL_REAL_SECONDS, lag_stall_seconds
from drill.step import Step
from emulator.faults import ThrottleStorm


def _scenario_fault(ctx: DrillContext, rec: StepRecord) -> None:
    sc, primary = ctx.scenario, ctx.settings.primary_region
    if sc.primary_region_down:
        ctx.faults.down_regions = frozenset({primary})
        rec.detail["primary_region_apis"] = (
            f"unreachable: handler clients for {primary} point at "
            f"{ctx.faults.closed_port_url} (nothing listens)")
    if sc.throttling:
        ctx.emulator.storm = ThrottleStorm(throttled_attempts=1)
        rec.detail["throttling"] = "first attempt of every AWS call answered Throttling"
    if sc.crash_mid_failover:
        ctx.faults.crash_after = ctx.spec.promotion_request
        rec.detail["crash_after"] = ctx.faults.crash_after


def _stall_link(ctx: DrillContext, rec: StepRecord) -> None:
    """Scenario replication-lag: nothing crosses the link any more; customers order for a few
    real seconds, then the drill skips the rest of the stall on its clock."""
    world = ctx.need_data()
    if world.publisher is None or not world.links:
        raise Abort(f"scenario {ctx.scenario.name} needs a strategy that replicates, not "
                    f"{ctx.spec.strategy}")
    s = ctx.settings
    stall = lag_stall_seconds(alarm_threshold_seconds=s.replication_lag_alarm_seconds,
                              rpo_seconds=s.rpo_seconds)
    replication = world.links[0]
    replication.set_delay(stall + 3600.0)   # longer than the drill: nothing crosses any more
    ctx.marks["link_stalled"] = ctx.clock.now()
    with world.timed("stalled link (customers order)"):
        time.sleep(STALL_REAL_SECONDS)
    ctx.clock.advance(stall - STALL_REAL_SECONDS, "the link stays stalled",
                      f"scenario replication-lag: past max(lag alarm threshold "
                      f"{s.replication_lag_alarm_seconds} s, RPO {s.rpo_seconds} s) + "
                      f"{STALL_MARGIN_SECONDS:.0f} s; no WAL crosses the link meanwhile (its "
                      "delay is longer), and no customer orders while the clock is skipped")
    world.publisher.publish_now()
    alarms = evaluate_alarms(ctx)
    lag_alarms = [a for a in alarms if a["role"] == str(Role.REPLICATION_ALARM)]
    rec.detail["stall"] = {"real_seconds": STALL_REAL_SECONDS, "stall_seconds": stall,
                           "link": replication.name, "lag_alarms": lag_alarms}
    ctx.check("the replication-lag alarm fired while the link was stalled (alarm-evaluation "
              "bridge over the published lag)",
              bool(lag_alarms) and all(a["after"] == "ALARM" for a in lag_alarms),
              ", ".join(f"{a['alarm']}: {a['before']} -> {a['after']}" for a in lag_alarms)
              or "no replication alarm deployed")


#: Scenarios failback and full-cycle: the one-way delay of the replication link just before
#: the failure, and the real seconds customers order meanwhile (well under the RPO: the orders acknowledged in
#: the last ``SLOW_LINK_SECONDS`` are lost, within the RPO, and stay on the old volume).
SLOW_LINK_SECONDS = 0.5
SLOW_ORDERING_SECONDS = 1.0


def _slow_link(ctx: DrillContext, rec: StepRecord) -> None:
    world = ctx.need_data()
    replication = world.pair or world.task
    if replication is None:   # nothing streams (snapshot-restore): the recovery point sets the loss
        rec.detail["slow_link"] = None
        return
    link = replication.link
    link.set_delay(SLOW_LINK_SECONDS)
    with world.timed("slow link (customers order)"):
        time.sleep(SLOW_ORDERING_SECONDS)
    rec.detail["slow_link"] = {"link": link.name, "delay_seconds": SLOW_LINK_SECONDS,
                               "real_seconds": SLOW_ORDERING_SECONDS}


def _fail_primary_region(ctx: DrillContext, rec: StepRecord) -> None:
    site, world = ctx.need_site(), ctx.need_data()
    ctx.marks["failure"] = ctx.clock.now()
    with world.timed("failure"):
        world.fail_primary_region()
        site.primary.stop_answering()
        ctx.replayed_at_failure = world.standby_order_ids()
    ctx.failure_injected_at = time.perf_counter()
    rec.detail["failure"] = {
        "links_cut": [link.name for link in world.links],
        "primary_database": f"{world.primary.name} crashed (immediate stop)",
        "primary_endpoint": "stopped answering (connections refused)",
        "orders_on_standby_at_failure": (None if ctx.replayed_at_failure is None
                                         else len(ctx.replayed_at_failure))}


def run(ctx: DrillContext, rec: StepRecord) -> None:
    """Read the lag and the recovery point, then break the primary Region and add the
    scenario's fault."""
    d = ctx.need_deployment()
    if ctx.scenario.replication_lag:
        _stall_link(ctx, rec)
    if ctx.scenario.slow_link:
        _slow_link(ctx, rec)
    lag: dict[str, Any] = lag_reading(ctx)
    ctx.lag_at_failure = rec.detail["lag_at_failure"] = lag
    ctx.result.recovery_point = read_recovery_point(ctx)
    rec.detail["recovery_point_at_failure"] = ctx.result.recovery_point
    _fail_primary_region(ctx, rec)
    health = d.one(Role.HEALTH_ALARM)
    ctx.client("cloudwatch", health.region).set_alarm_state(
        AlarmName=health.physical_name, StateValue="ALARM",
        StateReason="drill: primary endpoint stopped answering")
    rec.detail["health_alarm"] = f"{health.region}/{health.physical_name} -> ALARM"
    _scenario_fault(ctx, rec)


STEP = Step("inject", "Inject the failure: the primary Region goes, alarm to ALARM", run)
