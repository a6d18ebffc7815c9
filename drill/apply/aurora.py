"""Apply functions for the Aurora Global Database of strategy ``aurora-global``: the global
database around the site's primary cluster, the secondary cluster in the standby Region, its
instances, and the cluster parameter groups.

Under preview the program's references between these resources (the secondary's global
database and KMS key, an instance's cluster) hold mock ids, not the emulator's: each is taken
from the applied dependency instead (the substitution is recorded in
``Deployment.substituted``). moto 5.2.5 gaps met here: none beyond those the Aurora bridges
cover (:mod:`emulator.bridges`, :data:`~emulator.bridges.AURORA_GLOBAL_BRIDGES`).
"""

from __future__ import annotations

from typing import Any

from drill.apply.common import Applied, ApplyContext, ApplyFn, Skip, applied, dependency
from drill.apply.inputs import aws_tags, known, name_of
from engine.plan import PlannedResource

GLOBAL_CLUSTER = "aws:rds/globalCluster:GlobalCluster"
CLUSTER = "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
PARAMETER_GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup"


def _from_dependency(ctx: ApplyContext, r: PlannedResource, i: dict[str, Any], prop: str,
                     kind: str, attr: str) -> str | None:
    """The applied dependency's ``attr`` for ``prop`` (recorded as a substitution when it
    differs from the planned value), else the planned value when known."""
    dep = dependency(ctx, r, prop, kind)
    planned = known(i, prop)
    if dep is None:
        return str(planned) if planned else None
    value = str(getattr(dep, attr))
    if value != planned:
        ctx.deployment.substituted.append({"urn": r.urn, "property": prop, "value": value,
                                           "planned": str(planned), "from": dep.urn})
    return value


def global_cluster(r: PlannedResource, i: dict[str, Any], region: str,
                   ctx: ApplyContext) -> Applied:
    """CreateGlobalCluster from the source cluster (the site's primary). Raises Skip when the
    source is unknown."""
    ident = name_of(r, i, "globalClusterIdentifier", lower=True)
    source = known(i, "sourceDbClusterIdentifier")
    if not source:
        raise Skip("sourceDbClusterIdentifier unknown: a global database is made from the "
                   "site's primary cluster")
    g = ctx.client("rds", region).create_global_cluster(
        GlobalClusterIdentifier=ident, SourceDBClusterIdentifier=source,
        DeletionProtection=bool(known(i, "deletionProtection", False)))["GlobalCluster"]
    return applied(r, i, region, id=ident, arn=g["GlobalClusterArn"], physical_name=ident)


def parameter_group(r: PlannedResource, i: dict[str, Any], region: str,
                    ctx: ApplyContext) -> Applied:
    """CreateDBClusterParameterGroup, then ModifyDBClusterParameterGroup with the planned
    parameters (e.g. ``rds.global_db_rpo``)."""
    rds = ctx.client("rds", region)
    name = name_of(r, i, lower=True)
    group = rds.create_db_cluster_parameter_group(
        DBClusterParameterGroupName=name, DBParameterGroupFamily=i["family"],
        Description=known(i, "description", r.name), Tags=aws_tags(i),
    )["DBClusterParameterGroup"]
    params = [{"ParameterName": p["name"], "ParameterValue": str(p["value"]),
               "ApplyMethod": p.get("applyMethod", "immediate")}
              for p in known(i, "parameters", []) or []]
    if params:
        rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=name, Parameters=params)
    return applied(r, i, region, id=name, arn=group.get("DBClusterParameterGroupArn", ""),
                   physical_name=name)


def cluster(r: PlannedResource, i: dict[str, Any], region: str, ctx: ApplyContext) -> Applied:
    """CreateDBCluster: a secondary of the global database when ``globalClusterIdentifier``
    is planned (no master user of its own), else a standalone cluster."""
    ident = name_of(r, i, "clusterIdentifier", lower=True)
    kw: dict[str, Any] = {
        "DBClusterIdentifier": ident, "Engine": known(i, "engine", "aurora-postgresql"),
        "StorageEncrypted": bool(known(i, "storageEncrypted", True)),
        "BackupRetentionPeriod": int(known(i, "backupRetentionPeriod", 7)),
        "DeletionProtection": bool(known(i, "deletionProtection", False)),
        "CopyTagsToSnapshot": bool(known(i, "copyTagsToSnapshot", False)),
        "Tags": aws_tags(i)}
    if known(i, "engineVersion"):
        kw["EngineVersion"] = i["engineVersion"]
    kms = _from_dependency(ctx, r, i, "kmsKeyId", "aws:kms/key:", "arn")
    if kms:
        kw["KmsKeyId"] = kms
    group = _from_dependency(ctx, r, i, "dbClusterParameterGroupName", PARAMETER_GROUP,
                             "physical_name")
    if group:
        kw["DBClusterParameterGroupName"] = group
    gid = _from_dependency(ctx, r, i, "globalClusterIdentifier", GLOBAL_CLUSTER, "id")
    if gid:
        kw["GlobalClusterIdentifier"] = gid
    else:
        kw.update(MasterUsername=known(i, "masterUsername", "shop"),
                  MasterUserPassword="drill-only-password")
    c = ctx.client("rds", region).create_db_cluster(**kw)["DBCluster"]
    return applied(r, i, region, id=ident, arn=c["DBClusterArn"], physical_name=ident)


def cluster_instance(r: PlannedResource, i: dict[str, Any], region: str,
                     ctx: ApplyContext) -> Applied:
    """CreateDBInstance in the planned cluster. Raises Skip when the cluster is unknown."""
    ident = name_of(r, i, "identifier", lower=True)
    owner = _from_dependency(ctx, r, i, "clusterIdentifier", CLUSTER, "id")
    if not owner:
        raise Skip("clusterIdentifier unknown and not resolvable")
    rds = ctx.client("rds", region)
    rds.create_db_instance(DBInstanceIdentifier=ident, DBClusterIdentifier=owner,
                           Engine=known(i, "engine", "aurora-postgresql"),
                           DBInstanceClass=known(i, "instanceClass", "db.r6g.large"),
                           PromotionTier=int(known(i, "promotionTier", 1)),
                           Tags=aws_tags(i))
    db = rds.describe_db_instances(DBInstanceIdentifier=ident)["DBInstances"][0]
    return applied(r, i, region, id=ident, arn=db["DBInstanceArn"], physical_name=ident)


APPLIERS: dict[str, ApplyFn] = {
    GLOBAL_CLUSTER: global_cluster,
    PARAMETER_GROUP: parameter_group,
    CLUSTER: cluster,
    CLUSTER_INSTANCE: cluster_instance,
}
