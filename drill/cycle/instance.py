"""The DR cycle of the instance strategies (read-replica, snapshot-restore): the hooks of
:data:`drill.cycle.tiers.INSTANCE`.

* The old primary comes back as a writer nobody writes to (fenced by the gate).
* ``reverse-replicating`` creates the program's cross-Region read replica of the promoted
  standby in the primary Region (the ``pg-replica`` bridge builds it), which the failback
  promotes.
* ``normal`` (the failback's config: the new primary, a fresh standby identifier) creates a
  fresh standby replica of the new primary (read-replica) or names the one the next failover
  restores (snapshot-restore, after the backup orchestrator's next run); the old writer is
  retained.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contract.names import Role
from contract.strategies import Strategy
from dataplane.server import PostgresServer
from drill.cycle.deploy import PhaseDeploy
from drill.cycle.observe import instance
from drill.cycle.state import Instance
from drill.cycle.verify import CHECKS as INSTANCE_CHECKS
from drill.options import Abort
from drill.triggers import brief, record_invocation, scheduled_event
from handlers.failover.strategies.snapshot_restore import RESTORED_FROM_TAG

if TYPE_CHECKING:
    from drill.apply.common import Applied
    from drill.context import DrillContext
    from drill.result import StepRecord

_RDS = "aws:rds/instance:Instance"
#: The failback's phase hint names the fresh standby.
NORMAL_KEYS = ("database.standbyIdentifier",)
CHECKS = INSTANCE_CHECKS


def database(ctx: DrillContext, identifier: str, region: str,
             server: PostgresServer | None) -> Instance:
    """The RDS instance ``identifier`` (:func:`drill.cycle.observe.instance`)."""
    return instance(ctx.client("rds", region), identifier, region, server)


def region_recovers(ctx: DrillContext, rec: StepRecord) -> None:
    """The endpoint and the old primary's database come back (a writer, with the orders it
    never replicated); the health alarm goes OK."""
    world, site, run = ctx.need_data(), ctx.need_site(), ctx.cycle
    with world.timed("old primary restarts"):
        world.primary.start()   # crash recovery, with the orders it never replicated
    run.old_primary = world.primary
    if world.copies_link is not None:   # snapshot copies cross the link again
        world.copies_link.restore()
    site.primary.resume()
    health = ctx.need_deployment().one(Role.HEALTH_ALARM)
    ctx.client("cloudwatch", health.region).set_alarm_state(
        AlarmName=health.physical_name, StateValue="OK", StateReason="drill: primary recovered")
    rec.detail["old_primary"] = {"server": world.primary.name, "in_recovery": world.primary.is_in_recovery()}


def created_in_primary(ctx: DrillContext, out: PhaseDeploy) -> Applied:
    """The database instance the deploy created in the primary Region (the reverse replica,
    or the dms reverse task's fresh target). Raises Abort when it created none."""
    s = ctx.settings
    created = [c for c in out.of("create") if c.type == _RDS and c.region == s.primary_region]
    if not created:
        raise Abort("the reverse-replicating plan declares no database in " + s.primary_region)
    return ctx.need_deployment().applied[created[0].urn]


def reverse(ctx: DrillContext, rec: StepRecord, out: PhaseDeploy) -> None:
    """The reverse replica the deploy created in the primary Region, and its server."""
    run, s = ctx.cycle, ctx.settings
    applied = created_in_primary(ctx, out)
    run.state.reverse_identifier = applied.id
    replica = run.replicas.get(s.primary_region, applied.id)
    run.new_primary = replica.pair.standby if replica else None
    run.state.reverse = database(ctx, applied.id, s.primary_region, run.new_primary)


def normal(ctx: DrillContext, rec: StepRecord, settings: dict[str, Any]) -> None:
    """The fresh standby the normal deploy created (or, for snapshot-restore, the recovery
    point it is restored from), and the old writer retained."""
    run, s, world = ctx.cycle, ctx.settings, ctx.need_data()
    run.state.fresh_identifier = settings["database.standbyIdentifier"]
    fresh = run.replicas.get(s.standby_region, run.state.fresh_identifier)
    run.state.standing_standby = ctx.spec.strategy is not Strategy.SNAPSHOT_RESTORE
    if fresh is not None:
        world.standby = fresh.pair.standby
        world.links = [fresh.pair.link, *([world.copies_link] if world.copies_link else [])]
    if not run.state.standing_standby:
        _backup(ctx, rec)
    run.state.fresh_standby = database(ctx, run.state.fresh_identifier, s.standby_region,
                                       fresh.pair.standby if fresh else None)
    run.state.old_writer = database(ctx, s.database.standby_id, s.standby_region, run.old_writer)
    rec.detail.update(fresh_standby=str(run.state.fresh_standby),
                      old_writer=str(run.state.old_writer))


def _backup(ctx: DrillContext, rec: StepRecord) -> None:
    """A standby restored from snapshots needs a recovery point of the new primary: the
    backup orchestrator's next scheduled run, invoked now."""
    inv = ctx.need_backup().invoke(scheduled_event(ctx, Role.BACKUP_SCHEDULE),
                                   trigger="backup schedule (new primary)", cold=True)
    record_invocation(ctx, inv)
    ctx.need_data().jobs.run_pending()
    rec.detail["backup"] = brief(inv.result) if inv.result else inv.error


def second(ctx: DrillContext, rec: StepRecord) -> None:
    """snapshot-restore: the recovery point the second failover restored from (the restored
    instance's ``dr:restored-from`` tag, and the instance that snapshot was taken of)."""
    run = ctx.cycle
    if run.state.standing_standby or not run.state.fresh_identifier:
        return
    rds = ctx.client("rds", ctx.settings.standby_region)
    found = rds.describe_db_instances(
        Filters=[{"Name": "db-instance-id", "Values": [run.state.fresh_identifier]}])["DBInstances"]
    tags = {t["Key"]: t["Value"] for t in (found[0].get("TagList") or [])} if found else {}
    snapshot = tags.get(RESTORED_FROM_TAG)
    snaps = rds.describe_db_snapshots(
        Filters=[{"Name": "db-snapshot-id", "Values": [snapshot]}])["DBSnapshots"] if snapshot else []
    run.state.second_restored_from = {
        "snapshot": snapshot, "of": snaps[0].get("DBInstanceIdentifier") if snaps else None}
    rec.detail["restored_from"] = run.state.second_restored_from
