"""Reads of an Aurora Global Database: the global cluster and its members, a DB cluster, and a
secondary's lag metric.

* ``DescribeGlobalClusters`` is answered in any Region (a global database is global), so the
  orchestrator reads it in the standby Region while the primary Region is down. The result is
  filtered here by identifier too (an emulator may ignore the filter).
* A member is named by its DB cluster ARN (Amazon RDS API Reference, "GlobalClusterMember");
  clusters are compared by ARN, or by identifier in lowercase (RDS stores them so).
* The lag metric is the engine version's authoritative one (:func:`contract.aurora.lag_metrics`:
  ``AuroraGlobalDBRPOLag`` or, for older Aurora MySQL, ``AuroraGlobalDBReplicationLag``),
  milliseconds, published for secondary clusters only, in their own Region. Its series are
  found with ``ListMetrics`` on ``DBClusterIdentifier`` so any further dimension AWS adds is
  matched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from contract import aurora
from handlers.failover import database

#: Error codes meaning "no such global cluster / DB cluster".
_NO_GLOBAL = frozenset({"GlobalClusterNotFoundFault"})
_NO_CLUSTER = frozenset({"DBClusterNotFoundFault"})


def _code(e: ClientError) -> str:
    return str(e.response.get("Error", {}).get("Code", ""))


def same_cluster(ref: str | None, arn: str) -> bool:
    """Whether ``ref`` (an ARN or an identifier) names the cluster ``arn``."""
    if not ref:
        return False
    return ref == arn or ref.rsplit(":", 1)[-1].lower() == arn.rsplit(":", 1)[-1].lower()


def _unless_missing(describe: Callable[[], dict[str, Any]], missing: frozenset[str]
                    ) -> dict[str, Any] | None:
    """``describe()``'s answer, or None when it fails with one of the ``missing`` codes (any
    other error propagates)."""
    try:
        return describe()
    except ClientError as e:
        if _code(e) in missing:
            return None
        raise


def describe_global(rds: Any, identifier: str) -> dict[str, Any] | None:
    """The GlobalCluster dict of ``identifier``, or None when it does not exist."""
    out = _unless_missing(lambda: rds.describe_global_clusters(GlobalClusterIdentifier=identifier),
                          _NO_GLOBAL)
    for g in (out or {}).get("GlobalClusters", []):
        if str(g.get("GlobalClusterIdentifier", "")).lower() == identifier.lower():
            return dict(g)
    return None


def member(global_cluster: dict[str, Any], cluster_arn: str) -> dict[str, Any] | None:
    """The GlobalClusterMember of ``cluster_arn``, or None when it is not a member."""
    for m in global_cluster.get("GlobalClusterMembers", []):
        if same_cluster(m.get("DBClusterArn"), cluster_arn):
            return dict(m)
    return None


def writer_arn(global_cluster: dict[str, Any]) -> str | None:
    """The ARN of the member that is the writer (the primary cluster), or None."""
    for m in global_cluster.get("GlobalClusterMembers", []):
        if m.get("IsWriter"):
            return str(m["DBClusterArn"])
    return None


def describe_cluster(rds: Any, identifier: str) -> dict[str, Any] | None:
    """The DBCluster dict, or None when it does not exist."""
    out = _unless_missing(lambda: rds.describe_db_clusters(DBClusterIdentifier=identifier), _NO_CLUSTER)
    found = (out or {}).get("DBClusters", [])
    return dict(found[0]) if found else None


def lag_seconds(cloudwatch: Any, cluster_id: str, engine: str, version: str,
                lookback_seconds: float) -> tuple[float, str, str] | None:
    """Newest lag of the secondary ``cluster_id`` by its engine version's authoritative metric:
    ``(seconds, iso time, metric name)``, or None when there is no datapoint (never read as
    lag 0: replication is then not known to run)."""
    metric = aurora.lag_metrics(engine, version).authoritative
    listed = cloudwatch.list_metrics(
        Namespace=metric.namespace, MetricName=metric.name,
        Dimensions=[{"Name": aurora.LAG_DIMENSION, "Value": cluster_id}])
    best: tuple[float, str] | None = None
    for m in listed.get("Metrics", []):
        point = database.latest_metric(cloudwatch, metric.namespace, metric.name,
                                       m["Dimensions"], lookback_seconds)
        if point and (best is None or point[1] > best[1]):
            best = point
    if best is None:
        return None
    return best[0] / metric.per_second, best[1], metric.name
