"""The replication alarm: for a strategy whose RPO is bounded by its replication alarm
(:attr:`contract.strategies.RpoRule.REPLICATION_ALARM`), the threshold of the alarm on one of
its replication metrics (:attr:`contract.strategies.StrategySpec.replication_metrics`).

The term is the alarm threshold, as in the program, in seconds: a threshold on a metric in
milliseconds (Aurora's lag metrics, :attr:`contract.strategies.MetricRef.unit`) is divided by
1000. An alarm that cannot fire
(``actionsEnabled: false``, no ``alarmActions``, an operator other than
GreaterThan[OrEqualTo]Threshold) bounds nothing and is a violation instead. With several
alarms the highest threshold counts.
"""

from __future__ import annotations

from typing import Any

from contract.names import Role
from contract.strategies import StrategySpec
from policies.inventory.survey import COMPUTED, Survey
from policies.resource_types import METRIC_ALARM
from rto_rpo.inputs import TermInput, Unknown
from rto_rpo.model import Basis, Term

FIRING_OPERATORS = ("GreaterThanThreshold", "GreaterThanOrEqualToThreshold")


def replication_alarm(sv: Survey, strategy: StrategySpec) -> TermInput | None:
    """The replication alarm term of ``strategy``; None when no alarm on its metrics can fire
    (a violation)."""
    names = strategy.replication_metric_names
    per_second = {m.name: m.per_second for m in strategy.replication_metrics}
    label = f"replication alarm threshold ({'/'.join(sorted(names))})"
    mark = sv.mark()
    thresholds: list[tuple[Any, str]] = []
    silent = 0
    for alarm in sv.of_type(METRIC_ALARM):
        metric = sv.text(alarm, "metricName")
        if metric not in names:
            continue
        problem = cannot_fire(sv, alarm)
        if problem:
            sv.problem(problem, alarm.urn)
            silent += 1
            continue
        threshold = sv.num(alarm, "threshold")
        if threshold is not COMPUTED:
            threshold = (threshold or 0.0) / per_second[metric]
        thresholds.append((threshold, alarm.urn))
    known = [(t, u) for t, u in thresholds if t is not COMPUTED]
    if known:
        seconds, urn = max(known)
        return Term(label, seconds, urn, Basis.CONFIGURED, "worst data loss before the alarm fires")
    if thresholds:
        return Unknown(label, sv.since(mark))
    if not silent:  # an alarm that cannot fire is already a violation of its own
        sv.problem(f"Strategy {strategy.strategy} needs an alarm on {' or '.join(sorted(names))} "
                   f"(dr:role={Role.REPLICATION_ALARM}) bounding the replication lag; none is "
                   "declared.")
    return None


def cannot_fire(sv: Survey, alarm: Any) -> str | None:
    """Why a replication alarm can never tell anyone the lag passed its threshold, or None.
    Computed inputs are recorded as unknown and decide nothing."""
    if sv.text(alarm, "actionsEnabled") is False:
        return ("Replication alarm has actionsEnabled false, so it notifies no one when the lag "
                "passes its threshold; the RPO it bounds goes unwatched.")
    actions = sv.text(alarm, "alarmActions")
    if actions is not COMPUTED and not actions:
        return ("Replication alarm has no alarmActions, so it notifies no one when the lag "
                "passes its threshold; add the alert topic.")
    op = sv.text(alarm, "comparisonOperator")
    if op is not COMPUTED and op not in FIRING_OPERATORS:
        return (f"Replication alarm's comparisonOperator is {op!r}; only "
                f"{' or '.join(FIRING_OPERATORS)} fire when the lag rises above the threshold.")
    return None
