"""Aurora Global Database rules: a durable secondary cluster, a protected global database, and a
secondary that is really a member in the standby Region, encrypted with its own Region's key,
promotable, pinned against detach on refresh, and without the managed RPO of the primary.

AWS facts, with their sources:

* a secondary cluster joins by ``GlobalClusterIdentifier``; an encrypted global database needs
  a KMS key in each secondary's Region; a headless secondary (no instance) must get one before
  it can be promoted: Amazon Aurora User Guide, "Using switchover or failover in Amazon Aurora
  Global Database"
  (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html)
  and Amazon RDS API Reference, "CreateDBCluster" (KmsKeyId);
* with two Regions, keep ``rds.global_db_rpo`` at its default in the secondary's parameter
  group, or a failover may pause commits on the new primary (same page, Managing RPOs);
* after a failover or switchover AWS changes the writer, so the provider reads another source
  cluster and another membership; pulumi-aws is generated from the Terraform provider, whose
  users report detached secondaries and replacements on the next apply
  (hashicorp/terraform-provider-aws#28746, #33020, #43214).
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Policy, ReportViolation, ResourceValidationArgs, StackValidationArgs

from contract.aurora import MANAGED_RPO_PARAMETER
from contract.identifiers import parse_rds_cluster_arn
from policies.resource_types import (
    KMS_KEY,
    KMS_REPLICA_KEY,
    RDS_CLUSTER,
    RDS_CLUSTER_INSTANCE,
    RDS_CLUSTER_PARAMETER_GROUP,
    RDS_GLOBAL_CLUSTER,
)
from policies.rules.common import Unknown, by_type, is_set, number, region, value
from policies.rules.database import kms_key_region
from policies.rules.declare import Setting, resource_rule, stack_rule

#: What a secondary must ignore, and why, for the messages.
SECONDARY_PINS = ("globalClusterIdentifier", "replicationSourceIdentifier")
GLOBAL_PINS = ("sourceDbClusterIdentifier",)
_TRAP = ("a refresh after a failover or switchover would detach or replace it "
         "(hashicorp/terraform-provider-aws#28746)")


@resource_rule("aurora-cluster-durable", [RDS_CLUSTER],
               "Checks whether Aurora clusters are encrypted, deletion-protected, keep automated "
               "backups and take a final snapshot.",
               settings=[Setting("minRetentionDays", "integer", 1,
                                 "Fewest days of automated backups of an Aurora cluster.",
                                 {"minimum": 1, "maximum": 35})])
def cluster_durable(args: ResourceValidationArgs, report: ReportViolation, cfg: dict[str, Any]) -> None:
    """``aurora-cluster-durable``: encrypted, deletion protection, automated backups, a final
    snapshot."""
    p = args.props
    if value(p, "storageEncrypted") is not True:
        report("Aurora cluster must have storage encryption enabled (storageEncrypted: true).")
    if value(p, "deletionProtection") is not True:
        report("Aurora cluster must have deletionProtection enabled.")
    days = number(p, "backupRetentionPeriod", default=1.0)
    if days is None or days < cfg["minRetentionDays"]:
        report(f"Aurora cluster must retain automated backups for at least "
               f"{cfg['minRetentionDays']} day(s) (backupRetentionPeriod), got {days:g}.")
    if value(p, "skipFinalSnapshot") is True:
        report("Aurora cluster must take a final snapshot when deleted (skipFinalSnapshot "
               "false, with a finalSnapshotIdentifier).")


@resource_rule("aurora-global-database-protected", [RDS_GLOBAL_CLUSTER],
               "Checks whether an Aurora global database is deletion-protected, protected from "
               "deploys and pinned to its source cluster's ARN.")
def global_database_protected(args: ResourceValidationArgs,
                              report: ReportViolation, cfg: dict[str, Any]) -> None:
    """``aurora-global-database-protected``: deletion protection, ``protect``, the source
    named by cluster ARN and pinned against the writer's move."""
    p = args.props
    if value(p, "deletionProtection") is not True:
        report("Aurora global database must have deletionProtection enabled.")
    if not args.opts.protect:
        report("Aurora global database must be declared with protect: true; no deploy may "
               "delete the database that holds the data.")
    if is_set(p, "sourceDbClusterIdentifier"):
        source = str(value(p, "sourceDbClusterIdentifier"))
        if parse_rds_cluster_arn(source) is None:
            report("Aurora global database must name its source cluster by ARN "
                   f"(arn:aws:rds:<region>:<account>:cluster:<id>), got {source!r}.")
        missing = [k for k in GLOBAL_PINS if k not in (args.opts.ignore_changes or [])]
        if missing:
            report(f"Aurora global database must ignore changes to {', '.join(missing)}: "
                   f"AWS moves the writer at failover, and {_TRAP}.")


