"""Data-plane bridges: moto's RDS and DMS control plane drives a real data plane.

moto answers ``PromoteReadReplica``, ``StopReplicationTask``, ``CreateDBSnapshot``,
``CopyDBSnapshot``, ``RestoreDBInstanceFromDBSnapshot``, ``CreateDBClusterSnapshot`` and
``CopyDBClusterSnapshot`` without moving a byte. While
:func:`data_plane_bridges` is active, each of these calls also acts on whatever stands behind
the emulated database, through a :class:`DataPlaneHooks` object the caller provides (the
drill maps each moto database to a PostgreSQL server, :mod:`drill.data`). The handlers keep
calling the AWS APIs exactly as in AWS and never learn about it.

The in-process moto backend is patched (moto server runs in the same process), so the data
plane acts when AWS would: while the request is served, before the answer (a caller that
dies right after the answer leaves the work done, as a killed Lambda does). The work runs on
moto's request thread; a hook that must not (starting a server) returns ``pending`` and
finishes later, the instance staying ``creating`` until :func:`set_instance_status` says
otherwise. A hook that fails raises :class:`BridgeRefused`: the API call fails with error
code ``DrillDataPlaneError`` and moto's state is left as before the call.

Bridge names (:data:`BRIDGES`): ``pg-promotion``, ``pg-dms-stop``, ``pg-snapshots``.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from moto.core.exceptions import ServiceException
from moto.dms import models as dms_models
from moto.rds import models as rds_models

from emulator import ACCOUNT_ID
from emulator.bridges import BridgeLog

BRIDGES: dict[str, str] = {
    "pg-promotion": "moto's PromoteReadReplica promotes nothing; the drill promotes the "
                    "standby's PostgreSQL server (pg_promote) while the request is served",
    "pg-dms-stop": "moto's StopReplicationTask stops nothing; the drill disables the logical-"
                   "replication subscription and opens the target for writes",
    "pg-snapshots": "moto's snapshots hold no data; CreateDBSnapshot (CreateDBClusterSnapshot) "
                    "takes a pg_basebackup into the Region's snapshot store, CopyDBSnapshot "
                    "(CopyDBClusterSnapshot) copies it across the "
                    "inter-Region link, RestoreDBInstanceFromDBSnapshot starts a new PostgreSQL "
                    "server from the copy (the instance is 'creating' until it accepts "
                    "connections)",
}


class BridgeRefused(Exception):  # noqa: N818 - the API call is refused, not crashed
    """A data-plane hook could not do its part; the API call fails with this message."""


class _DataPlaneError(ServiceException):
    code = "DrillDataPlaneError"


@dataclass(frozen=True)
class Restore:
    """What a restore hook did: ``note`` for the log; ``pending``: the server is not up yet,
    so the instance stays ``creating``."""

    note: str
    pending: bool = False


class DataPlaneHooks(Protocol):
    """What stands behind the emulated databases. Each method returns a note for the report,
    or raises :class:`BridgeRefused`."""

    def promote(self, region: str, db_id: str) -> str:
        """``PromoteReadReplica`` of ``db_id`` (before moto detaches it)."""

    def stop_task(self, region: str, task_arn: str) -> str:
        """``StopReplicationTask`` of ``task_arn`` (before moto marks it stopped)."""

    def snapshot(self, region: str, db_id: str, snapshot_id: str) -> str:
        """``CreateDBSnapshot``: moto created ``snapshot_id`` of ``db_id`` in ``region``."""

    def copy(self, source_region: str, source_id: str, region: str, target_id: str) -> str:
        """``CopyDBSnapshot``: moto copied ``source_region/source_id`` to ``region/target_id``."""

    def restore(self, region: str, snapshot_id: str, db_id: str) -> Restore:
        """``RestoreDBInstanceFromDBSnapshot``: moto created ``db_id`` from ``snapshot_id``."""


def set_instance_status(region: str, db_id: str, status: str) -> None:
    """Set the emulated DB instance's status (``"available"`` once its server is up).

    Raises:
        KeyError: no such instance in the in-process backend.
    """
    rds_models.rds_backends[ACCOUNT_ID][region].databases[db_id].status = status


def _snapshot_ref(backend: Any, ref: str) -> tuple[str, str]:
    """``(region, snapshot id)`` of a snapshot identifier or ARN, seen from ``backend``."""
    if ref.startswith("arn:"):
        parts = ref.split(":", 6)
        return parts[3], parts[6]
    return backend.region_name, ref


def _refused(what: str, e: BridgeRefused, log: BridgeLog, bridge: str) -> _DataPlaneError:
    log.note(bridge, f"{what} REFUSED: {e}")
    return _DataPlaneError(f"{what}: the data plane refused: {e}")


Patch = Callable[..., Any]
#: Makes the patch of one backend method from the hooks, the log and moto's original method.
PatchFactory = Callable[[DataPlaneHooks, BridgeLog, Patch], Patch]


def _bridge_snapshot(backend: Any, hooks: DataPlaneHooks, log: BridgeLog, request: str,
                     store: str, source_id: str, snapshot_id: str) -> None:
    """After moto created ``snapshot_id`` of ``source_id`` (an instance or a cluster) in
    ``backend.<store>``: the snapshot hook; when it refuses, the snapshot is removed again and
    ``request`` fails."""
    try:
        note = hooks.snapshot(backend.region_name, source_id, snapshot_id)
    except BridgeRefused as e:
        getattr(backend, store).pop(snapshot_id, None)
        raise _refused(f"{request} {snapshot_id}", e, log, "pg-snapshots") from e
    log.note("pg-snapshots", f"{backend.region_name}/{snapshot_id}: {note}")


def _bridge_copy(backend: Any, hooks: DataPlaneHooks, log: BridgeLog, request: str, store: str,
                 source_ref: str, target: str) -> None:
    """After moto copied ``source_ref`` (identifier or ARN) to ``target`` in
    ``backend.<store>``: the copy hook; when it refuses, the copy is removed again and
    ``request`` fails."""
    source_region, source_id = _snapshot_ref(backend, source_ref)
    try:
        note = hooks.copy(source_region, source_id, backend.region_name, target)
    except BridgeRefused as e:
        getattr(backend, store).pop(target, None)
        raise _refused(f"{request} {target}", e, log, "pg-snapshots") from e
    log.note("pg-snapshots", f"{backend.region_name}/{target}: {note}")


def _promote(hooks: DataPlaneHooks, log: BridgeLog, orig: Patch) -> Patch:
    def promote(self: Any, db_kwargs: dict[str, Any]) -> Any:
        db_id = db_kwargs["db_instance_identifier"]
        try:
            note = hooks.promote(self.region_name, db_id)
        except BridgeRefused as e:
            raise _refused(f"PromoteReadReplica {db_id}", e, log, "pg-promotion") from e
        log.note("pg-promotion", f"{self.region_name}/{db_id}: {note}")
        return orig(self, db_kwargs)
    return promote


def _stop_task(hooks: DataPlaneHooks, log: BridgeLog, orig: Patch) -> Patch:
    def stop_task(self: Any, replication_task_arn: str) -> Any:
        arn = replication_task_arn
        task = self.replication_tasks.get(arn)
        if task is not None and task.status == "running":
            try:
                log.note("pg-dms-stop", f"{arn}: {hooks.stop_task(self.region_name, arn)}")
            except BridgeRefused as e:
                raise _refused(f"StopReplicationTask {arn}", e, log, "pg-dms-stop") from e
        return orig(self, replication_task_arn=arn)
    return stop_task


def _restore(hooks: DataPlaneHooks, log: BridgeLog, orig: Patch) -> Patch:
    def restore(self: Any, from_snapshot_id: str, overrides: dict[str, Any]) -> Any:
        db = orig(self, from_snapshot_id, overrides)
        _, snapshot_id = _snapshot_ref(self, from_snapshot_id)
        try:
            done = hooks.restore(self.region_name, snapshot_id, db.db_instance_identifier)
        except BridgeRefused as e:
            self.databases.pop(db.db_instance_identifier, None)
            raise _refused(f"RestoreDBInstanceFromDBSnapshot {snapshot_id}", e, log,
                           "pg-snapshots") from e
        if done.pending:
            db.status = "creating"
        log.note("pg-snapshots", f"{self.region_name}/{db.db_instance_identifier}: {done.note}")
        return db
    return restore


def _arguments(orig: Patch, self: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The call's arguments by moto's own parameter names (defaults applied)."""
    bound = inspect.signature(orig).bind(self, *args, **kwargs)
    bound.apply_defaults()
    return dict(bound.arguments)


