"""Strategy ``aurora-global``: an Aurora Global Database secondary cluster in the standby
Region; a managed failover at failover, a switchover to fail back.

* Readiness: the global database GLOBAL_CLUSTER_IDENTIFIER exists; the secondary
  STANDBY_DB_IDENTIFIER is ``available`` and a member of it, not its writer; its lag
  (``AuroraGlobalDBRPOLag``, or ``AuroraGlobalDBReplicationLag`` for Aurora MySQL before
  3.04/2.12: :func:`contract.aurora.lag_metrics`, milliseconds) is at most RPO_SECONDS. No
  datapoint is not ready, never lag 0. A secondary that is already the writer counts as ready
  only when this failover's own request was accepted (a resumed run).
* Promotion: ``FailoverGlobalCluster`` with ``AllowDataLoss=True`` and the secondary's ARN as
  ``TargetDbClusterIdentifier``, issued in the standby Region ("--region: the AWS Region where
  the secondary DB cluster that you want to be the new primary ... is running"), a one-time
  request (:mod:`handlers.failover.once`), then poll the global cluster's members until the
  secondary is the writer and ``available``, bounded by PROMOTION_SECONDS ("typically ...
  within a few minutes"). The old primary's volume is snapshotted by Aurora, when its Region
  recovers, as ``rds:unplanned-global-failover-<cluster>-<timestamp>``: the only copy of the
  writes that did not replicate. The completion alert names it and where the backup
  orchestrator keeps its manual copy.
* Writable: the secondary is ``available`` and the writer (or no longer in a global database).
* Failback (operator only): a switchover to the old primary once it has rejoined as a
  secondary with its lag at most :data:`SWITCHOVER_MAX_LAG_SECONDS`
  (:mod:`handlers.failover.failback.reverse.aurora_global`).

Source: Amazon Aurora User Guide, "Using switchover or failover in Amazon Aurora Global
Database"
(https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html);
Amazon RDS API Reference, "FailoverGlobalCluster", "SwitchoverGlobalCluster".
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from contract.aurora import unplanned_failover_snapshot_prefix
from handlers.failover import global_database as gdb
from handlers.failover.context import COMPLETION_NOTES, StepContext, StepFailed, StepResult
from handlers.failover.once import OneTime, accepted
from handlers.failover.strategies import Check
from handlers.failover.strategies.polling import Poll, lookback, refused

#: The failover record's one-time request key of the managed failover.
REQUEST = "global_failover_requested"
#: Lag, seconds, at or under which the rejoined old primary may be switched over to: a
#: switchover waits until the secondary is fully synchronised and takes longer the larger the
#: lag; Aurora's lag is "typically under a second" (Aurora User Guide), so 1 s is near zero.
SWITCHOVER_MAX_LAG_SECONDS = 1.0
#: Where the backup orchestrator keeps the manual copy of the unplanned-failover snapshot.
PRESERVED_COPY = "<cluster>-dr-preserved-<timestamp> (a manual cluster snapshot, never pruned)"


def _standby(ctx: StepContext) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(global cluster, secondary cluster) as read in the standby Region now."""
    s, rds = ctx.settings, ctx.standby("rds")
    return (gdb.describe_global(rds, s.global_cluster_identifier),
            gdb.describe_cluster(rds, s.standby_db_identifier))


def check_readiness(ctx: StepContext) -> Check:
    s = ctx.settings
    g, cluster = _standby(ctx)
    if g is None:
        return Check([f"global database {s.global_cluster_identifier} not found"])
    if cluster is None:
        return Check([f"standby cluster {s.standby_db_identifier} not found"])
    arn, status = cluster["DBClusterArn"], cluster.get("Status", "")
    m = gdb.member(g, arn)
    check = Check(detail={"global_status": g.get("Status"), "cluster_status": status,
                          "writer": gdb.writer_arn(g), "member": m is not None})
    if status != "available":
        check.problems.append(f"standby cluster {s.standby_db_identifier} is {status!r}, not "
                              "'available'")
    if m is None:
        check.problems.append(
            f"standby cluster {s.standby_db_identifier} is not a member of global database "
            f"{s.global_cluster_identifier} (detached?): it no longer replicates, so how old "
            "its data is is unknown")
        return check
    if m.get("IsWriter"):
        if accepted(ctx.record, REQUEST):
            check.detail["already_promoted"] = True  # by this failover: a resumed run
        else:
            check.problems.append(
                f"standby cluster {s.standby_db_identifier} is already the writer of "
                f"{s.global_cluster_identifier} and this failover did not make it so: there is "
                "nothing to fail over to")
        return check
    _lag_problems(ctx, check, g)
    return check


