"""``AWS/RDS AuroraGlobalDBRPOLag`` (and, for Aurora MySQL before 3.04, ``...ReplicationLag``)
published from the global database's measured streaming lag.

Aurora publishes them per secondary cluster (dimension ``DBClusterIdentifier``), in the
secondary's Region, in milliseconds (Amazon Aurora User Guide, "Using switchover or failover
in Amazon Aurora Global Database",
https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html).
:class:`AuroraLagPublisher` does that for whichever cluster is the secondary now (the standby
cluster, or after a failover the old primary once it rejoined), with the value read from
PostgreSQL (:meth:`dataplane.global_db.GlobalDatabase.lag`, the ``replay_lag`` of the pair:
*measured*), on the drill's clock as :class:`drill.data.metrics.LagPublisher` does. With no
secondary streaming nothing is published (a gap, never 0).

Bridge name: ``replication-metrics`` (the same publisher bridge as the other strategies).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from contract.strategies import MetricRef
from drill.data.metrics import BRIDGE, LagPublisher, Published

if TYPE_CHECKING:
    from drill.context import DrillContext
    from drill.data.world import DataWorld

#: ``() -> (region, cluster id)`` of the secondary now, or None.
Secondary = Callable[[], tuple[str, str] | None]


@dataclass
class AuroraLagPublisher(LagPublisher):
    """A :class:`drill.data.metrics.LagPublisher` for Aurora's lag metrics.

    Attributes:
        clients: ``(service, region) -> client`` of the emulator.
        secondary: the secondary cluster now (see :data:`Secondary`).
        metrics: the metrics to publish (each with the measured lag, in its unit).
        history values are in seconds, as the orchestrators read them back (``per_second``
        converts what is sent).
    """

    clients: Callable[[str, str], Any] = None  # type: ignore[assignment]
    secondary: Secondary = lambda: None  # noqa: E731
    metrics: tuple[MetricRef, ...] = field(default_factory=tuple)

    def publish_now(self) -> list[Published]:
        """Read and publish once (one ``PutMetricData`` in the secondary's Region)."""
        with self._lock:
            where = self.secondary()
            samples = [s for s in self.readings() if s.seconds is not None]
            if where is None or not samples:
                return []
            region, cluster = where
            seconds = round(self.clock.age(max(s.seconds or 0.0 for s in samples)), 6)
            stamp = self.clock.utc()
            datums = [{"MetricName": m.name, "Value": seconds * m.per_second,
                       "Unit": "Milliseconds" if m.per_second == 1000 else "Seconds",
                       "Timestamp": stamp,
                       "Dimensions": [{"Name": "DBClusterIdentifier", "Value": cluster}]}
                      for m in self.metrics]
            self.clients("cloudwatch", region).put_metric_data(Namespace="AWS/RDS",
                                                               MetricData=datums)
            s = samples[0]
            sent = [Published(stamp.timestamp(), "AWS/RDS", m.name, seconds, s.seconds,
                              s.bytes_behind, s.state) for m in self.metrics]
            self.history.extend(sent)
        self.log.note(BRIDGE, f"{region}/{cluster}: " +
                      ", ".join(f"{p.metric}={p.value * 1000:.0f} ms" for p in sent))
        return sent


def for_world(ctx: DrillContext, world: DataWorld) -> AuroraLagPublisher:
    """A started publisher of the stack's Aurora lag metrics for ``world``'s global database,
    following whichever cluster's server is its secondary."""
    from drill.aurora import watched_metrics

    def secondary() -> tuple[str, str] | None:
        g = world.global_db
        server = g.secondary if g is not None else None
        return next((k for k, v in world.servers_by_id.items() if v is server), None)

    return AuroraLagPublisher(None, world.lag, {}, ctx.clock, ctx.bridges, clients=ctx.client,
                              secondary=secondary, metrics=watched_metrics(ctx)).start()
