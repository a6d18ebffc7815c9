"""Recovery rules: the RTO/RPO objectives computed from planned inputs, backup schedules at
least as frequent as the RPO, and snapshot retention within the manual-snapshot quota.

``rto-rpo-objectives`` is an inventory and an estimate: :mod:`policies.inventory` finds each
term among the planned resources (one finder per term) and builds an
:class:`rto_rpo.inputs.EstimateInputs`; :func:`rto_rpo.inputs.estimate` (the function the
program's planned outputs and the drill use) adds it up. This module turns the result into
violations.

RTO = fastest detection + orchestrator step budgets + promotion + traffic shift (the failover
gate alarm's evaluation window) + DNS TTL. RPO is the replication alarm threshold or, for a
strategy whose rule is cadence plus copy, the backup cadence plus the modelled cross-Region
copy time (:attr:`contract.strategies.StrategySpec.rpo_rule`).

Preview safety: a term whose input is unknown counts as 0 s, so the total is a lower bound.
If the lower bound already misses a target that is a definite violation; if it meets the
target the policy reports itself *not applicable*, naming the unknown inputs, rather than
passing. A missing piece is a violation, never a pass.

The orchestrators' variables are read through their contract (:mod:`policies.orchestrator_env`),
so names, ranges and messages about what is allowed come from :mod:`contract.env`.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Policy, ReportViolation, ResourceValidationArgs, StackValidationArgs

from contract.env import BackupEnv, Env
from contract.names import Role
from contract.strategies import DEFAULT_PROMOTION_SECONDS, STRATEGIES, spec
from policies.inventory import Objectives, objectives
from policies.inventory.survey import disabled_rule
from policies.orchestrator_env import PlannedEnv
from policies.resource_types import EVENT_RULE, FUNCTION
from policies.rules.common import Unknown, role, schedule_period_seconds, value
from policies.rules.declare import Setting, not_applicable, resource_rule, stack_rule
from rto_rpo.figures import DEFAULT_MANUAL_SNAPSHOT_QUOTA, DEFAULT_SNAPSHOT_COPY_SECONDS
from rto_rpo.model import manual_snapshots_held

__all__ = ["OBJECTIVE_SETTINGS", "Objectives", "backup_schedule_within_rpo", "objectives",
           "policies", "retention_within_quota", "rto_rpo_objectives"]

RPO_MINUTES = Setting("rpoMinutes", "number", 60, "RPO target, in minutes.",
                      {"exclusiveMinimum": 0})
OBJECTIVE_SETTINGS = [
    Setting("rtoMinutes", "number", 240, "RTO target, in minutes.", {"exclusiveMinimum": 0}),
    RPO_MINUTES,
    Setting("promotionSeconds", "object", dict(DEFAULT_PROMOTION_SECONDS),
            "Modelled seconds for the standby database to accept writes, per strategy (by "
            "default the strategy table's, contract.strategies.DEFAULT_PROMOTION_SECONDS, whose "
            "sources rto_rpo.figures gives). The larger of this and the orchestrator's own "
            f"{Env.PROMOTION_SECONDS} is used.",
            {"properties": {s: {"type": "number", "minimum": 0} for s in STRATEGIES}}),
    Setting("snapshotCopySeconds", "number", DEFAULT_SNAPSHOT_COPY_SECONDS,
            "Modelled seconds for a cross-Region snapshot copy (rto_rpo.figures."
            "DEFAULT_SNAPSHOT_COPY_SECONDS).", {"minimum": 0}),
]


@stack_rule("rto-rpo-objectives",
            "Checks whether the worst-case RTO and RPO computed from the planned resources meet the "
            "targets.",
            settings=OBJECTIVE_SETTINGS)
def rto_rpo_objectives(args: StackValidationArgs, report: ReportViolation, cfg: dict[str, Any]) -> None:
    """``rto-rpo-objectives``: mandatory stack policy; the message is the term breakdown."""
    found = objectives(list(args.resources), cfg)
    for message, urn in found.missing:
        report(message, urn or None)
    note = ""
    if found.unknown:
        note = ("\n  (inputs unknown during preview counted as 0 s, so this is a lower "
                "bound: " + "; ".join(found.unknown) + ")")
    missed = False
    for est in (found.rto, found.rpo):
        if est is not None and not est.met:
            missed = True
            report(est.breakdown() + f"\n  ({found.targets})" + note)
    if found.unknown and not missed and not found.missing:
        not_applicable("RTO/RPO can't be decided during preview: "
                       + "; ".join(found.unknown))


@resource_rule("backup-schedule-within-rpo", [EVENT_RULE],
               "Checks whether the backup schedule runs at least once per RPO.",
               settings=[RPO_MINUTES])
def backup_schedule_within_rpo(args: ResourceValidationArgs,
                               report: ReportViolation, cfg: dict[str, Any]) -> None:
    """``backup-schedule-within-rpo``: the backup schedule runs at least once per RPO."""
    if role(args.props) != Role.BACKUP_SCHEDULE:
        args.not_applicable("not a backup schedule")
    if disabled_rule(args.props):
        args.not_applicable("backup schedule is disabled (rto-rpo-objectives reports a "
                            "stack without an enabled one)")
    expr = value(args.props, "scheduleExpression")
    period = schedule_period_seconds(expr) if isinstance(expr, str) else None
    if period is None:
        args.not_applicable(f"schedule {expr!r} has no bounded period")
    rpo = float(cfg["rpoMinutes"]) * 60
    if period > rpo:
        report(f"Backup schedule {expr} runs every {period / 60:g} min, less than once per "
               f"RPO of {rpo / 60:g} min; a failure just before a run loses more data than "
               "the RPO allows.")


@resource_rule("snapshot-retention-within-quota", [FUNCTION],
               "Checks whether the backup orchestrator's cadence and retention keep the manual "
               "snapshots within the per-Region quota.",
               settings=[Setting("manualSnapshotQuota", "integer", DEFAULT_MANUAL_SNAPSHOT_QUOTA,
                                 "Manual DB snapshots allowed per Region (the RDS default quota, "
                                 "rto_rpo.figures.DEFAULT_MANUAL_SNAPSHOT_QUOTA; raise it only if AWS "
                                 "raised yours).", {"minimum": 1})])
def retention_within_quota(args: ResourceValidationArgs,
                           report: ReportViolation, cfg: dict[str, Any]) -> None:
    """``snapshot-retention-within-quota``: cadence x retention fits the manual-snapshot quota."""
    if role(args.props) != Role.BACKUP_ORCHESTRATOR:
        args.not_applicable("not the backup orchestrator")
    found = _retention_inputs(PlannedEnv.of(args, BackupEnv), report)
    if found is None:
        return
    cadence, retention, keep, protected, standby = found
    held = manual_snapshots_held(cadence_minutes=cadence, retention_hours=retention,
                                 databases=len(protected), keep_newest=keep,
                                 standby_snapshots=standby)
    quota = int(cfg["manualSnapshotQuota"])
    worst = max(held.values())
    if worst > quota:
        report(f"Snapshot retention keeps {worst} manual snapshots in one Region ({held}: "
               f"every {cadence:g} min for {retention:g} h, {len(protected)} "
               f"database(s)), over the quota of {quota}; shorten {Env.RETENTION_HOURS} or "
               f"lengthen {Env.CADENCE_MINUTES}.")


def _retention_inputs(orch: PlannedEnv, report: ReportViolation
                      ) -> tuple[int, int, int, list[Any], bool] | None:
    """``(cadence minutes, retention hours, keep newest, protected databases, whether a standby
    instance is snapshotted too)`` through the backup orchestrator's contract; None after
    reporting each missing or invalid variable.

    Raises:
        Unknown: a variable (or the whole map) is computed during preview.
    """
    if orch.variables is None:
        raise Unknown(orch.path(Env.CADENCE_MINUTES))

    def unknown(path: str) -> None:
        raise Unknown(path)

    def get(name: Env, explain: bool = False) -> Any:
        return orch.get(name, problem=report, unknown=unknown, explain=explain)

    values = [get(Env.CADENCE_MINUTES), get(Env.RETENTION_HOURS), get(Env.KEEP_NEWEST),
              get(Env.PROTECTED_DATABASES, explain=True)]
    if any(v is None for v in values):
        return None
    cadence, retention, keep, protected = values
    strategy = orch.value(Env.DB_STRATEGY)
    standby = any(p.standby_identifier for p in protected) or (
        strategy is not None and spec(strategy).runs_standby)
    return cadence, retention, keep, protected, standby


def policies() -> list[Policy]:
    return [rto_rpo_objectives(), backup_schedule_within_rpo(), retention_within_quota()]
