"""aurora-global: a global database as a PostgreSQL physical streaming pair across the link.

Aurora replicates at the storage layer; here the writer's WAL streams through the
inter-Region link to one secondary (:class:`dataplane.physical.PhysicalReplica`), which is
what a data-loss count needs: what was acknowledged on the writer and had not crossed the
link when the writer's Region went is lost. The operations mirror the Aurora ones (Amazon
Aurora User Guide, "Using switchover or failover in Amazon Aurora Global Database",
https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html):

* :meth:`GlobalDatabase.failover` (``FailoverGlobalCluster`` with ``AllowDataLoss``): the
  secondary is promoted (``pg_promote``) whatever it has not received; the old writer leaves.
* :meth:`GlobalDatabase.rejoin` (its Region recovered): the old writer's volume is read for
  what it holds that the new writer lacks (Aurora keeps it as the
  ``rds:unplanned-global-failover-...`` snapshot), then the old writer comes back as a
  secondary of the new writer: a fresh base backup through a new link (its diverged data is
  discarded, as Aurora resynchronises the rejoined cluster).
* :meth:`GlobalDatabase.switchover` (``SwitchoverGlobalCluster``, RPO 0): the writer stops
  taking writes (read-only, sessions ended), the secondary replays everything the writer
  wrote (zero lag), then the secondary is promoted; the old writer is stopped and later
  rejoins (:meth:`rejoin`) as the new secondary.

Lag (:meth:`GlobalDatabase.lag`) is the pair's streaming lag (:func:`dataplane.lag.physical_lag`)
shaped as ``AWS/RDS AuroraGlobalDBRPOLag`` (seconds here; Aurora publishes milliseconds).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass

from dataplane.errors import DataPlaneError
from dataplane.lag import LagSample
from dataplane.physical import PhysicalReplica, Promotion
from dataplane.plane import DataPlane
from dataplane.schema import order_ids
from dataplane.server import PostgresServer

#: The metric the pair's lag stands for (Aurora PostgreSQL's RPO lag).
RPO_LAG_METRIC = "AuroraGlobalDBRPOLag"

_END_SESSIONS = ("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                 "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")


@dataclass(frozen=True)
class Rejoin:
    """What a rejoin did.

    Attributes:
        server: the new secondary (a fresh base backup of the writer, streaming).
        replaced: the name of the server it replaced (the old writer).
        diverged_order_ids: order ids the old writer held that the writer lacks (its volume
            read before it was resynchronised; None when it could not be read).
        seconds: wall seconds the rejoin took.
    """

    server: PostgresServer
    replaced: str
    diverged_order_ids: frozenset[str] | None
    seconds: float


@dataclass(frozen=True)
class Switchover:
    """What a switchover did: the promotion, the writer's WAL position the secondary had
    replayed before it (``synced_lsn``), the seconds waited for that, and the old writer
    (stopped, to rejoin)."""

    promotion: Promotion
    synced_lsn: str
    sync_seconds: float
    old_writer: PostgresServer


class GlobalDatabase:
    """A writer and (normally) one streaming secondary in the other Region.

    Args:
        plane: the run owning links and servers.
        pair: the streaming pair (writer = ``pair.primary``).
    """

    def __init__(self, plane: DataPlane, pair: PhysicalReplica) -> None:
        self.plane = plane
        self.pair: PhysicalReplica | None = pair
        self.writer: PostgresServer = pair.primary
        self._generation = 1
        self._lock = threading.Lock()

    @classmethod
    def create(cls, plane: DataPlane, writer: PostgresServer, *,
               secondary_region: str) -> GlobalDatabase:
        """Base-backup ``writer`` through a new link into a streaming secondary."""
        return cls(plane, PhysicalReplica.create(plane, writer, standby_region=secondary_region))

    @property
    def secondary(self) -> PostgresServer | None:
        """The streaming secondary, or None (after a failover, until a rejoin)."""
        return self.pair.standby if self.pair is not None else None

    def lag(self) -> list[LagSample]:
        """``[AuroraGlobalDBRPOLag]`` of the secondary now (``[]`` with no secondary)."""
        if self.pair is None:
            return []
        return [dataclasses.replace(self.pair.lag(), metric=RPO_LAG_METRIC)]

    def failover(self) -> Promotion:
        """Promote the secondary whatever it lacks; it becomes the writer (repeated calls
        change nothing).

        Raises:
            DataPlaneError: no secondary, or PostgreSQL did not promote.
        """
        with self._lock:
            pair = self.pair
            if pair is None:
                raise DataPlaneError("the global database has no secondary to fail over to")
            done = pair.promote()
            if done.performed or not pair.standby.is_in_recovery():
                self.writer, self.pair = pair.standby, None
            return done

    def switchover(self, timeout: float = 10.0) -> Switchover:
        """Stop writes on the writer, wait until the secondary replayed all of it, promote it,
        and stop the old writer (see the module docstring).

        Raises:
            DataPlaneError: no secondary, or it did not catch up within ``timeout`` seconds
                (the writer is opened for writes again: nothing changed).
        """
        with self._lock:
            pair = self.pair
            if pair is None:
                raise DataPlaneError("the global database has no secondary to switch over to")
            old = pair.primary
            _read_only(old, True)
            try:
                started = time.perf_counter()
                lsn = str(old.query("SELECT pg_current_wal_lsn()")[0][0])
                pair.wait_replayed(timeout)
                synced = time.perf_counter() - started
            except DataPlaneError:
                _read_only(old, False)
                raise
            done = pair.promote()
            old.stop()
            self.writer, self.pair = pair.standby, None
            return Switchover(done, lsn, synced, old)

    def rejoin(self, old: PostgresServer) -> Rejoin:
        """``old`` (a former writer) comes back as the secondary of the writer: its volume is
        read for the orders it holds that the writer lacks, then it is replaced by a fresh
        base backup of the writer through a new link, streaming. Main thread only (it starts
        servers).

        Raises:
            DataPlaneError: a secondary is already streaming, or the new one did not start.
        """
        if self.pair is not None:
            raise DataPlaneError(f"{self.pair.standby.name} already replicates from {self.writer.name}")
        started = time.perf_counter()
        diverged = self._diverged(old)
        self._generation += 1
        name = f"{old.name.split('-g')[0]}-g{self._generation}"
        pair = PhysicalReplica.create(self.plane, self.writer, standby_region=old.region,
                                      standby_name=name)
        with self._lock:
            self.pair = pair
        return Rejoin(pair.standby, old.name, diverged, time.perf_counter() - started)

    def _diverged(self, old: PostgresServer) -> frozenset[str] | None:
        try:
            if not old.running:
                old.start()   # crash recovery: what its volume holds
            held = order_ids(old)
            old.stop()
        except Exception:  # noqa: BLE001 - an unreadable volume: unknown, reported as None
            return None
        return held - order_ids(self.writer)


def _read_only(server: PostgresServer, on: bool) -> None:
    """New transactions read-only (``on``) or not, and (when ``on``) every client session
    ended, so nothing in flight commits afterwards."""
    value = "on" if on else "off"
    server.query(f"ALTER SYSTEM SET default_transaction_read_only = {value}")
    server.query("SELECT pg_reload_conf()")
    if on:
        server.query(_END_SESSIONS)

