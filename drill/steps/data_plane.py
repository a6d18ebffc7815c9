"""Step 2c, the data plane: real PostgreSQL for the drilled strategy, wired to the emulated
databases (the data-plane bridges act from now on), each Region's shop attached to its
database, the replication metrics published from PostgreSQL, and customers ordering through
the failover name (they run until the loss is counted)."""

from __future__ import annotations

from dataplane.customers import Customers
from dataplane.errors import DataPlaneError
from drill.context import DrillContext
from drill.data.aurora_metrics import for_world as aurora_publisher
from drill.data.build import build_world
from drill.data.metrics import LagPublisher
from drill.data.resolver import FailoverResolver
from drill.data.world import DataWorld
from drill.observe import health
from drill.options import DrillError
from drill.replication import DIMENSIONS
from drill.result import StepRecord
from drill.step import Step


def _publisher(ctx: DrillContext, world: DataWorld) -> LagPublisher | None:
    if world.global_db is not None:
        return aurora_publisher(ctx, world)
    metrics = ctx.spec.replication_metrics
    if not metrics:
        return None
    dims = {}
    for m in metrics:
        found = DIMENSIONS[m.namespace](ctx)
        if found is not None:
            dims[m.name] = found
    cw = ctx.client("cloudwatch", ctx.settings.standby_region)
    return LagPublisher(cw, world.lag, dims, ctx.clock, ctx.bridges).start()


def _resolver(ctx: DrillContext) -> FailoverResolver:
    site, s = ctx.need_site(), ctx.settings.site
    sets = ctx.client("route53", "us-east-1").list_resource_record_sets(
        HostedZoneId=site.hosted_zone_id)["ResourceRecordSets"]
    endpoints = {s.primary_endpoint_fqdn: ("127.0.0.1", site.primary.port),
                 s.standby_endpoint_fqdn: ("127.0.0.1", site.standby.port)}
    return FailoverResolver(s.failover_fqdn, sets, endpoints, lambda: health(ctx).healthy,
                            ctx.clock.now)


def run(ctx: DrillContext, rec: StepRecord) -> None:
    """Build the data side and start the publisher and the customers.

    Raises:
        DrillError: PostgreSQL cannot run here.
    """
    try:
        world = ctx.data = build_world(ctx)
    except DataPlaneError as e:
        raise DrillError(f"the data plane cannot start: {e}") from None
    ctx.data_bridge.world = world  # type: ignore[union-attr]
    world.publisher = _publisher(ctx, world)
    world.resolver = _resolver(ctx)
    world.customers = Customers(ctx.settings.site.failover_fqdn, world.resolver,
                                rate_per_second=ctx.opts.order_rate, clock=ctx.clock.now).start()
    rec.detail = {
        "run_dir": str(world.plane.run_dir), "strategy": str(world.strategy),
        "servers": {n: {"region": sv.region, "port": sv.port,
                        "role": "standby" if sv is world.standby else "primary"}
                    for n, sv in world.plane.servers.items()},
        "links": [link.name for link in world.links],
        "standby_timeline": world.timeline_before, "dms_task": world.task_arn,
        "metrics_published": sorted(world.publisher.dimensions) if world.publisher else [],
        "order_rate_per_second": ctx.opts.order_rate,
        "setup_seconds": round(world.seconds.get("setup", 0.0), 3)}


STEP = Step("data-plane", "Start the data plane: PostgreSQL, shops, customers", run, setup=True)
