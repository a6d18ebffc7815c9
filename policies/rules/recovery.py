"""Recovery rules: the RTO/RPO objectives computed from planned inputs, backup schedules at
least as frequent as the RPO, and snapshot retention within the manual-snapshot quota.

The arithmetic is :mod:`rto_rpo.model` (the same functions the program's outputs and the
drill's report use); this module only finds the terms among the planned resources, by their
``dr:role`` tag (:mod:`contract.names`) and their inputs, which are known during preview.

RTO = fastest detection + orchestrator step budgets + promotion + traffic shift (the failover
gate alarm's ``period x (datapointsToAlarm or evaluationPeriods)``) + DNS TTL, where detection is
either the endpoint health check (``requestInterval x failureThreshold``) plus its us-east-1
alarm (``period x evaluationPeriods``), or the standby watchdog (schedule rate x
``CONSECUTIVE_FAILURES`` + ``PROBE_TIMEOUT_SECONDS``). RPO is the replication alarm threshold
(read-replica: ``ReplicaLag``; dms: ``CDCLatency*``) or, for snapshot-restore, the backup
cadence plus the modelled cross-Region copy time. The backup cadence is the larger of the
backup schedule's period and the backup orchestrator's ``CADENCE_MINUTES`` (the handler's
snapshot period); a mismatch between the two is a violation. A replication alarm that cannot
fire (``actionsEnabled: false``, no ``alarmActions``, an operator other than
GreaterThan[OrEqualTo]Threshold) bounds nothing and is a violation.

Preview safety: a term whose input is unknown counts as 0 s, so the total is a lower bound.
If the lower bound already misses a target that is a definite violation; if it meets the
target the policy reports itself *not applicable*, naming the unknown inputs, rather than
passing. A missing piece (no orchestrator, no detection path, no gate alarm, no backup schedule,
no failover record, no replication alarm) is a violation, never a pass.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    Policy,
    ReportViolation,
    ResourceValidationArgs,
    StackValidationArgs,
)

from contract.env import Env
from contract.names import Role
from contract.strategies import DEFAULT_PROMOTION_SECONDS, STRATEGIES
from policies.rules.common import (
    Setting,
    Unknown,
    by_type,
    env,
    env_value,
    is_set,
    is_unknown,
    not_applicable,
    number,
    resource_policy,
    role,
    schedule_period_seconds,
    stack_policy,
    value,
)
from rto_rpo.figures import DEFAULT_MANUAL_SNAPSHOT_QUOTA, DEFAULT_SNAPSHOT_COPY_SECONDS
from rto_rpo.model import (
    Basis,
    Estimate,
    Term,
    estimate_rpo,
    estimate_rto,
    gate_alarm_evaluation,
    health_check_detection,
    manual_snapshots_held,
    watchdog_detection,
)

HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck"
METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
RECORD = "aws:route53/record:Record"
FUNCTION = "aws:lambda/function:Function"
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"

#: Replication metrics per strategy (field notes: RDS ReplicaLag; DMS CDCLatencySource/Target).
REPLICATION_METRICS: dict[str, frozenset[str]] = {
    "read-replica": frozenset({"ReplicaLag"}),
    "dms": frozenset({"CDCLatencySource", "CDCLatencyTarget"}),
}

OBJECTIVE_SETTINGS = [
    Setting("rtoMinutes", "number", 240, "RTO target, in minutes.", {"exclusiveMinimum": 0}),
    Setting("rpoMinutes", "number", 60, "RPO target, in minutes.", {"exclusiveMinimum": 0}),
    Setting("promotionSeconds", "object", dict(DEFAULT_PROMOTION_SECONDS),
            "Modelled seconds for the standby database to accept writes, per strategy "
            "(rto_rpo.figures.DEFAULT_PROMOTION_SECONDS: read-replica 600 - RDS 'can take "
            "several minutes or longer'; dms 300 - drain and stop; snapshot-restore 3600 - "
            "restore of about 100 GiB). The larger of this and the orchestrator's own "
            "PROMOTION_SECONDS is used.",
            {"properties": {s: {"type": "number", "minimum": 0} for s in STRATEGIES}}),
    Setting("snapshotCopySeconds", "number", DEFAULT_SNAPSHOT_COPY_SECONDS,
            "Modelled seconds for a cross-Region snapshot copy (rto_rpo.figures."
            "DEFAULT_SNAPSHOT_COPY_SECONDS).", {"minimum": 0}),
]


@dataclass
class Objectives:
    """What the stack's planned inputs say about its RTO and RPO.

    Attributes:
        rto, rpo: the estimates (unknown terms counted as 0 s), or None when a piece is missing.
        missing: structural problems, each ``(message, urn or "")``; each is a violation.
        unknown: inputs that can't be known during preview, as ``"<urn>: <path>"``.
    """

    rto: Estimate | None = None
    rpo: Estimate | None = None
    targets: str = ""
    missing: list[tuple[str, str]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


class _Reader:
    """Reads inputs, recording unknown ones instead of raising."""

    def __init__(self, out: Objectives) -> None:
        self.out = out

    def num(self, r: Any, *path: str, default: float | None = None) -> float | None:
        try:
            return number(r.props, *path, default=default)
        except Unknown as e:
            self.out.unknown.append(f"{r.urn}: {e.path}")
            return None

    def text(self, r: Any, *path: str) -> Any:
        try:
            return value(r.props, *path)
        except Unknown as e:
            self.out.unknown.append(f"{r.urn}: {e.path}")
            return None

    def var(self, r: Any, variables: dict[str, Any], name: str) -> Any:
        v = variables.get(name)
        if is_unknown(v):
            self.out.unknown.append(f"{r.urn}: environment.variables.{name}")
            return None
        return v


def _with_role(resources: list[Any], rtype: str, wanted: Role) -> list[Any]:
    return [r for r in by_type(resources, rtype) if role(r.props) == wanted]


def _disabled(props: Any) -> bool:
    """Whether an EventRule is disabled: ``state: "DISABLED"`` or the legacy ``isEnabled:
    false``. Any other state (ENABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS) runs.

    Raises:
        Unknown: the state is computed.
    """
    return value(props, "state") == "DISABLED" or value(props, "isEnabled") is False


def _schedules(resources: list[Any], wanted: Role, out: Objectives) -> tuple[list[Any], list[str]]:
    """Rules of a role that run, and the URNs of disabled ones. A computed state counts as
    running (so the estimate stays a lower bound) and is recorded as unknown."""
    running, disabled = [], []
    for r in _with_role(resources, EVENT_RULE, wanted):
        try:
            off = _disabled(r.props)
        except Unknown as e:
            out.unknown.append(f"{r.urn}: {e.path}")
            off = False
        if off:
            disabled.append(r.urn)
        else:
            running.append(r)
    return running, disabled


def _float(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) and f >= 0 else None


#: Valid orchestrator numbers: (what is allowed, integer only, check). The ranges are the
#: failover handler's own (handlers/failover/settings.py), which refuses anything else at
#: cold start - so a stack that declares them otherwise has no working orchestrator.
_ORCH_NUMBERS: dict[str, tuple[str, bool, Any]] = {
    Env.CONSECUTIVE_FAILURES: ("an integer 1-10", True, lambda v: 1 <= v <= 10),
    Env.PROBE_TIMEOUT_SECONDS: ("seconds > 0 and <= 30", False, lambda v: 0 < v <= 30),
    Env.PROMOTION_SECONDS: ("seconds > 0", False, lambda v: v > 0),
    # handlers/backup/settings.py: 1 minute to 1 day.
    Env.CADENCE_MINUTES: ("an integer 1-1440, minutes", True, lambda v: 1 <= v <= 1440),
}


def _orch_number(out: Objectives, rd: _Reader, orch: Any, variables: dict[str, Any],
                 name: str, who: str = "Failover orchestrator") -> float | None:
    """A numeric orchestrator variable, or None: when it is unknown (recorded as unknown),
    missing or invalid (each recorded as a violation naming the variable)."""
    allowed, integer, ok = _ORCH_NUMBERS[name]
    if name not in variables:
        out.missing.append((f"{who} declares no {name} ({allowed}).", orch.urn))
        return None
    raw = rd.var(orch, variables, name)
    if raw is None:
        return None
    try:
        v = float(raw)
    except (TypeError, ValueError):
        v = math.nan
    if not math.isfinite(v) or (integer and not v.is_integer()) or not ok(v):
        out.missing.append((f"{who}'s {name} {raw!r} is invalid; allowed: {allowed}.",
                            orch.urn))
        return None
    return v


def _targets(variables: dict[str, Any], rto: float, rpo: float) -> tuple[float, float, str]:
    """The stricter of the pack's targets and the stack's own (the orchestrator's
    ``RTO_SECONDS`` / ``RPO_SECONDS``), in seconds, and a line saying where each came from.
    A stack's own target that is unknown or invalid leaves the pack's in force."""
    notes = []
    chosen = []
    for kind, name, pack in (("RTO", Env.RTO_SECONDS, rto), ("RPO", Env.RPO_SECONDS, rpo)):
        raw = variables.get(name)
        declared = None if is_unknown(raw) else _positive_number(raw)
        if declared is not None and declared < pack:
            chosen.append(declared)
            notes.append(f"{kind} target {declared:g} s is the stack's own {name} (stricter than "
                         f"the pack's {pack:g} s)")
        else:
            chosen.append(pack)
            notes.append(f"{kind} target {pack:g} s is the pack's {kind.lower()}Minutes")
    return chosen[0], chosen[1], "; ".join(notes)


def _positive_number(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) and f > 0 else None


def _step_budgets(out: Objectives, orch: Any, raw: Any) -> list[Term]:
    """The step budget terms; a violation (and no terms) unless a non-empty JSON object of
    step -> seconds > 0."""
    try:
        budgets = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(budgets, dict) or not budgets:
            raise ValueError("not a non-empty object")
        seconds = {str(k): float(v) for k, v in budgets.items()}
        if not all(math.isfinite(v) and v > 0 for v in seconds.values()):
            raise ValueError("a budget is not > 0")
    except (ValueError, TypeError):
        shown = raw if isinstance(raw, str) else json.dumps(raw)
        out.missing.append((f"{Env.STEP_BUDGETS_SECONDS} must be a JSON object of step -> "
                            f"seconds > 0, got {shown!r}.", orch.urn))
        return []
    return [Term(f"step {name}", sec, orch.urn) for name, sec in seconds.items()]


def _backup_cadence_minutes(resources: list[Any], out: Objectives, rd: _Reader
                            ) -> tuple[float, str] | None:
    """The backup orchestrator's ``CADENCE_MINUTES`` and its URN; None (with a violation,
    or an unknown recorded) when there is no orchestrator or no valid known value."""
    found = _with_role(resources, FUNCTION, Role.BACKUP_ORCHESTRATOR)
    if not found:
        out.missing.append(("No backup orchestrator: declare a Lambda function tagged "
                            f"dr:role={Role.BACKUP_ORCHESTRATOR}; without it the backup "
                            "schedule takes no snapshot.", ""))
        return None
    b = found[0]
    try:
        variables = env(b.props)
    except Unknown:
        out.unknown.append(f"{b.urn}: environment.variables")
        return None
    minutes = _orch_number(out, rd, b, variables, Env.CADENCE_MINUTES, "Backup orchestrator")
    return None if minutes is None else (minutes, b.urn)


FIRING_OPERATORS = ("GreaterThanThreshold", "GreaterThanOrEqualToThreshold")


def _cannot_fire(alarm: Any, rd: _Reader) -> str | None:
    """Why a replication alarm can never tell anyone the lag passed its threshold, or None.

    The RPO term stays the alarm threshold (as in the program); an alarm that cannot fire
    bounds nothing, so it is a violation instead. Computed inputs are recorded as unknown.
    """
    if rd.text(alarm, "actionsEnabled") is False:
        return ("Replication alarm has actionsEnabled false, so it notifies no one when the lag "
                "passes its threshold; the RPO it bounds goes unwatched.")
    before = len(rd.out.unknown)
    actions = rd.text(alarm, "alarmActions")
    if len(rd.out.unknown) == before and not actions:
        return ("Replication alarm has no alarmActions, so it notifies no one when the lag "
                "passes its threshold; add the alert topic.")
    before = len(rd.out.unknown)
    op = rd.text(alarm, "comparisonOperator")
    if len(rd.out.unknown) == before and op not in FIRING_OPERATORS:
        return (f"Replication alarm's comparisonOperator is {op!r}; only "
                f"{' or '.join(FIRING_OPERATORS)} fire when the lag rises above the threshold.")
    return None


def _slowest(windows: list[tuple[float, float, str]]) -> tuple[float, float, str] | None:
    """The ``(seconds, count, urn)`` whose product is largest (the first on a tie): with
    several health checks or alarms, the worst case is the slowest one."""
    return max(windows, key=lambda w: w[0] * w[1], default=None)


def _traffic_shift(resources: list[Any], out: Objectives, rd: _Reader) -> Term | None:
    """The gate alarm's evaluation window (``period x (datapointsToAlarm or
    evaluationPeriods)``), the slowest if several; None (and a violation) when there is none."""
    gates = _with_role(resources, METRIC_ALARM, Role.GATE_ALARM)
    if not gates:
        out.missing.append(("No failover gate alarm: declare the standby-Region alarm on the "
                            f"gate metric tagged dr:role={Role.GATE_ALARM}; the PRIMARY record's "
                            "health check follows it, so without it traffic cannot be moved "
                            "to the standby.", ""))
        return None
    windows: list[tuple[float, float, str]] = []
    computed = False
    for g in gates:
        before = len(out.unknown)
        period = rd.num(g, "period")
        datapoints = rd.num(g, "datapointsToAlarm")
        evals = rd.num(g, "evaluationPeriods")
        if len(out.unknown) > before:
            computed = True
            continue
        datapoints = datapoints or evals
        if not period or not datapoints or period < 0 or datapoints < 0:
            out.missing.append(("Failover gate alarm must declare period and evaluationPeriods "
                                "(> 0); without them its evaluation time, part of the RTO, is "
                                "unbounded.", g.urn))
            continue
        windows.append((period, datapoints, g.urn))
    worst = _slowest(windows)
    if computed:
        return Term("traffic shift (gate alarm computed; counted as 0 s)", 0.0, "preview")
    if worst is None:
        return None
    return gate_alarm_evaluation(period_seconds=worst[0], datapoints=worst[1], source=worst[2])


def objectives(resources: list[Any], cfg: dict[str, Any]) -> Objectives:
    """Gather the RTO/RPO terms from planned resources and estimate both.

    Args:
        resources: ``PolicyResource``-like objects (``resource_type``, ``props``, ``urn``,
            ``provider``, ``property_dependencies``).
        cfg: the policy config of ``rto-rpo-objectives`` with defaults filled in.
    """
    out = Objectives()
    rd = _Reader(out)
    resources = list(resources)
    rto_target = float(cfg["rtoMinutes"]) * 60
    rpo_target = float(cfg["rpoMinutes"]) * 60

    orchestrators = _with_role(resources, FUNCTION, Role.FAILOVER_ORCHESTRATOR)
    if not orchestrators:
        out.missing.append(("No failover orchestrator: declare a Lambda function tagged "
                            f"dr:role={Role.FAILOVER_ORCHESTRATOR}; without it nothing fails "
                            "over and the RTO is unbounded.", ""))
        orch, variables = None, {}
    else:
        orch = orchestrators[0]
        try:
            variables = env(orch.props)
        except Unknown:
            out.unknown.append(f"{orch.urn}: environment.variables")
            variables = {}
    rto_target, rpo_target, out.targets = _targets(variables, rto_target, rpo_target)

    # --- detection ---------------------------------------------------------------------
    paths: list[Term] = []
    detection_unknown = False
    checks = _with_role(resources, HEALTH_CHECK, Role.ENDPOINT_HEALTH_CHECK)
    alarms = _with_role(resources, METRIC_ALARM, Role.HEALTH_ALARM)
    if checks and alarms:
        hc_windows: list[tuple[float, float, str]] = []
        for hc in checks:
            interval = rd.num(hc, "requestInterval", default=30.0)
            threshold = rd.num(hc, "failureThreshold", default=3.0)
            if interval is None or threshold is None:
                detection_unknown = True
                continue
            hc_windows.append((interval, threshold, hc.urn))
        alarm_windows: list[tuple[float, float, str]] = []
        for a in alarms:
            period = rd.num(a, "period", default=60.0)
            evals = rd.num(a, "evaluationPeriods", default=1.0)
            if period is None or evals is None:
                detection_unknown = True
                continue
            alarm_windows.append((period, evals, a.urn))
        worst_hc, worst_alarm = _slowest(hc_windows), _slowest(alarm_windows)
        if worst_hc and worst_alarm:
            paths.append(health_check_detection(
                interval_seconds=worst_hc[0], failure_threshold=worst_hc[1],
                alarm_period_seconds=worst_alarm[0], alarm_evaluation_periods=worst_alarm[1],
                source=f"{worst_hc[2]} + {worst_alarm[2]}"))
    watchdogs, _ = _schedules(resources, Role.WATCHDOG_SCHEDULE, out)
    k = timeout = None
    if orch is not None:
        k = _orch_number(out, rd, orch, variables, Env.CONSECUTIVE_FAILURES)
        timeout = _orch_number(out, rd, orch, variables, Env.PROBE_TIMEOUT_SECONDS)
    if watchdogs and orch is not None:
        k_unknown = f"{orch.urn}: environment.variables.{Env.CONSECUTIVE_FAILURES}" in out.unknown
        t_unknown = f"{orch.urn}: environment.variables.{Env.PROBE_TIMEOUT_SECONDS}" in out.unknown
        rates = []
        for w in watchdogs:
            expr = rd.text(w, "scheduleExpression")
            rate = schedule_period_seconds(expr) if isinstance(expr, str) else None
            if rate is None and isinstance(expr, str):
                out.unknown.append(f"{w.urn}: scheduleExpression {expr!r} has no bounded period")
            rates.append((rate, w.urn))
        known = [(r, u) for r, u in rates if r is not None]
        if known and k is not None and timeout is not None:
            rate, urn = max(known)
            paths.append(watchdog_detection(rate_seconds=rate, consecutive_failures=k,
                                            probe_timeout_seconds=timeout,
                                            source=f"{urn} + {orch.urn}"))
        elif len(known) < len(rates) or k_unknown or t_unknown:
            # A computed input, not an invalid one: the path may exist and be the fastest.
            # Without a valid K (a violation reported above) the watchdog is no path at all.
            detection_unknown = detection_unknown or (
                (k is not None or k_unknown) and (timeout is not None or t_unknown))
    if detection_unknown:
        # A computed path could be the fastest: count detection as 0 s (a lower bound).
        paths = [Term("detection (a path is computed; counted as 0 s)", 0.0, "preview")]
    if not paths:
        out.missing.append(("No detection path: declare an endpoint health check "
                            f"(dr:role={Role.ENDPOINT_HEALTH_CHECK}) with its us-east-1 alarm "
                            f"(dr:role={Role.HEALTH_ALARM}), or a watchdog schedule "
                            f"(dr:role={Role.WATCHDOG_SCHEDULE}) for the failover orchestrator.",
                            ""))

    # --- orchestrator terms ------------------------------------------------------------
    steps: list[Term] = []
    strategy = None
    promotion = None
    if orch is not None:
        raw = rd.var(orch, variables, Env.STEP_BUDGETS_SECONDS)
        if raw is not None:
            steps = _step_budgets(out, orch, raw)
        elif f"{orch.urn}: environment.variables.{Env.STEP_BUDGETS_SECONDS}" not in out.unknown:
            out.missing.append((f"Failover orchestrator declares no {Env.STEP_BUDGETS_SECONDS}; "
                                "its steps have no time budget.", orch.urn))
        strategy = rd.var(orch, variables, Env.DB_STRATEGY)
        if strategy is not None and strategy not in STRATEGIES:
            out.missing.append((f"{Env.DB_STRATEGY} {strategy!r} is not one of "
                                f"{', '.join(STRATEGIES)}.", orch.urn))
            strategy = None
        elif strategy is None and f"{orch.urn}: environment.variables.{Env.DB_STRATEGY}" \
                not in out.unknown:
            out.missing.append((f"Failover orchestrator declares no {Env.DB_STRATEGY}.",
                                orch.urn))
        declared = _orch_number(out, rd, orch, variables, Env.PROMOTION_SECONDS)
        if strategy:
            modelled = float(dict(cfg["promotionSeconds"]).get(
                strategy, DEFAULT_PROMOTION_SECONDS[strategy]))
            if declared is not None and declared > modelled:
                promotion = Term(f"promotion ({strategy})", declared, orch.urn, Basis.CONFIGURED,
                                 f"orchestrator {Env.PROMOTION_SECONDS}")
            else:
                promotion = Term(f"promotion ({strategy})", modelled,
                                 "policy config promotionSeconds", Basis.MODELLED,
                                 "rto_rpo.figures.DEFAULT_PROMOTION_SECONDS unless configured")
        else:
            promotion = Term("promotion (strategy unknown; counted as 0 s)", 0.0, "preview")

    # --- DNS TTL -------------------------------------------------------------------------
    ttl = None
    # Route 53 records take no tags, so failover records are found by their routing policy.
    records = [r for r in by_type(resources, RECORD) if is_set(r.props, "failoverRoutingPolicies")]
    if not records:
        out.missing.append(("No failover records: declare the PRIMARY and SECONDARY Route 53 "
                            "records (failoverRoutingPolicies); without them traffic never "
                            "moves.", ""))
    else:
        ttls = [(rd.num(r, "ttl", default=0.0), r.urn) for r in records]
        known_ttls = [(t, u) for t, u in ttls if t is not None]
        t, urn = max(known_ttls) if known_ttls else (0.0, "preview")
        ttl = Term("DNS TTL", t, urn, Basis.CONFIGURED, "clients may cache one TTL after the flip")

    shift = _traffic_shift(resources, out, rd)

    if paths and orch is not None and promotion is not None and ttl is not None:
        out.rto = estimate_rto(detection_paths=paths, step_budgets=steps, promotion=promotion,
                               traffic_shift=shift, dns_ttl=ttl, target_seconds=rto_target)

    # --- RPO -----------------------------------------------------------------------------
    schedules, disabled = _schedules(resources, Role.BACKUP_SCHEDULE, out)
    cadence = None
    env_cadence = _backup_cadence_minutes(resources, out, rd)
    if not schedules:
        out.missing.append(("No backup schedule: declare an EventBridge rule tagged "
                            f"dr:role={Role.BACKUP_SCHEDULE} running at least once per RPO."
                            + (f" Disabled, so not counted: {', '.join(disabled)}."
                               if disabled else ""), ""))
    else:
        periods = []
        for s in schedules:
            expr = rd.text(s, "scheduleExpression")
            p = schedule_period_seconds(expr) if isinstance(expr, str) else None
            if p is None and isinstance(expr, str):
                out.unknown.append(f"{s.urn}: scheduleExpression {expr!r} has no bounded period")
            if p is not None:
                periods.append((p, s.urn))
        if periods:
            p, urn = min(periods)  # the most frequent backup schedule bounds the cadence
            cadence = Term("backup cadence", p, urn, Basis.CONFIGURED, "schedule period")
            if env_cadence is not None:
                minutes, b_urn = env_cadence
                if minutes * 60 != p:
                    out.missing.append((
                        f"Backup schedule {urn} runs every {p / 60:g} min but the backup "
                        f"orchestrator's {Env.CADENCE_MINUTES} is {minutes:g}; the handler's "
                        f"snapshot period comes from {Env.CADENCE_MINUTES}, so the two must be "
                        "equal.", b_urn))
                # Snapshots are no more frequent than the slower of the two.
                if minutes * 60 > p:
                    cadence = Term("backup cadence", minutes * 60, b_urn, Basis.CONFIGURED,
                                   f"max(schedule period, {Env.CADENCE_MINUTES})")
                else:
                    cadence = Term("backup cadence", p, urn, Basis.CONFIGURED,
                                   f"max(schedule period, {Env.CADENCE_MINUTES})")
        else:
            cadence = Term("backup cadence (computed; counted as 0 s)", 0.0, "preview")
    copy = Term("cross-Region snapshot copy", float(cfg["snapshotCopySeconds"]),
                "policy config snapshotCopySeconds", Basis.MODELLED,
                "rto_rpo.figures.DEFAULT_SNAPSHOT_COPY_SECONDS unless configured")
    replication = None
    if strategy in REPLICATION_METRICS:
        names = REPLICATION_METRICS[strategy]
        found = []
        silent = 0
        for a in by_type(resources, METRIC_ALARM):
            metric = rd.text(a, "metricName")
            if metric in names:
                problem = _cannot_fire(a, rd)
                if problem:
                    out.missing.append((problem, a.urn))
                    silent += 1
                    continue
                th = rd.num(a, "threshold")
                found.append((th if th is not None else 0.0, a.urn))
        if found:
            th, urn = max(found)
            replication = Term(f"replication alarm threshold ({'/'.join(sorted(names))})", th,
                               urn, Basis.CONFIGURED, "worst data loss before the alarm fires")
        elif not silent:  # an alarm that cannot fire is already a violation of its own
            out.missing.append((f"Strategy {strategy} needs an alarm on "
                                f"{' or '.join(sorted(names))} (dr:role={Role.REPLICATION_ALARM}) "
                                "bounding the replication lag; none is declared.", ""))
    if strategy and cadence is not None and (replication is not None
                                             or strategy == "snapshot-restore"):
        out.rpo = estimate_rpo(strategy=strategy, target_seconds=rpo_target,
                               backup_cadence=cadence, replication_alarm=replication,
                               snapshot_copy=copy)
    return out


def rto_rpo_objectives(**overrides: Any) -> Policy:
    """``rto-rpo-objectives``: mandatory stack policy; the message is the term breakdown."""

    def check(args: StackValidationArgs, report: ReportViolation, cfg: dict[str, Any]) -> None:
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

    return stack_policy(
        name="rto-rpo-objectives",
        description="Checks whether the worst-case RTO and RPO computed from the planned "
                    "resources meet the targets.",
        check=check, settings=OBJECTIVE_SETTINGS, overrides=overrides)


def backup_schedule_within_rpo(**overrides: Any) -> Policy:
    """``backup-schedule-within-rpo``: the backup schedule runs at least once per RPO."""
    settings = [Setting("rpoMinutes", "number", 60, "RPO target, in minutes.",
                        {"exclusiveMinimum": 0})]

    def check(args: ResourceValidationArgs, report: ReportViolation, cfg: dict[str, Any]) -> None:
        if role(args.props) != Role.BACKUP_SCHEDULE:
            args.not_applicable("not a backup schedule")
        if _disabled(args.props):
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

    return resource_policy(
        name="backup-schedule-within-rpo",
        description="Checks whether the backup schedule runs at least once per RPO.",
        types=[EVENT_RULE], check=check, settings=settings, overrides=overrides)


def retention_within_quota(**overrides: Any) -> Policy:
    """``snapshot-retention-within-quota``: cadence x retention fits the manual-snapshot quota."""
    settings = [Setting("manualSnapshotQuota", "integer", DEFAULT_MANUAL_SNAPSHOT_QUOTA,
                        "Manual DB snapshots allowed per Region (RDS default quota 100; raise "
                        "it only if AWS raised yours).", {"minimum": 1})]

    def check(args: ResourceValidationArgs, report: ReportViolation, cfg: dict[str, Any]) -> None:
        if role(args.props) != Role.BACKUP_ORCHESTRATOR:
            args.not_applicable("not the backup orchestrator")
        v = env(args.props)
        cadence = _float(env_value(v, Env.CADENCE_MINUTES))
        retention = _float(env_value(v, Env.RETENTION_HOURS))
        keep = _float(env_value(v, Env.KEEP_NEWEST) or 1)
        if not cadence or retention is None or keep is None:
            report(f"Backup orchestrator must declare numeric {Env.CADENCE_MINUTES} (> 0) and "
                   f"{Env.RETENTION_HOURS}.")
            return
        raw = env_value(v, Env.PROTECTED_DATABASES)
        try:
            protected = json.loads(raw) if isinstance(raw, str) else (raw or [])
        except ValueError:
            report(f"{Env.PROTECTED_DATABASES} must be a JSON list.")
            return
        strategy = env_value(v, Env.DB_STRATEGY)
        has_standby = any(isinstance(p, dict) and p.get("standbyIdentifier") for p in protected) \
            or (strategy not in (None, "snapshot-restore"))
        held = manual_snapshots_held(cadence_minutes=cadence, retention_hours=retention,
                                     databases=max(len(protected), 1), keep_newest=int(keep),
                                     standby_snapshots=has_standby)
        quota = int(cfg["manualSnapshotQuota"])
        worst = max(held.values())
        if worst > quota:
            report(f"Snapshot retention keeps {worst} manual snapshots in one Region ({held}: "
                   f"every {cadence:g} min for {retention:g} h, {max(len(protected), 1)} "
                   f"database(s)), over the quota of {quota}; shorten {Env.RETENTION_HOURS} or "
                   f"lengthen {Env.CADENCE_MINUTES}.")

    return resource_policy(
        name="snapshot-retention-within-quota",
        description="Checks whether the backup orchestrator's cadence and retention keep the "
                    "manual snapshots within the per-Region quota.",
        types=[FUNCTION], check=check, settings=settings, overrides=overrides)


def policies() -> list[Policy]:
    return [rto_rpo_objectives(), backup_schedule_within_rpo(), retention_within_quota()]
