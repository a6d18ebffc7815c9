"""Run-time lines: what the orchestrators create while running, and DNS queries, which no
planned resource carries.

Manual snapshots (model). Each backup run snapshots every protected primary in the primary
Region, copies the newest one to the standby Region and, when a standby instance runs,
snapshots it there. Each of these series keeps ``max(ceil(retention h x 60 / cadence min),
keepNewest)`` snapshots (:func:`rto_rpo.model.manual_snapshots_held`). RDS snapshots of one
instance are incremental: the series is billed as one full copy of the data plus the data
changed over the span it covers, ``mean data + change/day x (held - 1) x cadence / 1440``
GiB (an upper bound: blocks changed twice are counted twice only within one interval).
Whether manual snapshots share blocks with the same instance's automated backups is not
assumed: by default each series holds its own full copy (an upper bound);
``usage.snapshots.share_automated_backups`` bills the primary's and the standby's series for
their changes only (the copies in the standby Region always hold a full copy). The free
backup allowance is taken as used by the instances' automated backups; only
``usage.snapshots.free_backup_gib`` is deducted.

Cross-Region copies (transfer). AWS bills a cross-Region snapshot copy as data transfer out
of the source Region. A copy is incremental when the previous copy of the same instance is
still in the destination Region and the same KMS key encrypts it (Amazon RDS User Guide,
"Copying a DB snapshot", incremental snapshot copying); the backup orchestrator keeps the
newest copies and always copies with the standby key, so every copy after the first is
counted as incremental: a month transfers the month's change, ``change/day x 30.4`` GiB per
database. The first, full copy is one-off and counted only with
``usage.snapshots.count_initial_full_copy``.

DNS queries: one line per failover record name (zone, name), ``usage.route53.queries_per_month``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contract.names import Role
from cost.context import Context, Unpriceable
from cost.plan import known
from cost.prices import PriceNotFound
from cost.result import Basis, Charge, CostLine
from cost.usage import DAYS_PER_MONTH
from cost.workload import BackupFacts, backup_facts
from rto_rpo.model import manual_snapshots_held


@dataclass
class RunTimeLine:
    """A run-time line and the URN of the planned resource it is listed after."""

    after: str
    line: CostLine


def _series_gib(ctx: Context, facts: BackupFacts, full: bool) -> tuple[int, float, str]:
    """(snapshots held, billed GiB, arithmetic) of one database's snapshot series; ``full``:
    the series holds a full copy of the data, else only its changes."""
    held = manual_snapshots_held(cadence_minutes=facts.cadence_minutes,
                                 retention_hours=facts.retention_hours, databases=1,
                                 keep_newest=facts.keep_newest, standby_snapshots=False)["primary"]
    u = ctx.usage.database
    span_days = (held - 1) * facts.cadence_minutes / 1440
    base = u.mean_data_gib if full else 0.0
    gib = base + u.change_per_day_gib * span_days
    first = (f"{base:g} GiB full" if full
             else "no full copy (usage.snapshots.share_automated_backups)")
    return held, gib, (f"{held} held; {first} + {u.change_per_day_gib:g} GiB/day "
                       f"x {span_days:g} days = {gib:g} GiB per database")


def _snapshot_line(ctx: Context, facts: BackupFacts, what: str, region: str,
                   extra_urns: list[str], full: bool) -> CostLine:
    held, gib, how = _series_gib(ctx, facts, full)
    n = len(facts.databases)
    free = min(ctx.usage.snapshots.free_backup_gib.get(region, 0.0), gib * n)
    charge = ctx.charge(what, "rds/backup-storage", region, gib * n - free, source="usage",
                        note=f"{how} x {n} database(s)" + (f" - {free:g} GiB free" if free else ""))
    return CostLine.from_charges(
        charges=[charge], component=ctx.plan.component_of(facts.function),
        resource=f"{what} ({region})", urn=None, type="run-time:rds/manual-snapshots",
        region=region, derived_from=[facts.function.urn, *extra_urns])


def _copy_transfer_line(ctx: Context, facts: BackupFacts) -> CostLine:
    u, n = ctx.usage.database, len(facts.databases)
    gib = u.change_per_day_gib * DAYS_PER_MONTH * n
    note = (f"incremental copies: {u.change_per_day_gib:g} GiB/day x {DAYS_PER_MONTH:.2f} days "
            f"x {n} database(s)")
    if ctx.usage.snapshots.count_initial_full_copy:
        gib += u.data_gib * n
        note += f" + first full copy {u.data_gib:g} GiB x {n}"
    charge = ctx.charge(f"snapshot copy transfer {facts.primary_region} -> {facts.standby_region}",
                        "data-transfer/inter-region", facts.primary_region, gib, source="usage", note=note)
    return CostLine.from_charges(
        charges=[charge], component=ctx.plan.component_of(facts.function),
        resource=f"cross-Region snapshot copies ({facts.primary_region} -> {facts.standby_region})",
        urn=None, type="run-time:rds/snapshot-copy-transfer", region=facts.primary_region,
        derived_from=[facts.function.urn])


def snapshot_lines(ctx: Context) -> list[RunTimeLine]:
    """Snapshot storage per Region and the copies' transfer (after the backup function)."""
    try:
        facts = backup_facts(ctx)
    except Unpriceable as e:
        fn = ctx.plan.with_role(Role.BACKUP_ORCHESTRATOR)[0]
        return [RunTimeLine(fn.urn, _unpriced(ctx, fn, "manual snapshots", str(e)))]
    if facts is None:
        return []
    standby = [r.urn for r in ctx.plan.with_role(Role.STANDBY_DATABASE)]
    own_full = not ctx.usage.snapshots.share_automated_backups
    makers = [("manual snapshots of the primary", facts.primary_region, [], own_full),
              ("cross-Region snapshot copies", facts.standby_region, [], True)]
    if facts.spec.runs_standby:
        makers.append(("manual snapshots of the standby", facts.standby_region, standby, own_full))
    out = []
    for what, region, extra, full in makers:
        out.append(_guarded(ctx, facts, what, lambda w=what, g=region, e=extra, f=full:
                            _snapshot_line(ctx, facts, w, g, e, f)))
    out.append(_guarded(ctx, facts, "cross-Region snapshot copy transfer",
                        lambda: _copy_transfer_line(ctx, facts)))
    return [RunTimeLine(facts.function.urn, line) for line in out]


