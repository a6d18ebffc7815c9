"""Build the drill's data side for the drilled strategy, on the main thread.

Per strategy (``contract.strategies``):

* ``read-replica``: the primary's server, a streaming replica of it in the standby Region
  (``pg_basebackup`` through the inter-Region link), mapped to the emulated standby instance;
* ``dms``: the primary's server, a logical-replication target in the standby Region (the
  publication/subscription through the link), mapped to the emulated target instance and the
  DMS task;
* ``aurora-global``: the primary cluster's server and the secondary cluster's, a streaming
  pair through the link (:class:`dataplane.global_db.GlobalDatabase`);
* ``snapshot-restore``: the primary's server only; the standby Region's server comes from a
  restore at failover.

Every strategy gets a snapshot store per Region, a link for snapshot copies, and each
Region's shop attached to its database (the standby's is read-only while it replicates).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

from contract.strategies import Strategy
from dataplane.global_db import GlobalDatabase
from dataplane.logical import LogicalReplication
from dataplane.physical import PhysicalReplica
from dataplane.snapshots import snapshot_store
from drill.data.world import DataWorld, open_data_dir

if TYPE_CHECKING:
    from drill.context import DrillContext
    from drill.options import DrillOptions

_DMS_TASK = "aws:dms/replicationTask:ReplicationTask"


def data_dir(o: DrillOptions) -> Path:
    """``--data-dir``, else ``<reports-dir>/dataplane`` (the checkout's ``reports/`` when no
    reports are written)."""
    from engine.paths import REPORTS_DIR

    return Path(o.data_dir) if o.data_dir else Path(o.reports_dir or REPORTS_DIR) / "dataplane"


def build_world(ctx: DrillContext) -> DataWorld:
    """Start the strategy's servers and wire them to the emulated databases and the shops.

    Raises:
        dataplane.errors.DataPlaneError: a server did not start or replicate.
    """
    s = ctx.settings
    where = data_dir(ctx.opts).resolve()
    plane = open_data_dir(where)
    started = time.perf_counter()
    try:
        primary = plane.new_primary("primary", s.primary_region)
    except BaseException:
        plane.close()
        shutil.rmtree(plane.run_dir, ignore_errors=True)
        raise
    world = DataWorld(ctx.spec.strategy, where, plane, primary, s.primary_region,
                      s.standby_region)
    try:
        _standby(ctx, world)
        _wire(ctx, world)
    except BaseException:
        world.close()
        raise
    world.seconds["setup"] = time.perf_counter() - started
    return world


def _standby(ctx: DrillContext, world: DataWorld) -> None:
    db = ctx.settings.database
    east, west = world.primary_region, world.standby_region
    world.servers_by_id[(east, db.primary_identifier)] = world.primary
    if world.strategy is Strategy.READ_REPLICA:
        world.pair = PhysicalReplica.create(world.plane, world.primary, standby_region=west)
        world.standby = world.pair.standby
        world.links.append(world.pair.link)
    elif world.strategy is Strategy.AURORA_GLOBAL:
        world.global_db = GlobalDatabase.create(world.plane, world.primary, secondary_region=west)
        world.pair = world.global_db.pair
        world.standby = world.pair.standby
        world.links.append(world.pair.link)
    elif world.strategy is Strategy.DMS:
        world.task = LogicalReplication.create(world.plane, world.primary, target_region=west)
        world.standby = world.task.target
        world.links.append(world.task.link)
        tasks = ctx.need_deployment().by_type(_DMS_TASK)
        world.task_arn = tasks[0].arn if tasks else None
    if world.standby is not None:
        world.servers_by_id[(west, db.standby_id)] = world.standby
        world.timeline_before = world.standby.timeline()


def _wire(ctx: DrillContext, world: DataWorld) -> None:
    east, west = world.primary_region, world.standby_region
    world.copies_link = world.plane.link(f"{east}<->{west} snapshot copies", world.primary.address)
    world.links.append(world.copies_link)
    world.stores = {r: snapshot_store(world.plane, r) for r in (east, west)}
    site = ctx.need_site()
    for region, endpoint, server in ((east, site.primary, world.primary),
                                     (west, site.standby, world.standby)):
        app = getattr(endpoint, "app", None)
        if app is not None:
            app.attach(server)
            world.shops[region] = app
