"""The drill's Aurora Global Database side (strategy ``aurora-global``).

* :func:`global_bridges`: the emulator's Aurora bridges (:func:`emulator.bridges.aurora_global`,
  the same ones the handler tests use) for the drill, with their data-plane half
  (:class:`GlobalDataHooks`): ``FailoverGlobalCluster`` promotes the secondary's PostgreSQL
  server (``pg-global-failover``), ``SwitchoverGlobalCluster`` swaps the roles with zero lag
  (``pg-global-switchover``), while the request is served, as AWS does it after accepting it.
* :func:`standby_cluster_check`: the verifier's view of the promoted secondary (available, the
  writer of the global database).

Which Aurora lag metrics the stack watches comes from its engine version
(:func:`contract.aurora.lag_metrics`); they are published from the pair's measured lag by
:class:`drill.data.aurora_metrics.AuroraLagPublisher`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from contract.aurora import LAG_DIMENSION
from contract.strategies import MetricRef
from drill.text import pairs
from emulator.bridges import AURORA_GLOBAL_BRIDGES, AuroraGlobalBridge, aurora_global

if TYPE_CHECKING:
    from drill.context import DrillContext

#: The data-plane half of the Aurora bridges (reported with the emulator's).
DATA_BRIDGES: dict[str, str] = {
    "pg-global-failover": "moto's global database holds no data; at FailoverGlobalCluster the "
                          "drill promotes the secondary's PostgreSQL server (pg_promote), losing "
                          "what had not crossed the link",
    "pg-global-switchover": "at SwitchoverGlobalCluster the drill makes the writer read-only "
                            "(sessions ended), waits until the secondary replayed all of it "
                            "(zero lag), promotes it and stops the old writer, which rejoins "
                            "as the secondary from a fresh base backup",
}


def bridges(ctx: DrillContext) -> dict[str, str]:
    """The Aurora bridges the drill's report lists (none for the other strategies)."""
    return {**AURORA_GLOBAL_BRIDGES, **DATA_BRIDGES} if ctx.settings.database.is_cluster else {}


def watched_metrics(ctx: DrillContext) -> tuple[MetricRef, ...]:
    """The replication metrics the stack is watched by: the engine version's Aurora lag
    metrics, else the strategy's (``StrategySpec.replication_metrics``)."""
    aurora = ctx.settings.database.aurora
    return aurora.lag_metrics.all if aurora is not None else ctx.spec.replication_metrics


def cluster_dimensions(cluster_id: str) -> list[dict[str, str]]:
    """The dimensions Aurora publishes a secondary's lag with."""
    return [{"Name": LAG_DIMENSION, "Value": cluster_id}]


def _cluster_id(arn: str) -> tuple[str, str]:
    """``(region, cluster id)`` of a cluster ARN."""
    parts = arn.split(":")
    return parts[3], parts[-1]


class GlobalDataHooks:
    """:attr:`emulator.bridges.AuroraGlobalBridge.on_change` for the drill: the data plane
    follows the roles (acts once the data plane is built; before, moto alone)."""

    def __init__(self, ctx: DrillContext) -> None:
        self._ctx = ctx

    def __call__(self, action: str, global_id: str, target: str, old: list[str]) -> str:
        world = self._ctx.data
        g = world.global_db if world is not None else None
        if world is None or g is None:
            return "no data plane: left to moto"
        region, ident = _cluster_id(target)
        if world.servers_by_id.get((region, ident)) is not g.secondary:
            raise RuntimeError(f"{ident} is not the PostgreSQL secondary of {global_id}")
        if action == "failover":
            return self._failover(world)
        return self._switchover(world, [_cluster_id(a) for a in old])

    def _failover(self, world: Any) -> str:
        with world.timed("promotion"):
            done = world.global_db.failover()
        world.promotions.append(done)
        if done.performed:
            world.marks.setdefault("promoted", self._ctx.clock.now())
            self._ctx.bridges.note("pg-global-failover", f"pg_promote() on {done.server}: timeline "
                                   f"{done.timeline_before} -> {done.timeline_after}")
        return f"PostgreSQL {done.server} is the writer"

    def _switchover(self, world: Any, old: list[tuple[str, str]]) -> str:
        with world.timed("switchover"):
            done = world.global_db.switchover()
        world.switchovers.append(done)
        world.marks["switched_over"] = self._ctx.clock.now()
        for key in old:   # the old writer's cluster has no server until it rejoins
            world.servers_by_id.pop(key, None)
        self._ctx.bridges.note("pg-global-switchover", (
            f"{done.old_writer.name} read-only, secondary replayed up to {done.synced_lsn} in "
            f"{done.sync_seconds:.3f} s, pg_promote() on {done.promotion.server}; "
            f"{done.old_writer.name} stopped (rejoins as the secondary)"))
        world.jobs.submit("rejoin after switchover",
                          lambda: rejoin(self._ctx, done.old_writer, old[0], "pg-global-switchover"))
        return f"PostgreSQL {done.promotion.server} is the writer"


def rejoin(ctx: DrillContext, old_writer: Any, cluster: tuple[str, str], bridge: str) -> Any:
    """The old writer's cluster ``(region, id)`` comes back as the global database's
    secondary (:meth:`dataplane.global_db.GlobalDatabase.rejoin`, main thread): its server is
    the new replica, and its Region's shop is attached to it. Returns the
    :class:`dataplane.global_db.Rejoin`."""
    world = ctx.need_data()
    with world.timed("rejoin"):
        done = world.global_db.rejoin(old_writer)
    world.rejoins.append(done)
    world.servers_by_id[cluster] = done.server
    if cluster[0] in world.shops:
        world.shops[cluster[0]].attach(done.server)
    diverged = done.diverged_order_ids
    ctx.bridges.note(bridge, f"{cluster[1]}: {done.server.name} replaces {done.replaced} as the "
                             f"secondary (fresh base backup in {done.seconds:.2f} s); "
                             f"{'?' if diverged is None else len(diverged)} order(s) only on "
                             "the old volume")
    return done


@contextlib.contextmanager
def global_bridges(ctx: DrillContext) -> Iterator[AuroraGlobalBridge | None]:
    """The Aurora bridges for the block when the stack is aurora-global (else nothing)."""
    if not ctx.settings.database.is_cluster:
        yield None
        return
    with aurora_global(AuroraGlobalBridge(log=ctx.bridges, on_change=GlobalDataHooks(ctx))) as b:
        ctx.aurora_bridge = b
        yield b


def standby_cluster_check(ctx: DrillContext) -> dict[str, Any]:
    """The secondary cluster after the failover: ``available`` and the global database's
    writer (read in the standby Region); checked and returned as detail."""
    s = ctx.settings
    rds = ctx.client("rds", s.standby_region)
    found = rds.describe_db_clusters(
        Filters=[{"Name": "db-cluster-id", "Values": [s.database.standby_id]}])["DBClusters"]
    c = found[0] if found else None
    detail: dict[str, Any] = {"identifier": s.database.standby_id, "exists": c is not None}
    writer = None
    if c is not None:
        gs = [g for g in rds.describe_global_clusters()["GlobalClusters"]
              if g["GlobalClusterIdentifier"] == s.database.global_cluster_id]
        members = gs[0]["GlobalClusterMembers"] if gs else []
        writer = next((m["DBClusterArn"] for m in members if m.get("IsWriter")), None)
        detail.update(status=c["Status"], global_writer=writer)
    ctx.check("standby cluster exists, available and the writer of the global database",
              c is not None and c["Status"] == "available" and writer == c["DBClusterArn"],
              pairs(detail))
    return detail
