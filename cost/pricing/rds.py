"""RDS DB instances (the standby: a cross-Region read replica or a DMS target).

Charges: instance-hours by engine and class (Single-AZ; Multi-AZ counts two), provisioned
storage, automated-backup storage beyond the free allowance, cross-Region replication
transfer for a replica of an instance in another Region, and the Secrets Manager secret RDS
keeps when it manages the master password.

Prices: RDS instance classes are estimates (no PostgreSQL price was found; see the table's
``rds/instance/*`` entries and their why); storage is an estimate; backup storage beyond the
free amount is $0.095 per GB-month (Amazon RDS pricing, https://aws.amazon.com/rds/pricing/,
us-east-1); inter-Region transfer $0.02 per GB (Amazon EC2 On-Demand Pricing, Data Transfer,
https://aws.amazon.com/ec2/pricing/on-demand/), billed by the sending Region.

Automated backups: free up to 100% of the Region's provisioned storage (allowance
``rds/free-backup-storage``); the model takes this instance's own storage as its allowance
and its automated backups as ``mean data + change/day x backupRetentionPeriod`` GiB.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from cost.context import Context, Unpriceable
from cost.plan import known
from cost.registry import Priced, prices
from cost.result import Charge
from cost.usage import DAYS_PER_MONTH, HOURS_PER_MONTH

Source = Literal["plan", "usage"]
_RDS_ARN_REGION = re.compile(r"^arn:aws[a-z-]*:rds:([a-z0-9-]+):")


def _engine(r: Any, ctx: Context) -> tuple[str, Source]:
    engine = known(r, "engine")
    if isinstance(engine, str):
        return engine, "plan"
    return ctx.usage.database.engine, "usage"


def _storage(r: Any, ctx: Context) -> tuple[float, str, Source]:
    """(GiB, type, quantity_from) of the instance's provisioned storage."""
    u = ctx.usage.database
    alloc, stype = known(r, "allocatedStorage"), known(r, "storageType")
    from_plan = isinstance(alloc, int | float) and isinstance(stype, str)
    return (float(alloc) if isinstance(alloc, int | float) else u.allocated_storage_gib,
            stype if isinstance(stype, str) else u.storage_type, "plan" if from_plan else "usage")


def _automated_backups(r: Any, ctx: Context, allocated: float) -> Charge | None:
    days = known(r, "backupRetentionPeriod", 0)
    if not isinstance(days, int | float) or days <= 0:
        return None
    u = ctx.usage.database
    backups = u.mean_data_gib + u.change_per_day_gib * days
    free = allocated * ctx.prices.allowance("rds/free-backup-storage").amount
    return ctx.charge("automated backups beyond the free allowance", "rds/backup-storage",
                      r.region, max(0.0, backups - free), source="usage",
                      note=f"max(0, {u.mean_data_gib:g} GiB data + {u.change_per_day_gib:g} GiB/day "
                           f"x {days:g} days - {free:g} GiB free)")


def _replication_transfer(r: Any, ctx: Context) -> Charge | None:
    m = _RDS_ARN_REGION.match(str(known(r, "replicateSourceDb", "")))
    if not m or m.group(1) == r.region:
        return None
    gib = ctx.usage.database.replication_gib_per_day * DAYS_PER_MONTH
    return ctx.charge(f"replication transfer {m.group(1)} -> {r.region}", "data-transfer/inter-region",
                      m.group(1), gib, source="usage",
                      note=f"{ctx.usage.database.replication_gib_per_day:g} GiB/day "
                           f"(usage.database.replication_gib_per_day) x {DAYS_PER_MONTH:.2f} days")


@prices("aws:rds/instance:Instance")
def instance(r: Any, ctx: Context) -> Priced:
    """USD/month of a DB instance (see the module docstring for each charge)."""
    cls = known(r, "instanceClass")
    if not isinstance(cls, str):
        raise Unpriceable("instanceClass unknown")
    engine, engine_from = _engine(r, ctx)
    copies = 2 if known(r, "multiAz") else 1
    alloc, stype, storage_from = _storage(r, ctx)
    az = "Multi-AZ" if copies == 2 else "Single-AZ"
    engine_note = "; engine from usage.database.engine (not in the plan)" if engine_from == "usage" else ""
    storage_note = "; size/type from usage.database (not in the plan)" if storage_from == "usage" else ""
    charges: list[Charge] = [
        ctx.charge(f"instance-hours {cls} ({engine}, {az})", f"rds/instance/{engine}/{cls}",
                   r.region, HOURS_PER_MONTH * copies, source=engine_from,
                   note=f"{HOURS_PER_MONTH:g} h x {copies}{engine_note}"),
        ctx.charge(f"storage {stype}", f"rds/storage/{stype}", r.region, alloc * copies,
                   source=storage_from, note=f"{alloc:g} GiB x {copies}{storage_note}")]
    for extra in (_automated_backups(r, ctx, alloc), _replication_transfer(r, ctx)):
        if extra is not None:
            charges.append(extra)
    if known(r, "manageMasterUserPassword"):
        charges.append(ctx.charge("master password secret (managed by RDS)", "secretsmanager/secret",
                                  r.region, 1, source="plan"))
    return Priced(charges)
