"""What the cycle's steps found (:class:`CycleState`), read by its verifier
(:mod:`drill.cycle.verify`) and the report. Plain data: the verifier's tests build it by hand."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from drill.cycle.deploy import PhaseDeploy


@dataclass(frozen=True)
class Instance:
    """A database instance as read from the emulator and its PostgreSQL server.

    Attributes:
        identifier, region: the RDS instance.
        resource_id: its ``DbiResourceId`` (a replaced instance gets a new one); None when it
            does not exist.
        replica_source: ``ReadReplicaSourceDBInstanceIdentifier`` (None: standalone).
        status: ``DBInstanceStatus``.
        server: the PostgreSQL server behind it (None: none).
        orders: orders its server holds (None: not read).
        in_recovery: whether its server replicates (None: not read).
    """

    identifier: str
    region: str
    resource_id: str | None
    replica_source: str | None = None
    status: str | None = None
    server: str | None = None
    orders: int | None = None
    in_recovery: bool | None = None

    @property
    def exists(self) -> bool:
        return self.resource_id is not None

    def __str__(self) -> str:
        """As the reports print it: ``shop-standby (us-west-2, db-..., available, standalone;
        server standby: 120 orders, writing)``."""
        if not self.exists:
            return f"{self.identifier} ({self.region}, not there)"
        source = f"replica of {self.replica_source}" if self.replica_source else "standalone"
        role = ("not read" if self.in_recovery is None
                else "in recovery" if self.in_recovery else "writing")
        orders = "orders not read" if self.orders is None else f"{self.orders} orders"
        server = f"server {self.server}: {orders}, {role}" if self.server else "no server"
        return (f"{self.identifier} ({self.region}, {self.resource_id}, {self.status or '-'}, "
                f"{source}; {server})")


@dataclass
class Event:
    """A failover or failback as customers saw it.

    Attributes:
        kind: ``unplanned failover``, ``planned failback``, ``second failover``.
        status: the orchestrator's final status.
        orders_lost: acknowledged orders the new writer lacks (None: not counted).
        lost_order_ids: their ids.
        acknowledged_by_old_writer: orders the old writer acknowledged (at risk).
        write_pause: the customer-visible write pause (``drill.data.loss.split`` shape plus
            ``failed_orders``), seconds on the drill's clock: measured on the emulator and
            skipped (modelled).
        rpo_seconds: the stack's RPO target (the unplanned failovers' loss is held to it).
        data_loss_window_seconds: oldest lost acknowledgement to the failure.
    """

    kind: str
    status: str | None = None
    orders_lost: int | None = None
    lost_order_ids: list[str] = field(default_factory=list)
    acknowledged_by_old_writer: int | None = None
    write_pause: dict[str, Any] = field(default_factory=dict)
    rpo_seconds: float | None = None
    data_loss_window_seconds: float | None = None


@dataclass
class CycleState:
    """The cycle so far.

    Attributes:
        primary_region, standby_region: the stack's Regions.
        deploys: phase -> its deploy (``failed-over``, ``reverse-replicating``, ``normal``).
        primary_provider: the primary-Region provider's configure-time arguments in the
            ``failed-over`` plan (``skipCredentialsValidation``...); None: not found.
        primary_before: the old primary as the cycle found it (after the unplanned
            failover): aurora-global's reverse replication must be this same cluster.
        standby_before, standby_after: the promoted standby before and after the
            ``failed-over`` deploy.
        failed_over_db_requests: RDS requests that create, delete, restore or promote an
            instance served during the ``failed-over`` deploy (``"rds:<Operation>" -> n``;
            must be none): with the ``DbiResourceId`` (unique per instance in the emulator,
            :mod:`emulator.moto_fixes`, as in RDS), the requests and the deploy's changes
            prove the standby was not replaced.
        reverse: the reverse replica after the ``reverse-replicating`` deploy.
        reverse_identifier: the one the program declares.
        new_primary: the promoted reverse replica after the failback.
        fresh_standby: the standby the ``normal`` deploy created.
        standing_standby: whether the strategy keeps a standby replica (read-replica); a
            snapshot-restore standby is restored at the next failover, under the fresh
            identifier.
        old_writer_at_failback: the old writer after the failback (its shop refusing
            writes), the last reading before the ``normal`` deploy: the orders it must keep.
        old_writer: the old writer (the promoted standby) after the ``normal`` deploy.
        standby_again: aurora-global: the secondary cluster after the ``normal`` deploy (the
            same cluster as before the cycle, a secondary again).
        old_primary_recovered, old_primary_after: dms: the old primary when its Region
            recovered and after the ``normal`` deploy (retained, never written to).
        cdc: dms: the change data capture behind the ``reverse`` task and the ``forward`` task
            of the ``normal`` deploy (:func:`drill.cycle.dms.task_facts`).
        second_restored_from: snapshot-restore: the recovery point the second failover
            restored the standby from, ``{"snapshot": id, "of": the instance it was taken of}``
            (None: not read, or no restored standby).
        events: the failover, the failback and the second failover.
    """

    primary_region: str
    standby_region: str
    deploys: dict[str, PhaseDeploy] = field(default_factory=dict)
    primary_provider: dict[str, Any] | None = None
    primary_before: Instance | None = None
    standby_before: Instance | None = None
    standby_after: Instance | None = None
    failed_over_db_requests: dict[str, int] = field(default_factory=dict)
    reverse_identifier: str | None = None
    reverse: Instance | None = None
    new_primary: Instance | None = None
    fresh_identifier: str | None = None
    fresh_standby: Instance | None = None
    standing_standby: bool = True
    old_writer_at_failback: Instance | None = None
    old_writer: Instance | None = None
    standby_again: Instance | None = None
    old_primary_recovered: Instance | None = None
    old_primary_after: Instance | None = None
    cdc: dict[str, dict[str, Any]] = field(default_factory=dict)
    second_restored_from: dict[str, str | None] | None = None
    events: list[Event] = field(default_factory=list)

    def event(self, kind: str) -> Event | None:
        return next((e for e in self.events if e.kind == kind), None)

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k != "deploys"}
        out["deploys"] = {p: d.to_dict() for p, d in self.deploys.items()}
        return out
