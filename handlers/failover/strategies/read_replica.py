"""Strategy ``read-replica``: a cross-Region RDS read replica, promoted at failover.

* Readiness: STANDBY_DB_IDENTIFIER is ``available``, still replicates from PRIMARY_DB_ARN
  (ARN or identifier form), and its newest non-negative ``AWS/RDS ReplicaLag`` (seconds) is
  at most RPO_SECONDS. An instance that is no longer a replica counts as ready only when this
  failover's own promotion request was accepted (``once.accepted``: a resumed run); a
  replica promoted or detached by hand, or left standalone by an earlier failover and
  failback, has stopped replicating and its data age is unknown: not ready (unless forced).
* Promotion: ``PromoteReadReplica`` while the standby is still a replica and ``available``
  (a read replica "cannot be promoted to a standalone instance when it is in the
  backing-up status"), then wait until it is available and no longer a replica. Promotion
  reboots the instance and "can take several minutes or longer". A replica without
  automated backups gets a retention period with the request, so the promoted instance keeps
  point-in-time recovery. Sources: Amazon RDS API Reference, "PromoteReadReplica"
  (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html);
  Amazon RDS User Guide, "Promoting a read replica to be a standalone DB instance"
  (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html).
* Writable: :mod:`handlers.failover.strategies.instance`; reverse replication for failback:
  :mod:`handlers.failover.failback.reverse.instance`.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from contract.identifiers import same_db
from handlers.failover import database
from handlers.failover.context import StepContext, StepFailed, StepResult
from handlers.failover.once import OneTime, accepted
from handlers.failover.strategies import Check, instance
from handlers.failover.strategies.polling import Poll, lookback, refused

#: The failover record's one-time request key of the promotion.
REQUEST = "promotion_requested"
#: Backup retention, days, given to a promoted replica that had none, so it keeps PITR.
PROMOTED_BACKUP_RETENTION_DAYS = 7

check_writable = instance.check_writable


def check_readiness(ctx: StepContext) -> Check:
    s = ctx.settings
    inst = database.describe_instance(ctx.standby("rds"), s.standby_db_identifier)
    if inst is None:
        return Check([f"standby instance {s.standby_db_identifier} not found"])
    status = inst["DBInstanceStatus"]
    source = database.replica_source(inst)
    check = Check(detail={"instance_status": status, "replica_source": source})
    if status != "available":
        check.problems.append(f"standby {s.standby_db_identifier} is {status!r}, not 'available'")
    if source is None:
        if accepted(ctx.record, REQUEST):
            check.detail["already_promoted"] = True  # by this failover: a resumed run
        else:
            check.problems.append(
                f"standby {s.standby_db_identifier} is not a read replica and this failover "
                "did not promote it: it stopped replicating (promoted or detached by hand, or "
                "left standalone by an earlier failover), so how old its data is is unknown")
        return check
    if not same_db(source, s.primary_db_identifier, s.primary_db_arn):
        check.problems.append(f"standby replicates from {source}, not {s.primary_db_arn}")
    window = lookback(s.rpo_seconds)
    lag = database.latest_metric(ctx.standby("cloudwatch"), "AWS/RDS", "ReplicaLag",
                                 [{"Name": "DBInstanceIdentifier",
                                   "Value": s.standby_db_identifier}], window)
    check.lag_within_rpo("ReplicaLag", lag, s.rpo_seconds,
                         keys=("replica_lag_seconds", "replica_lag_at"),
                         missing=f"no ReplicaLag datapoint for {s.standby_db_identifier} in "
                                 f"the last {window} s")
    return check


def _request(ctx: StepContext, req: OneTime, inst: dict[str, Any]) -> None:
    """Make the PromoteReadReplica request (a one-time request)."""
    s = ctx.settings
    kwargs: dict[str, Any] = {"DBInstanceIdentifier": s.standby_db_identifier}
    if not inst.get("BackupRetentionPeriod"):
        kwargs["BackupRetentionPeriod"] = PROMOTED_BACKUP_RETENTION_DAYS
    try:
        req.call(ctx.standby("rds").promote_read_replica, **kwargs)
    except (BotoCoreError, ClientError) as e:
        raise refused(f"PromoteReadReplica of {s.standby_db_identifier}", e) from e


def promote(ctx: StepContext) -> StepResult:
    s = ctx.settings
    req = OneTime(ctx, REQUEST)
    poll = Poll(ctx)
    while True:
        inst = poll.instance()
        if inst is None:
            raise StepFailed(f"standby instance {s.standby_db_identifier} not found")
        status = inst["DBInstanceStatus"]
        replica = bool(database.replica_source(inst))
        if not replica and status == "available":
            if req.state is None:
                poll.detail["already_promoted"] = True
            poll.detail.update(instance_status=status, polls=poll.polls,
                               promote_attempts=req.attempts)
            return StepResult("ok", poll.detail)
        untouched = replica and status == "available"
        if replica and req.may_repeat(untouched=untouched,
                                      accepted_after_seconds=s.promotion_seconds):
            if not untouched:
                raise StepFailed(f"standby {s.standby_db_identifier} is {status!r}: a read "
                                 "replica can be promoted only when 'available' (Amazon RDS "
                                 "API Reference, PromoteReadReplica); requested on the next "
                                 "trigger")
            _request(ctx, req, inst)
            poll.detail["promote_requested"] = True
            continue  # read the instance again at once
        elif poll.late(req.epoch):
            raise StepFailed(f"{s.standby_db_identifier} not promoted (status {status!r}, "
                             f"replica={replica}) {s.promotion_seconds} s after the request "
                             f"({req.state}); check the instance")
        paused = poll.pause_or_wait(instance_status=status, polls=poll.polls)
        if paused is not None:
            return paused