def _snapshot(request: str, store: str, source: str, target: str) -> PatchFactory:
    """``Create*Snapshot`` (``request``) of an instance or a cluster: after moto made it, the
    snapshot hook on the ``source`` instance or cluster and the ``target`` snapshot (moto's
    parameter names; the patch keeps moto's signature). Automated / system snapshots have no
    request behind them and are left alone."""
    def factory(hooks: DataPlaneHooks, log: BridgeLog, orig: Patch) -> Patch:
        @functools.wraps(orig)
        def create_snapshot(self: Any, *args: Any, **kwargs: Any) -> Any:
            snap = orig(self, *args, **kwargs)
            a = _arguments(orig, self, args, kwargs)
            if a.get("snapshot_type", "manual") == "manual":
                _bridge_snapshot(self, hooks, log, request, store, a[source], a[target])
            return snap
        return create_snapshot
    return factory


def _copy(request: str, store: str, source: str, target: str) -> PatchFactory:
    """``Copy*Snapshot`` (``request``): after moto copied it, the copy hook from the ``source``
    snapshot (identifier or ARN) to the ``target`` one (moto's parameter names)."""
    def factory(hooks: DataPlaneHooks, log: BridgeLog, orig: Patch) -> Patch:
        @functools.wraps(orig)
        def copy_snapshot(self: Any, *args: Any, **kwargs: Any) -> Any:
            copy = orig(self, *args, **kwargs)
            a = _arguments(orig, self, args, kwargs)
            _bridge_copy(self, hooks, log, request, store, a[source], a[target])
            return copy
        return copy_snapshot
    return factory


