"""CloudWatch: metric alarms, dashboards and log groups.

Prices (Amazon CloudWatch pricing, https://aws.amazon.com/cloudwatch/pricing/): an alarm
$0.10 per alarm metric-month at standard resolution (period >= 60 s), $0.30 at high
resolution (period < 60 s) - figures read through Infracost's price data, so estimates;
a dashboard $3.00/month, the first 3 of an account free; Logs ingestion and storage are
estimates (see the table).

Free tier: the 3 free dashboards are account-wide, so they are deducted only as far as
``usage.free_tier.cloudwatch_dashboards`` says (default 0: the account's other dashboards
are taken to use them). The 10 free alarms are never deducted.
"""

from __future__ import annotations

from typing import Any

from cost.context import Context, Unpriceable
from cost.plan import known
from cost.registry import Priced, prices
from cost.result import Charge
from cost.usage import DAYS_PER_MONTH
from cost.workload import function_invocations

_FREE_DASHBOARDS = "cloudwatch/free-dashboards"


def _alarm_periods(r: Any) -> list[Any]:
    """The period of each metric the alarm evaluates (metric-math alarms: each query with a
    ``metric``; expressions are not metrics)."""
    queries = known(r, "metricQueries") or []
    if queries:
        return [(q.get("metric") or {}).get("period") for q in queries if q.get("metric")]
    return [known(r, "period")]


@prices("aws:cloudwatch/metricAlarm:MetricAlarm")
def metric_alarm(r: Any, ctx: Context) -> Priced:
    """USD/month of an alarm: one alarm metric-month per metric it evaluates, high
    resolution when any period is under 60 s."""
    if known(r, "thresholdMetricId"):
        raise Unpriceable("anomaly-detection alarms are not priced")
    periods = _alarm_periods(r)
    if not periods or any(not isinstance(p, int | float) for p in periods):
        raise Unpriceable("alarm period unknown")
    high = min(periods) < 60
    key = "cloudwatch/alarm-high-resolution" if high else "cloudwatch/alarm-standard"
    res = "high resolution" if high else "standard resolution"
    return Priced([ctx.charge(f"{len(periods)} alarm metric(s), {res}", key, r.region,
                              len(periods), source="plan",
                              note=f"period {min(periods):g} s")])


@prices("aws:cloudwatch/dashboard:Dashboard")
def dashboard(r: Any, ctx: Context) -> Priced:
    """USD/month of a dashboard, less any free dashboard ``usage.free_tier`` grants."""
    free = ctx.take_free(_FREE_DASHBOARDS, 1)
    note = (f"{free:g} of the account's 3 free dashboards used (usage.free_tier.cloudwatch_dashboards)"
            if free else "the account's 3 free dashboards taken as used elsewhere "
                         "(usage.free_tier.cloudwatch_dashboards = 0)")
    return Priced([ctx.charge("dashboard", "cloudwatch/dashboard", r.region, 1 - free,
                              source="plan", note=note)])


def _writer(ctx: Context, group_name: str) -> Any:
    """The planned Lambda function writing to ``/aws/lambda/<name>``, or None."""
    for fn in ctx.plan.of_type("aws:lambda/function:Function"):
        if group_name == f"/aws/lambda/{known(fn, 'name', fn.name)}":
            return fn
    return None


@prices("aws:cloudwatch/logGroup:LogGroup")
def log_group(r: Any, ctx: Context) -> Priced:
    """USD/month of a Lambda function's log group: ingestion (runs x
    ``usage.lambda.log_kib_per_run``) and storage held under ``retentionInDays`` (a month's
    ingestion x retention / 30.4 days; uncompressed size, so an upper bound; without
    retention, a year's worth)."""
    name = known(r, "name")
    fn = _writer(ctx, name) if isinstance(name, str) else None
    if fn is None:
        raise Unpriceable("no planned function writes to this log group: its volume is unknown")
    runs = sum(i.per_month for i in function_invocations(ctx, fn))
    gb = runs * ctx.usage.lambda_.log_kib_per_run / 1024**2
    days = known(r, "retentionInDays")
    held_days = float(days) if isinstance(days, int | float) and days > 0 else 365.0
    charges: list[Charge] = [
        ctx.charge("log ingestion", "cloudwatch/logs-ingestion", r.region, gb, source="usage",
                   note=f"{runs:,.0f} runs x {ctx.usage.lambda_.log_kib_per_run:g} KiB "
                        "(usage.lambda.log_kib_per_run)"),
        ctx.charge("log storage", "cloudwatch/logs-storage", r.region,
                   gb * held_days / DAYS_PER_MONTH, source="usage",
                   note=f"{gb:.4f} GB a month held {held_days:g} days"
                        + ("" if days else " (no retention set: a year's worth)"))]
    return Priced(charges)
