"""Step 4, verify from outside the handler: the gate is left tripped (its latest raw datapoint
is 1) and its alarm in ALARM, the failover name resolves to the standby, the standby database
is standalone and the strategy's promotion request was made exactly once, alerts arrived, and
the failover path made no Route 53 API call (attempted or served, failed or not)."""

from __future__ import annotations

from typing import Any

from contract.names import Role
from drill.aurora import standby_cluster_check
from drill.context import DrillContext
from drill.observe import answer, evaluate_alarms, gate_datapoints_since, route53_calls
from drill.result import StepRecord
from drill.step import Step
from drill.text import answer_text, listing, pairs


def _gate(ctx: DrillContext) -> None:
    """The gate's raw datapoints, then the gate alarm as the alarm-evaluation bridge left it.

    The datapoints are read raw, in the order published: CloudWatch's per-period statistics
    (and so the alarm, within the drill's compressed minutes) would hide a 0 published after
    the 1, and a gate left at 0 lets the alarm return to OK one period later, sending traffic
    back to the failed primary. A stale 0 followed by a 1 (a watchdog tick racing the trip,
    see ``handlers.failover.gate.republish``) is allowed; a latest value of 0 is not."""
    standby = ctx.settings.standby_region
    cw = ctx.client("cloudwatch", standby)
    published = gate_datapoints_since(ctx, ctx.result.started_at)
    ctx.check("gate left tripped (raw FailoverGateEngaged datapoints in the standby Region, "
              "in the order published: the latest is 1)",
              bool(published) and published[-1] >= 1,
              "published " + listing(f"{v:g}" for v in published))
    evaluate_alarms(ctx)
    gate = ctx.need_deployment().one(Role.GATE_ALARM)
    state = cw.describe_alarms(AlarmNames=[gate.physical_name])["MetricAlarms"][0]["StateValue"]
    ctx.check("gate alarm in ALARM (after the alarm-evaluation bridge)", state == "ALARM",
              f"{standby}/{gate.physical_name}: {state}")


def _standby_instance(ctx: DrillContext) -> dict[str, Any]:
    ident = ctx.settings.database.standby_id
    found = ctx.client("rds", ctx.settings.standby_region).describe_db_instances(
        Filters=[{"Name": "db-instance-id", "Values": [ident]}])["DBInstances"]
    db = found[0] if found else None
    detail: dict[str, Any] = {"identifier": ident, "exists": db is not None}
    if db:
        detail.update(status=db["DBInstanceStatus"],
                      replica_source=db.get("ReadReplicaSourceDBInstanceIdentifier"))
    ctx.check("standby database exists, available and no longer a replica",
              bool(db) and db["DBInstanceStatus"] == "available"
              and not db.get("ReadReplicaSourceDBInstanceIdentifier"), pairs(detail))
    return detail


def _database(ctx: DrillContext) -> dict[str, Any]:
    """The standby instance is available and standalone; the strategy's promotion request
    (``StrategySpec.promotion_request``) was served exactly once."""
    is_cluster = ctx.settings.database.is_cluster
    detail = standby_cluster_check(ctx) if is_cluster else _standby_instance(ctx)
    ledger = ctx.emulator.ledger
    detail.update(promote_calls=ledger.count(service="rds", operation="PromoteReadReplica"),
                  restore_calls=ledger.count(service="rds",
                                             operation="RestoreDBInstanceFromDBSnapshot"),
                  dms_stop_calls=ledger.count(service="dms", operation="StopReplicationTask"))
    request = ctx.spec.promotion_request
    service, operation = request.split(":", 1)
    n = detail["promotion_requests"] = ledger.count(service=service, operation=operation)
    ctx.check(f"exactly one promotion request ({request})", n == 1, f"{n} {operation}")
    return detail


def _alerts(ctx: DrillContext) -> dict[str, int]:
    out: dict[str, int] = {}
    for region, url in ctx.alert_queues.items():
        msgs = ctx.client("sqs", region).receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        out[region] = len(msgs)
    ctx.check("alerts published (read from SQS subscriptions of the alert topics)",
              sum(out.values()) > 0,
              ", ".join(f"{n} message(s) in {region}" for region, n in out.items()) or "none")
    return out


def run(ctx: DrillContext, rec: StepRecord) -> None:
    """The outside checks after the failover."""
    ctx.faults.down_regions = frozenset()
    _gate(ctx)
    dns = rec.detail["dns_answer"] = answer(ctx)
    standby_fqdn = ctx.settings.site.standby_endpoint_fqdn
    ctx.check("the failover name resolves to the standby (Route 53 rules, from records "
              "and health-check states)",
              dns["answer"] == "SECONDARY" and any(v.rstrip(".") == standby_fqdn for v in dns["values"]),
              answer_text(dns))
    rec.detail["database"] = _database(ctx)
    rec.detail["alerts"] = _alerts(ctx)
    no_route53(ctx)


def no_route53(ctx: DrillContext) -> bool:
    """Check that the failover step made no Route 53 call (:func:`drill.observe.route53_calls`:
    throttled, refused and unreachable calls count); returns whether it passed."""
    served, attempted = route53_calls(ctx, "failover")
    return ctx.check("no Route 53 API call on the failover path", served == 0 and attempted == 0,
                     f"{served} served by the emulator, {attempted} attempted by handler clients")


STEP = Step("verify", "Verify from outside the handler", run,
            applies=lambda ctx: not ctx.refused_as_expected)
