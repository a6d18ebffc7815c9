"""Step 3: promote or prepare the standby database, then wait until it is available.

* read-replica: ``promote_read_replica`` once, only while the standby is still a replica
  (ReadReplicaSourceDBInstanceIdentifier set, ARN or identifier form). Promotion reboots the
  instance and "can take several minutes or longer" (RDS User Guide; field-notes).
* dms: wait (bounded) for ``CDCLatencyTarget`` to drain to DMS_DRAINED_SECONDS, then
  ``stop_replication_task`` so the target takes writes alone.
* snapshot-restore: ``restore_db_instance_from_db_snapshot`` of the newest managed copy to
  STANDBY_DB_IDENTIFIER (RESTORE_INSTANCE_CLASS, deletion protection on, tagged). The copy
  was made with STANDBY_KMS_KEY_ARN, and a restored instance keeps its snapshot's key (the
  API takes no KmsKeyId); the key is checked and recorded.

Never twice: the request time is written to the state table BEFORE the API call, and a
resumed invocation that finds it only polls. The AWS-side wait is bounded by
PROMOTION_SECONDS (the modelled figure, rto_rpo.figures.DEFAULT_PROMOTION_SECONDS), counted
from the request, not by this step's budget. When the Lambda runs low on time the step
pauses and the next trigger resumes the polling.
"""

from __future__ import annotations

from typing import Any

from handlers.failover import clock, database
from handlers.failover.context import StepContext, StepFailed, StepResult
from rto_rpo.contract import MANAGED_BY_TAG, ROLE_TAG, Role, managed_by_value

#: Seconds between status polls.
POLL_SECONDS = 15.0
#: Stop polling when less than this many seconds of Lambda time are left.
PAUSE_MARGIN_SECONDS = 20.0
#: CDCLatencyTarget, in seconds, at which the DMS target counts as drained.
DMS_DRAINED_SECONDS = 5.0
#: Backup retention given to a promoted replica that had none, so it keeps PITR
#: (field-notes: replica backups must be enabled for a promoted replica to keep PITR).
PROMOTED_BACKUP_RETENTION_DAYS = 7


def _request_once(ctx: StepContext, key: str) -> bool:
    """Record that the one-time AWS request ``key`` is being made; False if already made."""
    if ctx.record.get(f"{key}_epoch"):
        return False
    ctx.check_lease()  # never make a one-time request without the lock
    now = clock.now()
    ctx.record[f"{key}_epoch"] = now
    ctx.record[f"{key}_at"] = clock.iso(now)
    ctx.save()
    return True


def _out_of_time(ctx: StepContext) -> bool:
    return ctx.remaining_seconds() < PAUSE_MARGIN_SECONDS + POLL_SECONDS


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
                             f"replica={replica}) {s.promotion_seconds} s after the request; "
                             "not requested again - check the instance")
        if _out_of_time(ctx):
            detail.update(instance_status=status, polls=polls)
            return StepResult("paused", detail)
        ctx.wait(POLL_SECONDS)


def _read_replica(ctx: StepContext) -> StepResult:
    s = ctx.settings
    rds = ctx.standby("rds")
    inst = database.describe_instance(rds, s.standby_db_identifier)
    if inst is None:
        raise StepFailed(f"standby instance {s.standby_db_identifier} not found")
    detail: dict[str, Any] = {}
    if database.replica_source(inst) and _request_once(ctx, "promotion_requested"):
        kwargs: dict[str, Any] = {"DBInstanceIdentifier": s.standby_db_identifier}
        if not inst.get("BackupRetentionPeriod"):
            kwargs["BackupRetentionPeriod"] = PROMOTED_BACKUP_RETENTION_DAYS
        rds.promote_read_replica(**kwargs)
        detail["promote_requested"] = True
    elif not ctx.record.get("promotion_requested_epoch"):
        detail["already_promoted"] = True
    requested = ctx.record.get("promotion_requested_epoch") or clock.now()
    return _poll_available(ctx, requested, detail, must_not_be_replica=True)


