"""Reverse replication of the ``dms`` strategy: a CDC task from the standby database (the
forward task's target endpoint, now the source) back to the primary's (the forward task's
source endpoint, now the target), in either Region.

* The task: REVERSE_REPLICA_IDENTIFIER (its ARN or ReplicationTaskIdentifier) or, when that
  is empty, any task other than DMS_TASK_ARN whose source is the forward task's target.
* Ready: it is ``running``, writes to the primary's endpoint, and its newest ``AWS/DMS
  CDCLatencyTarget`` (seconds, in the Region of the task) is at most
  :data:`START_MAX_LAG_SECONDS`. DMS publishes CDCLatencySource and CDCLatencyTarget per task
  (AWS DMS User Guide, "Monitoring AWS DMS tasks",
  https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Monitoring.html).
* Drained: CDCLatencyTarget 0 in a period that began after writes were paused.
  When PRIMARY_DB_ARN's instance is found in the primary Region it must be ``available``.
* Promotion: ``StopReplicationTask`` of the reverse task (a one-time request; a repeat on a
  task that no longer runs fails with InvalidResourceStateFault, read as "the earlier stop
  landed"), then wait until it is ``stopped``: the primary database then takes writes alone.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from handlers.failover import clock, database
from handlers.failover.context import StepFailed
from handlers.failover.failback.context import FailbackContext, FailbackStepResult
from handlers.failover.failback.metrics import newest_since
from handlers.failover.failback.reverse import LagReading, ReverseCheck
from handlers.failover.once import OneTime
from handlers.failover.records import ReverseTarget
from handlers.failover.settings import FailoverSettings
from handlers.failover.strategies.dms import cdc_latency_target, replication_task
from handlers.failover.strategies.polling import MIN_LOOKBACK_SECONDS, POLL_SECONDS, refused
from handlers.shared.aws import ClientFactory

REQUEST = "reverse_cdc_stop_requested"
NEW_STANDBY = True
FRESH_READINGS = True
#: CDCLatencyTarget, seconds, over which a failback is refused (writes stay paused while the
#: task catches up).
START_MAX_LAG_SECONDS = 60.0
#: CDCLatencyTarget, seconds, at or under which the reverse task counts as drained.
DRAINED_LAG_SECONDS = 0.0


def find(settings: FailoverSettings,
         clients: ClientFactory) -> tuple[dict[str, Any] | None, str | None, dict[str, Any]]:
    """``(reverse task, its Region, forward task)``; the task is None when there is none (a
    running one preferred).

    Raises:
        StepFailed: the forward task DMS_TASK_ARN does not exist.
    """
    forward = replication_task(clients("dms", settings.standby_region), settings.dms_task_arn)
    if forward is None:
        raise StepFailed(f"DMS task {settings.dms_task_arn} not found")
    standby_endpoint = forward["TargetEndpointArn"]
    wanted = settings.reverse_replica_identifier
    found: list[tuple[dict[str, Any], str]] = []
    for region in (settings.standby_region, settings.primary_region):
        tasks = clients("dms", region).describe_replication_tasks(
            Filters=[{"Name": "endpoint-arn", "Values": [standby_endpoint]}],
            WithoutSettings=True)
        for task in tasks.get("ReplicationTasks", []):
            ident = (task["ReplicationTaskArn"], task.get("ReplicationTaskIdentifier"))
            if (task["ReplicationTaskArn"] != settings.dms_task_arn
                    and task["SourceEndpointArn"] == standby_endpoint
                    and (not wanted or wanted in ident)):
                found.append((task, region))
    if not found:
        return None, None, forward
    task, region = max(found, key=lambda f: f[0]["Status"] == "running")
    return task, region, forward


def _lag_problem(ctx: FailbackContext, task: dict[str, Any], region: str,
                 detail: dict[str, Any]) -> str | None:
    lag = cdc_latency_target(ctx.clients("cloudwatch", region), task, MIN_LOOKBACK_SECONDS)
    name = task.get("ReplicationTaskIdentifier", task["ReplicationTaskArn"])
    if lag is None:
        return (f"no CDCLatencyTarget datapoint for reverse task {name} in {region} in the "
                f"last {MIN_LOOKBACK_SECONDS} s: the reverse replication is not known to run")
    detail["cdc_latency_target_seconds"], detail["cdc_latency_at"] = lag
    if lag[0] > START_MAX_LAG_SECONDS:
        return (f"CDCLatencyTarget of reverse task {name} is {lag[0]:.0f} s, over "
                f"{START_MAX_LAG_SECONDS:g} s: writes would stay paused while it catches up")
    return None


def _primary_problem(ctx: FailbackContext, detail: dict[str, Any]) -> str | None:
    """The primary instance, when it is an RDS instance of this account, must be available."""
    s = ctx.settings
    primary = database.describe_instance(ctx.primary("rds"), s.primary_db_identifier)
    detail["primary_status"] = primary["DBInstanceStatus"] if primary else "not found"
    if primary is not None and primary["DBInstanceStatus"] != "available":
        return (f"the primary instance {s.primary_db_identifier} is "
                f"{primary['DBInstanceStatus']!r}, not 'available'")
    return None


def check(ctx: FailbackContext) -> ReverseCheck:
    s = ctx.settings
    try:
        task, region, forward = find(s, ctx.clients)
    except StepFailed as e:
        return ReverseCheck(refusal=str(e))
    if task is None or region is None:
        return ReverseCheck(refusal=(
            "no running DMS task reads from the standby (endpoint "
            f"{forward['TargetEndpointArn']}): replication has not been re-established in "
            "reverse"))
    name = task.get("ReplicationTaskIdentifier", task["ReplicationTaskArn"])
    out = ReverseCheck(detail={"task": task["ReplicationTaskArn"], "region": region,
                               "task_status": task["Status"]})
    if task["Status"] != "running":
        out.refusal = f"reverse DMS task {name} is {task['Status']!r}, not 'running'"
    elif task["TargetEndpointArn"] != forward["SourceEndpointArn"]:
        out.refusal = (f"reverse DMS task {name} writes to {task['TargetEndpointArn']}, not to "
                       f"the primary's endpoint {forward['SourceEndpointArn']}")
    else:
        out.refusal = _primary_problem(ctx, out.detail) or _lag_problem(ctx, task, region,
                                                                          out.detail)
    if out.refusal is None:
        out.target = ReverseTarget(kind="dms-task", identifier=task["ReplicationTaskArn"],
                                   arn=task["ReplicationTaskArn"], region=region,
                                   source=task["SourceEndpointArn"],
                                   declared=bool(s.reverse_replica_identifier),
                                   new_primary_arn=s.primary_db_arn)
    return out


def lag(ctx: FailbackContext, since_epoch: float) -> LagReading:
    target = ctx.reverse
    cloudwatch = ctx.clients("cloudwatch", target.region)
    task_id = target.identifier.rsplit(":", 1)[-1]
    best: tuple[float, str] | None = None
    listed = cloudwatch.list_metrics(
        Namespace="AWS/DMS", MetricName="CDCLatencyTarget",
        Dimensions=[{"Name": "ReplicationTaskIdentifier", "Value": task_id}])
    for metric in listed.get("Metrics", []):
        point = newest_since(cloudwatch, "AWS/DMS", "CDCLatencyTarget", metric["Dimensions"],
                             since_epoch)
        if point and (best is None or point[1] > best[1]):
            best = point
    return LagReading(best[0] if best else None, best[1] if best else None,
                      "CDCLatencyTarget", DRAINED_LAG_SECONDS)


def _stop(req: OneTime, dms: Any, arn: str) -> None:
    try:
        req.call(dms.stop_replication_task, landed_codes=frozenset({"InvalidResourceStateFault"}),
                 ReplicationTaskArn=arn)
    except (BotoCoreError, ClientError) as e:
        raise refused(f"StopReplicationTask of {arn}", e) from e


def promote(ctx: FailbackContext) -> FailbackStepResult:
    s, target = ctx.settings, ctx.reverse
    dms = ctx.clients("dms", target.region)
    req = OneTime(ctx, REQUEST)
    detail: dict[str, Any] = {"task": target.identifier, "region": target.region}
    started, polls = clock.now(), 0
    while True:
        task = replication_task(dms, target.identifier)
        polls += 1
        status = task["Status"] if task else "missing"
        detail.update(task_status=status, polls=polls, stop_attempts=req.attempts)
        if status == "stopped":
            return FailbackStepResult("ok", detail)
        if status == "running" and req.may_repeat(untouched=True,
                                                    accepted_after_seconds=s.promotion_seconds):
            _stop(req, dms, target.identifier)
            continue
        if clock.now() > (req.epoch or started) + s.promotion_seconds:
            raise StepFailed(f"reverse DMS task still {status!r} {s.promotion_seconds} s "
                             f"after the stop request ({req.state})")
        if ctx.out_of_time():
            return FailbackStepResult("paused", detail)
        ctx.wait(POLL_SECONDS)


def observe(settings: FailoverSettings, clients: ClientFactory) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    try:
        database.describe_instance(clients("rds", settings.primary_region),
                                   settings.primary_db_identifier)
        facts["primary_api"] = "reachable"
    except (BotoCoreError, ClientError) as e:
        facts["primary_api"] = f"unreachable: {type(e).__name__}: {e}"
    try:
        forward = replication_task(clients("dms", settings.standby_region), settings.dms_task_arn)
        facts["standby_role"] = ("missing" if forward is None else
                                 "replica" if forward["Status"] == "running" else "writer")
    except (BotoCoreError, ClientError) as e:
        facts["standby_role"] = f"unknown: {type(e).__name__}: {e}"
    facts["reverse"] = "unknown"
    if facts["primary_api"] == "reachable":
        try:
            task, region, _ = find(settings, clients)
            facts["reverse"] = task and {"identifier": task["ReplicationTaskArn"],
                                         "status": task["Status"], "region": region}
        except (BotoCoreError, ClientError, StepFailed) as e:
            facts["reverse"] = f"unknown: {type(e).__name__}: {e}"
    return facts
