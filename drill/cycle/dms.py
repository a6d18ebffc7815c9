"""The DR cycle of ``dms``: the hooks of :data:`drill.cycle.tiers.DMS`.

* The old primary comes back as a writer nobody writes to (fenced by the gate), holding the
  orders the unplanned failover lost; nothing ever writes into it.
* ``reverse-replicating`` creates a FRESH instance in the primary Region (a fresh server
  behind it: the ``pg-instance`` bridge) and a started reverse task from the promoted standby
  into it (``pg-dms-start``: the fresh server subscribes to the standby's), which the
  failback stops (``pg-dms-stop``), making the fresh instance the primary.
* ``normal`` (the failback's config: a fresh standby identifier, the forward pipeline's
  source secret the new primary's) replaces the forward pipeline: a fresh standby instance
  and a new forward task subscribing it to the new primary, the next failover's target. The
  old writer (the promoted standby) is retained.

The CDC bridges act only during this tier's deploys (:func:`bridges`).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from contract.names import Role
from contract.phases import DMS_SOURCE_SECRET_KEY
from dataplane.logical import subscription_ends
from dataplane.server import PostgresServer
from drill.cycle import instance as instance_tier
from drill.cycle.cdc import CdcTask, subscription_name
from drill.cycle.deploy import PhaseDeploy
from drill.cycle.state import Instance
from drill.cycle.verify_dms import CHECKS as CHECKS
from drill.options import Abort
from emulator.cdc_bridges import cdc_bridges

if TYPE_CHECKING:
    from drill.context import DrillContext
    from drill.result import StepRecord

_TASK = "aws:dms/replicationTask:ReplicationTask"
#: The failback's phase hint names the fresh standby and re-points the forward source.
NORMAL_KEYS = ("database.standbyIdentifier", DMS_SOURCE_SECRET_KEY)
#: An RDS instance, as for the instance strategies.
database = instance_tier.database


def bridges(ctx: DrillContext) -> AbstractContextManager[None]:
    """A new instance gets a fresh server, a started task its subscription."""
    return cdc_bridges(ctx.cycle.cdc, ctx.bridges)


def region_recovers(ctx: DrillContext, rec: StepRecord) -> None:
    """As for the instance strategies; the old primary is read as it came back."""
    instance_tier.region_recovers(ctx, rec)
    ctx.cycle.state.old_primary_recovered = _old_primary(ctx)


def task_facts(ctx: DrillContext, arn: str) -> dict[str, Any]:
    """The DMS task ``arn`` as DMS shows it (``status``) and what the data plane did for it,
    read from the servers' catalogs (:func:`dataplane.logical.subscription_ends`), not from the
    bridge that started it nor from the instances the task names: the server its subscription
    runs on (``target_server``), the one it reads from (``source_server``: the holder of its
    slot), each None unless exactly one, and whether it is ``subscribed`` (enabled)."""
    found = ctx.client("dms", ctx.settings.standby_region).describe_replication_tasks(
        Filters=[{"Name": "replication-task-arn", "Values": [arn]}])["ReplicationTasks"]
    task_id = found[0]["ReplicationTaskIdentifier"] if found else None
    ends = (subscription_ends(ctx.need_data().plane.servers.values(), subscription_name(task_id))
            if task_id else None)

    def one(names: tuple[str, ...] | None) -> str | None:
        return names[0] if names and len(names) == 1 else None
    return {"task": arn, "status": found[0]["Status"] if found else None,
            "source_server": one(ends.reads_from if ends else None),
            "target_server": one(ends.runs_on if ends else None),
            "subscribed": ends.enabled if ends else None,
            "catalogs": {"runs_on": list(ends.runs_on), "reads_from": list(ends.reads_from)}
            if ends else None}


def _task(ctx: DrillContext, reverse: bool) -> tuple[str, CdcTask | None]:
    """The deployed reverse (or forward) task's ARN and the subscription behind it."""
    tasks = [a for a in ctx.need_deployment().by_type(_TASK)
             if (a.role == str(Role.REVERSE_CDC_TASK)) is reverse]
    if len(tasks) != 1:
        raise Abort(f"expected one {'reverse' if reverse else 'forward'} DMS task deployed, "
                    f"found {len(tasks)}")
    return tasks[0].arn, ctx.cycle.cdc.tasks.get(tasks[0].arn)


def _server_of(ctx: DrillContext, region: str, db_id: str) -> PostgresServer | None:
    """The server the data plane stands behind the instance (the ``pg-instance`` bridge's)."""
    return ctx.need_data().servers_by_id.get((region, db_id))


def reverse(ctx: DrillContext, rec: StepRecord, out: PhaseDeploy) -> None:
    """The fresh instance the deploy created in the primary Region (the server behind it),
    and the reverse task's subscription as the servers show it."""
    run, s = ctx.cycle, ctx.settings
    applied = instance_tier.created_in_primary(ctx, out)
    run.state.reverse_identifier = applied.id
    arn, _ = _task(ctx, reverse=True)
    run.new_primary = _server_of(ctx, s.primary_region, applied.id)
    run.state.reverse = database(ctx, applied.id, s.primary_region, run.new_primary)
    run.state.cdc["reverse"] = rec.detail["reverse_task"] = task_facts(ctx, arn)


def normal(ctx: DrillContext, rec: StepRecord, settings: dict[str, Any]) -> None:
    """The new forward task's subscription: the fresh standby the next failover goes to; the
    old writer and the old primary retained."""
    run, s, world = ctx.cycle, ctx.settings, ctx.need_data()
    world.jobs.run_pending()
    arn, cdc = _task(ctx, reverse=False)
    run.state.fresh_identifier = settings["database.standbyIdentifier"]
    fresh = _server_of(ctx, s.standby_region, run.state.fresh_identifier)
    if cdc is not None:
        world.standby = fresh
        world.task, world.task_arn = cdc.replication, arn
        world.links = [cdc.replication.link, *([world.copies_link] if world.copies_link else [])]
    run.state.fresh_standby = database(ctx, run.state.fresh_identifier, s.standby_region, fresh)
    run.state.old_writer = database(ctx, s.database.standby_id, s.standby_region, run.old_writer)
    run.state.old_primary_after = _old_primary(ctx)
    run.state.cdc["forward"] = rec.detail["forward_task"] = task_facts(ctx, arn)
    rec.detail.update(fresh_standby=str(run.state.fresh_standby),
                      old_writer=str(run.state.old_writer))


def _old_primary(ctx: DrillContext) -> Instance:
    s = ctx.settings
    return database(ctx, s.database.primary_identifier, s.primary_region, ctx.cycle.old_primary)
