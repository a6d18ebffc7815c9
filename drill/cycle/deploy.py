"""Deploy a phase's plan over what earlier deploys created, as ``pulumi up`` would
(:func:`deploy_phase`): the changes of :mod:`drill.cycle.diff`, applied in plan order.

* ``create``: the plan applier's function for the type (:mod:`drill.apply`); a new database
  instance is waited for until ``available`` (as the provider waits), running the data plane's
  main-thread work meanwhile (a replica's server starts there).
* ``update``: the in-place update the provider makes (:data:`UPDATERS`: ``ModifyDBInstance``,
  ``PromoteReadReplica`` when ``replicateSourceDb`` is dropped and not ignored,
  ``UpdateFunctionConfiguration``, ``PutMetricAlarm``, ``PutParameter``); a type with no
  updater is reported in :attr:`PhaseDeploy.not_applied`, never dropped silently.
* ``replace`` of a resource deployed with ``retainOnDelete``: the new one created as above,
  the old one dropped from the stack and left in AWS.
* ``retain``: dropped from the stack, left in AWS. ``delete`` and a ``replace`` that deletes
  are reported in :attr:`PhaseDeploy.not_applied`, except for the types that hold no data
  (:data:`DELETERS`: DMS tasks and endpoints), deleted first, dependents before what they
  use, then re-created in plan order; the cycle's verifier fails a deploy that would delete
  a database.
* ``refused``: Pulumi stops before changing anything, and so does the drill.

Every AWS call goes through the apply context's client factory, so a deploy with the primary
Region unreachable (:func:`unreachable_in`) fails on any call there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

from drill.apply import apply_plan
from drill.apply.common import Applied, ApplyContext, ClientFactory, Deployment
from drill.apply.compute import planned_environment
from drill.apply.inputs import known, tag_list, tag_map
from drill.apply.monitoring import metric_alarm
from drill.apply.parameters import ssm_parameter
from drill.apply.resolve import resolve_inputs
from drill.cycle.diff import Change, changes
from emulator import FAKE_CREDENTIALS
from engine.plan import PlannedResource

_RDS = "aws:rds/instance:Instance"
_LAMBDA = "aws:lambda/function:Function"
#: Longest real wait for a created database instance to become ``available``, seconds.
AVAILABLE_WAIT_SECONDS = 60.0

Settle = Callable[[], None]
Updater = Callable[[Applied, PlannedResource, dict[str, Any], ApplyContext, list[str]],
                   dict[str, Any]]


@dataclass
class PhaseDeploy:
    """One deploy: ``changes`` (:class:`drill.cycle.diff.Change`), whether Pulumi would have
    ``refused`` it, the policy pack's exit code on its plan (``policy_exit_code``; None: not
    run; non-zero: CI stops before the deploy), what the applier could not do (``failed``:
    errors of calls it made; ``not_applied``: changes it reports without making), and its wall
    ``seconds``."""

    phase: str
    changes: list[Change] = field(default_factory=list)
    refused: bool = False
    policy_exit_code: int | None = None
    failed: list[dict[str, str]] = field(default_factory=list)
    not_applied: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def ops(self) -> dict[str, int]:
        """Changes by op."""
        out: dict[str, int] = {}
        for c in self.changes:
            out[c.op] = out.get(c.op, 0) + 1
        return dict(sorted(out.items()))

    def of(self, op: str) -> list[Change]:
        return [c for c in self.changes if c.op == op]

    @property
    def ok(self) -> bool:
        """Pulumi would have finished it: the pack passed (when run), not refused, no call
        failed."""
        return not self.refused and not self.failed and self.policy_exit_code in (None, 0)

    def to_dict(self) -> dict[str, Any]:
        return {"phase": self.phase, "ok": self.ok, "refused": self.refused,
                "policy_exit_code": self.policy_exit_code, "ops": self.ops(),
                "changes": [c.to_dict() for c in self.changes if c.op != "same"],
                "failed": self.failed, "not_applied": self.not_applied,
                "seconds": round(self.seconds, 3)}


#: Global services whose control plane is only in us-east-1: "The control plane for these
#: global services are only available in the US East (N. Virginia) Region" (AWS Networking &
#: Content Delivery Blog, "Creating Disaster Recovery Mechanisms Using Amazon Route 53",
#: https://aws.amazon.com/blogs/networking-and-content-delivery/creating-disaster-recovery-mechanisms-using-amazon-route-53/).
GLOBAL_CONTROL_PLANE = ("us-east-1", frozenset({"route53", "iam"}))


def unreachable_in(factory: ClientFactory, regions: frozenset[str], url: str, *,
                   global_control_plane: bool = False) -> ClientFactory:
    """``factory``, except that clients for ``regions`` point at ``url`` (nothing listens
    there) and give up after one attempt: those Regions' Regional APIs are down for the
    deploy. With ``global_control_plane`` and us-east-1 down, so are the control planes of the
    global services homed there (:data:`GLOBAL_CONTROL_PLANE`: Route 53, IAM), whatever Region
    their client names."""
    home, services = GLOBAL_CONTROL_PLANE

    def client(service: str, region: str) -> Any:
        homed = global_control_plane and home in regions and service in services
        if service in services and not homed or region not in regions and not homed:
            return factory(service, region)
        return boto3.client(service, region_name=region, endpoint_url=url, config=Config(
            retries={"mode": "standard", "max_attempts": 1}, connect_timeout=1, read_timeout=1),
            **FAKE_CREDENTIALS)
    return client


def _rds_update(a: Applied, r: PlannedResource, i: dict[str, Any], ctx: ApplyContext,
                differs: list[str]) -> dict[str, Any]:
    rds = ctx.client("rds", a.region)
    done: dict[str, Any] = {}
    if "replicateSourceDb" in differs and not known(i, "replicateSourceDb"):
        rds.promote_read_replica(DBInstanceIdentifier=a.id)
        done["PromoteReadReplica"] = a.id
    modify = {api: i[prop] for prop, api in (
        ("backupRetentionPeriod", "BackupRetentionPeriod"), ("deletionProtection", "DeletionProtection"),
        ("instanceClass", "DBInstanceClass"), ("allocatedStorage", "AllocatedStorage"))
        if prop in differs and known(i, prop) is not None}
    if "identifier" in differs and known(i, "identifier"):
        modify["NewDBInstanceIdentifier"] = i["identifier"]
    if modify:
        rds.modify_db_instance(DBInstanceIdentifier=a.id, ApplyImmediately=True, **modify)
        done["ModifyDBInstance"] = sorted(modify)
    if "tags" in differs and (tags := tag_map(i)):
        rds.add_tags_to_resource(ResourceName=a.arn, Tags=tag_list(tags))
        done["AddTagsToResource"] = sorted(tags)
    return done


def _lambda_update(a: Applied, r: PlannedResource, i: dict[str, Any], ctx: ApplyContext,
                   differs: list[str]) -> dict[str, Any]:
    env = ((i.get("environment") or {}).get("variables")) or {}
    ctx.client("lambda", a.region).update_function_configuration(
        FunctionName=a.physical_name, Environment={"Variables": {k: str(v) for k, v in env.items()}},
        Timeout=int(known(i, "timeout", 3)), MemorySize=int(known(i, "memorySize", 128)))
    return {"UpdateFunctionConfiguration": sorted(env)}


def _recreate(fn: Callable[..., Applied], call: str) -> Updater:
    """An updater that makes the create call again (it overwrites: PutMetricAlarm,
    PutParameter with Overwrite)."""
    def update(a: Applied, r: PlannedResource, i: dict[str, Any], ctx: ApplyContext,
               differs: list[str]) -> dict[str, Any]:
        fn(r, i, a.region, ctx)
        return {call: a.physical_name}
    return update


#: Planned Route 53 health-check input -> UpdateHealthCheck argument.
_HEALTH_CHECK_UPDATES = (("insufficientDataHealthStatus", "InsufficientDataHealthStatus", str),
                         ("failureThreshold", "FailureThreshold", int),
                         ("resourcePath", "ResourcePath", str), ("port", "Port", int),
                         ("invertHealthcheck", "Inverted", bool))


def _health_check_update(a: Applied, r: PlannedResource, i: dict[str, Any], ctx: ApplyContext,
                         differs: list[str]) -> dict[str, Any]:
    kw = {api: conv(i[prop]) for prop, api, conv in _HEALTH_CHECK_UPDATES
          if prop in differs and known(i, prop) is not None}
    if set(differs) - {p for p, _, _ in _HEALTH_CHECK_UPDATES} - {"tags"}:
        raise ValueError("the drill updates only " + ", ".join(p for p, _, _ in _HEALTH_CHECK_UPDATES)
                         + f" of a health check, not {differs}")
    if kw:
        ctx.client("route53", "us-east-1").update_health_check(HealthCheckId=a.id, **kw)
    return {"UpdateHealthCheck": sorted(kw)}


#: Resource type -> its in-place update.
UPDATERS: dict[str, Updater] = {
    "aws:route53/healthCheck:HealthCheck": _health_check_update,
    _RDS: _rds_update,
    _LAMBDA: _lambda_update,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _recreate(metric_alarm, "PutMetricAlarm"),
    "aws:ssm/parameter:Parameter": _recreate(ssm_parameter, "PutParameter"),
}


def _dms_task_delete(a: Applied, ctx: ApplyContext) -> str:
    """DeleteReplicationTask, after stopping it if it runs (as the provider does)."""
    dms = ctx.client("dms", a.region)
    task = dms.describe_replication_tasks(Filters=[{"Name": "replication-task-arn",
                                                    "Values": [a.arn]}])["ReplicationTasks"]
    if task and task[0]["Status"] == "running":
        dms.stop_replication_task(ReplicationTaskArn=a.arn)
    dms.delete_replication_task(ReplicationTaskArn=a.arn)
    return "DeleteReplicationTask"


def _dms_endpoint_delete(a: Applied, ctx: ApplyContext) -> str:
    ctx.client("dms", a.region).delete_endpoint(EndpointArn=a.arn)
    return "DeleteEndpoint"


#: Resource type -> its delete, for the types that hold no data (a DMS task's position is
#: of the database it read; its endpoints are names of databases): the drill deletes
#: nothing else.
DELETERS: dict[str, Callable[[Applied, ApplyContext], str]] = {
    "aws:dms/replicationTask:ReplicationTask": _dms_task_delete,
    "aws:dms/endpoint:Endpoint": _dms_endpoint_delete,
}


def _deleted(c: Change) -> bool:
    """Whether the deploy deletes ``c``'s deployed resource (a type in :data:`DELETERS`)."""
    return c.type in DELETERS and (c.op == "delete" or c.op == "replace" and not c.retained)


