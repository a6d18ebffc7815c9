"""Step 1: verify from the standby Region that the primary really failed.

Evidence: this function's own probe of PRIMARY_HEALTH_URL (from the standby Region), and the
state of the health-check alarm HEALTH_ALARM_NAME where it can be read. That alarm is always
in us-east-1 (:data:`rto_rpo.figures.HEALTH_CHECK_METRIC_REGION`), whatever the stack's
Regions: Route 53 publishes ``AWS/Route53 HealthCheckStatus`` only there ("Monitoring health
check status and getting notifications", Amazon Route 53 Developer Guide,
https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-monitor-view-status.html),
and the function's IAM grants ``cloudwatch:DescribeAlarms`` on it in that Region only. Read
in any other Region the alarm is ``missing`` and the false-positive guard below never fires.

The read uses a fast-fail client unless us-east-1 is the standby Region
(:func:`handlers.failover.app.default_clients`); an unreachable us-east-1 API counts as
evidence of failure, not a crash: the Route 53 control plane and us-east-1 APIs can be
impaired while DNS answers (in December 2021 the Route 53 APIs were impaired for hours while
DNS queries were answered: "Summary of the AWS Service Event in the Northern Virginia
(US-EAST-1) Region", https://aws.amazon.com/message/12721/).

Decision: the primary answering healthy -> false positive. The alarm explicitly ``OK`` (the
global Route 53 checkers see the primary healthy) -> false positive, since only this Region's
path to it is broken. Otherwise the failure is confirmed. ``force`` overrides a false
positive (recorded as such). Detail: ``primary_probe``, ``health_alarm`` (state, ``missing``
or ``unreachable: <error>``), ``health_alarm_region``, ``verdict`` and, when forced, ``forced``.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from handlers.failover.context import StepContext, StepResult
from handlers.shared.probe import probe
from rto_rpo.figures import HEALTH_CHECK_METRIC_REGION


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
    alarm = read_alarm_state(ctx.clients("cloudwatch", HEALTH_CHECK_METRIC_REGION),
                             s.health_alarm_name)
    detail: dict[str, Any] = {"primary_probe": result.as_dict(), "health_alarm": alarm,
                              "health_alarm_region": HEALTH_CHECK_METRIC_REGION}
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
