"""Strategy ``dms``: AWS DMS change data capture into a standalone standby instance; the
task is stopped at failover so the target takes writes alone.

* Readiness: DMS_TASK_ARN is ``running`` and its newest ``AWS/DMS CDCLatencyTarget``
  (seconds) is at most RPO_SECONDS; after a completed failback (the state table's failback
  record), the task's source endpoint reads the new primary the failback recorded (its
  managed secret or its address): a task still reading the old primary loaded the standby
  with its stale data. A task stopped by this failover's own promote step is
  ready (a resumed failover). DMS publishes CDCLatencySource and CDCLatencyTarget, in
  seconds, per task (AWS DMS User Guide, "Monitoring AWS DMS tasks", replication task
  metrics, https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Monitoring.html).
* Promotion: wait (bounded by PROMOTION_SECONDS) for CDCLatencyTarget to drain to
  :data:`DRAINED_SECONDS`, then ``StopReplicationTask`` (a one-time request), then wait
  until the target instance is available.
* Writable: :func:`handlers.failover.strategies.instance.check_writable`.
* Reverse replication for failback: :mod:`handlers.failover.failback.reverse.dms`.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from contract.phases import DMS_SOURCE_SECRET_KEY, PRIMARY_INSTANCE_KEY
from handlers.failover import clock, database
from handlers.failover.context import StepContext, StepFailed, StepResult
from handlers.failover.dms_endpoints import describe, endpoint, names_new_primary, reads
from handlers.failover.once import OneTime
from handlers.failover.strategies import Check, instance
from handlers.failover.strategies.polling import POLL_SECONDS, Poll, lookback, out_of_time, refused

#: The failover record's one-time request key of the task stop.
REQUEST = "dms_stop_requested"
#: Failover record notes: when the drain wait began (epoch seconds), when the task stopped.
DRAIN_STARTED_NOTE = "dms_drain_started_epoch"
STOPPED_NOTE = "dms_stopped_at"
#: CDCLatencyTarget, in seconds, at which the DMS target counts as drained.
DRAINED_SECONDS = 5.0
#: Seconds of CDCLatencyTarget datapoints read while draining.
DRAIN_LOOKBACK_SECONDS = 300

check_writable = instance.check_writable


def replication_task(dms: Any, task_arn: str) -> dict[str, Any] | None:
    """The replication task dict, or None."""
    return database.first_found(
        lambda: dms.describe_replication_tasks(
            Filters=[{"Name": "replication-task-arn", "Values": [task_arn]}], WithoutSettings=True),
        "ReplicationTasks", not_found="ResourceNotFoundFault")


def cdc_latency_target(cloudwatch: Any, task: dict[str, Any],
                       lookback_seconds: float) -> tuple[float, str] | None:
    """Newest ``AWS/DMS CDCLatencyTarget`` of ``task``: ``(seconds, iso time)``, or None.

    DMS publishes it with dimensions ReplicationInstanceIdentifier and
    ReplicationTaskIdentifier (the task's resource id, the last part of its ARN; some
    emulators use the task name there): list_metrics finds the full dimension set for
    either form.
    """
    ids = {task["ReplicationTaskArn"].rsplit(":", 1)[-1], task.get("ReplicationTaskIdentifier")}
    best: tuple[float, str] | None = None
    for task_id in sorted(i for i in ids if i):
        listed = cloudwatch.list_metrics(
            Namespace="AWS/DMS", MetricName="CDCLatencyTarget",
            Dimensions=[{"Name": "ReplicationTaskIdentifier", "Value": task_id}])
        for metric in listed.get("Metrics", []):
            point = database.latest_metric(cloudwatch, "AWS/DMS", "CDCLatencyTarget",
                                           metric["Dimensions"], lookback_seconds)
            if point and (best is None or point[1] > best[1]):
                best = point
    return best


def stale_source(ctx: StepContext, task: dict[str, Any], detail: dict[str, Any]) -> str | None:
    """After a completed dms failback: why the forward task's source endpoint does not read
    the new primary the failback recorded (its managed secret or address), else None. Such a
    task full-loaded the standby from the old primary: promoting it loses every order since
    the failback. Reads the state table and DescribeEndpoints, both in the standby Region."""
    back = ctx.store.failback()
    target = back.reverse if back is not None and back.status == "completed" else None
    if target is None or target.kind != "dms-task" or not target.new_primary_arn:
        return None
    ep = endpoint(ctx.standby("dms"), task["SourceEndpointArn"])
    named = reads(ep) if ep is not None else None
    detail["source_endpoint_reads"] = describe(named)
    if names_new_primary(named, target):
        return None
    secret = target.new_primary_secret_arn or "<the new primary's secret>"
    also = ("" if target.new_primary_arn == ctx.settings.primary_db_arn else
            f" and {PRIMARY_INSTANCE_KEY} {target.new_primary_arn}")
    return (f"the DMS task's source endpoint {task['SourceEndpointArn']} reads "
            f"{describe(named)}, not {target.new_primary_arn}, the primary since failback "
            f"{back.failback_id}: the standby was loaded from the old primary; set "
            f"{DMS_SOURCE_SECRET_KEY} {secret}{also}, pulumi up, then fail over")


def check_readiness(ctx: StepContext) -> Check:
    s = ctx.settings
    task = replication_task(ctx.standby("dms"), s.dms_task_arn)
    if task is None:
        return Check([f"DMS task {s.dms_task_arn} not found"])
    check = Check(detail={"task_status": task["Status"]})
    if task["Status"] == "stopped" and ctx.record.notes.get(STOPPED_NOTE):
        check.detail["already_stopped_by_failover"] = True
        return check
    if task["Status"] != "running":
        check.problems.append(f"DMS task is {task['Status']!r}, not 'running'")
    stale = stale_source(ctx, task, check.detail)
    if stale:
        check.problems.append(stale)
    window = lookback(s.rpo_seconds)
    lag = cdc_latency_target(ctx.standby("cloudwatch"), task, window)
    check.lag_within_rpo("CDCLatencyTarget", lag, s.rpo_seconds,
                         keys=("cdc_latency_target_seconds", "cdc_latency_at"),
                         missing=f"no CDCLatencyTarget datapoint for the task in the last {window} s")
    return check


def _drain(ctx: StepContext, task: dict[str, Any], detail: dict[str, Any]) -> bool:
    """Wait (bounded by PROMOTION_SECONDS) for the DMS target to catch up; False when out
    of Lambda time first."""
    drain_started = ctx.record.notes.setdefault(DRAIN_STARTED_NOTE, clock.now())
    deadline = drain_started + ctx.settings.promotion_seconds
    while True:
        lag = cdc_latency_target(ctx.standby("cloudwatch"), task, DRAIN_LOOKBACK_SECONDS)
        detail["cdc_latency_target_seconds"] = lag[0] if lag else None
        if lag is None or lag[0] <= DRAINED_SECONDS:
            return True
        if clock.now() > deadline:
            detail["drain_bound_reached"] = True
            return True
        if out_of_time(ctx):
            ctx.save()
            return False
        ctx.wait(POLL_SECONDS)


def _stop(ctx: StepContext, req: OneTime) -> None:
    """Make the StopReplicationTask request (a one-time request)."""
    arn = ctx.settings.dms_task_arn
    try:
        # InvalidResourceStateFault: the task is no longer running - an earlier stop
        # request landed.
        req.call(ctx.standby("dms").stop_replication_task,
                 landed_codes=frozenset({"InvalidResourceStateFault"}), ReplicationTaskArn=arn)
    except (BotoCoreError, ClientError) as e:
        raise refused(f"StopReplicationTask of {arn}", e) from e


def promote(ctx: StepContext) -> StepResult:
    s = ctx.settings
    dms = ctx.standby("dms")
    req = OneTime(ctx, REQUEST)
    task = replication_task(dms, s.dms_task_arn)
    if task is None:
        raise StepFailed(f"DMS task {s.dms_task_arn} not found")
    poll = Poll(ctx, {"task_status_before": task["Status"]})
    while True:
        status = task["Status"]
        if status == "stopped":
            ctx.record.notes.setdefault(STOPPED_NOTE, clock.iso())
            break
        if status == "running" and req.may_repeat(untouched=True,
                                                  accepted_after_seconds=s.promotion_seconds):
            if req.state is None and not _drain(ctx, task, poll.detail):
                return StepResult("paused", poll.detail)
            _stop(ctx, req)
            poll.detail["stop_requested"] = True
            task = replication_task(dms, s.dms_task_arn) or {"Status": "missing"}
            continue
        elif poll.late(req.epoch):
            raise StepFailed(f"DMS task still {status!r} {s.promotion_seconds} s after the "
                             f"stop request ({req.state})")
        paused = poll.pause_or_wait()
        if paused is not None:
            return paused
        task = replication_task(dms, s.dms_task_arn) or {"Status": "missing"}
    return instance.poll_available(ctx, req.epoch or clock.now(), poll.detail,
                                   must_not_be_replica=False)
