"""What exists in a Region: manual DB snapshots and manual DB cluster snapshots (all of them,
ours or not), instances and clusters.

DB instances and Aurora DB clusters have their own snapshot APIs, resources and quotas
(Amazon RDS User Guide, "Quotas in Amazon RDS": manual DB instance snapshots and manual DB
cluster snapshots are counted apart), so a :class:`Snapshot` says which it is (``cluster``)
and :data:`APIS` names each kind's calls and fields.

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
from typing import Any, Final

from contract.names import MANAGED_BY_TAG
from handlers.backup.naming import DATABASE_TAG, KIND_TAG, SOURCE_CREATED_TAG, SOURCE_TAG

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
    #: A DB cluster snapshot (``instance`` is then the DB cluster identifier).
    cluster: bool = False

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
        out = {"region": self.region, "snapshot_id": self.identifier, "arn": self.arn,
               "database": self.database, "kind": self.kind, "status": self.status,
               "created": self.created.isoformat() if self.created else None}
        return {**out, "cluster": True} if self.cluster else out


@dataclass(frozen=True)
class SnapshotApi:
    """The RDS calls and fields of one kind of snapshot (DB instance or DB cluster)."""

    cluster: bool
    describe: str          # paginator / method of the snapshot listing
    items: str             # its list key
    id_key: str
    arn_key: str
    source_key: str        # the snapshotted instance / cluster
    create: str
    copy: str
    delete: str
    not_found: frozenset[str]


APIS: Final[dict[bool, SnapshotApi]] = {
    False: SnapshotApi(False, "describe_db_snapshots", "DBSnapshots", "DBSnapshotIdentifier",
                       "DBSnapshotArn", "DBInstanceIdentifier", "create_db_snapshot",
                       "copy_db_snapshot", "delete_db_snapshot",
                       frozenset({"DBSnapshotNotFound", "DBSnapshotNotFoundFault"})),
    True: SnapshotApi(True, "describe_db_cluster_snapshots", "DBClusterSnapshots",
                      "DBClusterSnapshotIdentifier", "DBClusterSnapshotArn",
                      "DBClusterIdentifier", "create_db_cluster_snapshot",
                      "copy_db_cluster_snapshot", "delete_db_cluster_snapshot",
                      frozenset({"DBClusterSnapshotNotFoundFault"})),
}


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


def _data_time(item: Mapping[str, Any], tags: Mapping[str, str]) -> datetime | None:
    """The data's point in time: ``OriginalSnapshotCreateTime`` of a DB snapshot (copying
    keeps it); a DB cluster snapshot has no such field, so its copies carry the source's time
    in :data:`~handlers.backup.naming.SOURCE_CREATED_TAG`; else ``SnapshotCreateTime``."""
    if item.get("OriginalSnapshotCreateTime"):
        return _utc(item["OriginalSnapshotCreateTime"])
    stamped = tags.get(SOURCE_CREATED_TAG)
    if stamped and "DBClusterSnapshotIdentifier" in item:
        try:
            return datetime.fromisoformat(stamped.replace("Z", "+00:00")).astimezone(UTC)
        except ValueError:
            pass
    return _utc(item.get("SnapshotCreateTime"))


def from_api(item: Mapping[str, Any], region: str) -> Snapshot:
    """A ``DBSnapshot`` or ``DBClusterSnapshot`` structure from the RDS API -> :class:`Snapshot`."""
    api = APIS["DBClusterSnapshotIdentifier" in item]
    tags = {t["Key"]: t["Value"] for t in item.get("TagList", [])}
    return Snapshot(
        identifier=item[api.id_key],
        arn=item[api.arn_key],
        region=region,
        instance=item.get(api.source_key, ""),
        status=item.get("Status", ""),
        created=_data_time(item, tags),
        tags=tags,
        cluster=api.cluster,
    )


def list_manual_snapshots(rds: Any, region: str, *, cluster: bool = False) -> list[Snapshot]:
    """Every manual DB snapshot (``cluster``: DB cluster snapshot) in the client's Region
    (paginated)."""
    api = APIS[cluster]
    pages = rds.get_paginator(api.describe).paginate(
        SnapshotType="manual", PaginationConfig={"PageSize": PAGE_SIZE})
    return [from_api(item, region) for page in pages for item in page.get(api.items, [])]


def cluster_snapshots_of(rds: Any, region: str, cluster: str) -> list[Snapshot]:
    """Every snapshot of ``cluster`` RDS lists without a type filter (automated, system and
    manual), paginated: where Aurora's unplanned-failover snapshot appears."""
    pages = rds.get_paginator("describe_db_cluster_snapshots").paginate(
        DBClusterIdentifier=cluster, PaginationConfig={"PageSize": PAGE_SIZE})
    return [from_api(item, region) for page in pages for item in page.get("DBClusterSnapshots", [])]


def cluster_statuses(rds: Any, identifiers: set[str]) -> dict[str, dict[str, Any]]:
    """``{identifier: DBCluster}`` for those of ``identifiers`` that exist (paginated)."""
    if not identifiers:
        return {}
    found: dict[str, dict[str, Any]] = {}
    pages = rds.get_paginator("describe_db_clusters").paginate(
        PaginationConfig={"PageSize": PAGE_SIZE})
    for page in pages:
        for c in page.get("DBClusters", []):
            if c["DBClusterIdentifier"] in identifiers:
                found[c["DBClusterIdentifier"]] = dict(c)
    return found


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
