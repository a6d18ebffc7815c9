"""DynamoDB on-demand tables: the failover state table's reads and writes on every watchdog
run, storage and point-in-time recovery.

Prices (Amazon DynamoDB pricing for on-demand capacity,
https://aws.amazon.com/dynamodb/pricing/on-demand/): $0.625 per million write request units,
$0.125 per million read request units, $0.25 per GB-month - figures read through Infracost's
price data, so estimates; point-in-time recovery is an estimate too (see the table).
A strongly consistent read of up to 4 KB is one read unit, a write of up to 1 KB one write unit.
"""

from __future__ import annotations

from typing import Any

from contract.names import Role
from cost.context import Context, Unpriceable
from cost.plan import known, role
from cost.registry import Priced, prices
from cost.workload import schedule_runs


@prices("aws:dynamodb/table:Table")
def table(r: Any, ctx: Context) -> Priced:
    """USD/month of the state table: watchdog runs x reads/writes per run (usage), storage
    and PITR on ``usage.dynamodb.table_gib``."""
    if known(r, "billingMode", "PROVISIONED") != "PAY_PER_REQUEST":
        raise Unpriceable("provisioned-capacity tables are not priced")
    runs = schedule_runs(ctx, Role.WATCHDOG_SCHEDULE) if role(r) == Role.STATE_TABLE else None
    if runs is None:
        raise Unpriceable("no DR schedule uses this table: its requests are unknown")
    u = ctx.usage.dynamodb
    charges = [
        ctx.charge("write request units", "dynamodb/write-request-units", r.region,
                   runs * u.writes_per_watchdog_run, source="usage",
                   note=f"{runs:,.0f} watchdog runs x {u.writes_per_watchdog_run:g} writes "
                        "(usage.dynamodb.writes_per_watchdog_run)"),
        ctx.charge("read request units", "dynamodb/read-request-units", r.region,
                   runs * u.reads_per_watchdog_run, source="usage",
                   note=f"{runs:,.0f} watchdog runs x {u.reads_per_watchdog_run:g} strongly "
                        "consistent reads (usage.dynamodb.reads_per_watchdog_run)"),
        ctx.charge("storage", "dynamodb/storage", r.region, u.table_gib, source="usage",
                   note="usage.dynamodb.table_gib")]
    if (known(r, "pointInTimeRecovery") or {}).get("enabled"):
        charges.append(ctx.charge("point-in-time recovery", "dynamodb/point-in-time-recovery",
                                  r.region, u.table_gib, source="usage", note="usage.dynamodb.table_gib"))
    return Priced(charges, note="failover runs (rare) add a few hundred requests each: not counted")
