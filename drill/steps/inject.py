"""Step 3c, inject the failure: read the recovery point, stop the primary endpoint, set the
health-check alarm to ALARM, and add the scenario's fault (Region down, throttling storm,
crash right after the strategy's promotion request)."""

from __future__ import annotations

import time

from contract.names import Role
from drill.context import DrillContext
from drill.replication import read_recovery_point, seed_replication_metrics
from drill.result import StepRecord
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


def run(ctx: DrillContext, rec: StepRecord) -> None:
    """Read the recovery point, then break the primary and add the scenario's fault."""
    site, d = ctx.need_site(), ctx.need_deployment()
    rec.detail["seeded_at_failover"] = seed_replication_metrics(ctx)
    ctx.result.recovery_point = read_recovery_point(ctx)
    rec.detail["recovery_point_at_failure"] = ctx.result.recovery_point
    site.primary.stop_answering()
    ctx.failure_injected_at = time.perf_counter()
    health = d.one(Role.HEALTH_ALARM)
    ctx.client("cloudwatch", health.region).set_alarm_state(
        AlarmName=health.physical_name, StateValue="ALARM",
        StateReason="drill: primary endpoint stopped answering")
    rec.detail["health_alarm"] = f"{health.region}/{health.physical_name} -> ALARM"
    _scenario_fault(ctx, rec)


STEP = Step("inject", "Inject the failure: primary endpoint down, alarm to ALARM", run)
