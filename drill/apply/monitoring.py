"""Apply functions for CloudWatch metric alarms, dashboards and log groups."""

from __future__ import annotations

from typing import Any

from drill.apply.common import Applied, ApplyContext, ApplyFn, Skip, applied
from drill.apply.inputs import aws_tags, is_unknown, known, name_of
from engine.plan import PlannedResource

_ACTIONS = (("alarmActions", "AlarmActions"), ("okActions", "OKActions"),
            ("insufficientDataActions", "InsufficientDataActions"))


def _alarm_arguments(name: str, i: dict[str, Any]) -> dict[str, Any]:
    """``PutMetricAlarm`` arguments from the planned inputs (unknown actions left out)."""
    kw: dict[str, Any] = {
        "AlarmName": name, "Namespace": i["namespace"], "MetricName": i["metricName"],
        "Dimensions": [{"Name": k, "Value": str(v)}
                       for k, v in (known(i, "dimensions", {}) or {}).items()],
        "Period": int(i.get("period", 60)), "EvaluationPeriods": int(i["evaluationPeriods"]),
        "Threshold": float(i.get("threshold", 0)), "ComparisonOperator": i["comparisonOperator"],
        "TreatMissingData": known(i, "treatMissingData", "missing"),
        "ActionsEnabled": bool(known(i, "actionsEnabled", True)), "Tags": aws_tags(i),
    }
    if known(i, "extendedStatistic"):
        kw["ExtendedStatistic"] = i["extendedStatistic"]
    else:
        kw["Statistic"] = known(i, "statistic", "Maximum")
    if known(i, "datapointsToAlarm"):
        kw["DatapointsToAlarm"] = int(i["datapointsToAlarm"])
    for prop, key in _ACTIONS:
        acts = [a for a in (i.get(prop) or []) if not is_unknown(a)]
        if acts:
            kw[key] = acts
    if known(i, "alarmDescription"):
        kw["AlarmDescription"] = i["alarmDescription"]
    return kw


def metric_alarm(r: PlannedResource, i: dict[str, Any], region: str, ctx: ApplyContext) -> Applied:
    """PutMetricAlarm (seconds for periods). Raises Skip for metric-math alarms, which the
    drill does not evaluate."""
    if known(i, "metricQueries"):
        raise Skip("metric-math alarms are not evaluated by the drill")
    name = name_of(r, i)
    cw = ctx.client("cloudwatch", region)
    cw.put_metric_alarm(**_alarm_arguments(name, i))
    arn = cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["AlarmArn"]
    return applied(r, i, region, id=name, arn=arn, physical_name=name)


def dashboard(r: PlannedResource, i: dict[str, Any], region: str, ctx: ApplyContext) -> Applied:
    """PutDashboard. Raises Skip when the body is built from unknown outputs."""
    name, body = known(i, "dashboardName"), known(i, "dashboardBody")
    if not name or not body:
        raise Skip("dashboard body built from outputs unknown under mocks")
    ctx.client("cloudwatch", region).put_dashboard(DashboardName=name, DashboardBody=body)
    return applied(r, i, region, id=name, physical_name=name)


def log_group(r: PlannedResource, i: dict[str, Any], region: str, ctx: ApplyContext) -> Applied:
    """CreateLogGroup."""
    name = name_of(r, i)
    ctx.client("logs", region).create_log_group(logGroupName=name)
    return applied(r, i, region, id=name, physical_name=name)


APPLIERS: dict[str, ApplyFn] = {
    "aws:cloudwatch/metricAlarm:MetricAlarm": metric_alarm,
    "aws:cloudwatch/dashboard:Dashboard": dashboard,
    "aws:cloudwatch/logGroup:LogGroup": log_group,
}
