"""Reverse replication of ``aurora-global``: the old primary cluster, which Aurora adds back to
the global database as a secondary when its Region recovers; the failback is a switchover to
it.

* Ready: the standby cluster is the writer of GLOBAL_CLUSTER_IDENTIFIER, the old primary
  (PRIMARY_DB_ARN) a member again, ``available``, and its lag (the engine version's
  authoritative metric, :func:`contract.aurora.lag_metrics`, read in the primary Region where a
  secondary's metrics are) known and at most
  :data:`handlers.failover.strategies.aurora_global.SWITCHOVER_MAX_LAG_SECONDS`. An old primary
  that is the writer again (switched over already) is ready, and drained.
* Drained: that lag at most the same near-zero bound. Readings from before the pause count:
  a switchover itself waits until the secondary is fully synchronised before it moves the
  writer, so it loses no data (RPO 0), and the pause only keeps the shop from writing while
  the writer moves.
* Promotion: ``SwitchoverGlobalCluster`` to the old primary, issued in the Region of the
  current primary (the standby Region), a one-time request, asked only while the global
  database is ``available`` and the old primary a secondary (so it never switches twice);
  then poll the members until the old primary is the writer and the global database
  ``available``.

Source: Amazon Aurora User Guide, "Using switchover or failover in Amazon Aurora Global
Database"
(https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html);
Amazon RDS API Reference, "SwitchoverGlobalCluster".
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from handlers.failover import clock
from handlers.failover import global_database as gdb
from handlers.failover.context import StepFailed
from handlers.failover.failback.context import FailbackContext, FailbackStepResult
from handlers.failover.failback.reverse import api_state, await_promotion
from handlers.failover.failback.reverse.readings import LagReading, PromotionReading, ReverseCheck
from handlers.failover.once import OneTime
from handlers.failover.records import ReverseTarget
from handlers.failover.settings import FailoverSettings
from handlers.failover.strategies.aurora_global import SWITCHOVER_MAX_LAG_SECONDS
from handlers.failover.strategies.polling import lookback, refused
from handlers.shared.aws import ClientFactory

REQUEST = "switchover_requested"
#: The secondary cluster becomes a secondary again after the switchover: it is re-synchronised
#: by Aurora, so it stays the standby under its own identifier.
NEW_STANDBY = False
FRESH_READINGS = False


def _target(s: FailoverSettings, standby_arn: str | None) -> ReverseTarget:
    return ReverseTarget(kind="aurora-secondary", identifier=s.primary_db_identifier,
                         arn=s.primary_db_arn, region=s.primary_region, source=standby_arn,
                         new_primary_arn=s.primary_db_arn)


def _lag(settings: FailoverSettings, clients: ClientFactory,
         g: dict[str, Any]) -> tuple[float, str, str] | None:
    return gdb.lag_seconds(clients("cloudwatch", settings.primary_region),
                           settings.primary_db_identifier, str(g.get("Engine", "")),
                           str(g.get("EngineVersion", "")), lookback(settings.rpo_seconds))


def check(ctx: FailbackContext) -> ReverseCheck:
    s = ctx.settings
    g = gdb.describe_global(ctx.standby("rds"), s.global_cluster_identifier)
    if g is None:
        return ReverseCheck(refusal=f"global database {s.global_cluster_identifier} not found")
    old = gdb.member(g, s.primary_db_arn)
    if old is not None and old.get("IsWriter") and g.get("Status") == "available":
        return ReverseCheck(_target(s, None), detail={"already_writer": True})
    standby = gdb.describe_cluster(ctx.standby("rds"), s.standby_db_identifier)
    if standby is None or not (gdb.member(g, standby["DBClusterArn"]) or {}).get("IsWriter"):
        return ReverseCheck(refusal=f"{s.standby_db_identifier} is not the writer of "
                                    f"{s.global_cluster_identifier}: there is nothing to switch back")
    if old is None:
        return ReverseCheck(refusal=(
            f"the old primary {s.primary_db_identifier} has not rejoined "
            f"{s.global_cluster_identifier} as a secondary yet (Aurora adds it back when "
            f"{s.primary_region} recovers)"))
    cluster = gdb.describe_cluster(ctx.primary("rds"), s.primary_db_identifier)
    status = cluster.get("Status", "missing") if cluster else "missing"
    if status != "available":
        return ReverseCheck(refusal=f"the old primary {s.primary_db_identifier} is {status!r}, "
                                    "not 'available'")
    lag = _lag(s, ctx.clients, g)
    if lag is None:
        return ReverseCheck(refusal=f"no Aurora lag datapoint for {s.primary_db_identifier}: "
                                    "it is not known to be synchronised")
    detail = {"lag_seconds": lag[0], "lag_at": lag[1], "lag_metric": lag[2]}
    if lag[0] > SWITCHOVER_MAX_LAG_SECONDS:
        return ReverseCheck(detail=detail, refusal=(
            f"{lag[2]} of {s.primary_db_identifier} is {lag[0]:.1f} s, over "
            f"{SWITCHOVER_MAX_LAG_SECONDS:g} s: a switchover waits for full synchronisation; "
            "fail back when the lag is near zero"))
    return ReverseCheck(_target(s, standby["DBClusterArn"]), detail=detail)


def lag(ctx: FailbackContext, since_epoch: float) -> LagReading:
    s = ctx.settings
    g = gdb.describe_global(ctx.standby("rds"), s.global_cluster_identifier) or {}
    old = gdb.member(g, s.primary_db_arn) if g else None
    if old is not None and old.get("IsWriter"):
        return LagReading(0.0, clock.iso(), "writer already", SWITCHOVER_MAX_LAG_SECONDS)
    found = _lag(s, ctx.clients, g) if g else None
    return LagReading(found[0] if found else None, found[1] if found else None,
                      found[2] if found else "Aurora lag", SWITCHOVER_MAX_LAG_SECONDS)


def _switchover(ctx: FailbackContext, req: OneTime) -> None:
    s = ctx.settings
    # On a repeat, "not available" means the earlier request is under way.
    landed = frozenset({"InvalidGlobalClusterStateFault"}) if req.attempts else frozenset()
    try:
        req.call(ctx.standby("rds").switchover_global_cluster, landed_codes=landed,
                 GlobalClusterIdentifier=s.global_cluster_identifier,
                 TargetDbClusterIdentifier=s.primary_db_arn)
    except (BotoCoreError, ClientError) as e:
        raise refused(f"SwitchoverGlobalCluster to {s.primary_db_identifier}", e) from e


def promote(ctx: FailbackContext) -> FailbackStepResult:
    s = ctx.settings
    req = OneTime(ctx, REQUEST)

    def read() -> PromotionReading:
        g = gdb.describe_global(ctx.standby("rds"), s.global_cluster_identifier)
        if g is None:
            raise StepFailed(f"global database {s.global_cluster_identifier} not found")
        old = gdb.member(g, s.primary_db_arn)
        available = g.get("Status") == "available"
        if old is None:
            raise StepFailed(f"the old primary {s.primary_db_identifier} is not a member of "
                             f"{s.global_cluster_identifier}: nothing to switch over to")
        return PromotionReading(
            done=bool(old.get("IsWriter")) and available, due=available,
            late=f"{s.primary_db_identifier} is not the writer of "
                 f"{s.global_cluster_identifier} (global {g.get('Status')!r})",
            detail={"global_cluster": s.global_cluster_identifier,
                    "global_status": g.get("Status"), "writer": gdb.writer_arn(g),
                    "switchover_attempts": req.attempts})

    return await_promotion(ctx, req, read, lambda: _switchover(ctx, req),
                           done_key="already_writer")


def observe(settings: FailoverSettings, clients: ClientFactory) -> dict[str, Any]:
    s = settings
    facts: dict[str, Any] = {"primary_api": api_state(lambda: gdb.describe_cluster(
        clients("rds", s.primary_region), s.primary_db_identifier))}
    try:
        g = gdb.describe_global(clients("rds", s.standby_region), s.global_cluster_identifier)
        standby = gdb.describe_cluster(clients("rds", s.standby_region), s.standby_db_identifier)
        m = gdb.member(g, standby["DBClusterArn"]) if g and standby else None
        facts["standby_role"] = ("missing" if m is None else
                                 "writer" if m.get("IsWriter") else "replica")
        old = gdb.member(g, s.primary_db_arn) if g else None
        facts["reverse"] = old and {"identifier": s.primary_db_identifier,
                                    "status": "writer" if old.get("IsWriter") else "secondary"}
    except (BotoCoreError, ClientError) as e:
        facts["standby_role"] = facts["reverse"] = f"unknown: {type(e).__name__}: {e}"
    return facts
