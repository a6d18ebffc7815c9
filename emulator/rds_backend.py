"""What the RDS API cannot set, set on moto's in-process RDS backend.

moto stamps every snapshot with the time it is made and makes it ``available`` at once. A site
with recovery points from the past, or one still being made, needs those set on the backend
objects the API serves. Many snapshots are also added through the backend directly (the same
model objects ``CreateDBSnapshot`` makes), which keeps a large site fast to build.

Only for moto in this process: ``moto.mock_aws`` or an in-process moto server
(:class:`emulator.server.Emulator`). Times are timezone-aware UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from moto.rds.models import rds_backends

from emulator import ACCOUNT_ID


def backend(region: str, account: str = ACCOUNT_ID) -> Any:
    """moto's RDS backend of ``region`` (``database_snapshots``: id -> snapshot model)."""
    return rds_backends[account][region]


def age_snapshot(region: str, snapshot_id: str, created: dt.datetime, *,
                 account: str = ACCOUNT_ID) -> None:
    """Give snapshot ``snapshot_id`` the creation time ``created`` (what
    ``SnapshotCreateTime`` and ``OriginalSnapshotCreateTime`` report).

    Raises:
        KeyError: no such snapshot in ``region``.
    """
    snap = backend(region, account).database_snapshots[snapshot_id]
    snap.created = snap.original_snapshot_create_time = created


def set_snapshot_status(region: str, snapshot_id: str, status: str, *,
                        account: str = ACCOUNT_ID) -> None:
    """Set a snapshot's ``Status`` (e.g. ``creating`` or ``failed``; moto has every snapshot
    ``available`` at once).

    Raises:
        KeyError: no such snapshot in ``region``.
    """
    backend(region, account).database_snapshots[snapshot_id].status = status


def add_snapshots(region: str, instance: str, created: Mapping[str, dt.datetime], *,
                  tags: Mapping[str, str] | None = None, account: str = ACCOUNT_ID) -> list[str]:
    """Manual snapshots of DB instance ``instance`` (which must exist in ``region``), one per
    ``created`` item (snapshot id -> creation time), tagged ``tags`` (None: untagged).
    Returns the ids in ``created``'s order."""
    rds = backend(region, account)
    tag_list = [{"Key": k, "Value": v} for k, v in (tags or {}).items()]
    for snapshot_id, when in created.items():
        rds.create_db_snapshot(instance, snapshot_id, tags=list(tag_list))
        age_snapshot(region, snapshot_id, when, account=account)
    return list(created)
