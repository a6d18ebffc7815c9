"""The drill's outside view of the emulated account: alarms (through the alarm-evaluation
bridge), health checks (health-check-status bridge), the Route 53 answer, the gate's raw
datapoints and the standby Region's recovery points."""

from __future__ import annotations

import datetime as dt
from typing import Any

from contract.names import GATE_METRIC, GATE_NAMESPACE, MANAGED_BY_TAG, Role, managed_by_value
from drill.context import DrillContext
from drill.dns import failover_answer
from emulator import ACCOUNT_ID
from emulator.bridges import AlarmEvaluator, HealthCheckEvaluator

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def alarm_evaluator(ctx: DrillContext) -> AlarmEvaluator:
    """The alarm-evaluation bridge, evaluating on the drill's clock."""
    return AlarmEvaluator(ctx.client, ctx.bridges, clock=ctx.clock.utc)


def evaluate_alarms(ctx: DrillContext) -> list[dict[str, Any]]:
    """One pass of the alarm-evaluation bridge over the gate and replication alarms."""
    ev = alarm_evaluator(ctx)
    out = []
    for role in (Role.GATE_ALARM, Role.REPLICATION_ALARM):
        for a in ctx.need_deployment().by_role(role):
            if a.type == ALARM:
                out.append({**ev.evaluate(a.physical_name, a.region), "role": str(role)})
                if role is Role.GATE_ALARM and out[-1]["after"] == "ALARM":
                    ctx.marks.setdefault("traffic_shift", ctx.clock.now())
    return out


def evaluate_gate(ctx: DrillContext) -> dict[str, Any]:
    """One pass of CloudWatch's evaluator over the gate alarm (bridge ``alarm-evaluation``),
    as would happen within a minute of each invocation. The first time the gate alarm is in
    ALARM, Route 53 starts answering the standby: marked ``traffic_shift``."""
    gate = ctx.need_deployment().one(Role.GATE_ALARM)
    ev = alarm_evaluator(ctx)
    newest = _newest_gate_stamp(ctx)
    period = float(gate.inputs.get("period") or 60)
    if newest is not None and (ctx.clock.utc() - newest).total_seconds() > period:
        # CloudWatch evaluates once a period: an invocation longer than the evaluation window
        # (a throttled one, with a 10 s gate) saw its datapoint evaluated while it still ran.
        ev.evaluate(gate.physical_name, gate.region, now=newest + dt.timedelta(seconds=1))
    out = ev.evaluate(gate.physical_name, gate.region)
    if out["after"] == "ALARM":
        ctx.marks.setdefault("traffic_shift", ctx.clock.now())
    return out


def health(ctx: DrillContext) -> HealthCheckEvaluator:
    """The health-check-status bridge over the applied checks, probing the site's endpoints."""
    site, s = ctx.need_site(), ctx.settings.site
    return HealthCheckEvaluator(
        ctx.client, ctx.need_deployment().health_checks(),
        {s.primary_endpoint_fqdn: site.primary.url(""), s.standby_endpoint_fqdn: site.standby.url("")},
        ctx.bridges, last_known=ctx.health_last_known)


def answer(ctx: DrillContext) -> dict[str, Any]:
    """The Route 53 answer for the failover name (see :func:`drill.dns.failover_answer`)."""
    return failover_answer(ctx.client("route53", "us-east-1"), ctx.need_site().hosted_zone_id,
                           ctx.settings.site.failover_fqdn, health(ctx).healthy)


def gate_datapoints_since(ctx: DrillContext, since: dt.datetime) -> list[float]:
    """Raw gate datapoints published after ``since``, in the order published, read from the
    in-process emulator backend (CloudWatch's API aggregates per period, which would hide a
    single 0; moto keeps the datapoints in a list, in the order it received them)."""
    from moto.cloudwatch.models import cloudwatch_backends

    backend = cloudwatch_backends[ACCOUNT_ID][ctx.settings.standby_region]
    return [float(d.value) for d in backend.get_all_metrics()
            if d.namespace == GATE_NAMESPACE and d.name == GATE_METRIC
            and any(dim.name == "Stack" and dim.value == ctx.opts.stack for dim in d.dimensions)
            and _utc(d.timestamp) >= since.replace(microsecond=0)]


def _newest_gate_stamp(ctx: DrillContext) -> dt.datetime | None:
    """When the newest gate datapoint of this stack was stamped (None: none yet)."""
    from moto.cloudwatch.models import cloudwatch_backends

    backend = cloudwatch_backends[ACCOUNT_ID][ctx.settings.standby_region]
    stamps = [_utc(d.timestamp) for d in backend.get_all_metrics()
              if d.namespace == GATE_NAMESPACE and d.name == GATE_METRIC
              and any(dim.name == "Stack" and dim.value == ctx.opts.stack for dim in d.dimensions)]
    return max(stamps, default=None)


def _utc(t: dt.datetime) -> dt.datetime:
    """moto keeps naive UTC timestamps for datapoints published without one."""
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def standby_copies(ctx: DrillContext) -> list[dict[str, Any]]:
    """Manual snapshots (cluster snapshots for aurora-global) in the standby Region tagged as
    managed by an ecommerce-dr stack."""
    rds = ctx.client("rds", ctx.settings.standby_region)
    if ctx.settings.database.is_cluster:   # aurora-global keeps cluster snapshots
        snaps = rds.describe_db_cluster_snapshots(SnapshotType="manual")["DBClusterSnapshots"]
    else:
        snaps = rds.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]
    return [s for s in snaps
            if {t["Key"]: t["Value"] for t in s.get("TagList", [])}
            .get(MANAGED_BY_TAG, "").startswith(managed_by_value(""))]


def route53_calls(ctx: DrillContext, step: str) -> tuple[int, int]:
    """Route 53 calls during ``step``: ``(served, attempted)``.

    ``served``: requests the emulator received, whatever their answer (run, refused with an
    error, or answered ``Throttling`` without running); ``attempted``: calls the handlers'
    clients made, whatever the outcome (ok, an error answer, unreachable). A failed call is
    still a dependency on the Route 53 control plane, which lives in us-east-1 only."""
    ledger = ctx.emulator.ledger
    served = (ledger.count(step=step, service="route53")
              + ledger.count(step=step, service="route53", throttled=True))
    return served, ctx.client_ledger.count(step=step, service="route53")
