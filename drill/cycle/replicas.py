"""The data-plane side of the cross-Region read replicas a phase declares (the reverse replica
of ``reverse-replicating``, the fresh standby of ``normal`` after a failback): what
:func:`emulator.replica_bridges.replica_bridge` asks for.

A replica of an emulated database with a PostgreSQL server behind it is a ``pg_basebackup``
of that server through a new inter-Region link (:func:`dataplane.physical.clone_standby`),
started streaming on the drill's main thread (:mod:`drill.data.jobs`); the instance stays
``creating`` until then. It becomes the world's replication pair (so ``PromoteReadReplica``
of it is ``pg_promote`` through :class:`drill.data.bridge.DataBridge`), its Region's shop is
attached to it (read-only while it replicates), and its ``AWS/RDS ReplicaLag`` is published
in its own Region, with its identifier, from ``pg_stat_replication`` (:mod:`drill.data.metrics`),
as RDS publishes a replica's lag.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dataplane.errors import DataPlaneError
from dataplane.physical import PhysicalReplica, clone_standby
from dataplane.server import PostgresServer
from drill.cycle.hooks import CycleHooks, wait_published
from drill.data.metrics import LagPublisher
from drill.data.world import DataWorld
from emulator.data_bridges import BridgeRefused, Restore, set_instance_status


@dataclass
class Replica:
    """A replica the bridge built: the emulated ``db_id`` in ``region``, its pair (source,
    server, link), and the publisher of its lag."""

    region: str
    db_id: str
    pair: PhysicalReplica
    publisher: LagPublisher


@dataclass
class ReplicaBridge(CycleHooks):
    """The :class:`emulator.replica_bridges.ReplicaHooks` of the drill (arguments:
    :class:`drill.cycle.hooks.CycleHooks`)."""

    replicas: dict[tuple[str, str], Replica] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def replicate(self, region: str, db_id: str, source_region: str, source_id: str) -> Restore:
        w = self.world()
        if w is None:
            return Restore("no data plane yet: left to moto")
        source = w.servers_by_id.get((source_region, source_id))
        if source is None:
            return Restore("no PostgreSQL server behind the source: left to moto")
        if not source.running or source.is_in_recovery():
            raise BridgeRefused(f"{source.name} is not a running writer")
        w.jobs.submit(f"replica {db_id}", lambda: self._build(w, region, db_id, source))
        return Restore(f"pg_basebackup of {source.name} through a new link (started on the "
                       "main thread)", pending=True)

    def _build(self, w: DataWorld, region: str, db_id: str, source: PostgresServer) -> None:
        name = f"replica-{len(self.replicas) + 1}"
        try:
            with w.timed("replica"):
                link = w.plane.link(f"{source.region}->{region} ({db_id})", source.address)
                server, slot = clone_standby(w.plane, source, link, name=name, region=region)
                server.start()
                pair = PhysicalReplica(source, server, link, slot)
                pair.wait_streaming()
        except (DataPlaneError, OSError) as e:
            set_instance_status(region, db_id, "failed")
            self.errors.append(f"{db_id}: {e}")
            self.log.note("pg-replica", f"{region}/{db_id}: FAILED: {e}")
            raise
        dims = {"ReplicaLag": [{"Name": "DBInstanceIdentifier", "Value": db_id}]}
        publisher = w.plane.own(LagPublisher(self.client("cloudwatch", region),
                                             lambda: [pair.lag()], dims, self.clock,
                                             self.log).start())
        self.replicas[(region, db_id)] = Replica(region, db_id, pair, publisher)
        w.servers_by_id[(region, db_id)] = server
        w.pair = pair
        w.links.append(link)
        if region in w.shops:
            w.shops[region].attach(server)
        set_instance_status(region, db_id, "available")
        self.log.note("pg-replica", f"{region}/{db_id}: {name} streams from {source.name}; "
                                    "instance available")

    def publish_now(self) -> None:
        """Publish every replica's lag now (after the drill skipped a wait on its clock)."""
        for r in self.replicas.values():
            r.publisher.publish_now()

    def wait_published(self, timeout: float = 10.0) -> list[str]:
        """Wait (real seconds) until every replica has published a lag datapoint
        (:func:`drill.cycle.hooks.wait_published`); returns the replicas that have none yet."""
        return wait_published({f"{r.region}/{r.db_id}": r.publisher
                               for r in self.replicas.values()}, timeout=timeout)

    def get(self, region: str, db_id: str) -> Replica | None:
        return self.replicas.get((region, db_id))
