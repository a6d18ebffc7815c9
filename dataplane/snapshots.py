"""snapshot-restore: snapshots as base backups, cross-Region copies, restores as new servers.

* a **snapshot** (``rds:CreateDBSnapshot``) is a ``pg_basebackup -X stream`` of a running
  server into its Region's :class:`SnapshotStore`: a self-contained data directory with the
  WAL to make it consistent. It holds every transaction committed before the backup ended.
* a **cross-Region copy** (``rds:CopyDBSnapshot``) copies that directory into the other
  Region's store; it needs the inter-Region link up.
* a **restore** (``rds:RestoreDBInstanceFromDBSnapshot``) starts a new server from a copy;
  it recovers to the end of the backup and opens for writes on the same timeline.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Final

from dataplane.binaries import program
from dataplane.errors import DataPlaneError, LinkCutError
from dataplane.link import LinkProxy
from dataplane.plane import DataPlane
from dataplane.procs import run_as
from dataplane.server import PostgresServer
from dataplane.sysuser import ServiceUser, give, give_tree

_NAME: Final[re.Pattern[str]] = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_META: Final[str] = "snapshot.json"


@dataclass(frozen=True)
class Snapshot:
    """A snapshot in one Region's store.

    Attributes:
        name: unique within its store (``[a-z0-9][a-z0-9-]*``).
        region: the Region whose store holds it.
        path: its directory (``data/`` plus ``snapshot.json``).
        source_server: name of the server it was taken from.
        source_region: that server's Region.
        started_at: wall-clock time the backup started (seconds since the epoch).
        completed_at: wall-clock time it ended: the recovery point is at most this.
        size_bytes: bytes on disk.
        copied_from: the Region it was copied from, or ``None`` for an original.
    """

    name: str
    region: str
    path: Path
    source_server: str
    source_region: str
    started_at: float
    completed_at: float
    size_bytes: int
    copied_from: str | None = None

    @property
    def data_dir(self) -> Path:
        """The backed-up data directory."""
        return self.path / "data"

    def age_seconds(self, now: float | None = None) -> float:
        """Seconds from :attr:`completed_at` to ``now`` (default: the wall clock)."""
        return (time.time() if now is None else now) - self.completed_at


class SnapshotStore:
    """One Region's snapshot store: a directory of snapshots.

    Args:
        root: its directory (created, owned by ``user``).
        region: the Region it belongs to.
        user: the account PostgreSQL runs as (it writes base backups here).
    """

    def __init__(self, root: Path, region: str, user: ServiceUser) -> None:
        self.root = give(root, user, 0o755)
        self.region = region
        self.user = user

    def snapshots(self) -> list[Snapshot]:
        """Every complete snapshot here, newest first."""
        found = [_read(meta) for meta in self.root.glob(f"*/{_META}")]
        return sorted(found, key=lambda s: s.completed_at, reverse=True)

    def newest(self) -> Snapshot | None:
        """The newest snapshot, or ``None`` when the store is empty."""
        found = self.snapshots()
        return found[0] if found else None

    def get(self, name: str) -> Snapshot:
        """Snapshot ``name``.

        Raises:
            DataPlaneError: no such snapshot here.
        """
        meta = self.root / name / _META
        if not meta.is_file():
            raise DataPlaneError(f"no snapshot {name!r} in the {self.region} store")
        return _read(meta)

    def _new_path(self, name: str) -> Path:
        if not _NAME.match(name):
            raise DataPlaneError(f"snapshot name {name!r} must match {_NAME.pattern}")
        path = self.root / name
        if path.exists():
            raise DataPlaneError(f"snapshot {name!r} already exists in the {self.region} store")
        return give(path, self.user)


def snapshot_store(plane: DataPlane, region: str) -> SnapshotStore:
    """The snapshot store of ``region`` in this run (``run_dir/snapshots/<region>``)."""
    if plane.user is None:
        raise DataPlaneError("DataPlane is not open")
    return SnapshotStore(plane.run_dir / "snapshots" / region, region, plane.user)


def take_snapshot(server: PostgresServer, store: SnapshotStore, name: str) -> Snapshot:
    """Base-backup running ``server`` into ``store`` as snapshot ``name`` (same Region: no link).

    Raises:
        DataPlaneError: bad or existing name, or ``server`` not running.
        CommandError: ``pg_basebackup`` failed.
    """
    path = store._new_path(name)
    host, port = server.address()
    started = time.time()
    run_as(server.user, [program("pg_basebackup"), "-D", str(path / "data"), "-h", host, "-p", str(port),
                         "-U", "postgres", "-X", "stream", "-c", "fast", "--no-sync"],
           scratch=server.scratch)
    snapshot = Snapshot(name, store.region, path, server.name, server.region, started, time.time(),
                        _size(path / "data"))
    _write(snapshot)
    return snapshot


def copy_snapshot(snapshot: Snapshot, dest: SnapshotStore, *, link: LinkProxy | None = None,
                  name: str | None = None) -> Snapshot:
    """Copy ``snapshot`` into another Region's store (a cross-Region copy).

    Args:
        snapshot: the original.
        dest: the other Region's store.
        link: the inter-Region link the copy crosses; a cut link fails the copy.
        name: the copy's name (default: the original's).

    Raises:
        LinkCutError: ``link`` is cut.
        DataPlaneError: the name exists in ``dest``.
    """
    if link is not None and link.is_cut:
        raise LinkCutError(f"cannot copy {snapshot.name} to {dest.region}: link {link.name} is cut")
    path = dest._new_path(name or snapshot.name)
    shutil.copytree(snapshot.data_dir, path / "data", symlinks=True)
    give_tree(path, dest.user)
    copy = replace(snapshot, name=path.name, region=dest.region, path=path, copied_from=snapshot.region)
    _write(copy)
    return copy


def restore_snapshot(plane: DataPlane, snapshot: Snapshot, *, name: str,
                     region: str | None = None) -> PostgresServer:
    """Start a new server ``name`` from ``snapshot``; it opens for writes once consistent.

    Args:
        plane: the run owning the new server.
        snapshot: the snapshot (normally a cross-Region copy).
        name: the new server's name.
        region: its Region (default: the snapshot's).

    Raises:
        ServerStartError: the restored server did not start.
    """
    server = plane.server(name, region or snapshot.region)
    shutil.copytree(snapshot.data_dir, server.data_dir, symlinks=True)
    give_tree(server.data_dir, server.user)
    server.data_dir.chmod(0o700)
    return server.start()


def _size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def _write(snapshot: Snapshot) -> None:
    record = {**asdict(snapshot), "path": str(snapshot.path)}
    (snapshot.path / _META).write_text(json.dumps(record, indent=2) + "\n")


def _read(meta: Path) -> Snapshot:
    record = json.loads(meta.read_text())
    return Snapshot(**{**record, "path": meta.parent})
