"""What exists in a Region: manual DB snapshots (all of them, ours or not) and instances.

One paginated ``DescribeDBSnapshots(SnapshotType=manual)`` per Region per run gives both
the quota count (every manual snapshot counts, ours or not) and our own snapshots with
their tags (``TagList`` is part of the ``DBSnapshot`` structure, Amazon RDS API Reference,
"DBSnapshot"), so the number of calls grows with the
number of snapshots / 100 per page, never per snapshot. Automated snapshots are never
listed, so they can never be pruned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from contract.names import MANAGED_BY_TAG
from handlers.backup.naming import DATABASE_TAG, KIND_TAG, SOURCE_TAG

#: DescribeDBSnapshots / DescribeDBInstances page size (the API maximum is 100).
PAGE_SIZE = 100


@dataclass(frozen=True)
class Snapshot:
    """A manual DB snapshot as listed. ``created`` is the data's point in time (UTC):
    ``OriginalSnapshotCreateTime`` (unchanged by copying) or ``SnapshotCreateTime``;
    ``None`` while RDS has not stamped it yet (creating)."""

    identifier: str
    arn: str
    region: str
    instance: str
    status: str
    created: datetime | None
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def database(self) -> str:
        """The protected database this recovery point belongs to."""
        return self.tags.get(DATABASE_TAG) or self.instance

    @property
    def kind(self) -> str:
        return self.tags.get(KIND_TAG, "")

    @property
    def source(self) -> str | None:
        return self.tags.get(SOURCE_TAG)

    @property
    def available(self) -> bool:
        return self.status == "available"

    def is_ours(self, managed_by: str) -> bool:
        return self.tags.get(MANAGED_BY_TAG) == managed_by

    def sort_time(self, now: datetime) -> datetime:
        """Creation time for ordering; an unstamped (creating) snapshot counts as newest."""
        return self.created or now

    def brief(self) -> dict[str, Any]:
        return {"region": self.region, "snapshot_id": self.identifier, "arn": self.arn,
                "database": self.database, "kind": self.kind, "status": self.status,
                "created": self.created.isoformat() if self.created else None}


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


def from_api(item: Mapping[str, Any], region: str) -> Snapshot:
    """A ``DBSnapshot`` structure from the RDS API -> :class:`Snapshot`."""
    return Snapshot(
        identifier=item["DBSnapshotIdentifier"],
        arn=item["DBSnapshotArn"],
        region=region,
        instance=item.get("DBInstanceIdentifier", ""),
        status=item.get("Status", ""),
        created=_utc(item.get("OriginalSnapshotCreateTime") or item.get("SnapshotCreateTime")),
        tags={t["Key"]: t["Value"] for t in item.get("TagList", [])},
    )


def list_manual_snapshots(rds: Any, region: str) -> list[Snapshot]:
    """Every manual DB snapshot in the client's Region (paginated)."""
    pages = rds.get_paginator("describe_db_snapshots").paginate(
        SnapshotType="manual", PaginationConfig={"PageSize": PAGE_SIZE})
    return [from_api(item, region) for page in pages for item in page.get("DBSnapshots", [])]


def instance_statuses(rds: Any, identifiers: set[str]) -> dict[str, str]:
    """``{identifier: DBInstanceStatus}`` for those of ``identifiers`` that exist (paginated)."""
    if not identifiers:
        return {}
    found: dict[str, str] = {}
    pages = rds.get_paginator("describe_db_instances").paginate(
        PaginationConfig={"PageSize": PAGE_SIZE})
    for page in pages:
        for inst in page.get("DBInstances", []):
            if inst["DBInstanceIdentifier"] in identifiers:
                found[inst["DBInstanceIdentifier"]] = inst.get("DBInstanceStatus", "")
    return found
