"""The drill's side of the data-plane bridges (:class:`DataBridge`): what each emulated RDS
and DMS call does to the PostgreSQL server behind the emulated database.

* ``PromoteReadReplica`` of the standby: ``pg_promote()`` on its server, at once (the call
  returns after PostgreSQL finished promoting; repeated calls change nothing);
* ``StopReplicationTask`` of the DMS task: the subscription is disabled, then the target
  opened for the app's writes;
* ``CreateDBSnapshot``: a base backup of the instance's server into its Region's store;
* ``CopyDBSnapshot``: that backup copied into the other Region's store across the
  inter-Region link (refused while the link is cut, as a copy out of a lost Region fails);
* ``RestoreDBInstanceFromDBSnapshot``: a new server from the copy. Starting a server must
  happen on the main thread (:mod:`drill.data.jobs`), so the instance stays ``creating``
  until the drill has started it and attached the Region's shop to it.

An emulated database with no server behind it (another protected database of the plan) is
left to moto alone, and the report's bridge log says so.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Protocol, TypeVar

from dataplane.errors import DataPlaneError
from dataplane.snapshots import Snapshot, copy_snapshot, restore_snapshot, take_snapshot
from drill.data.world import DataWorld
from emulator.bridges import BridgeLog
from emulator.data_bridges import BridgeRefused, Restore, set_instance_status


class _Performed(Protocol):
    """A promotion or a DMS stop: whether it did anything."""

    @property
    def performed(self) -> bool: ...


_Done = TypeVar("_Done", bound=_Performed)


@contextlib.contextmanager
def _refused_on_failure(w: DataWorld, kind: str) -> Iterator[None]:
    """Time the block under ``kind``; a data-plane failure in it refuses the emulated call."""
    try:
        with w.timed(kind):
            yield
    except DataPlaneError as e:
        raise BridgeRefused(str(e)) from e


class DataBridge:
    """The hooks :func:`emulator.data_bridges.data_plane_bridges` calls; acts on ``world``
    once the data plane is built (before, every call is left to moto).

    Args:
        log: the drill's bridge log (restore completions are noted there).
        clock: the drill's clock (marks the promotion).
    """

    def __init__(self, log: BridgeLog, clock: Callable[[], float]) -> None:
        self.world: DataWorld | None = None
        self._log = log
        self._clock = clock

    def promote(self, region: str, db_id: str) -> str:
        w = self.world
        server = w.servers_by_id.get((region, db_id)) if w else None
        if w is None or server is None or w.pair is None or server is not w.pair.standby:
            return "no PostgreSQL replica behind it: left to moto"
        done = self._open_for_writes(w, "promotion", w.pair.promote, w.promotions)
        return (f"pg_promote() on {server.name}: timeline {done.timeline_before} -> "
                f"{done.timeline_after} in {done.seconds:.3f} s" if done.performed else
                f"{server.name} already a writer (timeline {done.timeline_after}): nothing to do")

    def stop_task(self, region: str, task_arn: str) -> str:
        w = self.world
        task = w.cdc_task(task_arn) if w else None
        if w is None or task is None:
            return "no subscription behind it: left to moto"
        done = self._open_for_writes(w, "dms stop", task.stop, w.stops)
        return (f"subscription {done.subscription} disabled and {task.target.name} opened "
                f"for writes in {done.seconds:.3f} s" if done.performed else
                f"subscription {done.subscription} already stopped: nothing to do")

    def _open_for_writes(self, w: DataWorld, kind: str, act: Callable[[], _Done],
                         done_list: list[_Done]) -> _Done:
        """Run ``act`` (a promotion or a DMS stop: opens a standby for writes) timed under
        ``kind``, append its result to ``done_list`` and, when it did something, mark the
        first time a standby was opened. Raises BridgeRefused when the data plane fails."""
        with _refused_on_failure(w, kind):
            done = act()
        done_list.append(done)
        if done.performed:
            w.marks.setdefault("promoted", self._clock())
        return done

    def snapshot(self, region: str, db_id: str, snapshot_id: str) -> str:
        w = self.world
        server = w.servers_by_id.get((region, db_id)) if w else None
        if w is None or server is None:
            return "no PostgreSQL server behind it: left to moto"
        if not server.running:
            raise BridgeRefused(f"{server.name} is not running")
        with _refused_on_failure(w, "snapshots"):
            snap = take_snapshot(server, w.stores[region], snapshot_id)
        w.snapshots[(region, snapshot_id)] = snap
        return (f"pg_basebackup of {server.name}: {snap.size_bytes / 2**20:.1f} MiB in "
                f"{snap.completed_at - snap.started_at:.2f} s")

    def copy(self, source_region: str, source_id: str, region: str, target_id: str) -> str:
        w = self.world
        source = w.snapshots.get((source_region, source_id)) if w else None
        if w is None or source is None:
            return "no data behind the source snapshot: left to moto"
        with _refused_on_failure(w, "snapshots"):  # a cut link too (LinkCutError)
            copy = copy_snapshot(source, w.stores[region], link=w.copies_link, name=target_id)
        w.snapshots[(region, target_id)] = copy
        return f"copied {source_region}/{source_id} ({copy.size_bytes / 2**20:.1f} MiB) across the link"

    def restore(self, region: str, snapshot_id: str, db_id: str) -> Restore:
        w = self.world
        snap = w.snapshots.get((region, snapshot_id)) if w else None
        if w is None:
            return Restore("no data plane: left to moto")
        if snap is None:
            raise BridgeRefused(f"snapshot {region}/{snapshot_id} holds no data (no base backup "
                                "behind it)")
        w.jobs.submit(f"restore {db_id}", lambda: self._finish_restore(w, region, snap, db_id))
        return Restore(f"restoring {snapshot_id} into a new server (started on the main thread)",
                       pending=True)

    def _finish_restore(self, w: DataWorld, region: str, snap: Snapshot, db_id: str) -> None:
        name = f"restored-{len(w.restores) + 1}"
        try:
            with w.timed("restore"):
                server = restore_snapshot(w.plane, snap, name=name, region=region)
        except Exception as e:
            set_instance_status(region, db_id, "failed")
            self._log.note("pg-snapshots", f"{region}/{db_id}: restore FAILED: {e}")
            raise
        w.servers_by_id[(region, db_id)] = server
        w.standby = server
        w.restores.append({"server": name, "db_instance": db_id, "snapshot": snap.name,
                           "timeline": server.timeline()})
        if region in w.shops:
            w.shops[region].attach(server)
        w.marks.setdefault("promoted", self._clock())
        set_instance_status(region, db_id, "available")
        self._log.note("pg-snapshots", f"{region}/{db_id}: {name} accepts connections; "
                                       "instance available")
