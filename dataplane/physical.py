"""read-replica: physical streaming replication across the link, promoted with ``pg_promote()``.

The standby is a ``pg_basebackup -R -X stream`` of the primary taken *through the link*,
with a physical replication slot, so the base backup and then the WAL stream cross the
inter-Region network. Promotion is what ``rds:PromoteReadReplica`` does to a cross-Region
replica: the standby leaves recovery, starts a new timeline and takes writes.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import psycopg

from dataplane.binaries import program
from dataplane.errors import DataPlaneError, NotReplicatingError
from dataplane.lag import LagSample, physical_lag
from dataplane.link import LinkProxy
from dataplane.plane import DataPlane
from dataplane.ports import LOOPBACK
from dataplane.procs import run_as
from dataplane.server import PostgresServer


@dataclass(frozen=True)
class Promotion:
    """What a promotion did.

    Attributes:
        server: name of the promoted server.
        timeline_before: its timeline when asked (the primary's, e.g. 1).
        timeline_after: its timeline afterwards (``timeline_before + 1`` when performed).
        performed: ``False`` when it was already a writer (a repeated request changes nothing).
        seconds: wall-clock seconds ``pg_promote(wait => true)`` took (0.0 when not performed).
    """

    server: str
    timeline_before: int
    timeline_after: int
    performed: bool
    seconds: float


@dataclass(eq=False)
class PhysicalReplica:
    """A primary and its streaming standby in another Region.

    Build with :meth:`create`; the constructor wraps servers that already replicate.

    Args:
        primary: the source (a writer).
        standby: the replica, replicating from ``primary`` through ``link``.
        link: the inter-Region link the WAL stream crosses.
        slot: the physical replication slot on ``primary``.
    """

    primary: PostgresServer
    standby: PostgresServer
    link: LinkProxy
    slot: str
    _promote_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def create(cls, plane: DataPlane, primary: PostgresServer, *, standby_region: str,
               standby_name: str = "standby", delay_seconds: float = 0.0) -> PhysicalReplica:
        """Base-backup ``primary`` through a new link and start the standby from it.

        Args:
            plane: the run owning the new link and server.
            primary: a running writer (normally from :meth:`DataPlane.new_primary`).
            standby_region: the Region the standby stands for.
            standby_name: server name (also its ``application_name`` and slot name).
            delay_seconds: initial one-way delay of the link.

        Returns:
            The pair, streaming (the standby accepts read-only connections and has reported
            its replay position to the primary).

        Raises:
            CommandError: ``pg_basebackup`` failed.
            ServerStartError: the standby did not start.
        """
        link = plane.link(f"{primary.region}->{standby_region}", primary.address,
                          delay_seconds=delay_seconds)
        standby, slot = clone_standby(plane, primary, link, name=standby_name, region=standby_region)
        standby.start()
        pair = cls(primary, standby, link, slot)
        pair.wait_streaming()
        return pair

    def wait_streaming(self, timeout: float = 30.0) -> float:
        """Wait until the primary sees the standby streaming and reporting its replay position.

        Returns:
            Seconds waited.

        Raises:
            DataPlaneError: not streaming within ``timeout`` seconds.
        """
        waited = self.primary.wait_for(
            "SELECT count(*) > 0 FROM pg_stat_replication WHERE application_name = %s"
            " AND state = 'streaming' AND replay_lsn IS NOT NULL", (self.standby.name,), timeout=timeout)
        if waited is not None:
            return waited
        raise DataPlaneError(f"{self.standby.name} is not streaming after {timeout:.0f} s")

    def wait_replayed(self, timeout: float = 10.0) -> float:
        """Wait until the standby has replayed everything the primary had written when called.

        Returns:
            Seconds waited.

        Raises:
            DataPlaneError: not replayed within ``timeout`` seconds (link cut or too slow).
        """
        target = self.primary.query("SELECT pg_current_wal_lsn()")[0][0]
        waited = self.standby.wait_for("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,),
                                       timeout=timeout)
        if waited is not None:
            return waited
        raise DataPlaneError(f"{self.standby.name} did not replay up to {target} within {timeout:.0f} s")

    def lag(self) -> LagSample:
        """The ``AWS/RDS ReplicaLag`` reading now (see :func:`dataplane.lag.physical_lag`)."""
        return physical_lag(self.primary, self.standby.name)

    def promote(self, timeout: float = 60.0) -> Promotion:
        """Promote the standby (``pg_promote(wait => true)``); repeated calls change nothing.

        Safe to call twice or from two threads at once: only the first promotes, and the
        timeline advances exactly once.

        Raises:
            NotReplicatingError: the standby is not running.
            DataPlaneError: PostgreSQL did not finish promoting within ``timeout`` seconds.
        """
        with self._promote_lock:
            if not self.standby.running:
                raise NotReplicatingError(f"{self.standby.name} is not running; nothing to promote")
            before = self.standby.timeline()
            if not self.standby.is_in_recovery():
                return Promotion(self.standby.name, before, before, False, 0.0)
            started = time.perf_counter()
            try:
                done = self.standby.query("SELECT pg_promote(true, %s)", (max(1, round(timeout)),))[0][0]
            except psycopg.errors.ObjectNotInPrerequisiteState:  # promoted meanwhile by someone else
                return Promotion(self.standby.name, before, self.standby.timeline(), False, 0.0)
            seconds = time.perf_counter() - started
            if not done:
                raise DataPlaneError(f"{self.standby.name} did not finish promoting within {timeout:.0f} s")
            return Promotion(self.standby.name, before, self.standby.timeline(), True, seconds)



def clone_standby(plane: DataPlane, primary: PostgresServer, link: LinkProxy, *, name: str,
                  region: str) -> tuple[PostgresServer, str]:
    """``pg_basebackup -R -X stream`` of ``primary`` through ``link`` into a new, stopped server.

    The backup creates a physical replication slot named after the server (``-`` -> ``_``)
    and writes ``primary_conninfo`` pointing at the link, so the started server streams
    through it as ``application_name = name``.

    Returns:
        ``(standby, slot)``; start the standby to begin replaying.

    Raises:
        CommandError: ``pg_basebackup`` failed (e.g. the slot exists, or the link is cut).
    """
    standby = plane.server(name, region)
    slot = name.replace("-", "_")
    conninfo = f"host={LOOPBACK} port={link.port} user=postgres application_name={name}"
    run_as(standby.user, [program("pg_basebackup"), "-D", str(standby.data_dir), "-d", conninfo,
                          "-R", "-X", "stream", "-c", "fast", "--no-sync", "-C", "-S", slot],
           scratch=standby.scratch)
    return standby, slot
