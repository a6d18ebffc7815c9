"""The events the drill sends the orchestrators (as EventBridge and CloudWatch would) and how
it records each invocation."""

from __future__ import annotations

import time
from typing import Any

from contract.names import Role
from drill.context import DrillContext
from emulator import ACCOUNT_ID, events
from emulator.lambda_runtime import Invocation


def scheduled_event(ctx: DrillContext, role: Role) -> dict[str, Any]:
    """An EventBridge "Scheduled Event" from the deployed rule with ``role`` (its Region and
    ARN; the standby Region and a placeholder ARN when none was applied)."""
    rules = [a for a in ctx.need_deployment().by_role(role)
             if a.type == "aws:cloudwatch/eventRule:EventRule"]
    region = rules[0].region if rules else ctx.settings.standby_region
    arn = rules[0].arn if rules else f"arn:aws:events:{region}:{ACCOUNT_ID}:rule/drill"
    # Sent on the drill's clock, which the handler runs on (a tick from the wall clock would
    # be stale once the drill has skipped time).
    return events.scheduled_event(region=region, rule_arn=arn, time=ctx.clock.utc())


def alarm_event(ctx: DrillContext) -> dict[str, Any]:
    """The "CloudWatch Alarm State Change" event of the health-check alarm going to ALARM."""
    health = ctx.need_deployment().one(Role.HEALTH_ALARM)
    return events.alarm_state_change(alarm_name=health.physical_name, alarm_arn=health.arn,
                                      region=health.region, reason="drill: endpoint down",
                                      time=ctx.clock.utc())


def manual_event(reason: str, *, force: bool = False) -> dict[str, Any]:
    """An operator's failover invocation (``{"action": "failover", "reason", "force"}``)."""
    return {"action": "failover", "reason": reason, "force": force}


def record_invocation(ctx: DrillContext, inv: Invocation) -> None:
    """Add ``inv`` to the result's invocations (with its offset from the drill's start)."""
    ctx.result.invocations.append({
        "function": inv.function, "trigger": inv.trigger, "request_id": inv.request_id,
        "seconds": round(inv.seconds, 4), "status": (inv.result or {}).get("status")
        if isinstance(inv.result, dict) else None, "error": inv.error, "crashed": inv.crashed,
        "offset_seconds": round(time.perf_counter() - ctx.t0, 4)})


def invocation_status(inv: Invocation) -> str:
    """The handler's reported ``status``, or ``error`` when it returned none."""
    return str(inv.result.get("status", "error")) if isinstance(inv.result, dict) else "error"


def brief(result: Any) -> dict[str, Any]:
    """The fields of a failover handler result worth a report line."""
    if not isinstance(result, dict):
        return {"result": str(result)}
    return {k: result[k] for k in ("status", "armed", "consecutive_failures", "gate",
                                   "failover_id", "current_step") if k in result}
