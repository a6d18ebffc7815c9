"""Step 1: verify from the standby Region that the primary really failed.

Evidence: this function's own probe of PRIMARY_HEALTH_URL (from the standby Region), and the
state of the us-east-1 health-check alarm HEALTH_ALARM_NAME where it can be read. The alarm
is read with a fast-fail client; an unreachable primary-Region API counts as evidence of
failure, not a crash: the Route 53 control plane and us-east-1 APIs can be impaired while
DNS answers (in December 2021 the Route 53 APIs were impaired for hours while DNS queries were
answered: "Summary of the AWS Service Event in the Northern Virginia (US-EAST-1) Region",
https://aws.amazon.com/message/12721/).

Decision: the primary answering healthy -> false positive. The alarm explicitly ``OK`` (the
global Route 53 checkers see the primary healthy) -> false positive, since only this Region's
path to it is broken. Otherwise the failure is confirmed. ``force`` overrides a false
positive (recorded as such).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from handlers.failover.context import StepContext, StepResult
from handlers.shared.probe import probe


def read_alarm_state(cloudwatch: Any, alarm_name: str) -> str:
    """``OK`` / ``ALARM`` / ``INSUFFICIENT_DATA``, ``missing``, or ``unreachable: <error>``."""
    try:
        out = cloudwatch.describe_alarms(AlarmNames=[alarm_name], AlarmTypes=["MetricAlarm"])
    except (BotoCoreError, ClientError) as e:
        return f"unreachable: {type(e).__name__}: {e}"
    alarms = out.get("MetricAlarms", [])
    return alarms[0]["StateValue"] if alarms else "missing"


def run(ctx: StepContext) -> StepResult:
    s = ctx.settings
    result = probe(s.primary_health_url, s.probe_timeout_seconds)
    alarm = read_alarm_state(ctx.primary("cloudwatch"), s.health_alarm_name)
    detail: dict[str, Any] = {"primary_probe": result.as_dict(), "health_alarm": alarm}
    if result.healthy:
        why = "primary answered healthy from the standby Region"
    elif alarm == "OK":
        why = "health-check alarm is OK: Route 53 checkers see the primary healthy"
    else:
        detail["verdict"] = "primary failure confirmed"
        return StepResult("ok", detail)
    detail["verdict"] = f"false positive: {why}"
    if ctx.force:
        detail["forced"] = True
        return StepResult("ok", detail)
    return StepResult("aborted", detail, status="false-positive")
