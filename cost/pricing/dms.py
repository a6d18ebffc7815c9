"""DMS: the replication instance (instance-hours, storage) and the CDC task's cross-Region
transfer of the change stream.

Prices: ``dms/instance/*`` and ``dms/storage/gp2`` are estimates (not found; see the table).
Storage AWS may include with an instance is deducted only when the table holds an allowance
``dms/included-storage/<class>``. Inter-Region transfer $0.02 per GB (Amazon EC2 On-Demand
Pricing, Data Transfer, https://aws.amazon.com/ec2/pricing/on-demand/), billed by the sending
(primary) Region.
"""

from __future__ import annotations

from typing import Any

from cost.context import Context, Unpriceable
from cost.plan import known
from cost.registry import Priced, prices
from cost.usage import DAYS_PER_MONTH, HOURS_PER_MONTH
from cost.workload import backup_facts


@prices("aws:dms/replicationInstance:ReplicationInstance")
def replication_instance(r: Any, ctx: Context) -> Priced:
    """USD/month of a replication instance: 730 h (x2 Multi-AZ) and its allocated storage."""
    cls = known(r, "replicationInstanceClass")
    if not isinstance(cls, str):
        raise Unpriceable("replicationInstanceClass unknown")
    copies = 2 if known(r, "multiAz") else 1
    alloc = float(known(r, "allocatedStorage", 50))
    included_key = f"dms/included-storage/{cls}"
    included = ctx.prices.allowances[included_key].amount if included_key in ctx.prices.allowances else 0.0
    billed = max(0.0, alloc - included) * copies
    return Priced([
        ctx.charge(f"instance-hours {cls}", f"dms/instance/{cls}", r.region,
                   HOURS_PER_MONTH * copies, source="plan", note=f"{HOURS_PER_MONTH:g} h x {copies}"),
        ctx.charge("storage gp2", "dms/storage/gp2", r.region, billed, source="plan",
                   note=f"({alloc:g} GiB - {included:g} GiB included) x {copies}"
                        + ("" if included else f"; no allowance {included_key} in the table"))])


@prices("aws:dms/replicationTask:ReplicationTask")
def replication_task(r: Any, ctx: Context) -> Priced:
    """USD/month of the change stream read across Regions by the task (the task itself is
    free). The one-off full load (``usage.database.data_gib``) is not a monthly charge."""
    facts = backup_facts(ctx)
    if facts is None:
        raise Unpriceable("the source database's Region is unknown (no backup orchestrator)")
    if facts.primary_region == r.region:
        return Priced([], note="source and replication instance in one Region: no transfer")
    gib = ctx.usage.database.replication_gib_per_day * DAYS_PER_MONTH
    return Priced([ctx.charge(f"CDC transfer {facts.primary_region} -> {r.region}",
                              "data-transfer/inter-region", facts.primary_region, gib, source="usage",
                              note=f"{ctx.usage.database.replication_gib_per_day:g} GiB/day "
                                   f"(usage.database.replication_gib_per_day) x {DAYS_PER_MONTH:.2f} days")])