def _guarded(ctx: Context, facts: BackupFacts, what: str, make: Any) -> CostLine:
    try:
        return make()
    except PriceNotFound as e:
        return _unpriced(ctx, facts.function, what, str(e))


def _unpriced(ctx: Context, fn: Any, what: str, reason: str) -> CostLine:
    return CostLine(component=ctx.plan.component_of(fn), resource=what, urn=None,
                    type="run-time:rds/manual-snapshots", region=None, basis=Basis.UNPRICED,
                    monthly_usd=None, reason=reason, derived_from=[fn.urn])


def dns_query_lines(ctx: Context) -> list[RunTimeLine]:
    """One line per non-alias record name: ``usage.route53.queries_per_month`` standard
    queries (listed after the last record of that name)."""
    groups: dict[tuple[str, str], list[Any]] = {}
    for r in ctx.plan.of_type("aws:route53/record:Record"):
        if not known(r, "aliases"):
            groups.setdefault((str(known(r, "zoneId", "?")), str(known(r, "name", r.name))), []).append(r)
    out = []
    q = ctx.usage.route53.queries_per_month
    for (_zone, name), records in groups.items():
        charge: list[Charge] = [ctx.charge(f"standard queries for {name}", "route53/standard-queries",
                                           None, q, source="usage",
                                           note="usage.route53.queries_per_month (paid with or without DR)")]
        line = CostLine.from_charges(charges=charge, component=ctx.plan.component_of(records[0]),
                                     resource=f"DNS queries {name}", urn=None,
                                     type="run-time:route53/queries", region=None,
                                     derived_from=[r.urn for r in records])
        out.append(RunTimeLine(records[-1].urn, line))
    return out
