"""Step 3: promote or prepare the standby database, then wait until it is available.

* read-replica: ``promote_read_replica`` while the standby is still a replica
  (ReadReplicaSourceDBInstanceIdentifier set, ARN or identifier form) and ``available`` (a
  replica in ``backing-up`` cannot be promoted: RDS User Guide, field-notes). Promotion
  reboots the instance and "can take several minutes or longer" (RDS User Guide;
  field-notes).
* dms: wait (bounded) for ``CDCLatencyTarget`` to drain to DMS_DRAINED_SECONDS, then
  ``stop_replication_task`` so the target takes writes alone.
* snapshot-restore: ``restore_db_instance_from_db_snapshot`` of the newest copy of the
  primary database (:func:`handlers.failover.database.newest_primary_copy`, the same
  selector check_readiness used; its choice is kept in ``restore_snapshot_id``) to
  STANDBY_DB_IDENTIFIER (RESTORE_INSTANCE_CLASS, deletion protection on, CopyTagsToSnapshot,
  tagged by :func:`restored_instance_tags` - no ``managed-by`` tag). The copy
  was made with STANDBY_KMS_KEY_ARN, and a restored instance keeps its snapshot's key (the
  API takes no KmsKeyId); the key is checked and recorded.

Each of these requests is a :class:`~handlers.failover.steps.once.OneTime` request: the
intent is written to the state table BEFORE the API call and the outcome after it. A call
AWS refused (an error answer) is recorded ``failed`` with the error and made again on the
next trigger (the step fails with ``StepFailed``, so the watchdog's next tick retries it);
a request that may have reached AWS (crash or lost answer) is made again only when the
resource still looks untouched after ``once.GRACE_SECONDS`` - AWS refuses a second
promotion / restore / stop, so nothing happens twice (see :mod:`.once`). The AWS-side wait
is bounded by PROMOTION_SECONDS (the modelled figure,
rto_rpo.figures.DEFAULT_PROMOTION_SECONDS), counted from the latest request, not by this
step's budget. When the Lambda runs low on time the step pauses and the next trigger
resumes the polling.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from contract.names import ROLE_TAG, Role
from handlers.failover import clock, database
from handlers.failover.context import StepContext, StepFailed, StepResult
from handlers.failover.steps.once import OneTime, error_code

#: Seconds between status polls.
POLL_SECONDS = 15.0
#: Stop polling when less than this many seconds of Lambda time are left.
PAUSE_MARGIN_SECONDS = 20.0
#: CDCLatencyTarget, in seconds, at which the DMS target counts as drained.
DMS_DRAINED_SECONDS = 5.0
#: Backup retention given to a promoted replica that had none, so it keeps PITR
#: (field-notes: replica backups must be enabled for a promoted replica to keep PITR).
PROMOTED_BACKUP_RETENTION_DAYS = 7
#: Tags of the instance restored by a snapshot-restore failover.
RESTORED_BY_TAG = "dr:restored-by"
RESTORED_FROM_TAG = "dr:restored-from"
FAILOVER_ID_TAG = "dr:failover-id"


def restored_instance_tags(stack: str, snapshot_id: str, failover_id: str) -> list[dict[str, str]]:
    """Tags of the restored standby: ``dr:restored-by = <stack>``, ``dr:restored-from =
    <snapshot id>``, ``dr:failover-id``, and the role tag - never ``managed-by``.

    The instance is restored with CopyTagsToSnapshot (so the new production database's
    snapshots carry where it came from), and every snapshot an operator takes of it gets the
    instance's tags: with ``managed-by`` on the instance they would look like the backup
    handler's recovery points, which it may prune. Whether RDS also puts the snapshot's own
    tags on the restored instance when ``Tags`` are given is NOT checked here (moto does
    not; the backup handler's ownership test does not rely on tags alone either).
    """
    return [{"Key": RESTORED_BY_TAG, "Value": stack},
            {"Key": RESTORED_FROM_TAG, "Value": snapshot_id},
            {"Key": FAILOVER_ID_TAG, "Value": failover_id},
            {"Key": ROLE_TAG, "Value": str(Role.STANDBY_DATABASE)}]


def _out_of_time(ctx: StepContext) -> bool:
    return ctx.remaining_seconds() < PAUSE_MARGIN_SECONDS + POLL_SECONDS


def _refused(what: str, e: Exception) -> StepFailed:
    return StepFailed(f"{what} failed ({error_code(e)}: {e}); recorded, requested again on the "
                      "next trigger")


def _poll_available(ctx: StepContext, requested_epoch: float, detail: dict[str, Any],
                    *, must_not_be_replica: bool) -> StepResult:
    s = ctx.settings
    rds = ctx.standby("rds")
    deadline = requested_epoch + s.promotion_seconds
    polls = 0
    while True:
        inst = database.describe_instance(rds, s.standby_db_identifier)
        polls += 1
        status = inst["DBInstanceStatus"] if inst else "missing"
        replica = bool(inst and database.replica_source(inst))
        if status == "available" and not (must_not_be_replica and replica):
            detail.update(instance_status=status, polls=polls)
            return StepResult("ok", detail)
        if clock.now() > deadline:
            raise StepFailed(f"{s.standby_db_identifier} not available (status {status!r}, "
                             f"replica={replica}) {s.promotion_seconds} s after the request")
        if _out_of_time(ctx):
            detail.update(instance_status=status, polls=polls)
            return StepResult("paused", detail)
        ctx.wait(POLL_SECONDS)


def _read_replica(ctx: StepContext) -> StepResult:
    s = ctx.settings
    rds = ctx.standby("rds")
    req = OneTime(ctx, "promotion_requested")
    detail: dict[str, Any] = {}
    started = clock.now()
    polls = 0
    while True:
        inst = database.describe_instance(rds, s.standby_db_identifier)
        polls += 1
        if inst is None:
            raise StepFailed(f"standby instance {s.standby_db_identifier} not found")
        status = inst["DBInstanceStatus"]
        replica = bool(database.replica_source(inst))
        if not replica and status == "available":
            if req.state is None:
                detail["already_promoted"] = True
            detail.update(instance_status=status, polls=polls, promote_attempts=req.attempts)
            return StepResult("ok", detail)
        untouched = replica and status == "available"
        if replica and req.may_repeat(untouched=untouched,
                                      accepted_after_seconds=s.promotion_seconds):
            if not untouched:
                raise StepFailed(f"standby {s.standby_db_identifier} is {status!r}: a read "
                                 "replica can be promoted only when 'available' (field-notes); "
                                 "requested on the next trigger")
            kwargs: dict[str, Any] = {"DBInstanceIdentifier": s.standby_db_identifier}
            if not inst.get("BackupRetentionPeriod"):
                kwargs["BackupRetentionPeriod"] = PROMOTED_BACKUP_RETENTION_DAYS
            try:
                req.call(rds.promote_read_replica, **kwargs)
            except (BotoCoreError, ClientError) as e:
                raise _refused(f"PromoteReadReplica of {s.standby_db_identifier}", e) from e
            detail["promote_requested"] = True
            continue  # read the instance again at once
        elif clock.now() > (req.epoch or started) + s.promotion_seconds:
            raise StepFailed(f"{s.standby_db_identifier} not promoted (status {status!r}, "
                             f"replica={replica}) {s.promotion_seconds} s after the request "
                             f"({req.state}); check the instance")
        if _out_of_time(ctx):
            detail.update(instance_status=status, polls=polls)
            return StepResult("paused", detail)
        ctx.wait(POLL_SECONDS)


def _drain(ctx: StepContext, task: dict[str, Any], detail: dict[str, Any]) -> bool:
    """Wait (bounded by PROMOTION_SECONDS) for the DMS target to catch up; False when out
    of Lambda time first."""
    s = ctx.settings
    drain_started = ctx.record.setdefault("dms_drain_started_epoch", clock.now())
    deadline = drain_started + s.promotion_seconds
    while True:
        lag = database.cdc_latency_target(ctx.standby("cloudwatch"), task, 300)
        detail["cdc_latency_target_seconds"] = lag[0] if lag else None
        if lag is None or lag[0] <= DMS_DRAINED_SECONDS:
            return True
        if clock.now() > deadline:
            detail["drain_bound_reached"] = True
            return True
        if _out_of_time(ctx):
            ctx.save()
            return False
        ctx.wait(POLL_SECONDS)


def _dms(ctx: StepContext) -> StepResult:
    s = ctx.settings
    dms = ctx.standby("dms")
    req = OneTime(ctx, "dms_stop_requested")
    task = database.dms_task(dms, s.dms_task_arn)
    if task is None:
        raise StepFailed(f"DMS task {s.dms_task_arn} not found")
    detail: dict[str, Any] = {"task_status_before": task["Status"]}
    started = clock.now()
    while True:
        status = task["Status"]
        if status == "stopped":
            ctx.record.setdefault("dms_stopped_at", clock.iso())
            break
        if status == "running" and req.may_repeat(untouched=True,
                                                  accepted_after_seconds=s.promotion_seconds):
            if req.state is None and not _drain(ctx, task, detail):
                return StepResult("paused", detail)
            try:
                # InvalidResourceStateFault: the task is no longer running - an earlier
                # stop request landed.
                req.call(dms.stop_replication_task,
                         landed_codes=frozenset({"InvalidResourceStateFault"}),
                         ReplicationTaskArn=s.dms_task_arn)
            except (BotoCoreError, ClientError) as e:
                raise _refused(f"StopReplicationTask of {s.dms_task_arn}", e) from e
            detail["stop_requested"] = True
            task = database.dms_task(dms, s.dms_task_arn) or {"Status": "missing"}
            continue
        elif clock.now() > (req.epoch or started) + s.promotion_seconds:
            raise StepFailed(f"DMS task still {status!r} {s.promotion_seconds} s after the "
                             f"stop request ({req.state})")
        if _out_of_time(ctx):
            return StepResult("paused", detail)
        ctx.wait(POLL_SECONDS)
        task = database.dms_task(dms, s.dms_task_arn) or {"Status": "missing"}
    return _poll_available(ctx, req.epoch or clock.now(), detail, must_not_be_replica=False)


def _kms_matches(key: str | None, wanted: str) -> bool:
    return not wanted or not key or key == wanted or key.rsplit("/", 1)[-1] == wanted.rsplit(
        "/", 1)[-1]


def _restore_source(ctx: StepContext) -> dict[str, Any]:
    s = ctx.settings
    rds = ctx.standby("rds")
    snap_id = ctx.record.get("restore_snapshot_id")
    if snap_id:
        snap = rds.describe_db_snapshots(DBSnapshotIdentifier=snap_id)["DBSnapshots"][0]
    else:
        snap = database.newest_primary_copy(rds, s.stack_name, s.primary_db_identifier)
        if snap is None:
            raise StepFailed(f"no copy of {s.primary_db_identifier} to restore from")
        ctx.record["restore_snapshot_id"] = snap["DBSnapshotIdentifier"]
    if not _kms_matches(snap.get("KmsKeyId"), s.standby_kms_key_arn):
        raise StepFailed(f"snapshot {snap['DBSnapshotIdentifier']} is encrypted with "
                         f"{snap.get('KmsKeyId')}, not {s.standby_kms_key_arn}")
    return snap


def _snapshot_restore(ctx: StepContext) -> StepResult:
    s = ctx.settings
    rds = ctx.standby("rds")
    req = OneTime(ctx, "restore_requested")
    detail: dict[str, Any] = {}
    started = clock.now()
    polls = 0
    while True:
        inst = database.describe_instance(rds, s.standby_db_identifier)
        polls += 1
        status = inst["DBInstanceStatus"] if inst else "missing"
        if inst is not None:
            if req.state is None:
                detail["restore_target_exists"] = True
            if status == "available":
                detail.update(instance_status=status, polls=polls,
                              restore_attempts=req.attempts)
                return StepResult("ok", detail)
        elif req.may_repeat(untouched=True, accepted_after_seconds=s.promotion_seconds):
            snap = _restore_source(ctx)
            snap_id = snap["DBSnapshotIdentifier"]
            try:
                # DBInstanceAlreadyExists: an earlier request of ours landed - adopt it.
                _, landed = req.call(
                    rds.restore_db_instance_from_db_snapshot,
                    landed_codes=frozenset({"DBInstanceAlreadyExists"}),
                    DBInstanceIdentifier=s.standby_db_identifier, DBSnapshotIdentifier=snap_id,
                    DBInstanceClass=s.restore_instance_class, DeletionProtection=True,
                    PubliclyAccessible=False, CopyTagsToSnapshot=True,
                    Tags=restored_instance_tags(s.stack_name, snap_id,
                                                ctx.record["failover_id"]))
            except (BotoCoreError, ClientError) as e:
                raise _refused(f"RestoreDBInstanceFromDBSnapshot of {snap_id}", e) from e
            detail.update(restore_requested=True, snapshot_id=snap_id,
                          kms_key_id=snap.get("KmsKeyId"))
            if landed:
                detail["adopted_earlier_request"] = landed
            continue
        if clock.now() > (req.epoch or started) + s.promotion_seconds:
            raise StepFailed(f"{s.standby_db_identifier} not available (status {status!r}) "
                             f"{s.promotion_seconds} s after the restore request ({req.state})")
        if _out_of_time(ctx):
            detail.update(instance_status=status, polls=polls)
            return StepResult("paused", detail)
        ctx.wait(POLL_SECONDS)


_PROMOTERS = {"read-replica": _read_replica, "dms": _dms, "snapshot-restore": _snapshot_restore}


def run(ctx: StepContext) -> StepResult:
    return _PROMOTERS[ctx.settings.db_strategy](ctx)