def _delete_first(changes: list[Change], ctx: ApplyContext, rec: PhaseDeploy) -> None:
    """Delete what the deploy deletes (:func:`_deleted`) before creating anything, dependents
    first (reverse plan order): the program's DMS resources are replaced delete-first (their
    identifiers are fixed) and a task must go before the endpoints it uses."""
    for c in reversed(changes):
        deployed = ctx.deployment.applied.get(c.urn)
        if not _deleted(c) or deployed is None:
            continue
        try:
            c.why += f" ({DELETERS[c.type](deployed, ctx)})"
            ctx.deployment.applied.pop(c.urn)
        except Exception as e:  # noqa: BLE001 - recorded, as a failed deploy step
            rec.failed.append({"urn": c.urn, "type": c.type, "error": f"{type(e).__name__}: {e}"})


def planned_inputs(r: PlannedResource, ctx: ApplyContext) -> dict[str, Any]:
    """``r``'s planned inputs as the applier would deploy them: references resolved from the
    deployment, and a function's environment filled and pointed at the loopback endpoints."""
    inputs = resolve_inputs(r, ctx.deployment)
    if r.type == _LAMBDA and r.urn in ctx.deployment.applied:
        inputs = {**inputs, "environment": {"variables": planned_environment(r, inputs, ctx)}}
    return inputs