def _lag_problems(ctx: StepContext, check: Check, g: dict[str, Any]) -> None:
    s = ctx.settings
    window = lookback(s.rpo_seconds)
    lag = gdb.lag_seconds(ctx.standby("cloudwatch"), s.standby_db_identifier,
                          str(g.get("Engine", "")), str(g.get("EngineVersion", "")), window)
    if lag is None:
        check.problems.append(f"no Aurora lag datapoint for {s.standby_db_identifier} in the "
                              f"last {window} s: replication is not known to run")
        return
    check.detail.update(lag_seconds=lag[0], lag_at=lag[1], lag_metric=lag[2])
    if lag[0] > s.rpo_seconds:
        check.problems.append(f"{lag[2]} {lag[0]:.1f} s exceeds the RPO of {s.rpo_seconds} s")


def _request(ctx: StepContext, req: OneTime, target_arn: str) -> None:
    """Make the FailoverGlobalCluster request (a one-time request), in the standby Region."""
    s = ctx.settings
    try:
        req.call(ctx.standby("rds").failover_global_cluster,
                 GlobalClusterIdentifier=s.global_cluster_identifier,
                 TargetDbClusterIdentifier=target_arn, AllowDataLoss=True)
    except (BotoCoreError, ClientError) as e:
        raise refused(f"FailoverGlobalCluster of {s.global_cluster_identifier} to "
                      f"{s.standby_db_identifier}", e) from e


def promote(ctx: StepContext) -> StepResult:
    s = ctx.settings
    req = OneTime(ctx, REQUEST)
    poll = Poll(ctx)
    while True:
        g, cluster = _standby(ctx)
        poll.polls += 1
        if g is None or cluster is None:
            raise StepFailed(f"global database {s.global_cluster_identifier} or standby cluster "
                             f"{s.standby_db_identifier} not found")
        arn, status = cluster["DBClusterArn"], cluster.get("Status", "")
        m = gdb.member(g, arn)
        if m is not None and m.get("IsWriter") and status == "available":
            return _promoted(ctx, req, poll, g)
        untouched = m is not None and g.get("Status") == "available"
        if m is not None and req.may_repeat(untouched=untouched,
                                            accepted_after_seconds=s.promotion_seconds):
            if not untouched:
                raise StepFailed(f"global database {s.global_cluster_identifier} is "
                                 f"{g.get('Status')!r}: a failover is requested only when it is "
                                 "'available'; requested on the next trigger")
            _request(ctx, req, arn)
            poll.detail["failover_requested"] = True
            continue  # read the global cluster again at once
        if m is None and req.state is None:
            raise StepFailed(f"standby cluster {s.standby_db_identifier} is not a member of "
                             f"{s.global_cluster_identifier}: nothing to fail over to")
        if poll.late(req.epoch):
            raise StepFailed(f"{s.standby_db_identifier} is not the writer of "
                             f"{s.global_cluster_identifier} (global {g.get('Status')!r}, "
                             f"cluster {status!r}) {s.promotion_seconds} s after the request "
                             f"({req.state}); check the global database")
        paused = poll.pause_or_wait(global_status=g.get("Status"), cluster_status=status,
                                    polls=poll.polls)
        if paused is not None:
            return paused


def _promoted(ctx: StepContext, req: OneTime, poll: Poll, g: dict[str, Any]) -> StepResult:
    """The secondary is the writer: record it, and name the old primary's failover snapshot
    for the completion alert."""
    s = ctx.settings
    if req.state is None:
        poll.detail["already_writer"] = True
    old = s.primary_db_identifier
    ctx.record.notes[COMPLETION_NOTES] = {
        "data_loss_snapshot": (
            f"when {s.primary_region} recovers, Aurora snapshots the old primary {old} as "
            f"{unplanned_failover_snapshot_prefix(old)}<timestamp> in {s.primary_region}: the "
            "only copy of the writes that did not replicate, kept only for that cluster's "
            f"backup retention; the backup orchestrator copies it to {PRESERVED_COPY}"),
        "failback": "operator only, once the old primary has rejoined as a secondary: "
                    "action failback (a switchover, no data loss)"}
    poll.detail.update(global_status=g.get("Status"), writer=gdb.writer_arn(g), polls=poll.polls,
                       failover_attempts=req.attempts)
    return StepResult("ok", poll.detail)


def check_writable(ctx: StepContext) -> Check:
    """Writable: the secondary is ``available`` and the writer of the global database (or in
    no global database any more: a standalone cluster takes writes)."""
    s = ctx.settings
    g, cluster = _standby(ctx)
    status = cluster.get("Status", "") if cluster else "missing"
    m = gdb.member(g, cluster["DBClusterArn"]) if g and cluster else None
    writer = bool(m and m.get("IsWriter")) or bool(cluster and m is None
                                                   and not cluster.get("GlobalClusterIdentifier"))
    writable = status == "available" and writer
    detail = {"identifier": s.standby_db_identifier, "writable": writable, "status": status}
    problems = [] if writable else [f"cluster {s.standby_db_identifier} is not writable"]
    return Check(problems, detail)
