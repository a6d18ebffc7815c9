"""Step 2: is the standby ready to take over within the RPO?

* read-replica: STANDBY_DB_IDENTIFIER is ``available`` (a replica in ``backing-up`` cannot
  be promoted: RDS User Guide, field-notes), still replicates from PRIMARY_DB_ARN (ARN or
  identifier form), and its newest ``AWS/RDS ReplicaLag`` (seconds) is <= RPO_SECONDS.
  Already promoted (no replica source) counts as ready: a resumed failover.
* dms: DMS_TASK_ARN is ``running`` and ``AWS/DMS CDCLatencyTarget`` (seconds) <= RPO_SECONDS
  (field-notes: DMS lag metrics). A stopped task after our own promote step is ready.
* snapshot-restore: the newest available cross-Region copy of the primary database
  (PRIMARY_DB_ARN) in the standby Region - named ``<db>-dr-<YYYYmmddHHMM>-copy``, tagged
  ``managed-by = ecommerce-dr/<stack>`` and ``dr:database = <db>``
  (:func:`handlers.failover.database.newest_primary_copy`) - is at most RPO_SECONDS old and
  encrypted. If the
  restore target already exists (a resumed failover), that counts as ready.

Not ready -> the failover stops with status ``not-ready`` and an alert, unless ``force``.
"""

from __future__ import annotations

from typing import Any

from handlers.failover import clock, database
from handlers.failover.context import StepContext, StepResult

#: How far back to look for lag datapoints: at least 10 minutes, at most the RPO.
MIN_LOOKBACK_SECONDS = 600


def _lookback(rpo: int) -> int:
    return max(MIN_LOOKBACK_SECONDS, rpo)


def _read_replica(ctx: StepContext) -> tuple[list[str], dict[str, Any]]:
    s = ctx.settings
    inst = database.describe_instance(ctx.standby("rds"), s.standby_db_identifier)
    if inst is None:
        return [f"standby instance {s.standby_db_identifier} not found"], {}
    status = inst["DBInstanceStatus"]
    source = database.replica_source(inst)
    detail: dict[str, Any] = {"instance_status": status, "replica_source": source}
    problems = []
    if status != "available":
        problems.append(f"standby {s.standby_db_identifier} is {status!r}, not 'available'")
    if source is None:
        detail["already_promoted"] = True
        return problems, detail
    if not database.same_db(source, s.primary_db_identifier, s.primary_db_arn):
        problems.append(f"standby replicates from {source}, not {s.primary_db_arn}")
    lag = database.latest_metric(ctx.standby("cloudwatch"), "AWS/RDS", "ReplicaLag",
                                 [{"Name": "DBInstanceIdentifier",
                                   "Value": s.standby_db_identifier}],
                                 _lookback(s.rpo_seconds))
    if lag is None:
        problems.append(f"no ReplicaLag datapoint for {s.standby_db_identifier} in the last "
                        f"{_lookback(s.rpo_seconds)} s")
    else:
        detail["replica_lag_seconds"], detail["replica_lag_at"] = lag
        if lag[0] > s.rpo_seconds:
            problems.append(f"ReplicaLag {lag[0]:.0f} s exceeds the RPO of {s.rpo_seconds} s")
    return problems, detail


def _dms(ctx: StepContext) -> tuple[list[str], dict[str, Any]]:
    s = ctx.settings
    task = database.dms_task(ctx.standby("dms"), s.dms_task_arn)
    if task is None:
        return [f"DMS task {s.dms_task_arn} not found"], {}
    detail: dict[str, Any] = {"task_status": task["Status"]}
    if task["Status"] == "stopped" and ctx.record.get("dms_stopped_at"):
        detail["already_stopped_by_failover"] = True
        return [], detail
    problems = []
    if task["Status"] != "running":
        problems.append(f"DMS task is {task['Status']!r}, not 'running'")
    lag = database.cdc_latency_target(ctx.standby("cloudwatch"), task, _lookback(s.rpo_seconds))
    if lag is None:
        problems.append("no CDCLatencyTarget datapoint for the task in the last "
                        f"{_lookback(s.rpo_seconds)} s")
    else:
        detail["cdc_latency_target_seconds"], detail["cdc_latency_at"] = lag
        if lag[0] > s.rpo_seconds:
            problems.append(f"CDCLatencyTarget {lag[0]:.0f} s exceeds the RPO of "
                            f"{s.rpo_seconds} s")
    return problems, detail


def _snapshot(ctx: StepContext) -> tuple[list[str], dict[str, Any]]:
    s = ctx.settings
    rds = ctx.standby("rds")
    existing = database.describe_instance(rds, s.standby_db_identifier)
    if existing is not None:
        return [], {"restore_target_exists": True,
                    "instance_status": existing["DBInstanceStatus"]}
    snap = database.newest_primary_copy(rds, s.stack_name, s.primary_db_identifier)
    if snap is None:
        return [f"no available copy of {s.primary_db_identifier} made by this stack's backups "
                f"in {s.standby_region}"], {}
    age = clock.now() - database.snapshot_time(snap).timestamp()
    detail = {"snapshot_id": snap["DBSnapshotIdentifier"], "snapshot_age_seconds": round(age),
              "snapshot_kms_key_id": snap.get("KmsKeyId")}
    problems = []
    if age > s.rpo_seconds:
        problems.append(f"newest snapshot {snap['DBSnapshotIdentifier']} is {age:.0f} s old, "
                        f"older than the RPO of {s.rpo_seconds} s")
    if not snap.get("Encrypted", False):
        problems.append(f"snapshot {snap['DBSnapshotIdentifier']} is not encrypted")
    return problems, detail


_CHECKS = {"read-replica": _read_replica, "dms": _dms, "snapshot-restore": _snapshot}


def run(ctx: StepContext) -> StepResult:
    problems, detail = _CHECKS[ctx.settings.db_strategy](ctx)
    detail["strategy"] = ctx.settings.db_strategy
    if "snapshot_id" in detail:
        ctx.record["restore_snapshot_id"] = detail["snapshot_id"]
    if not problems:
        return StepResult("ok", detail)
    detail["not_ready"] = problems
    if ctx.force:
        detail["forced"] = True
        return StepResult("ok", detail)
    return StepResult("aborted", detail, status="not-ready")
