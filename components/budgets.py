"""The planned RTO and RPO of a validated stack config, from the shared model.

The program exports these; the drill reports them next to what it measured. The policy
pack computes the same estimates from planned resource inputs instead, through the same
:mod:`rto_rpo.model` functions.
"""

from __future__ import annotations

from components.settings import DrSettings
from contract.names import GATE_ALARM_EVALUATION_PERIODS, GATE_ALARM_PERIOD_SECONDS
from contract.strategies import DEFAULT_PROMOTION_SECONDS
from rto_rpo.model import (
    Basis,
    Estimate,
    Term,
    estimate_rpo,
    estimate_rto,
    gate_alarm_evaluation,
    health_check_detection,
    watchdog_detection,
)


def planned_rto(s: DrSettings) -> Estimate:
    """Worst-case RTO of the settings, in seconds, term by term (see rto_rpo.model)."""
    detection = [
        health_check_detection(interval_seconds=s.health_check.interval_seconds,
                               failure_threshold=s.health_check.failure_threshold,
                               source="ecommerce-dr:healthCheck"),
        watchdog_detection(rate_seconds=s.failover.watchdog_rate_minutes * 60,
                           consecutive_failures=s.failover.consecutive_failures,
                           probe_timeout_seconds=s.failover.probe_timeout_seconds,
                           source="ecommerce-dr:failover.watchdogRateMinutes"),
    ]
    steps = [Term(f"step {name}", float(sec), "ecommerce-dr:failover.stepBudgetsSeconds")
             for name, sec in s.failover.step_budgets_seconds.items()]
    # A configured promotion time may raise the modelled AWS figure, never lower it (the
    # policy pack takes the same maximum, so program and pack agree).
    modelled = DEFAULT_PROMOTION_SECONDS[s.database.strategy]
    configured = s.failover.promotion_seconds or 0
    promotion = Term(f"promotion ({s.database.strategy})", float(max(modelled, configured)),
                     "ecommerce-dr:failover.promotionSeconds" if configured > modelled
                     else "rto_rpo.figures.DEFAULT_PROMOTION_SECONDS",
                     Basis.CONFIGURED if configured > modelled else Basis.MODELLED)
    ttl = Term("DNS TTL", float(s.dns.ttl_seconds), "ecommerce-dr:dns.ttlSeconds")
    shift = gate_alarm_evaluation(period_seconds=GATE_ALARM_PERIOD_SECONDS,
                                  datapoints=GATE_ALARM_EVALUATION_PERIODS,
                                  source="contract.names.GATE_ALARM_PERIOD_SECONDS")
    return estimate_rto(detection_paths=detection, step_budgets=steps, promotion=promotion,
                        traffic_shift=shift, dns_ttl=ttl, target_seconds=s.rto_seconds)


def planned_rpo(s: DrSettings) -> Estimate:
    """Worst-case RPO of the settings, in seconds, for its database strategy."""
    cadence = Term("backup cadence", s.backup.cadence_minutes * 60.0,
                   "ecommerce-dr:backup.cadenceMinutes")
    alarm = Term("replication-lag alarm threshold", float(s.replication_lag_alarm_seconds),
                 "ecommerce-dr:database.replicationLagAlarmSeconds")
    copy = Term("cross-Region snapshot copy", float(s.database.snapshot_copy_seconds),
                "ecommerce-dr:database.snapshotCopySeconds", Basis.MODELLED)
    return estimate_rpo(strategy=s.database.strategy, target_seconds=s.rpo_seconds,
                        backup_cadence=cadence, replication_alarm=alarm, snapshot_copy=copy)
