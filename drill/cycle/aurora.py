"""The DR cycle of ``aurora-global``: the hooks of :data:`drill.cycle.tiers.AURORA`.

* The primary Region recovers: Aurora adds the old primary cluster back to the global
  database as a secondary (:func:`drill.steps.failback.region_recovers`: the
  ``aurora-region-recovers`` bridge, the server resynchronised from the promoted secondary),
  and its lag is published again.
* ``reverse-replicating`` declares nothing new (``declares_reverse_replica = False`` in
  :mod:`components.standby.aurora_global`): the reverse replication is that rejoined
  cluster, which the failback switches over to (``SwitchoverGlobalCluster``).
* ``normal`` (the failback's config: the phase only, the topology is back) keeps the same
  clusters: the old writer's server rejoins as the secondary, the next failover's target.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dataplane.server import PostgresServer
from drill.cycle.deploy import PhaseDeploy
from drill.cycle.observe import cluster
from drill.cycle.state import Instance
from drill.cycle.verify_aurora import CHECKS as CHECKS
from drill.data.aurora_metrics import for_world
from drill.options import Abort

if TYPE_CHECKING:
    from drill.context import DrillContext
    from drill.result import StepRecord

#: After a switchover the clusters keep their identifiers: the hint sets only the phase.
NORMAL_KEYS: tuple[str, ...] = ()


def database(ctx: DrillContext, identifier: str, region: str,
             server: PostgresServer | None) -> Instance:
    """The Aurora cluster ``identifier`` and its role in the global database
    (:func:`drill.cycle.observe.cluster`)."""
    return cluster(ctx.client("rds", region), identifier, region, server,
                   global_id=ctx.settings.database.global_cluster_id)


def region_recovers(ctx: DrillContext, rec: StepRecord) -> None:
    """The old primary cluster rejoins as a secondary; its lag is published again."""
    from drill.steps import failback  # the step package imports the cycle, which imports this

    world, run = ctx.need_data(), ctx.cycle
    run.old_primary = world.primary
    failback.region_recovers(ctx, rec)
    run.new_primary = world.rejoins[-1].server
    world.publisher = for_world(ctx, world)


def reverse(ctx: DrillContext, rec: StepRecord, out: PhaseDeploy) -> None:
    """The reverse replication is the rejoined old primary cluster: read once its lag is
    published near zero (what the failback's check reads)."""
    from drill.steps import failback  # see region_recovers

    run, db = ctx.cycle, ctx.settings.database
    failback.lag_near_zero(ctx, rec)
    run.state.reverse_identifier = db.primary_identifier
    run.state.reverse = database(ctx, db.primary_identifier, ctx.settings.primary_region,
                                 run.new_primary)


def normal(ctx: DrillContext, rec: StepRecord, settings: dict[str, Any]) -> None:
    """The old writer's server, rejoined as the secondary, is the next failover's standby."""
    run, s, world = ctx.cycle, ctx.settings, ctx.need_data()
    world.jobs.run_pending()   # the old writer's rejoin after the switchover
    g = world.global_db
    if g is None or g.pair is None:
        raise Abort("the old writer did not rejoin the global database as its secondary")
    world.standby, world.links = g.pair.standby, [g.pair.link]
    run.state.standby_again = database(ctx, s.database.standby_id, s.standby_region, world.standby)
    rec.detail["standby_again"] = str(run.state.standby_again)
