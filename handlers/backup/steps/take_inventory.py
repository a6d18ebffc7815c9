"""Step 1: list every manual snapshot in both Regions, and the standbys' statuses.

One paginated DescribeDBSnapshots(manual) per Region, plus, when Aurora clusters are
protected, one paginated DescribeDBClusterSnapshots(manual) per Region and, per protected
cluster, its snapshots in the primary Region (where Aurora's unplanned-failover snapshot
appears); one paginated DescribeDBInstances / DescribeDBClusters in the standby Region when
standbys are configured and that Region answered. A standby cluster that is a member, but
not the writer, of its global database reads ``secondary`` (DescribeGlobalClusters of the
cluster's ``GlobalClusterIdentifier``). A Region that cannot be listed gets no further work
in this run (``primary_snapshots`` / ``standby_snapshots`` stay None).
"""

from __future__ import annotations

from typing import Any

from contract.aurora import unplanned_failover_snapshot_prefix
from handlers.backup.context import RunContext
from handlers.backup.inventory import (
    Snapshot,
    cluster_snapshots_of,
    cluster_statuses,
    instance_statuses,
    list_manual_snapshots,
)


def _list(ctx: RunContext, region: str, clusters: bool) -> list[Snapshot] | None:
    """Manual snapshots of ``region`` (DB snapshots, plus DB cluster snapshots when
    ``clusters``); None when the Region could not be listed."""
    found = ctx.region_call(region, "inventory", lambda: list_manual_snapshots(ctx.rds(region), region))
    if found is None or not clusters:
        return found
    more = ctx.region_call(region, "inventory", lambda: list_manual_snapshots(
        ctx.rds(region), region, cluster=True))
    return None if more is None else found + more


def run(ctx: RunContext) -> None:
    p, s = ctx.primary_region, ctx.standby_region
    dbs = ctx.settings.protected_databases
    clusters = any(d.is_cluster for d in dbs)
    ctx.primary_snapshots = _list(ctx, p, clusters)
    ctx.standby_snapshots = _list(ctx, s, clusters)
    ctx.inventories_ok = (ctx.primary_snapshots is not None) + (ctx.standby_snapshots is not None)
    if ctx.primary_snapshots is not None:
        for d in (d for d in dbs if d.is_cluster):
            found = ctx.region_call(p, "inventory", lambda d=d: cluster_snapshots_of(
                ctx.rds(p), p, d.identifier)) or []
            prefix = unplanned_failover_snapshot_prefix(d.identifier)
            ctx.failover_snapshots += [x for x in found if x.identifier.lower().startswith(prefix)]
    if ctx.standby_snapshots is None:
        return
    instances = {d.standby for d in dbs if d.standby and not d.is_cluster}
    standby_clusters = {d.standby for d in dbs if d.standby and d.is_cluster}
    if instances:
        ctx.standby_statuses = ctx.region_call(s, "describe-instances", lambda: (
            instance_statuses(ctx.rds(s), instances))) or {}
    if standby_clusters:
        found = ctx.region_call(s, "describe-clusters", lambda: (
            cluster_statuses(ctx.rds(s), standby_clusters))) or {}
        ctx.standby_statuses.update({c: _cluster_status(ctx, item) for c, item in found.items()})


def _cluster_status(ctx: RunContext, cluster: dict[str, Any]) -> str:
    """The cluster's status, or ``secondary`` while it is a non-writer member of a global
    database (an unreadable global database counts as secondary: no snapshot is made)."""
    status = str(cluster.get("Status", ""))
    gid = str(cluster.get("GlobalClusterIdentifier") or "").rsplit(":", 1)[-1]
    if not gid or status != "available":
        return status
    rds = ctx.rds(ctx.standby_region)
    out = ctx.region_call(ctx.standby_region, "describe-global",
                          lambda: rds.describe_global_clusters(GlobalClusterIdentifier=gid))
    for g in (out or {}).get("GlobalClusters", []):
        for m in g.get("GlobalClusterMembers", []):
            if m.get("DBClusterArn") == cluster.get("DBClusterArn"):
                return status if m.get("IsWriter") else "secondary"
    return "secondary" if out is None else status