@stack_rule("aurora-secondary-cluster",
            "Checks whether Aurora secondary clusters are members of a declared global database, in "
            "another Region than the primary, encrypted with their own Region's key, promotable, "
            "protected and pinned.")
def secondary_cluster(args: StackValidationArgs, report: ReportViolation, cfg: dict[str, Any]) -> None:
    """``aurora-secondary-cluster``: each cluster that joins a global database is a member of
    one this stack declares, in another Region than the primary, encrypted with a key of its
    own Region, has an instance to promote, is protected and pinned, and keeps the default
    ``rds.global_db_rpo``."""
    keys = {r.urn: r for r in by_type(args.resources, KMS_KEY, KMS_REPLICA_KEY)}
    for c in by_type(args.resources, RDS_CLUSTER):
        try:
            joins = is_set(c.props, "globalClusterIdentifier")
        except Unknown:
            joins = True
        if joins or c.property_dependencies.get("globalClusterIdentifier"):
            for problem in _secondary_problems(args.resources, c, keys):
                report(problem, c.urn)


def _secondary_problems(resources: list[Any], c: Any, keys: dict[str, Any]) -> list[str]:
    out: list[str] = []
    try:
        where = region(c.props, c.provider)
    except Unknown:
        where = None
    global_db = _global_of(resources, c)
    if global_db is None:
        out.append("Aurora secondary cluster must join a global database this stack declares "
                   "(globalClusterIdentifier of an aws.rds.GlobalCluster); none matches.")
    else:
        source = parse_rds_cluster_arn(str(value(global_db.props, "sourceDbClusterIdentifier",
                                                 default="")))
        if source is not None and where and source.region == where:
            out.append(f"Aurora secondary cluster is in {where}, the primary cluster's Region; a "
                       "standby for a Region failure must be in another Region.")
    key_region = kms_key_region(c, keys)
    if key_region is None:
        out.append(f"Aurora secondary cluster must set kmsKeyId to a KMS key in its own Region "
                   f"({where}); an encrypted global database cannot add it otherwise.")
    elif key_region != "<unknown>" and where and key_region != where:
        out.append(f"Aurora secondary cluster's KMS key is in {key_region}, but the cluster is "
                   f"in {where}; the key must live in the cluster's Region.")
    if not any(c in deps for i in by_type(resources, RDS_CLUSTER_INSTANCE)
               for deps in [i.property_dependencies.get("clusterIdentifier", [])]):
        out.append("Aurora secondary cluster has no aws.rds.ClusterInstance: a headless "
                   "secondary cannot be promoted until an instance is added.")
    out += _pin_problems(c) + _parameter_problems(c)
    return out


def _global_of(resources: list[Any], c: Any) -> Any:
    """The declared global cluster ``c`` joins: by property dependency, or by identifier."""
    globals_ = by_type(resources, RDS_GLOBAL_CLUSTER)
    for dep in c.property_dependencies.get("globalClusterIdentifier", []):
        if dep.resource_type == RDS_GLOBAL_CLUSTER:
            return dep
    try:
        wanted = value(c.props, "globalClusterIdentifier")
    except Unknown:
        return None
    return next((g for g in globals_ if value(g.props, "globalClusterIdentifier") == wanted), None)


def _pin_problems(c: Any) -> list[str]:
    out = []
    if not c.opts.protect:
        out.append("Aurora secondary cluster must be declared with protect: true; after a "
                   "failover it is the primary, and no deploy may delete it.")
    missing = [k for k in SECONDARY_PINS if k not in (c.opts.ignore_changes or [])]
    if missing:
        out.append(f"Aurora secondary cluster must ignore changes to {', '.join(missing)}: AWS "
                   f"changes them at failover, switchover and rejoin, and {_TRAP}.")
    return out


def _parameter_problems(c: Any) -> list[str]:
    for dep in c.property_dependencies.get("dbClusterParameterGroupName", []):
        if dep.resource_type != RDS_CLUSTER_PARAMETER_GROUP:
            continue
        try:
            params = value(dep.props, "parameters", default=[]) or []
        except Unknown:
            continue
        if any(isinstance(p, dict) and p.get("name") == MANAGED_RPO_PARAMETER for p in params):
            return [f"Aurora secondary cluster's parameter group sets {MANAGED_RPO_PARAMETER}; "
                    "with two Regions keep its default there, or after a failover the new "
                    "primary may pause commits (set it on the primary's group)."]
    return []


def policies() -> list[Policy]:
    return [cluster_durable(), global_database_protected(), secondary_cluster()]