def _wait_available(ctx: ApplyContext, a: Applied, settle: Settle, rec: PhaseDeploy) -> None:
    rds = ctx.client("rds", a.region)
    deadline = time.monotonic() + AVAILABLE_WAIT_SECONDS
    status = "?"
    while time.monotonic() < deadline:
        settle()
        status = rds.describe_db_instances(DBInstanceIdentifier=a.id)["DBInstances"][0]["DBInstanceStatus"]
        if status == "available":
            return
        time.sleep(0.05)
    rec.failed.append({"urn": a.urn, "type": a.type, "error": f"{a.id} still {status!r} after "
                       f"{AVAILABLE_WAIT_SECONDS:g} s"})


def _apply(c: Change, r: PlannedResource | None, inputs: dict[str, Any], ctx: ApplyContext,
           settle: Settle, rec: PhaseDeploy) -> None:
    d = ctx.deployment
    if (c.op == "create" or c.op == "replace" and (c.retained or _deleted(c))) and r is not None:
        before = len(d.failed)
        d.applied.pop(r.urn, None)    # a replaced resource: the new one takes its place
        apply_plan([r], ctx)
        rec.failed += d.failed[before:]
        if r.urn in d.applied and r.type == _RDS:
            _wait_available(ctx, d.applied[r.urn], settle, rec)
    elif c.op == "update" and r is not None:
        updater = UPDATERS.get(r.type)
        if updater is None:
            rec.not_applied.append({"urn": c.urn, "op": c.op, "why": "the drill has no updater "
                                    f"for {r.type}: " + ", ".join(c.differs)})
            return
        try:
            deployed = d.applied[r.urn]
            c.why += f" ({updater(deployed, r, inputs, ctx, c.differs)})"
            # ignored properties keep their deployed value, as in the stack's state
            deployed.inputs = {**inputs, **{k: deployed.inputs.get(k) for k in c.ignored}}
        except Exception as e:  # noqa: BLE001 - recorded, as a failed deploy step
            rec.failed.append({"urn": c.urn, "type": c.type, "error": f"{type(e).__name__}: {e}"})
    elif c.op == "retain":
        d.applied.pop(c.urn, None)
    elif c.op in ("delete", "replace") and not _deleted(c):
        rec.not_applied.append({"urn": c.urn, "op": c.op, "why": c.why})


