"""What the orchestrators do in a month, read from the plan: schedule runs, the backup
orchestrator's settings (from its environment, parsed by :class:`contract.env.BackupEnv`),
and how each Lambda function is invoked.

All counts are per month (730 hours).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from contract.env import BackupEnv, Env
from contract.names import Role
from contract.strategies import StrategySpec
from contract.strategies import spec as strategy_spec
from cost.context import Context, Unpriceable
from cost.plan import is_unknown, known, role
from cost.schedules import runs_per_month


def schedule_runs(ctx: Context, rule_role: Role) -> float | None:
    """Runs a month of the scheduled rule with ``rule_role`` (None when the plan has none).

    Raises:
        Unpriceable: its schedule is unknown or not a ``rate(...)`` expression.
    """
    rules = ctx.plan.with_role(rule_role)
    if not rules:
        return None
    expr = known(rules[0], "scheduleExpression")
    if not isinstance(expr, str):
        raise Unpriceable(f"the {rule_role} rule's scheduleExpression is unknown")
    try:
        return runs_per_month(expr) * len(rules)
    except ValueError as e:
        raise Unpriceable(str(e)) from None


@dataclass(frozen=True)
class Invocations:
    """One source of a function's invocations.

    Attributes:
        label: e.g. ``"watchdog rate(1 minute)"``.
        per_month: invocations a month.
        seconds: mean duration of one, seconds.
        quantity_from: ``plan`` when the count comes from a schedule, ``usage`` otherwise
            (the duration always comes from usage).
        usage_key: the usage key giving the duration (and the count, when from usage).
    """

    label: str
    per_month: float
    seconds: float
    quantity_from: Literal["plan", "usage"]
    usage_key: str


def function_invocations(ctx: Context, fn: Any) -> list[Invocations]:
    """How ``fn`` (an ``aws:lambda/function:Function``) is invoked in a month.

    The failover orchestrator runs on each watchdog tick and on each forwarded health-alarm
    state change; the backup orchestrator on each backup schedule run; any other function
    as ``usage.lambda.invocations_per_month[<name>]`` says.

    Raises:
        Unpriceable: a schedule cannot be read, or nothing says how another function runs.
    """
    u, out = ctx.usage, []
    r = role(fn)
    if r == Role.FAILOVER_ORCHESTRATOR:
        wd = schedule_runs(ctx, Role.WATCHDOG_SCHEDULE)
        if wd is not None:
            out.append(Invocations("watchdog runs", wd, u.lambda_.watchdog_run_seconds, "plan",
                                   "lambda.watchdog_run_seconds"))
        if ctx.plan.with_role(Role.ALARM_FORWARDER):
            out.append(Invocations("forwarded health-alarm runs",
                                   u.failover.alarm_state_changes_per_month,
                                   u.lambda_.alarm_run_seconds, "usage",
                                   "failover.alarm_state_changes_per_month"))
    elif r == Role.BACKUP_ORCHESTRATOR:
        runs = schedule_runs(ctx, Role.BACKUP_SCHEDULE)
        if runs is not None:
            out.append(Invocations("backup runs", runs, u.lambda_.backup_run_seconds, "plan",
                                   "lambda.backup_run_seconds"))
    extra = u.lambda_.invocations_per_month.get(fn.name)
    if extra is not None:
        out.append(Invocations("invocations (usage)", extra, u.lambda_.other_run_seconds,
                               "usage", "lambda.other_run_seconds"))
    if not out:
        raise Unpriceable(f"no DR schedule invokes {fn.name}: set usage.lambda."
                          f"invocations_per_month.{fn.name}")
    return out


@dataclass(frozen=True)
class BackupFacts:
    """The backup orchestrator's settings as planned.

    Attributes:
        function: the planned function resource.
        runs_per_month: backup schedule runs a month.
        cadence_minutes, retention_hours, keep_newest: from its environment.
        databases: protected primary DB identifiers.
        spec: the strategy's spec (whether a standby instance is snapshotted, whether it
            replicates).
        primary_region, standby_region: Region codes.
        metadata_bucket: the run-record bucket's name.
    """

    function: Any
    runs_per_month: float
    cadence_minutes: int
    retention_hours: int
    keep_newest: int
    databases: tuple[str, ...]
    spec: StrategySpec
    primary_region: str
    standby_region: str
    metadata_bucket: str | None


_BACKUP_VARS = (Env.CADENCE_MINUTES, Env.RETENTION_HOURS, Env.KEEP_NEWEST,
                Env.PROTECTED_DATABASES, Env.DB_STRATEGY, Env.PRIMARY_REGION, Env.STANDBY_REGION)


def backup_facts(ctx: Context) -> BackupFacts | None:
    """The backup orchestrator's settings, or None when the plan has no backup orchestrator.

    Raises:
        Unpriceable: a variable needed is unknown or invalid (named).
    """
    fns = ctx.plan.with_role(Role.BACKUP_ORCHESTRATOR)
    if not fns:
        return None
    fn = fns[0]
    variables = ((fn.inputs.get("environment") or {}).get("variables") or {})
    reading = BackupEnv.read(variables, is_unknown)
    bad = [n for n in _BACKUP_VARS if n not in reading.known]
    if bad:
        raise Unpriceable(f"backup orchestrator environment: {', '.join(bad)} unknown or invalid")
    k = reading.known
    runs = schedule_runs(ctx, Role.BACKUP_SCHEDULE)
    bucket = k.get(Env.METADATA_BUCKET)
    return BackupFacts(
        function=fn, runs_per_month=runs if runs is not None else 0.0,
        cadence_minutes=int(k[Env.CADENCE_MINUTES]), retention_hours=int(k[Env.RETENTION_HOURS]),
        keep_newest=int(k[Env.KEEP_NEWEST]),
        databases=tuple(_primary_ids(k[Env.PROTECTED_DATABASES])),
        spec=strategy_spec(k[Env.DB_STRATEGY]), primary_region=k[Env.PRIMARY_REGION],
        standby_region=k[Env.STANDBY_REGION],
        metadata_bucket=bucket if isinstance(bucket, str) else None)


def _primary_ids(protected: Any) -> list[str]:
    ids = []
    for db in protected:
        arn = db.get("primaryArn") if isinstance(db, dict) else getattr(db, "primary_arn", None)
        ids.append(str(arn).rsplit(":", 1)[-1])
    return ids
