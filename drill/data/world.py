"""What the drill's data side runs, and how it is torn down (:class:`DataWorld`).

Layout under the drill's data directory (``<reports-dir>/dataplane`` unless ``--data-dir``)::

    <data-dir>/.lock          held for the whole drill (a second one is refused before it starts)
    <data-dir>/run/           the data plane's run directory (servers, snapshot stores, TMPDIR)
    <data-dir>/<server>.log   each server's log, kept after the drill; ``run/`` is removed

Nothing goes to the system temporary directory.
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contract.strategies import Strategy
from dataplane.customers import Customers
from dataplane.global_db import GlobalDatabase, Rejoin, Switchover
from dataplane.lag import LagSample
from dataplane.link import LinkProxy
from dataplane.logical import LogicalReplication, ReplicationStop
from dataplane.physical import PhysicalReplica, Promotion
from dataplane.plane import DataPlane
from dataplane.schema import order_ids
from dataplane.server import PostgresServer
from dataplane.shop import ShopApp
from dataplane.snapshots import Snapshot, SnapshotStore
from drill.data.jobs import MainThreadJobs
from drill.data.metrics import LagPublisher
from drill.data.resolver import FailoverResolver


class DataDirInUse(RuntimeError):
    """Another drill holds the data directory's lock."""


@contextlib.contextmanager
def locked_data_dir(data_dir: Path) -> Iterator[None]:
    """Hold ``data_dir/.lock`` for the block: one drill per data directory, from its first
    step to its reports (an advisory lock, released when the process ends, even if killed).

    Raises:
        DataDirInUse: another drill holds it.
    """
    path = data_dir.resolve() / ".lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise DataDirInUse(f"another drill uses {path.parent}: give each drill its own "
                           "--reports-dir (or --data-dir)") from None
    try:
        yield
    finally:
        handle.close()


@dataclass
class DataWorld:
    """The drill's real databases, shops and customers (built by :mod:`drill.data.build`).

    Attributes:
        strategy: the database strategy drilled.
        data_dir: the drill's data directory (see the module docstring).
        plane: the data plane (owns servers, links and apps; closed by :meth:`close`).
        primary: the primary Region's server.
        standby: the standby's server (replica, DMS target, or the restored server once
            restored; None before a snapshot-restore).
        pair, task: the replication (read-replica / dms), else None.
        links: the inter-Region links (replication, snapshot copies): cut at the failure.
        copies_link: the link snapshot copies cross.
        stores: Region -> snapshot store.
        shops: Region -> its shop.
        servers_by_id: ``(region, moto DB instance id) -> server``.
        task_arn: the DMS task the subscription stands for.
        cdc_tasks: DMS task ARN -> the subscription behind it, for tasks started later (the
            dms cycle's reverse and new forward tasks, :mod:`drill.cycle.cdc`).
        snapshots: ``(region, moto snapshot id) -> data-plane snapshot``.
        promotions, stops, restores: what the bridges did, in order.
        jobs: work for the main thread (server starts).
        publisher, resolver, customers: started by the data-plane step.
        timeline_before: the standby's timeline when the data plane was built.
        seconds: wall seconds the drill spent blocked in data-plane work, by kind.
        marks: drill-clock times of ``promoted`` (first promotion, stop or restore done).
        global_db: the aurora-global pair (``pair`` is its first streaming pair), else None.
        switchovers, rejoins: what the Aurora bridges did to it, in order.
    """

    strategy: Strategy
    data_dir: Path
    plane: DataPlane
    primary: PostgresServer
    primary_region: str
    standby_region: str
    standby: PostgresServer | None = None
    pair: PhysicalReplica | None = None
    task: LogicalReplication | None = None
    links: list[LinkProxy] = field(default_factory=list)
    copies_link: LinkProxy | None = None
    stores: dict[str, SnapshotStore] = field(default_factory=dict)
    shops: dict[str, ShopApp] = field(default_factory=dict)
    servers_by_id: dict[tuple[str, str], PostgresServer] = field(default_factory=dict)
    task_arn: str | None = None
    cdc_tasks: dict[str, LogicalReplication] = field(default_factory=dict)
    snapshots: dict[tuple[str, str], Snapshot] = field(default_factory=dict)
    promotions: list[Promotion] = field(default_factory=list)
    stops: list[ReplicationStop] = field(default_factory=list)
    restores: list[dict[str, Any]] = field(default_factory=list)
    jobs: MainThreadJobs = field(default_factory=MainThreadJobs)
    publisher: LagPublisher | None = None
    resolver: FailoverResolver | None = None
    customers: Customers | None = None
    timeline_before: int | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    marks: dict[str, float] = field(default_factory=dict)
    global_db: GlobalDatabase | None = None
    switchovers: list[Switchover] = field(default_factory=list)
    rejoins: list[Rejoin] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @contextlib.contextmanager
    def timed(self, kind: str) -> Iterator[None]:
        """Add the block's wall seconds to :attr:`seconds` under ``kind``."""
        started = time.perf_counter()
        try:
            yield
        finally:
            with self._lock:
                self.seconds[kind] = self.seconds.get(kind, 0.0) + time.perf_counter() - started

    def lag(self) -> list[LagSample]:
        """The replication metrics' readings now (``[]`` when nothing replicates)."""
        if self.global_db is not None:
            return self.global_db.lag()
        if self.pair is not None:
            return [self.pair.lag()]
        if self.task is not None:
            return list(self.task.lag())
        return []

    def cdc_task(self, task_arn: str) -> LogicalReplication | None:
        """The subscription behind the DMS task ``task_arn`` (None: none)."""
        if self.task is not None and task_arn == self.task_arn:
            return self.task
        return self.cdc_tasks.get(task_arn)

    def standby_order_ids(self) -> frozenset[str] | None:
        """Order ids the standby holds now, read directly (None: no standby running)."""
        if self.standby is None or not self.standby.running:
            return None
        return order_ids(self.standby)

    def fail_primary_region(self) -> None:
        """The primary Region goes: every inter-Region link is cut (the bytes in flight are
        lost) and the primary's server crashes (no shutdown checkpoint)."""
        for link in self.links:
            link.cut()
        self.primary.crash()

    def close(self) -> None:
        """Stop customers, the publisher, shops, links and servers; keep the servers' logs;
        remove the run directory (idempotent)."""
        for thing in (self.customers, self.publisher):
            if thing is not None:
                with contextlib.suppress(Exception):
                    thing.close()
        try:
            self.plane.close()
        finally:
            self._keep_logs()
            shutil.rmtree(self.plane.run_dir, ignore_errors=True)

    def _keep_logs(self) -> None:
        for name, server in self.plane.servers.items():
            with contextlib.suppress(OSError):
                if server.log_path.is_file():
                    shutil.copyfile(server.log_path, self.data_dir / f"{name}.log")


def open_data_dir(data_dir: Path) -> DataPlane:
    """Open a fresh data plane under ``data_dir/run`` (a run directory a killed drill left
    behind is removed first). The caller holds :func:`locked_data_dir` and closes the plane
    (:meth:`DataWorld.close`).

    Raises:
        dataplane.errors.DataPlaneError: the service user cannot be created.
    """
    data_dir = data_dir.resolve()
    run_dir = data_dir / "run"
    shutil.rmtree(run_dir, ignore_errors=True)
    for stale in data_dir.glob("*.log"):
        stale.unlink(missing_ok=True)
    plane = DataPlane(run_dir)
    try:
        plane.open()
    except BaseException:
        plane.close()
        raise
    return plane