def deploy_phase(phase: str, plan: list[PlannedResource], ctx: ApplyContext, *,
                 deployed_options: dict[str, dict[str, Any]], settle: Settle) -> PhaseDeploy:
    """Deploy ``plan`` over ``ctx.deployment`` (updated in place: it becomes the stack's new
    state) and report what happened.

    Args:
        phase: the ``failover.phase`` the plan was recorded in (for the report).
        plan: the plan's resources in registration order.
        ctx: the apply context (its client factory decides which Regions answer).
        deployed_options: URN -> resource options of what is deployed (the previous plan).
        settle: runs the data plane's pending main-thread work (a replica's server start).
    """
    started = time.perf_counter()
    rec = PhaseDeploy(phase)
    d = ctx.deployment
    by_urn = {r.urn: r for r in plan}
    resolved = {r.urn: planned_inputs(r, ctx) for r in plan
                if r.custom and r.urn in d.applied}
    rec.changes = changes(plan, resolved, d.applied, deployed_options,
                          default_region=ctx.primary_region,
                          skipped=[s["urn"] for s in d.skipped + d.failed])
    rec.refused = any(c.op == "refused" for c in rec.changes)
    if not rec.refused:
        _delete_first(rec.changes, ctx, rec)
        for c in rec.changes:
            _apply(c, by_urn.get(c.urn), resolved.get(c.urn, {}), ctx, settle, rec)
    rec.seconds = time.perf_counter() - started
    return rec


def copy_deployment(d: Deployment) -> Deployment:
    """A new deployment holding the same applied records, and what the applier skipped or
    failed before (the next deploy's starting state; its resolutions and substitutions are
    its own)."""
    return Deployment(applied=dict(d.applied), skipped=list(d.skipped), failed=list(d.failed))
