"""dms: logical replication (publication -> subscription), the CDC analogue of AWS DMS.

The target is a separate cluster in the other Region with the shop schema (logical
replication carries rows, not DDL or roles). The subscription connects to the source
*through the link*. While it replicates, the target is closed to the app (its sessions are
read-only, see :func:`dataplane.schema.set_app_read_only`); the apply worker runs as the
superuser and is unaffected. At failover, :meth:`LogicalReplication.stop` does what
stopping a DMS task and cutting over does: disable the subscription, then open the target
for writes. The source's replication slot is kept (a stopped DMS task keeps its position).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from dataplane.errors import DataPlaneError, NotReplicatingError
from dataplane.lag import LagSample, logical_lag
from dataplane.link import LinkProxy
from dataplane.plane import DataPlane
from dataplane.ports import LOOPBACK
from dataplane.schema import SHOP_DB, install_shop_schema, set_app_read_only
from dataplane.server import PostgresServer


@dataclass(frozen=True)
class ReplicationStop:
    """What stopping the replication did.

    Attributes:
        subscription: the subscription's name.
        performed: ``False`` when it was already stopped (a repeated request changes nothing).
        target_writable: whether the target now takes the app's writes (always ``True`` after).
        seconds: wall-clock seconds from the request until the apply worker had exited and the
            target was open (0.0 when not performed).
    """

    subscription: str
    performed: bool
    target_writable: bool
    seconds: float


@dataclass(eq=False)
class LogicalReplication:
    """A source, its logical-replication target in another Region, and the subscription.

    Build with :meth:`create`.

    Args:
        source: the publisher (the primary).
        target: the subscriber.
        link: the inter-Region link the change stream crosses.
        subscription: subscription name on ``target`` (also its slot and walsender name).
        publication: publication name on ``source``.
    """

    source: PostgresServer
    target: PostgresServer
    link: LinkProxy
    subscription: str
    publication: str
    _stop_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def create(cls, plane: DataPlane, source: PostgresServer, *, target_region: str,
               target_name: str = "target", subscription: str = "dms_task",
               delay_seconds: float = 0.0, sync_timeout: float = 30.0) -> LogicalReplication:
        """Create the target, publish ``orders`` on ``source``, subscribe and wait for the copy.

        Args:
            plane: the run owning the new link and server.
            source: a running writer with the shop schema.
            target_region: the Region the target stands for.
            target_name: server name of the target.
            subscription: subscription name (``[a-z_][a-z0-9_]*``).
            delay_seconds: initial one-way delay of the link.
            sync_timeout: seconds to wait for the initial table copy.

        Raises:
            DataPlaneError: the initial copy did not finish in time.
        """
        target = plane.server(target_name, target_region).init().start()
        return cls.subscribe(plane, source, target, subscription=subscription,
                             delay_seconds=delay_seconds, sync_timeout=sync_timeout)

    @classmethod
    def subscribe(cls, plane: DataPlane, source: PostgresServer, target: PostgresServer, *,
                  subscription: str, delay_seconds: float = 0.0,
                  sync_timeout: float = 30.0) -> LogicalReplication:
        """Subscribe the running ``target`` (a server of its own, in another Region) to
        ``orders`` on ``source`` through a new link, closed to the app while it replicates;
        wait for the initial copy (a DMS task's full load, then CDC).

        Args:
            plane: the run owning the new link.
            source: a running writer with the shop schema (its publication is created once).
            target: a running server; the shop schema is installed on it (idempotent).
            subscription: subscription name (``[a-z_][a-z0-9_]*``), unique per source.
            delay_seconds: initial one-way delay of the link.
            sync_timeout: seconds to wait for the initial table copy.

        Raises:
            DataPlaneError: the initial copy did not finish in time.
        """
        link = plane.link(f"{source.region}->{target.region}", source.address,
                          delay_seconds=delay_seconds)
        install_shop_schema(target)
        set_app_read_only(target, True)
        publication = f"{subscription}_pub"
        with source.connect(SHOP_DB) as conn:
            if not conn.execute("SELECT 1 FROM pg_publication WHERE pubname = %s", (publication,)).fetchone():
                conn.execute(f"CREATE PUBLICATION {publication} FOR TABLE orders")
        conninfo = f"host={LOOPBACK} port={link.port} user=postgres dbname={SHOP_DB}"
        target.query(f"CREATE SUBSCRIPTION {subscription} CONNECTION '{conninfo}' PUBLICATION {publication}",
                     dbname=SHOP_DB)
        pair = cls(source, target, link, subscription, publication)
        pair._wait_synced(sync_timeout)
        return pair

    def _wait_synced(self, timeout: float) -> None:
        if self.target.wait_for("SELECT count(*) > 0 AND bool_and(srsubstate = 'r') FROM pg_subscription_rel",
                                dbname=SHOP_DB, timeout=timeout) is not None:
            return
        raise DataPlaneError(f"subscription {self.subscription} did not finish its initial copy "
                             f"within {timeout:.0f} s")

    @property
    def replicating(self) -> bool:
        """Whether the subscription is enabled."""
        rows = self.target.query("SELECT subenabled FROM pg_subscription WHERE subname = %s",
                                 (self.subscription,), dbname=SHOP_DB)
        return bool(rows and rows[0][0])

    def wait_replayed(self, timeout: float = 10.0) -> float:
        """Wait until the target confirmed everything the source had written when called.

        Returns:
            Seconds waited.

        Raises:
            DataPlaneError: not confirmed within ``timeout`` seconds.
        """
        target_lsn = self.source.query("SELECT pg_current_wal_lsn()")[0][0]
        waited = self.source.wait_for(
            "SELECT coalesce(bool_and(confirmed_flush_lsn >= %s::pg_lsn), false) FROM pg_replication_slots"
            " WHERE slot_name = %s", (target_lsn, self.subscription), timeout=timeout)
        if waited is not None:
            return waited
        raise DataPlaneError(f"{self.target.name} did not confirm {target_lsn} within {timeout:.0f} s")

    def lag(self) -> tuple[LagSample, LagSample]:
        """``(CDCLatencySource, CDCLatencyTarget)`` now (see :func:`dataplane.lag.logical_lag`)."""
        return logical_lag(self.source, self.target, self.subscription)

    def stop(self, timeout: float = 10.0) -> ReplicationStop:
        """Disable the subscription, wait for its apply worker to exit, open the target for writes.

        Works while the source is down. Repeated (or concurrent) calls change nothing more.

        Raises:
            NotReplicatingError: the target is not running.
            DataPlaneError: the apply worker did not exit within ``timeout`` seconds.
        """
        with self._stop_lock:
            if not self.target.running:
                raise NotReplicatingError(f"{self.target.name} is not running")
            if not self.replicating:
                set_app_read_only(self.target, False)
                return ReplicationStop(self.subscription, False, True, 0.0)
            started = time.perf_counter()
            self.target.query(f"ALTER SUBSCRIPTION {self.subscription} DISABLE", dbname=SHOP_DB)
            self._wait_worker_gone(timeout)
            set_app_read_only(self.target, False)
            return ReplicationStop(self.subscription, True, True, time.perf_counter() - started)

    def _wait_worker_gone(self, timeout: float) -> None:
        if self.target.wait_for(
                "SELECT count(*) = 0 FROM pg_stat_subscription st JOIN pg_subscription s ON s.oid = st.subid"
                " WHERE s.subname = %s AND st.pid IS NOT NULL", (self.subscription,), dbname=SHOP_DB,
                timeout=timeout) is not None:
            return
        raise DataPlaneError(f"apply worker of {self.subscription} still running after {timeout:.0f} s")


@dataclass(frozen=True)
class SubscriptionEnds:
    """Where a subscription stands, as the servers' catalogs show it.

    Attributes:
        runs_on: names of the servers whose ``pg_subscription`` holds it (the subscribers).
        reads_from: names of the servers holding its replication slot (``pg_replication_slots``,
            created on the publisher when the subscription connected: the server it reads).
        enabled: ``subenabled`` on its one subscriber (None: not exactly one).
    """

    runs_on: tuple[str, ...]
    reads_from: tuple[str, ...]
    enabled: bool | None


def subscription_ends(servers: Iterable[PostgresServer], subscription: str) -> SubscriptionEnds:
    """Find ``subscription`` (its name, also its slot's) on the running ``servers``, read from
    their catalogs rather than from whoever created it."""
    runs_on: list[str] = []
    reads_from: list[str] = []
    enabled: list[bool] = []
    for server in servers:
        if not server.running:
            continue
        rows = server.query("SELECT subenabled FROM pg_subscription WHERE subname = %s",
                            (subscription,))
        if rows:
            runs_on.append(server.name)
            enabled.append(bool(rows[0][0]))
        if server.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = %s", (subscription,)):
            reads_from.append(server.name)
    return SubscriptionEnds(tuple(runs_on), tuple(reads_from),
                            enabled[0] if len(enabled) == 1 else None)
