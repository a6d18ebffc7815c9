"""The shared RTO/RPO arithmetic: each term counted once, the fastest detection path, the
strategy-specific RPO, and the backup-cadence finding."""

import pytest

from rto_rpo.model import (
    Basis,
    Term,
    estimate_rpo,
    estimate_rto,
    fastest,
    health_check_detection,
    manual_snapshots_held,
    watchdog_detection,
)


def _rto(detection, target=14400.0):
    steps = [Term("step a", 30, "cfg"), Term("step b", 90, "cfg")]
    return estimate_rto(detection_paths=detection, step_budgets=steps,
                        promotion=Term("promotion", 600, "fig", Basis.MODELLED),
                        dns_ttl=Term("ttl", 60, "cfg"), target_seconds=target)


def test_health_check_detection_is_interval_times_threshold_plus_alarm_window():
    t = health_check_detection(interval_seconds=30, failure_threshold=3, source="hc")
    assert t.seconds == 30 * 3 + 60
    assert "30 s x 3" in t.note


def test_watchdog_detection_adds_one_probe_timeout():
    t = watchdog_detection(rate_seconds=60, consecutive_failures=3, probe_timeout_seconds=5,
                           source="rule")
    assert t.seconds == 185


def test_rto_takes_fastest_detection_path_and_sums_every_other_term():
    hc = health_check_detection(interval_seconds=10, failure_threshold=3, source="hc")  # 90
    wd = watchdog_detection(rate_seconds=60, consecutive_failures=3, source="wd")       # 180
    est = _rto([wd, hc])
    assert est.terms[0] is hc
    assert est.total_seconds == 90 + 30 + 90 + 600 + 60
    assert est.met


def test_rto_missed_when_total_exceeds_target_and_breakdown_names_sources():
    hc = health_check_detection(interval_seconds=30, failure_threshold=10, source="urn:hc")
    est = _rto([hc], target=600)
    assert not est.met
    text = est.breakdown()
    assert "MISSED" in text and "urn:hc" in text and "[modelled]" in text


def test_no_detection_path_is_an_error():
    with pytest.raises(ValueError, match="no detection path"):
        fastest([])


def test_negative_term_rejected():
    with pytest.raises(ValueError, match="seconds >= 0"):
        Term("x", -1, "src")


@pytest.mark.parametrize("strategy", ["read-replica", "dms"])
def test_replication_strategies_rpo_is_the_alarm_threshold(strategy):
    est = estimate_rpo(strategy=strategy, target_seconds=3600,
                       backup_cadence=Term("cadence", 3600, "c"),
                       replication_alarm=Term("lag alarm", 900, "a"))
    assert est.total_seconds == 900 and est.met


def test_snapshot_restore_rpo_is_cadence_plus_copy():
    est = estimate_rpo(strategy="snapshot-restore", target_seconds=3600,
                       backup_cadence=Term("cadence", 1800, "c"),
                       snapshot_copy=Term("copy", 1800, "f", Basis.MODELLED))
    assert est.total_seconds == 3600 and est.met


def test_backup_slower_than_rpo_is_a_finding_even_when_replica_lag_is_small():
    est = estimate_rpo(strategy="read-replica", target_seconds=3600,
                       backup_cadence=Term("cadence", 7200, "rule"),
                       replication_alarm=Term("lag", 60, "a"))
    assert est.total_seconds == 60
    assert not est.met
    assert "less than once per RPO" in est.findings[0]


def test_unknown_strategy_names_allowed_values():
    with pytest.raises(ValueError, match="read-replica, dms, snapshot-restore"):
        estimate_rpo(strategy="aurora", target_seconds=1, backup_cadence=Term("c", 1, "c"))


def test_snapshots_held_counts_copies_and_standby_snapshots_in_standby_region():
    held = manual_snapshots_held(cadence_minutes=60, retention_hours=24, databases=2,
                                 keep_newest=3, standby_snapshots=True)
    assert held == {"primary": 48, "standby": 96}
    pilot = manual_snapshots_held(cadence_minutes=60, retention_hours=1, databases=1,
                                  keep_newest=3, standby_snapshots=False)
    assert pilot == {"primary": 3, "standby": 3}


def test_traffic_shift_is_added_once_between_promotion_and_ttl():
    from rto_rpo.model import gate_alarm_evaluation
    hc = health_check_detection(interval_seconds=10, failure_threshold=3, source="hc")
    shift = gate_alarm_evaluation(period_seconds=60, datapoints=2, source="gate")
    est = estimate_rto(detection_paths=[hc], step_budgets=[], traffic_shift=shift,
                       promotion=Term("promotion", 600, "fig"), dns_ttl=Term("ttl", 60, "cfg"),
                       target_seconds=3600)
    assert [t.name for t in est.terms][-2:] == ["traffic shift (gate alarm evaluation)", "ttl"]
    assert est.total_seconds == 90 + 600 + 120 + 60


def test_a_sub_second_data_loss_window_is_not_printed_as_zero() -> None:
    from rto_rpo.model import Estimate

    window = Term("data-loss window", 0.407, "drill", Basis.MEASURED)
    text = Estimate("RPO", (window,), 900).breakdown("achieved")
    assert text.splitlines()[0] == "RPO achieved 0.41 s vs target 900 s (15.0 min): met"
    assert "data-loss window: 0.41 s [measured]" in text
    assert Estimate("RPO", (Term("none", 0, "drill"),), 60).breakdown().startswith(
        "RPO worst case 0 s vs target 60 s")
