"""Aurora Global Database (strategy aurora-global): the secondary cluster, its instances, and
what the global database adds to the primary's bill.

Charges (Amazon Aurora pricing, Aurora Standard, https://aws.amazon.com/rds/aurora/pricing/):

* ``aws.rds.ClusterInstance``: instance-hours by class (``aurora/instance/<class>``);
* ``aws.rds.Cluster`` (the secondary): storage of its copy of the volume, the month's mean data
  (``usage.database``), per GB-month (``aurora/storage``), and the read I/Os it serves
  (``usage.aurora.secondary_read_ios_per_month``, ``aurora/io``); its automated backups are
  not priced (the table has no Aurora backup-storage figure: the note says so);
* ``aws.rds.GlobalCluster``: each write I/O of the primary is replicated to each secondary and
  billed as a replicated write I/O (``usage.aurora.write_ios_per_month`` x secondaries,
  ``aurora/global-replicated-write-io``; the ``AuroraGlobalDBReplicatedWriteIO`` metric is
  what the primary Region's bill uses, so it is priced in the source cluster's Region), plus
  the inter-Region transfer of the replicated redo log (``usage.database.replication_gib_per_day``
  at ``data-transfer/inter-region``, billed by the sending Region: Amazon EC2 On-Demand
  Pricing, Data Transfer, https://aws.amazon.com/ec2/pricing/on-demand/).
  The primary cluster itself is the site's, outside this stack, and is not priced.
* ``aws.rds.ClusterParameterGroup``: no charge.
"""

from __future__ import annotations

from typing import Any

from contract.identifiers import parse_rds_cluster_arn
from cost.context import Context, Unpriceable
from cost.plan import is_unknown, known
from cost.registry import NoCharge, Priced, prices
from cost.usage import DAYS_PER_MONTH, HOURS_PER_MONTH

GLOBAL = "aws:rds/globalCluster:GlobalCluster"
CLUSTER = "aws:rds/cluster:Cluster"


@prices("aws:rds/clusterInstance:ClusterInstance")
def cluster_instance(r: Any, ctx: Context) -> Priced:
    """USD/month of one Aurora instance: 730 h at its class's price."""
    cls = known(r, "instanceClass")
    if not isinstance(cls, str):
        raise Unpriceable("instanceClass unknown")
    return Priced([ctx.charge(f"instance-hours {cls} (Aurora)", f"aurora/instance/{cls}", r.region,
                              HOURS_PER_MONTH, source="plan", note=f"{HOURS_PER_MONTH:g} h")])


@prices(CLUSTER)
def cluster(r: Any, ctx: Context) -> Priced:
    """USD/month of a secondary Aurora cluster: storage and read I/O (see the module docstring)."""
    db, aurora = ctx.usage.database, ctx.usage.aurora
    return Priced([
        ctx.charge("storage (copy of the global database's volume)", "aurora/storage", r.region,
                   db.mean_data_gib, source="usage",
                   note=f"{db.data_gib:g} GiB + {db.growth_gib_per_month:g} GiB/month growth / 2 "
                        "(usage.database)"),
        ctx.charge("read I/O", "aurora/io", r.region, aurora.secondary_read_ios_per_month,
                   source="usage", note="usage.aurora.secondary_read_ios_per_month")],
        note="automated backups are not priced: the price table has no Aurora backup-storage "
             "figure")


def _secondaries(r: Any, ctx: Context) -> int:
    """How many planned clusters join this global cluster: by its identifier, or, during a
    preview (the member's ``globalClusterIdentifier`` is then computed from the global
    cluster's id), every member with a computed one when this is the plan's only global
    cluster."""
    gid = known(r, "globalClusterIdentifier")
    only = len(ctx.plan.of_type(GLOBAL)) == 1
    count = 0
    for c in ctx.plan.of_type(CLUSTER):
        raw = c.inputs.get("globalClusterIdentifier")
        count += bool((gid is not None and raw == gid) or (only and is_unknown(raw)))
    return count


@prices(GLOBAL)
def global_cluster(r: Any, ctx: Context) -> Priced | NoCharge:
    """USD/month the global database adds: replicated write I/O and redo-log transfer, per
    secondary, billed in the source cluster's Region."""
    source = parse_rds_cluster_arn(str(known(r, "sourceDbClusterIdentifier", "")))
    if source is None:
        raise Unpriceable("sourceDbClusterIdentifier unknown or not a cluster ARN: the Region "
                          "that bills replication is not known")
    n = _secondaries(r, ctx)
    if n == 0:
        return NoCharge("no secondary cluster in this stack joins it: nothing is replicated")
    aurora, db = ctx.usage.aurora, ctx.usage.database
    gib = db.replication_gib_per_day * DAYS_PER_MONTH * n
    return Priced([
        ctx.charge("replicated write I/O", "aurora/global-replicated-write-io", source.region,
                   aurora.write_ios_per_month * n, source="usage",
                   note=f"usage.aurora.write_ios_per_month x {n} secondary"),
        ctx.charge(f"replication transfer {source.region} -> secondary", "data-transfer/inter-region",
                   source.region, gib, source="usage",
                   note=f"{db.replication_gib_per_day:g} GiB/day (usage.database."
                        f"replication_gib_per_day) x {DAYS_PER_MONTH:.2f} days x {n}")])


@prices("aws:rds/clusterParameterGroup:ClusterParameterGroup")
def parameter_group(r: Any, ctx: Context) -> NoCharge:
    return NoCharge("DB cluster parameter groups are free")
