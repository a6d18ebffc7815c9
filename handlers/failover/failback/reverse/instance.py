"""Reverse replication of the instance strategies (read-replica, snapshot-restore): a
cross-Region RDS read replica of the promoted standby in the primary Region, promoted by the
failback.

* The replica: REVERSE_REPLICA_IDENTIFIER (the one the program declares in phase
  ``reverse-replicating``), or, when that is empty, the primary Region's read replica whose
  source is the standby (made by hand). RDS gives a cross-Region replica's source as an ARN
  (Amazon RDS API Reference, "DBInstance", ReadReplicaSourceDBInstanceIdentifier); both forms
  are compared (:func:`contract.identifiers.same_db`).
* Ready: the standby is a standalone writer; the replica exists, is ``available``, replicates
  from the standby, and its newest ``AWS/RDS ReplicaLag`` (read in the primary Region, where a
  replica's metrics are) is known, not negative (-1: replication is not running) and at most
  :data:`START_MAX_LAG_SECONDS`.
* Drained: ReplicaLag 0 in a period that began after writes were paused. AWS's own advice
  before promoting a replica: stop transactions on the source and wait until ReplicaLag is 0
  (Amazon RDS User Guide, "Promoting a read replica to be a standalone DB instance",
  https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html).
* Promotion: ``PromoteReadReplica`` in the primary Region while the replica is ``available``
  (with a backup retention when it has none, so the new primary keeps point-in-time
  recovery), a one-time request; then wait until it is available and no longer a replica.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from contract.identifiers import same_db
from handlers.failover import database
from handlers.failover.context import StepFailed
from handlers.failover.failback.context import FailbackContext, FailbackStepResult
from handlers.failover.failback.metrics import newest_since
from handlers.failover.failback.reverse import api_state, await_promotion, request_once
from handlers.failover.failback.reverse.readings import LagReading, PromotionReading, ReverseCheck
from handlers.failover.once import OneTime
from handlers.failover.records import ReverseTarget
from handlers.failover.settings import FailoverSettings
from handlers.failover.strategies.polling import MIN_LOOKBACK_SECONDS
from handlers.shared.aws import ClientFactory

REQUEST = "reverse_promotion_requested"
NEW_STANDBY = True
FRESH_READINGS = True
#: ReplicaLag, seconds, over which a failback is refused: writes stay paused while the replica
#: catches up, so a replica far behind would make the pause long (the promotion's own
#: minutes come on top).
START_MAX_LAG_SECONDS = 60.0
#: ReplicaLag, seconds, at or under which the replica counts as drained: 0, nothing left.
DRAINED_LAG_SECONDS = 0.0
#: Backup retention, days, given to a promoted reverse replica that had none.
PROMOTED_BACKUP_RETENTION_DAYS = 7
_METRIC = ("AWS/RDS", "ReplicaLag")


def _dims(identifier: str) -> list[dict[str, str]]:
    return [{"Name": "DBInstanceIdentifier", "Value": identifier}]


def find(settings: FailoverSettings, clients: ClientFactory,
         standby: dict[str, Any]) -> tuple[dict[str, Any] | None, bool]:
    """The reverse replica's DBInstance in the primary Region (None when there is none) and
    whether it is the declared one (REVERSE_REPLICA_IDENTIFIER)."""
    rds = clients("rds", settings.primary_region)
    if settings.reverse_replica_identifier:
        return database.describe_instance(rds, settings.reverse_replica_identifier), True
    arn = standby.get("DBInstanceArn")
    for page in rds.get_paginator("describe_db_instances").paginate():
        for inst in page.get("DBInstances", []):
            if same_db(database.replica_source(inst), settings.standby_db_identifier, arn):
                return inst, False
    return None, False


def _standby_writer(settings: FailoverSettings,
                    clients: ClientFactory) -> tuple[dict[str, Any] | None, str | None]:
    standby = database.describe_instance(clients("rds", settings.standby_region),
                                         settings.standby_db_identifier)
    if standby is None:
        return None, f"standby instance {settings.standby_db_identifier} not found"
    source = database.replica_source(standby)
    if source:
        return None, (f"standby {settings.standby_db_identifier} is still a read replica of "
                      f"{source}: it was never promoted, so there is nothing to fail back")
    return standby, None


def _missing(settings: FailoverSettings, declared: bool) -> str:
    if declared:
        return (f"reverse replica {settings.reverse_replica_identifier} not found in "
                f"{settings.primary_region}: the program declares it in phase "
                "reverse-replicating (set failover.phase reverse-replicating, pulumi up)")
    return (f"no read replica of {settings.standby_db_identifier} in {settings.primary_region}: "
            "replication has not been re-established in reverse")


def _lag_problem(ctx: FailbackContext, ident: str, detail: dict[str, Any]) -> str | None:
    s = ctx.settings
    lag = database.latest_metric(ctx.primary("cloudwatch"), *_METRIC, _dims(ident),
                                 MIN_LOOKBACK_SECONDS, non_negative=False)
    if lag is None:
        return (f"no ReplicaLag datapoint for {ident} in {s.primary_region} in the last "
                f"{MIN_LOOKBACK_SECONDS} s: the reverse replication is not known to run")
    detail["replica_lag_seconds"], detail["replica_lag_at"] = lag
    if lag[0] < 0:
        return f"ReplicaLag of {ident} is {lag[0]:g}: its replication is not running"
    if lag[0] > START_MAX_LAG_SECONDS:
        return (f"ReplicaLag of {ident} is {lag[0]:.0f} s, over {START_MAX_LAG_SECONDS:g} s: "
                "writes would stay paused while it catches up; fail back when it is lower")
    return None


#: Why a failback refuses without a declared reverse replica: only the replica the program
#: declares is one the failover role may promote (its IAM names that instance), so a failback
#: of a hand-made one would pause writes for a promotion that is then denied.
UNDECLARED = ("no reverse replica is declared (REVERSE_REPLICA_IDENTIFIER is empty; phase {phase}): "
              "set failover.phase reverse-replicating and deploy; the program then declares the "
              "reverse replica and grants the failover orchestrator its promotion")


def check(ctx: FailbackContext) -> ReverseCheck:
    s = ctx.settings
    if not s.reverse_replica_identifier:
        return ReverseCheck(refusal=UNDECLARED.format(phase=s.failover_phase),
                            detail={"declared": False})
    standby, problem = _standby_writer(s, ctx.clients)
    if standby is None:
        return ReverseCheck(refusal=problem)
    inst, declared = find(s, ctx.clients, standby)
    if inst is None:
        return ReverseCheck(refusal=_missing(s, declared), detail={"declared": declared})
    ident, status = inst["DBInstanceIdentifier"], inst["DBInstanceStatus"]
    source = database.replica_source(inst)
    out = ReverseCheck(detail={"identifier": ident, "status": status, "source": source,
                               "declared": declared})
    if status != "available":
        out.refusal = f"reverse replica {ident} is {status!r}, not 'available'"
    elif not same_db(source, s.standby_db_identifier, standby.get("DBInstanceArn")):
        out.refusal = (f"reverse replica {ident} replicates from {source or 'nothing'}, not "
                       f"from the promoted standby {s.standby_db_identifier}")
    else:
        out.refusal = _lag_problem(ctx, ident, out.detail)
    if out.refusal is None:
        out.target = ReverseTarget(kind="rds-read-replica", identifier=ident,
                                   arn=inst.get("DBInstanceArn"), region=s.primary_region,
                                   source=source, declared=declared,
                                   new_primary_arn=inst.get("DBInstanceArn"))
    return out


def lag(ctx: FailbackContext, since_epoch: float) -> LagReading:
    target = ctx.reverse
    point = newest_since(ctx.clients("cloudwatch", target.region), *_METRIC,
                         _dims(target.identifier), since_epoch)
    return LagReading(point[0] if point else None, point[1] if point else None,
                      "ReplicaLag", DRAINED_LAG_SECONDS)


def _request(ctx: FailbackContext, req: OneTime, rds: Any, inst: dict[str, Any]) -> None:
    kwargs: dict[str, Any] = {"DBInstanceIdentifier": inst["DBInstanceIdentifier"]}
    if not inst.get("BackupRetentionPeriod"):
        kwargs["BackupRetentionPeriod"] = PROMOTED_BACKUP_RETENTION_DAYS
    request_once(req, f"PromoteReadReplica of {inst['DBInstanceIdentifier']}",
                 rds.promote_read_replica, **kwargs)


def promote(ctx: FailbackContext) -> FailbackStepResult:
    target = ctx.reverse
    rds = ctx.clients("rds", target.region)
    req = OneTime(ctx, REQUEST)
    inst: dict[str, Any] = {}

    def read() -> PromotionReading:
        nonlocal inst
        found = database.describe_instance(rds, target.identifier)
        if found is None:
            raise StepFailed(f"reverse replica {target.identifier} not found in {target.region}")
        inst = found
        status, replica = inst["DBInstanceStatus"], bool(database.replica_source(inst))
        untouched = replica and status == "available"
        return PromotionReading(
            done=not replica and status == "available", due=replica, untouched=untouched,
            blocked=None if untouched else (
                f"reverse replica {target.identifier} is {status!r}: a read replica can be "
                "promoted only when 'available'; requested on the next trigger"),
            late=f"{target.identifier} not promoted (status {status!r}, replica={replica})",
            detail={"identifier": target.identifier, "region": target.region,
                    "instance_status": status, "replica": replica,
                    "promote_attempts": req.attempts})

    return await_promotion(ctx, req, read, lambda: _request(ctx, req, rds, inst),
                           done_key="already_promoted")


def observe(settings: FailoverSettings, clients: ClientFactory) -> dict[str, Any]:
    facts: dict[str, Any] = {"primary_api": api_state(lambda: database.describe_instance(
        clients("rds", settings.primary_region), settings.primary_db_identifier))}
    standby: dict[str, Any] | None = None
    try:
        standby = database.describe_instance(clients("rds", settings.standby_region),
                                             settings.standby_db_identifier)
        facts["standby_role"] = ("missing" if standby is None else
                                 "replica" if database.replica_source(standby) else "writer")
    except (BotoCoreError, ClientError) as e:
        facts["standby_role"] = f"unknown: {type(e).__name__}: {e}"
    facts["reverse"] = "unknown"
    if facts["primary_api"] == "reachable" and standby is not None:
        try:
            inst, _ = find(settings, clients, standby)
            facts["reverse"] = inst and {"identifier": inst["DBInstanceIdentifier"],
                                         "status": inst["DBInstanceStatus"]}
        except (BotoCoreError, ClientError) as e:
            facts["reverse"] = f"unknown: {type(e).__name__}: {e}"
    return facts
