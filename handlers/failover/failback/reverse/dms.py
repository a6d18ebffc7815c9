"""Reverse replication of the ``dms`` strategy: the reverse CDC task the program declares in
phase ``reverse-replicating`` (:mod:`components.standby.dms_reverse`), from the promoted
standby into a FRESH instance in the primary Region, which the failback makes the primary.
The old primary is never written to: it may hold the orders an unplanned failover lost.

* The task: REVERSE_REPLICA_IDENTIFIER (its ARN, as the program renders it, or its
  ReplicationTaskIdentifier) in the standby Region. Empty: refused, as for the instance
  strategies (only the declared task is one the failover role may stop).
* Ready: the forward task DMS_TASK_ARN no longer runs (the standby writes); the reverse task
  is ``running``; its source endpoint reads the promoted standby (the database of the forward
  task's target endpoint, or the standby instance itself); its target endpoint is a target
  endpoint writing into an RDS instance in the primary Region, ``available``, a writer, and
  not the old primary (PRIMARY_DB_ARN). An endpoint names its database by its Secrets
  Manager secret (``<Engine>Settings.SecretsManagerSecretId``: matched against an instance's
  managed master secret) or by its server (``ServerName``: matched against the instance's
  address). Its newest ``AWS/DMS CDCLatencyTarget`` (seconds, standby Region) is at most
  :data:`START_MAX_LAG_SECONDS`. DMS publishes CDCLatencySource and CDCLatencyTarget per
  task (AWS DMS User Guide, "Monitoring AWS DMS tasks",
  https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Monitoring.html).
* Drained: CDCLatencyTarget 0 in a period that began after writes were paused.
* Promotion: ``StopReplicationTask`` of the reverse task (a one-time request; a repeat on a
  task that no longer runs fails with InvalidResourceStateFault, read as "the earlier stop
  landed"), then wait until it is ``stopped``: the fresh instance then takes writes alone.
* The new primary: that instance; its ARN and its managed master secret's ARN (the forward
  pipeline's ``database.dms.sourceSecretArn`` from then on) are recorded for the phase hint.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from contract.identifiers import same_db
from handlers.failover import database
from handlers.failover.context import StepFailed
from handlers.failover.dms_endpoints import endpoint, reads
from handlers.failover.failback.context import FailbackContext, FailbackStepResult
from handlers.failover.failback.metrics import newest_since
from handlers.failover.failback.reverse import api_state, await_promotion, request_once
from handlers.failover.failback.reverse.instance import UNDECLARED
from handlers.failover.failback.reverse.readings import LagReading, PromotionReading, ReverseCheck
from handlers.failover.once import OneTime
from handlers.failover.records import ReverseTarget
from handlers.failover.settings import FailoverSettings
from handlers.failover.strategies.dms import cdc_latency_target, replication_task
from handlers.failover.strategies.polling import MIN_LOOKBACK_SECONDS
from handlers.shared.aws import ClientFactory

REQUEST = "reverse_cdc_stop_requested"
NEW_STANDBY = True
FRESH_READINGS = True
#: CDCLatencyTarget, seconds, over which a failback is refused (writes stay paused while the
#: task catches up).
START_MAX_LAG_SECONDS = 60.0
#: CDCLatencyTarget, seconds, at or under which the reverse task counts as drained.
DRAINED_LAG_SECONDS = 0.0
def declared_task(dms: Any, wanted: str) -> dict[str, Any] | None:
    """The reverse task REVERSE_REPLICA_IDENTIFIER names (ARN or identifier), or None."""
    if wanted.startswith("arn:"):
        return replication_task(dms, wanted)
    return database.first_found(
        lambda: dms.describe_replication_tasks(
            Filters=[{"Name": "replication-task-id", "Values": [wanted]}], WithoutSettings=True),
        "ReplicationTasks", not_found="ResourceNotFoundFault")


def names_instance(ep: dict[str, Any], inst: dict[str, Any]) -> bool:
    """Whether the endpoint names the RDS instance ``inst`` (its managed secret or address)."""
    named = reads(ep)
    if named is None:
        return False
    if named[0] == "secret":
        return named[1] == (inst.get("MasterUserSecret") or {}).get("SecretArn")
    return named[1] == str((inst.get("Endpoint") or {}).get("Address", "")).lower()


def _written_instance(ctx: FailbackContext, ep: dict[str, Any]) -> dict[str, Any] | None:
    """The primary Region's RDS instance the target endpoint ``ep`` names, or None."""
    for page in ctx.primary("rds").get_paginator("describe_db_instances").paginate():
        for inst in page.get("DBInstances", []):
            if names_instance(ep, inst):
                return dict(inst)
    return None