def _dms(ctx: StepContext) -> StepResult:
    s = ctx.settings
    dms = ctx.standby("dms")
    task = database.dms_task(dms, s.dms_task_arn)
    if task is None:
        raise StepFailed(f"DMS task {s.dms_task_arn} not found")
    detail: dict[str, Any] = {"task_status_before": task["Status"]}
    if task["Status"] == "running" and not ctx.record.get("dms_stop_requested_epoch"):
        drain_started = ctx.record.setdefault("dms_drain_started_epoch", clock.now())
        deadline = drain_started + s.promotion_seconds
        while True:
            lag = database.cdc_latency_target(ctx.standby("cloudwatch"), task, 300)
            detail["cdc_latency_target_seconds"] = lag[0] if lag else None
            if lag is None or lag[0] <= DMS_DRAINED_SECONDS:
                break
            if clock.now() > deadline:
                detail["drain_bound_reached"] = True
                break
            if _out_of_time(ctx):
                ctx.save()
                return StepResult("paused", detail)
            ctx.wait(POLL_SECONDS)
        _request_once(ctx, "dms_stop_requested")
        dms.stop_replication_task(ReplicationTaskArn=s.dms_task_arn)
        detail["stop_requested"] = True
    deadline = (ctx.record.get("dms_stop_requested_epoch") or clock.now()) + s.promotion_seconds
    while True:
        task = database.dms_task(dms, s.dms_task_arn) or {"Status": "missing"}
        if task["Status"] == "stopped":
            ctx.record.setdefault("dms_stopped_at", clock.iso())
            break
        if clock.now() > deadline:
            raise StepFailed(f"DMS task still {task['Status']!r} {s.promotion_seconds} s after "
                             "the stop request")
        if _out_of_time(ctx):
            return StepResult("paused", detail)
        ctx.wait(POLL_SECONDS)
    requested = ctx.record["dms_stop_requested_epoch"] if ctx.record.get(
        "dms_stop_requested_epoch") else clock.now()
    return _poll_available(ctx, requested, detail, must_not_be_replica=False)


def _kms_matches(key: str | None, wanted: str) -> bool:
    return not wanted or not key or key == wanted or key.rsplit("/", 1)[-1] == wanted.rsplit(
        "/", 1)[-1]


def _snapshot_restore(ctx: StepContext) -> StepResult:
    s = ctx.settings
    rds = ctx.standby("rds")
    detail: dict[str, Any] = {}
    existing = database.describe_instance(rds, s.standby_db_identifier)
    if existing is None:
        snap_id = ctx.record.get("restore_snapshot_id")
        snap = None
        if not snap_id:
            snap = database.newest_managed_snapshot(rds, s.stack_name)
            if snap is None:
                raise StepFailed("no managed snapshot to restore from")
            snap_id = snap["DBSnapshotIdentifier"]
        if snap is None:
            found = rds.describe_db_snapshots(DBSnapshotIdentifier=snap_id)["DBSnapshots"]
            snap = found[0]
        if not _kms_matches(snap.get("KmsKeyId"), s.standby_kms_key_arn):
            raise StepFailed(f"snapshot {snap_id} is encrypted with {snap.get('KmsKeyId')}, "
                             f"not {s.standby_kms_key_arn}")
        # The instance identifier is unique, so a repeated request after a crash would fail
        # rather than restore twice; the recorded request also stops the repeat.
        if _request_once(ctx, "restore_requested"):
            rds.restore_db_instance_from_db_snapshot(
                DBInstanceIdentifier=s.standby_db_identifier, DBSnapshotIdentifier=snap_id,
                DBInstanceClass=s.restore_instance_class, DeletionProtection=True,
                PubliclyAccessible=False, CopyTagsToSnapshot=True,
                Tags=[{"Key": MANAGED_BY_TAG, "Value": managed_by_value(s.stack_name)},
                      {"Key": ROLE_TAG, "Value": str(Role.STANDBY_DATABASE)},
                      {"Key": "dr:failover-id", "Value": ctx.record["failover_id"]}])
            detail.update(restore_requested=True, snapshot_id=snap_id,
                          kms_key_id=snap.get("KmsKeyId"))
    else:
        detail["restore_target_exists"] = True
    requested = ctx.record.get("restore_requested_epoch") or clock.now()
    return _poll_available(ctx, requested, detail, must_not_be_replica=False)


_PROMOTERS = {"read-replica": _read_replica, "dms": _dms, "snapshot-restore": _snapshot_restore}


def run(ctx: StepContext) -> StepResult:
    return _PROMOTERS[ctx.settings.db_strategy](ctx)