#: ``(backend class, method name, patch factory)`` of every bridged call.
_PATCHES: tuple[tuple[type, str, PatchFactory], ...] = (
    (rds_models.RDSBackend, "promote_read_replica", _promote),
    (rds_models.RDSBackend, "create_db_snapshot", _snapshot(
        "CreateDBSnapshot", "database_snapshots", "db_instance_identifier", "db_snapshot_identifier")),
    (rds_models.RDSBackend, "copy_db_snapshot", _copy(
        "CopyDBSnapshot", "database_snapshots", "source_db_snapshot_identifier",
        "target_db_snapshot_identifier")),
    (rds_models.RDSBackend, "restore_db_instance_from_db_snapshot", _restore),
    # An Aurora cluster's volume is what stands behind a cluster snapshot: the same hooks.
    (rds_models.RDSBackend, "create_db_cluster_snapshot", _snapshot(
        "CreateDBClusterSnapshot", "cluster_snapshots", "db_cluster_identifier",
        "db_cluster_snapshot_identifier")),
    (rds_models.RDSBackend, "copy_db_cluster_snapshot", _copy(
        "CopyDBClusterSnapshot", "cluster_snapshots", "source_db_cluster_snapshot_identifier",
        "target_db_cluster_snapshot_identifier")),
    (dms_models.DatabaseMigrationServiceBackend, "stop_replication_task", _stop_task),
)


@contextlib.contextmanager
def data_plane_bridges(hooks: DataPlaneHooks, log: BridgeLog) -> Iterator[None]:
    """Patch moto's RDS and DMS backends for the block (see the module docstring)."""
    saved = [(cls, name, getattr(cls, name)) for cls, name, _ in _PATCHES]
    for (cls, name, make), (_, _, orig) in zip(_PATCHES, saved, strict=True):
        setattr(cls, name, make(hooks, log, orig))
    try:
        yield
    finally:
        for cls, name, orig in saved:
            setattr(cls, name, orig)
