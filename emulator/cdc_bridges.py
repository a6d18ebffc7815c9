"""CDC bridges: moto's ``CreateDBInstance`` and ``StartReplicationTask`` drive a real data plane.

moto records a new DB instance and marks a started DMS task ``running`` without a database or
a byte of change data behind either. While :func:`cdc_bridges` is active:

* ``CreateDBInstance`` of a standalone instance (not an Aurora cluster member) asks a
  :class:`CdcHooks` object for a fresh, empty server behind it (the drill: a new PostgreSQL
  server in the instance's Region). Starting a server must happen on the caller's main
  thread, so the hook may answer ``pending``: the instance then stays ``creating`` until
  :func:`emulator.data_bridges.set_instance_status` says ``available``, as RDS keeps a new
  instance ``creating`` until it accepts connections.
* ``StartReplicationTask`` asks the hooks to start the task's change data capture between the
  databases its endpoints name (the drill: the target's server subscribes to the source's,
  logical replication). An endpoint names its database by its Secrets Manager secret
  (``PostgreSQLSettings.SecretsManagerSecretId``), matched here against each RDS instance's
  managed master secret (``MasterUserSecret.SecretArn``), as the failover handler matches
  them (AWS DMS API Reference, "Endpoint",
  https://docs.aws.amazon.com/dms/latest/APIReference/API_Endpoint.html).

A hook that fails raises :class:`emulator.data_bridges.BridgeRefused`: the call fails with
error code ``DrillDataPlaneError`` and moto forgets the instance (or leaves the task as it
was). Stopping a task is :mod:`emulator.data_bridges`' ``pg-dms-stop``.

Bridge names (:data:`BRIDGES`): ``pg-instance``, ``pg-dms-start``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from moto.core.exceptions import ServiceException
from moto.dms import models as dms_models
from moto.rds import models as rds_models

from emulator import ACCOUNT_ID
from emulator.bridges import BridgeLog
from emulator.data_bridges import BridgeRefused, Restore

BRIDGES: dict[str, str] = {
    "pg-instance": "moto's CreateDBInstance records an instance with no database behind it; "
                   "the drill starts a fresh PostgreSQL server for it (the instance is "
                   "'creating' until the server accepts connections)",
    "pg-dms-start": "moto's StartReplicationTask moves no data; the drill subscribes the "
                    "target endpoint's server to the source endpoint's (logical replication: "
                    "the initial copy, then the change stream), which its CDC metrics read",
}

#: ``(region, DB instance identifier)`` of the database an endpoint names.
DatabaseRef = tuple[str, str]


@dataclass(frozen=True)
class TaskStart:
    """A DMS task being started: ``region``, ``arn``, ``task_id`` (its identifier),
    ``instance_id`` (its replication instance's identifier: with ``task_id``, the dimensions
    of its AWS/DMS metrics), and the databases its ``source`` and ``target`` endpoints name
    (None: the endpoint names no RDS instance)."""

    region: str
    arn: str
    task_id: str
    instance_id: str
    source: DatabaseRef | None
    target: DatabaseRef | None


class _DataPlaneError(ServiceException):
    code = "DrillDataPlaneError"   # as emulator.data_bridges answers a refused call


class CdcHooks(Protocol):
    """What stands behind new instances and started DMS tasks."""

    def fresh_instance(self, region: str, db_id: str) -> Restore:
        """``CreateDBInstance``: moto created the standalone ``db_id`` in ``region``. Returns a
        note (``pending``: no server yet) or raises :class:`BridgeRefused`."""

    def start_task(self, start: TaskStart) -> str:
        """``StartReplicationTask``: returns a note or raises :class:`BridgeRefused`."""


def _secret(endpoint: Any) -> str | None:
    for settings in (endpoint.postgre_sql_settings, endpoint.my_sql_settings):
        if isinstance(settings, dict) and settings.get("SecretsManagerSecretId"):
            return str(settings["SecretsManagerSecretId"])
    return None


def named_database(backend: Any, endpoint_arn: str) -> DatabaseRef | None:
    """The RDS instance (any Region) whose managed master secret the DMS endpoint
    ``endpoint_arn`` of ``backend`` names, or None."""
    endpoint = next((e for e in backend.endpoints.values() if e.endpoint_arn == endpoint_arn), None)
    secret = _secret(endpoint) if endpoint is not None else None
    if secret is None:
        return None
    for region, rds in rds_models.rds_backends[ACCOUNT_ID].items():
        for db_id, db in list(rds.databases.items()):
            held = getattr(db, "master_user_secret", None)
            if held is not None and held.secret_arn == secret:
                return region, db_id
    return None


def _create(hooks: CdcHooks, log: BridgeLog, orig: Any) -> Any:
    def create_db_instance(self: Any, db_kwargs: dict[str, Any]) -> Any:
        db = orig(self, db_kwargs)
        if db_kwargs.get("db_cluster_identifier") is not None:
            return db   # an Aurora cluster member: the cluster's volume stands behind it
        db_id = db_kwargs["db_instance_identifier"]
        try:
            done = hooks.fresh_instance(self.region_name, db_id)
        except BridgeRefused as e:
            self.databases.pop(db_id, None)
            log.note("pg-instance", f"CreateDBInstance {db_id} REFUSED: {e}")
            raise _DataPlaneError(f"CreateDBInstance {db_id}: the data plane refused: {e}") from e
        if done.pending:
            db.status = "creating"
        log.note("pg-instance", f"{self.region_name}/{db_id}: {done.note}")
        return db
    return create_db_instance


def _start(hooks: CdcHooks, log: BridgeLog, orig: Any) -> Any:
    def start_replication_task(self: Any, replication_task_arn: str) -> Any:
        task = self.replication_tasks.get(replication_task_arn)
        if task is None or task.status == "running":
            return orig(self, replication_task_arn=replication_task_arn)
        instance = self.replication_instances.get(task.replication_instance_arn)
        start = TaskStart(self.region_name, task.arn, task.id, instance.id if instance else "",
                          named_database(self, task.source_endpoint_arn),
                          named_database(self, task.target_endpoint_arn))
        try:
            note = hooks.start_task(start)
        except BridgeRefused as e:
            log.note("pg-dms-start", f"StartReplicationTask {task.arn} REFUSED: {e}")
            raise _DataPlaneError(f"StartReplicationTask {task.arn}: the data plane refused: "
                                  f"{e}") from e
        log.note("pg-dms-start", f"{task.arn}: {note}")
        return orig(self, replication_task_arn=replication_task_arn)
    return start_replication_task


@contextlib.contextmanager
def cdc_bridges(hooks: CdcHooks, log: BridgeLog) -> Iterator[None]:
    """Patch moto's ``create_db_instance`` and ``start_replication_task`` for the block."""
    patches = ((rds_models.RDSBackend, "create_db_instance", _create),
               (dms_models.DatabaseMigrationServiceBackend, "start_replication_task", _start))
    saved = [(cls, name, getattr(cls, name)) for cls, name, _ in patches]
    for cls, name, make in patches:
        setattr(cls, name, make(hooks, log, getattr(cls, name)))
    try:
        yield
    finally:
        for cls, name, orig in saved:
            setattr(cls, name, orig)
