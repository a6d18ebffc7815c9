"""The planned RTO and RPO of a validated stack config, from the shared model.

:func:`planned_inputs` is the program's builder of :class:`rto_rpo.inputs.EstimateInputs`:
every term comes from a validated setting (``configured``) or from the strategy table's
modelled AWS figure (``modelled``), so none is unknown. The program exports the estimates;
the drill reports them next to what it measured. The policy pack builds the same input
from planned resource inputs instead (:mod:`policies.inventory`), and both go through
:func:`rto_rpo.inputs.estimate`, so their figures agree.
"""

from __future__ import annotations

from components.settings import DrSettings
from contract.names import GATE_ALARM_EVALUATION_PERIODS
from contract.strategies import RpoRule, spec
from rto_rpo.inputs import EstimateInputs, RpoInputs, RtoInputs, estimate, larger_promotion
from rto_rpo.model import (
    Basis,
    Estimate,
    Term,
    gate_alarm_evaluation,
    health_check_detection,
    watchdog_detection,
)

PREFIX = "ecommerce-dr:"


def planned_inputs(s: DrSettings) -> EstimateInputs:
    """Every RTO and RPO term of the settings, in seconds (both halves always present)."""
    return EstimateInputs(rto=_rto_inputs(s), rpo=_rpo_inputs(s))


def planned_rto(s: DrSettings) -> Estimate:
    """Worst-case RTO of the settings, in seconds, term by term (see rto_rpo.model)."""
    return estimate(planned_inputs(s)).complete()[0]


def planned_rpo(s: DrSettings) -> Estimate:
    """Worst-case RPO of the settings, in seconds, for its database strategy."""
    return estimate(planned_inputs(s)).complete()[1]


def _rto_inputs(s: DrSettings) -> RtoInputs:
    fo = s.failover
    detection = (
        health_check_detection(interval_seconds=s.health_check.interval_seconds,
                               failure_threshold=s.health_check.failure_threshold,
                               source=f"{PREFIX}healthCheck"),
        watchdog_detection(rate_seconds=fo.watchdog_rate_minutes * 60,
                           consecutive_failures=fo.consecutive_failures,
                           probe_timeout_seconds=fo.probe_timeout_seconds,
                           source=f"{PREFIX}failover.watchdogRateMinutes"),
    )
    steps = tuple(Term(f"step {name}", float(sec), f"{PREFIX}failover.stepBudgetsSeconds")
                  for name, sec in fo.step_budgets_seconds.items())
    strategy = s.database.strategy
    modelled = Term("promotion", float(spec(strategy).promotion_seconds),
                    "contract.strategies.DEFAULT_PROMOTION_SECONDS", Basis.MODELLED)
    configured = None if not fo.promotion_seconds else Term(
        "promotion", float(fo.promotion_seconds), f"{PREFIX}failover.promotionSeconds")
    shift = gate_alarm_evaluation(period_seconds=fo.gate_alarm_period_seconds,
                                  datapoints=GATE_ALARM_EVALUATION_PERIODS,
                                  source=f"{PREFIX}failover.gateAlarmPeriodSeconds")
    return RtoInputs(
        target_seconds=s.rto_seconds, detection=detection, steps=steps,
        promotion=larger_promotion(strategy=strategy, modelled=modelled, configured=configured),
        dns_ttl=Term("DNS TTL", float(s.dns.ttl_seconds), f"{PREFIX}dns.ttlSeconds"),
        traffic_shift=shift)


def _rpo_inputs(s: DrSettings) -> RpoInputs:
    strategy = s.database.strategy
    rule = spec(strategy).rpo_rule
    cadence = Term("backup cadence", s.backup.cadence_minutes * 60.0,
                   f"{PREFIX}backup.cadenceMinutes")
    managed = s.database.managed_rpo_seconds
    if rule is RpoRule.MANAGED_OR_ALARM and managed is not None:
        term = Term("managed RPO (rds.global_db_rpo)", float(managed),
                    f"{PREFIX}database.aurora.managedRpoSeconds", Basis.CONFIGURED,
                    "the primary blocks commits when every secondary is further behind")
        return RpoInputs(target_seconds=s.rpo_seconds, strategy=strategy, backup_cadence=cadence,
                         managed_rpo=term)
    alarm = Term("replication-lag alarm threshold", float(s.replication_lag_alarm_seconds),
                 f"{PREFIX}database.replicationLagAlarmSeconds")
    copy = Term("cross-Region snapshot copy", float(s.database.snapshot_copy_seconds),
                f"{PREFIX}database.snapshotCopySeconds", Basis.MODELLED)
    replicates = spec(strategy).replicates
    return RpoInputs(target_seconds=s.rpo_seconds, strategy=strategy, backup_cadence=cadence,
                     replication_alarm=alarm if replicates else None,
                     snapshot_copy=None if replicates else copy)
