"""Snapshot identifiers and tags: deterministic per database, period and kind.

Identifiers (RDS allows letters, digits and hyphens, <= 255 characters for snapshots):

* primary-Region snapshot of a protected database: ``<db>-dr-<YYYYmmddHHMM>``
* standby-Region snapshot of its standby instance:  ``<standby>-dr-<YYYYmmddHHMM>``
* cross-Region copy of a primary snapshot:         ``<source snapshot id>-copy``

``<YYYYmmddHHMM>`` is the period start (UTC), so a second invocation for the same period
asks for the same identifier and RDS answers ``DBSnapshotAlreadyExists``.

:func:`parse_id` is the exact inverse: an identifier outside this scheme is never one we
made, whatever its tags (see :mod:`handlers.backup.ownership`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from contract.names import MANAGED_BY_TAG, managed_by_value

#: Tag keys we write besides ``managed-by``. None starts with the reserved ``aws:`` prefix.
STACK_TAG = "dr:stack"
CREATED_AT_TAG = "dr:created-at"
CADENCE_TAG = "dr:cadence-minutes"
PERIOD_TAG = "dr:period"
RUN_ID_TAG = "dr:run-id"
DATABASE_TAG = "dr:database"
KIND_TAG = "dr:kind"
SOURCE_TAG = "dr:source-snapshot"
#: On a copy of a DB cluster snapshot: the source's SnapshotCreateTime (a cluster snapshot has
#: no OriginalSnapshotCreateTime, so the copy's own time would hide the data's age).
SOURCE_CREATED_TAG = "dr:source-created-at"

#: Tag keys AWS reserves; writing one fails, so copies drop them.
RESERVED_TAG_PREFIX = "aws:"


class Kind(StrEnum):
    PRIMARY = "primary"    # snapshot of the protected database, primary Region
    STANDBY = "standby"    # snapshot of the standby/promoted instance, standby Region
    COPY = "copy"          # cross-Region copy of a PRIMARY snapshot, standby Region
    PRESERVED = "preserved"  # manual copy of Aurora's unplanned-failover snapshot: never pruned


def stamp(period: datetime) -> str:
    return period.strftime("%Y%m%d%H%M")


def snapshot_id(instance_identifier: str, period: datetime) -> str:
    return f"{instance_identifier}-dr-{stamp(period)}"


def copy_id(source_snapshot_id: str) -> str:
    return f"{source_snapshot_id}-copy"


#: ``<instance>-dr-<YYYYmmddHHMM>`` with an optional ``-copy``; the instance part is a DB
#: instance identifier (letter first, letters/digits/hyphens, <= 63 characters).
_ID = re.compile(r"^(?P<instance>[a-zA-Z][a-zA-Z0-9-]{0,62})-dr-(?P<stamp>[0-9]{12})"
                 r"(?P<copy>-copy)?$")


@dataclass(frozen=True)
class ParsedId:
    """An identifier of the scheme above: ``instance`` snapshotted, ``period`` (UTC) and
    whether it is the cross-Region ``-copy`` form."""

    instance: str
    period: datetime
    copy: bool


def preserved_id(failover_snapshot: str, cluster: str) -> str:
    """The manual copy of Aurora's unplanned-failover snapshot
    ``rds:unplanned-global-failover-<cluster>-<timestamp>``: ``<cluster>-dr-preserved-<timestamp>``
    (the timestamp's characters outside letters, digits and hyphens become hyphens, as a
    snapshot identifier allows). Deterministic, so a second run finds the copy it made. It is
    outside the scheme :func:`parse_id` reads, so pruning never takes it."""
    stamp = failover_snapshot.split(":", 1)[-1].lower()
    prefix = f"unplanned-global-failover-{cluster.lower()}-"
    stamp = stamp[len(prefix):] if stamp.startswith(prefix) else stamp
    stamp = re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]", "-", stamp)).strip("-") or "0"
    return f"{cluster.lower()}-dr-preserved-{stamp}"[:255].rstrip("-")


def parse_id(identifier: str) -> ParsedId | None:
    """Inverse of :func:`snapshot_id` / :func:`copy_id`; ``None`` for any other identifier
    (including a 12-digit stamp that is not a real date and time)."""
    m = _ID.match(identifier)
    if m is None:
        return None
    try:
        period = datetime.strptime(m["stamp"], "%Y%m%d%H%M").replace(tzinfo=UTC)
    except ValueError:
        return None
    return ParsedId(m["instance"], period, m["copy"] is not None)


def run_tags(*, stack: str, database: str, kind: Kind, period: datetime, run_id: str,
             cadence_minutes: int, now: datetime,
             extra: Mapping[str, str] | None = None) -> list[dict[str, str]]:
    """Tags for a snapshot we create, as the RDS ``Tags`` list."""
    tags = {
        MANAGED_BY_TAG: managed_by_value(stack),
        STACK_TAG: stack,
        CREATED_AT_TAG: now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        CADENCE_TAG: str(cadence_minutes),
        PERIOD_TAG: period.strftime("%Y-%m-%dT%H:%M:%SZ"),
        RUN_ID_TAG: run_id,
        DATABASE_TAG: database,
        KIND_TAG: kind.value,
        **(extra or {}),
    }
    return to_tag_list(tags)


def to_tag_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """``{k: v}`` -> RDS tag list, dropping every ``aws:``-prefixed key (case-insensitive)."""
    return [{"Key": k, "Value": v} for k, v in tags.items()
            if not k.lower().startswith(RESERVED_TAG_PREFIX)]