def _source_problem(ctx: FailbackContext, task: dict[str, Any],
                    forward: dict[str, Any], name: str) -> str | None:
    dms = ctx.standby("dms")
    source = endpoint(dms, task["SourceEndpointArn"])
    standby_ep = endpoint(dms, forward["TargetEndpointArn"])
    standby = database.describe_instance(ctx.standby("rds"), ctx.settings.standby_db_identifier)
    if source is not None and str(source.get("EndpointType", "")).lower() == "source" and (
            (standby_ep is not None and reads(source) is not None
             and reads(source) == reads(standby_ep))
            or (standby is not None and names_instance(source, standby))):
        return None
    return (f"reverse DMS task {name} does not read from the promoted standby "
            f"{ctx.settings.standby_db_identifier} (source endpoint {task['SourceEndpointArn']})")


def _target(ctx: FailbackContext, task: dict[str, Any], name: str,
            detail: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """The fresh instance the task writes into, or why the task's target is not one."""
    s = ctx.settings
    ep = endpoint(ctx.standby("dms"), task["TargetEndpointArn"])
    if ep is None or str(ep.get("EndpointType", "")).lower() != "target":
        return None, f"reverse DMS task {name} has no target endpoint ({task['TargetEndpointArn']})"
    inst = _written_instance(ctx, ep)
    if inst is None:
        return None, (f"reverse DMS task {name} writes to {task['TargetEndpointArn']}, which "
                      f"names no RDS instance in {s.primary_region}: the program declares the "
                      "fresh target there in phase reverse-replicating")
    ident, status = inst["DBInstanceIdentifier"], inst["DBInstanceStatus"]
    detail.update(target_instance=ident, target_status=status)
    if same_db(ident, s.primary_db_identifier, s.primary_db_arn):
        return None, (f"reverse DMS task {name} writes into the old primary {ident}: it may "
                      "hold the orders the failover lost; the reverse task must write into a "
                      "fresh instance")
    if database.replica_source(inst):
        return None, f"the reverse target {ident} is a read replica, not a writer"
    if status != "available":
        return None, f"the reverse target {ident} is {status!r}, not 'available'"
    return inst, None


def _lag_problem(ctx: FailbackContext, task: dict[str, Any], name: str,
                 detail: dict[str, Any]) -> str | None:
    region = ctx.settings.standby_region
    lag = cdc_latency_target(ctx.clients("cloudwatch", region), task, MIN_LOOKBACK_SECONDS)
    if lag is None:
        return (f"no CDCLatencyTarget datapoint for reverse task {name} in {region} in the "
                f"last {MIN_LOOKBACK_SECONDS} s: the reverse replication is not known to run")
    detail["cdc_latency_target_seconds"], detail["cdc_latency_at"] = lag
    if lag[0] > START_MAX_LAG_SECONDS:
        return (f"CDCLatencyTarget of reverse task {name} is {lag[0]:.0f} s, over "
                f"{START_MAX_LAG_SECONDS:g} s: writes would stay paused while it catches up")
    return None


def _task_problem(ctx: FailbackContext) -> tuple[dict[str, Any] | None, dict[str, Any] | None,
                                                 str | None]:
    """``(forward task, reverse task, refusal)``: both found and the standby a writer."""
    s, dms = ctx.settings, ctx.standby("dms")
    forward = replication_task(dms, s.dms_task_arn)
    if forward is None:
        return None, None, f"DMS task {s.dms_task_arn} not found"
    if forward["Status"] == "running":
        return None, None, (f"the forward DMS task {s.dms_task_arn} still runs: the standby "
                            f"{s.standby_db_identifier} was never promoted, so there is "
                            "nothing to fail back")
    task = declared_task(dms, s.reverse_replica_identifier)
    if task is None:
        return None, None, (f"reverse DMS task {s.reverse_replica_identifier} not found in "
                            f"{s.standby_region}: the program declares it in phase "
                            "reverse-replicating (set failover.phase reverse-replicating, "
                            "pulumi up)")
    return forward, task, None


def check(ctx: FailbackContext) -> ReverseCheck:
    s = ctx.settings
    if not s.reverse_replica_identifier:
        return ReverseCheck(refusal=UNDECLARED.format(phase=s.failover_phase),
                            detail={"declared": False})
    forward, task, refusal = _task_problem(ctx)
    if task is None or forward is None:
        return ReverseCheck(refusal=refusal)
    name = task.get("ReplicationTaskIdentifier", task["ReplicationTaskArn"])
    out = ReverseCheck(detail={"task": task["ReplicationTaskArn"], "region": s.standby_region,
                               "task_status": task["Status"], "declared": True})
    inst: dict[str, Any] | None = None
    if task["Status"] != "running":
        out.refusal = f"reverse DMS task {name} is {task['Status']!r}, not 'running'"
    else:
        out.refusal = _source_problem(ctx, task, forward, name)
        if out.refusal is None:
            inst, out.refusal = _target(ctx, task, name, out.detail)
        out.refusal = out.refusal or _lag_problem(ctx, task, name, out.detail)
    if out.refusal is None and inst is not None:
        out.target = ReverseTarget(
            kind="dms-task", identifier=task["ReplicationTaskArn"],
            arn=task["ReplicationTaskArn"], region=s.standby_region,
            source=task["SourceEndpointArn"], declared=True,
            new_primary_arn=inst.get("DBInstanceArn"),
            new_primary_secret_arn=(inst.get("MasterUserSecret") or {}).get("SecretArn"),
            new_primary_address=(inst.get("Endpoint") or {}).get("Address"))
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


def promote(ctx: FailbackContext) -> FailbackStepResult:
    target = ctx.reverse
    dms = ctx.clients("dms", target.region)
    req = OneTime(ctx, REQUEST)

    def read() -> PromotionReading:
        task = replication_task(dms, target.identifier)
        status = task["Status"] if task else "missing"
        return PromotionReading(
            done=status == "stopped", due=status == "running",
            late=f"reverse DMS task still {status!r}",
            detail={"task": target.identifier, "region": target.region, "task_status": status,
                    "stop_attempts": req.attempts})

    return await_promotion(
        ctx, req, read,
        lambda: request_once(req, f"StopReplicationTask of {target.identifier}",
                             dms.stop_replication_task,
                             landed=frozenset({"InvalidResourceStateFault"}),
                             ReplicationTaskArn=target.identifier),
        done_key="already_stopped")


def _forward_source(dms: Any, forward: dict[str, Any]) -> dict[str, Any]:
    """What the forward task's source endpoint reads (after a failback: the new primary once
    ``database.dms.sourceSecretArn`` names its secret and the program was deployed)."""
    ep = endpoint(dms, forward["SourceEndpointArn"])
    return {"endpoint": forward["SourceEndpointArn"],
            "reads": list(reads(ep) or ()) if ep is not None else None}


def observe(settings: FailoverSettings, clients: ClientFactory) -> dict[str, Any]:
    facts: dict[str, Any] = {"primary_api": api_state(lambda: database.describe_instance(
        clients("rds", settings.primary_region), settings.primary_db_identifier))}
    dms = clients("dms", settings.standby_region)
    try:
        forward = replication_task(dms, settings.dms_task_arn)
        facts["standby_role"] = ("missing" if forward is None else
                                 "replica" if forward["Status"] == "running" else "writer")
        facts["forward_source"] = forward and _forward_source(dms, forward)
    except (BotoCoreError, ClientError) as e:
        facts["standby_role"] = f"unknown: {type(e).__name__}: {e}"
        facts["forward_source"] = f"unknown: {type(e).__name__}: {e}"
    facts["reverse"] = None
    if settings.reverse_replica_identifier:
        try:
            task = declared_task(dms, settings.reverse_replica_identifier)
            facts["reverse"] = task and {"identifier": task["ReplicationTaskArn"],
                                         "status": task["Status"],
                                         "region": settings.standby_region}
        except (BotoCoreError, ClientError, StepFailed) as e:
            facts["reverse"] = f"unknown: {type(e).__name__}: {e}"
    return facts
