"""Strategy ``snapshot-restore`` (pilot light): nothing runs in the standby Region; the
failover restores the newest cross-Region copy of the primary database.

* Readiness: the newest ``available`` copy of the primary database (PRIMARY_DB_ARN) in the
  standby Region that this stack's backups made (:func:`newest_primary_copy`) is at most
  RPO_SECONDS old and encrypted; its identifier is noted in the failover record
  (:data:`SNAPSHOT_NOTE`) for the promotion. A restore target that already exists counts as
  ready only when this failover's own restore request was accepted (``once.accepted``: a
  resumed run); one left by an earlier failover or made by hand holds data of unknown age:
  not ready (unless forced, when the failover adopts it as it is).
* Promotion: ``RestoreDBInstanceFromDBSnapshot`` of that copy (a one-time request) to
  STANDBY_DB_IDENTIFIER (RESTORE_INSTANCE_CLASS, deletion protection on, CopyTagsToSnapshot,
  tagged by :func:`restored_instance_tags` - no ``managed-by`` tag), then wait until it is
  available. The copy was made with STANDBY_KMS_KEY_ARN, and a restored instance keeps its
  snapshot's key (the API takes no KmsKeyId); the key is checked and recorded.
* Writable: :mod:`handlers.failover.strategies.instance`; reverse replication for failback
  (a read replica of the restored instance in the primary Region):
  :mod:`handlers.failover.failback.reverse.instance`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from contract.names import MANAGED_BY_TAG, ROLE_TAG, Role, managed_by_value
from handlers.backup.naming import DATABASE_TAG, SOURCE_TAG
from handlers.failover import clock, database
from handlers.failover.context import StepContext, StepFailed, StepResult
from handlers.failover.once import OneTime, accepted
from handlers.failover.strategies import Check, instance
from handlers.failover.strategies.polling import Poll, refused

#: The failover record's one-time request key of the restore.
REQUEST = "restore_requested"
#: Failover record note: the identifier of the copy chosen by the readiness check.
SNAPSHOT_NOTE = "restore_snapshot_id"
#: Tags of the instance restored by a snapshot-restore failover.
RESTORED_BY_TAG = "dr:restored-by"
RESTORED_FROM_TAG = "dr:restored-from"
FAILOVER_ID_TAG = "dr:failover-id"
#: ``<db>-dr-<YYYYmmddHHMM>-copy``: the backup handler's name for its cross-Region copy of
#: a snapshot of ``<db>`` (:func:`handlers.backup.naming.copy_id` of
#: :func:`handlers.backup.naming.snapshot_id`).
_COPY_ID = r"^{db}-dr-(?P<stamp>[0-9]{{12}})-copy$"

check_writable = instance.check_writable


def restored_instance_tags(stack: str, snapshot_id: str, failover_id: str) -> list[dict[str, str]]:
    """Tags of the restored standby: ``dr:restored-by = <stack>``, ``dr:restored-from =
    <snapshot id>``, ``dr:failover-id``, and the role tag - never ``managed-by``.

    The instance is restored with CopyTagsToSnapshot (so the new production database's
    snapshots carry where it came from), and every snapshot an operator takes of it gets the
    instance's tags: with ``managed-by`` on the instance they would look like the backup
    handler's recovery points, which it may prune. Whether RDS also puts the snapshot's own
    tags on the restored instance when ``Tags`` are given is NOT checked here (the backup
    handler's ownership test does not rely on tags alone either).
    """
    return [{"Key": RESTORED_BY_TAG, "Value": stack},
            {"Key": RESTORED_FROM_TAG, "Value": snapshot_id},
            {"Key": FAILOVER_ID_TAG, "Value": failover_id},
            {"Key": ROLE_TAG, "Value": str(Role.STANDBY_DATABASE)}]


def is_copy_of(snap: dict[str, Any], primary_id: str) -> bool:
    """True when ``snap`` is the backup handler's cross-Region copy of ``primary_id``:
    its identifier is ``<primary_id>-dr-<YYYYmmddHHMM>-copy`` (a real date), its
    ``dr:database`` tag names ``primary_id``, and where AWS reports them, its source DB
    instance (DBInstanceIdentifier) is ``primary_id`` and its source snapshot
    (SourceDBSnapshotIdentifier, an ARN for a cross-Region copy; also the
    ``dr:source-snapshot`` tag) is ``<primary_id>-dr-<same stamp>``."""
    primary_id = primary_id.lower()
    ident = str(snap.get("DBSnapshotIdentifier", "")).lower()
    m = re.match(_COPY_ID.format(db=re.escape(primary_id)), ident)
    if m is None:
        return False
    try:
        datetime.strptime(m["stamp"], "%Y%m%d%H%M")
    except ValueError:
        return False
    tags = {t["Key"]: t["Value"] for t in snap.get("TagList", [])}
    if str(tags.get(DATABASE_TAG, "")).lower() != primary_id:
        return False
    source_instance = snap.get("DBInstanceIdentifier")
    if source_instance and str(source_instance).lower() != primary_id:
        return False
    source_id = ident.removesuffix("-copy")
    for source in (snap.get("SourceDBSnapshotIdentifier"), tags.get(SOURCE_TAG)):
        if source and str(source).lower().rsplit(":", 1)[-1] != source_id:
            return False
    return True


def snapshot_time(snap: dict[str, Any]) -> datetime:
    """When the snapshot's data was taken: OriginalSnapshotCreateTime when present (a
    cross-Region copy keeps the source's time there), else SnapshotCreateTime."""
    return snap.get("OriginalSnapshotCreateTime") or snap["SnapshotCreateTime"]


def newest_primary_copy(rds: Any, stack: str, primary_id: str) -> dict[str, Any] | None:
    """Newest ``available`` manual snapshot in ``rds``'s Region that is this stack's
    cross-Region copy of the primary database ``primary_id`` (PRIMARY_DB_ARN's identifier):
    tagged ``managed-by = managed_by_value(stack)`` and a copy of ``primary_id`` by
    :func:`is_copy_of`. Copies of the other protected databases, an operator's snapshots
    (whatever their tags) and snapshots of the restored standby are never chosen. Newest by
    :func:`snapshot_time`.
    """
    wanted = managed_by_value(stack)
    candidates = []
    for page in rds.get_paginator("describe_db_snapshots").paginate(SnapshotType="manual"):
        for snap in page.get("DBSnapshots", []):
            tags = {t["Key"]: t["Value"] for t in snap.get("TagList", [])}
            if (tags.get(MANAGED_BY_TAG) == wanted and snap.get("Status") == "available"
                    and is_copy_of(snap, primary_id)):
                candidates.append(snap)
    if not candidates:
        return None
    return max(candidates, key=snapshot_time)


def check_readiness(ctx: StepContext) -> Check:
    s = ctx.settings
    rds = ctx.standby("rds")
    existing = database.describe_instance(rds, s.standby_db_identifier)
    if existing is not None:
        check = Check(detail={"restore_target_exists": True,
                              "instance_status": existing["DBInstanceStatus"]})
        if not accepted(ctx.record, REQUEST):
            check.problems.append(
                f"restore target {s.standby_db_identifier} already exists and this failover "
                "did not restore it (left by an earlier failover, or made by hand): how old "
                "its data is is unknown")
        return check
    snap = newest_primary_copy(rds, s.stack_name, s.primary_db_identifier)
    if snap is None:
        return Check([f"no available copy of {s.primary_db_identifier} made by this stack's "
                      f"backups in {s.standby_region}"])
    snap_id = snap["DBSnapshotIdentifier"]
    ctx.record.notes[SNAPSHOT_NOTE] = snap_id
    age = clock.now() - snapshot_time(snap).timestamp()
    check = Check(detail={"snapshot_id": snap_id, "snapshot_age_seconds": round(age),
                          "snapshot_kms_key_id": snap.get("KmsKeyId")})
    if age > s.rpo_seconds:
        check.problems.append(f"newest snapshot {snap_id} is {age:.0f} s old, older than the "
                              f"RPO of {s.rpo_seconds} s")
    if not snap.get("Encrypted", False):
        check.problems.append(f"snapshot {snap_id} is not encrypted")
    return check


def _kms_matches(key: str | None, wanted: str) -> bool:
    return not wanted or not key or key == wanted or key.rsplit("/", 1)[-1] == wanted.rsplit(
        "/", 1)[-1]


def _restore_source(ctx: StepContext) -> dict[str, Any]:
    """The copy to restore: the one readiness chose, else the newest (noted)."""
    s = ctx.settings
    rds = ctx.standby("rds")
    snap_id = ctx.record.notes.get(SNAPSHOT_NOTE)
    if snap_id:
        snap = rds.describe_db_snapshots(DBSnapshotIdentifier=snap_id)["DBSnapshots"][0]
    else:
        snap = newest_primary_copy(rds, s.stack_name, s.primary_db_identifier)
        if snap is None:
            raise StepFailed(f"no copy of {s.primary_db_identifier} to restore from")
        ctx.record.notes[SNAPSHOT_NOTE] = snap["DBSnapshotIdentifier"]
    if not _kms_matches(snap.get("KmsKeyId"), s.standby_kms_key_arn):
        raise StepFailed(f"snapshot {snap['DBSnapshotIdentifier']} is encrypted with "
                         f"{snap.get('KmsKeyId')}, not {s.standby_kms_key_arn}")
    return snap


def _restore(ctx: StepContext, req: OneTime, detail: dict[str, Any]) -> None:
    """Make the RestoreDBInstanceFromDBSnapshot request (a one-time request)."""
    s = ctx.settings
    snap = _restore_source(ctx)
    snap_id = snap["DBSnapshotIdentifier"]
    try:
        # DBInstanceAlreadyExists: an earlier request of ours landed - adopt it.
        _, landed = req.call(
            ctx.standby("rds").restore_db_instance_from_db_snapshot,
            landed_codes=frozenset({"DBInstanceAlreadyExists"}),
            DBInstanceIdentifier=s.standby_db_identifier, DBSnapshotIdentifier=snap_id,
            DBInstanceClass=s.restore_instance_class, DeletionProtection=True,
            PubliclyAccessible=False, CopyTagsToSnapshot=True,
            Tags=restored_instance_tags(s.stack_name, snap_id, ctx.record.failover_id))
    except (BotoCoreError, ClientError) as e:
        raise refused(f"RestoreDBInstanceFromDBSnapshot of {snap_id}", e) from e
    detail.update(restore_requested=True, snapshot_id=snap_id, kms_key_id=snap.get("KmsKeyId"))
    if landed:
        detail["adopted_earlier_request"] = landed


def promote(ctx: StepContext) -> StepResult:
    s = ctx.settings
    req = OneTime(ctx, REQUEST)
    poll = Poll(ctx)
    while True:
        inst = poll.instance()
        status = inst["DBInstanceStatus"] if inst else "missing"
        if inst is not None:
            if req.state is None:
                poll.detail["restore_target_exists"] = True
            if status == "available":
                poll.detail.update(instance_status=status, polls=poll.polls,
                                   restore_attempts=req.attempts)
                return StepResult("ok", poll.detail)
        elif req.may_repeat(untouched=True, accepted_after_seconds=s.promotion_seconds):
            _restore(ctx, req, poll.detail)
            continue
        if poll.late(req.epoch):
            raise StepFailed(f"{s.standby_db_identifier} not available (status {status!r}) "
                             f"{s.promotion_seconds} s after the restore request ({req.state})")
        paused = poll.pause_or_wait(instance_status=status, polls=poll.polls)
        if paused is not None:
            return paused
