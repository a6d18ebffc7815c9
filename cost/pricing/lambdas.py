"""Lambda functions: requests, duration (GB-seconds), X-Ray traces, and the custom metrics
and PutMetricData requests the orchestrators publish.

Prices: AWS Lambda pricing (https://aws.amazon.com/lambda/pricing/): $0.20 per million
requests; $0.0000166667 per GB-second on x86_64, $0.0000133334 on arm64 (first tier).
Amazon CloudWatch pricing (https://aws.amazon.com/cloudwatch/pricing/): $0.30 per custom
metric-month, $0.01 per 1,000 API requests. X-Ray: an estimate (see the table).
Lambda's account-wide free tier is not deducted.

Invocations come from the plan's schedules (:func:`cost.workload.function_invocations`);
the duration per run is usage (``usage.lambda.*_run_seconds``); memory and architecture
come from the function's ``memorySize`` (default 128 MB) and ``architectures``.
"""

from __future__ import annotations

import math
from typing import Any

from contract.names import Role
from cost.context import Context, Unpriceable
from cost.metrics import CustomMetric, backup_metrics, failover_metrics, put_calls_per_run
from cost.plan import known, role
from cost.registry import Priced, prices
from cost.result import Charge
from cost.usage import HOURS_PER_MONTH
from cost.workload import Invocations, backup_facts, function_invocations, schedule_runs


def _arch(r: Any) -> str:
    archs = known(r, "architectures") or ["x86_64"]
    arch = archs[0] if isinstance(archs, list) and archs else "x86_64"
    if arch not in ("x86_64", "arm64"):
        raise Unpriceable(f"architecture {arch!r} not priced")
    return arch


@prices("aws:lambda/function:Function")
def function(r: Any, ctx: Context) -> Priced:
    """USD/month of a function: requests, GB-seconds (runs x seconds x memory / 1024),
    X-Ray traces when tracing is Active, and for the orchestrators their custom metrics and
    PutMetricData requests."""
    invs = function_invocations(ctx, r)
    memory_mb = float(known(r, "memorySize", 128))
    arch = _arch(r)
    requests = math.fsum(i.per_month for i in invs)
    req_from = "plan" if all(i.quantity_from == "plan" for i in invs) else "usage"
    how = " + ".join(f"{i.per_month:,.0f} {i.label}" for i in invs)
    charges: list[Charge] = [ctx.charge("requests", "lambda/requests", r.region, requests,
                                        source=req_from, note=how)]
    gbs = math.fsum(i.per_month * i.seconds * memory_mb / 1024 for i in invs)
    charges.append(ctx.charge(f"duration, {memory_mb:g} MB {arch}", f"lambda/duration/{arch}",
                              r.region, gbs, source="usage", note=_gbs_note(invs, memory_mb)))
    tracing = known(r, "tracingConfig") or {}
    if isinstance(tracing, dict) and tracing.get("mode") == "Active":
        charges.append(ctx.charge("X-Ray traces (tracing Active)", "xray/traces-recorded",
                                  r.region, requests, source=req_from, note="one trace per request"))
    charges += _orchestrator_metrics(r, ctx)
    return Priced(charges)


def _gbs_note(invs: list[Invocations], memory_mb: float) -> str:
    parts = [f"{i.per_month:,.0f} x {i.seconds:g} s ({i.usage_key})" for i in invs]
    return f"({' + '.join(parts)}) x {memory_mb:g}/1024 GB"


def _metrics_of(r: Any, ctx: Context) -> tuple[list[CustomMetric], float, float]:
    """(metrics, runs a month, minutes between runs) of an orchestrator, else ([], 0, 0)."""
    if role(r) == Role.FAILOVER_ORCHESTRATOR:
        runs = schedule_runs(ctx, Role.WATCHDOG_SCHEDULE) or 0.0
        return failover_metrics(), runs, (HOURS_PER_MONTH * 60 / runs if runs else 0.0)
    if role(r) == Role.BACKUP_ORCHESTRATOR:
        facts = backup_facts(ctx)
        if facts is None:
            return [], 0.0, 0.0
        return (backup_metrics(facts.spec, len(facts.databases)), facts.runs_per_month,
                float(facts.cadence_minutes))
    return [], 0.0, 0.0


def _orchestrator_metrics(r: Any, ctx: Context) -> list[Charge]:
    metrics, runs, interval = _metrics_of(r, ctx)
    if not metrics or not runs:
        return []
    every = [m for m in metrics if m.cadence == "every-run"]
    events = [m for m in metrics if m.cadence == "on-event"]
    # Billed only in hours a metric is sent: a run less often than hourly leaves hours unbilled.
    fraction = min(1.0, 60.0 / interval)
    hours = ctx.usage.failover.event_metric_hours_per_month
    out = [ctx.charge(f"{len(every)} custom metrics sent every run", "cloudwatch/custom-metric",
                      r.region, len(every) * fraction, source="plan",
                      note=f"{len(every)} x {fraction:g} of the month: "
                           + ", ".join(m.label for m in every))]
    if events:
        out.append(ctx.charge(f"{len(events)} event-driven custom metrics", "cloudwatch/custom-metric",
                              r.region, len(events) * hours / HOURS_PER_MONTH, source="usage",
                              note=f"{len(events)} x {hours:g} h / {HOURS_PER_MONTH:g} h "
                                   "(usage.failover.event_metric_hours_per_month): "
                                   + ", ".join(m.label for m in events)))
    calls = put_calls_per_run(metrics) * runs
    out.append(ctx.charge("PutMetricData requests", "cloudwatch/api-requests", r.region, calls,
                          source="plan", note=f"{put_calls_per_run(metrics)} per run x {runs:,.0f} runs"))
    return out
