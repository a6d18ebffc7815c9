"""The replica bridge: moto's ``CreateDBInstanceReadReplica`` drives a real data plane.

moto copies the source instance's record and moves no byte. While :func:`replica_bridge` is
active, the call also asks a :class:`ReplicaHooks` object to build a replica of whatever
stands behind the source (the drill: ``pg_basebackup`` of the source's PostgreSQL server
through a new inter-Region link, then streaming; :mod:`drill.cycle.replicas`). Starting a
server must happen on the caller's main thread, so the hook may answer ``pending``: the new
instance then stays ``creating`` until :func:`emulator.data_bridges.set_instance_status` says
``available``, as RDS keeps a new replica ``creating`` until it replicates. A hook that
fails raises :class:`emulator.data_bridges.BridgeRefused`: the call fails with error code
``DrillDataPlaneError`` and moto forgets the replica.

Bridge name (:data:`BRIDGES`): ``pg-replica``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, Protocol

from moto.core.exceptions import ServiceException
from moto.rds import models as rds_models

from emulator.bridges import BridgeLog
from emulator.data_bridges import BridgeRefused, Restore

BRIDGES: dict[str, str] = {
    "pg-replica": "moto's CreateDBInstanceReadReplica copies a record; the drill takes a "
                  "pg_basebackup of the source's PostgreSQL server through a new inter-Region "
                  "link and starts it streaming (the instance is 'creating' until it streams)",
}


class _DataPlaneError(ServiceException):
    code = "DrillDataPlaneError"   # as emulator.data_bridges answers a refused call


class ReplicaHooks(Protocol):
    """What stands behind the emulated databases, for a new read replica."""

    def replicate(self, region: str, db_id: str, source_region: str, source_id: str) -> Restore:
        """``CreateDBInstanceReadReplica``: moto created ``db_id`` in ``region`` as a replica of
        ``source_region/source_id``. Returns a note (``pending``: not streaming yet) or raises
        :class:`BridgeRefused`."""


def source_ref(backend: Any, ref: str) -> tuple[str, str]:
    """``(region, identifier)`` of a source given as an identifier or an ARN."""
    if ref.startswith("arn:"):
        parts = ref.split(":")
        return parts[3], parts[-1]
    return backend.region_name, ref


def _patch(hooks: ReplicaHooks, log: BridgeLog, orig: Any) -> Any:
    def create_replica(self: Any, db_kwargs: dict[str, Any]) -> Any:
        replica = orig(self, db_kwargs)
        db_id = db_kwargs["db_instance_identifier"]
        region, source = source_ref(self, db_kwargs["source_db_instance_identifier"])
        try:
            done = hooks.replicate(self.region_name, db_id, region, source)
        except BridgeRefused as e:
            self.databases.pop(db_id, None)
            log.note("pg-replica", f"CreateDBInstanceReadReplica {db_id} REFUSED: {e}")
            raise _DataPlaneError(f"CreateDBInstanceReadReplica {db_id}: the data plane "
                                  f"refused: {e}") from e
        if done.pending:
            replica.status = "creating"
        log.note("pg-replica", f"{self.region_name}/{db_id} of {region}/{source}: {done.note}")
        return replica
    return create_replica


@contextlib.contextmanager
def replica_bridge(hooks: ReplicaHooks, log: BridgeLog) -> Iterator[None]:
    """Patch moto's ``create_db_instance_read_replica`` for the block."""
    cls, name = rds_models.RDSBackend, "create_db_instance_read_replica"
    orig = getattr(cls, name)
    setattr(cls, name, _patch(hooks, log, orig))
    try:
        yield
    finally:
        setattr(cls, name, orig)
