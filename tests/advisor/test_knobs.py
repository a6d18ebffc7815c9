"""The knob search: the smallest change of the breaking term's config key that meets the
target, over the same estimate arithmetic the pack uses (no recording here)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from advisor.knobs import KNOBS, changes_for, smallest_change
from advisor.variants import Change, settings_of, tier, with_changes
from components.budgets import planned_inputs
from engine.config import read_config
from rto_rpo.inputs import estimate


def _knob(path: str):
    return next(k for k in KNOBS if k.path == path)


@pytest.fixture(scope="module")
def config():
    return read_config("prod")


def _inputs(config, strategy: str):
    s = settings_of(config, tier(config, strategy))
    return s, planned_inputs(s)


def test_snapshot_restore_needs_backups_every_30_min_for_a_1_h_rpo(config) -> None:
    s, inputs = _inputs(config, "snapshot-restore")
    assert estimate(inputs).rpo.total_seconds == 60 * 60 + 1800      # misses 3600 s
    knob = _knob("backup.cadenceMinutes")
    assert smallest_change(knob, inputs, s) == 30
    # 30 is the boundary: 30 min + 30 min copy meets 60 min, 31 min does not
    assert estimate(knob.apply(inputs, s, 30)).rpo.met
    assert not estimate(knob.apply(inputs, s, 31)).rpo.met


def _paths(found):
    return None if found is None else [(k.path, v) for k, v in found]


def test_a_replica_under_a_stricter_target_needs_the_cadence_then_the_lag_alarm(config) -> None:
    s, inputs = _inputs(config, "read-replica")
    lag = _knob("database.replicationLagAlarmSeconds")
    # 20 min: the 900 s alarm is within it, but the hourly backup is slower than the target,
    # which breaks the RPO on its own; the lag alarm alone cannot fix that
    at20 = replace(inputs, rpo=replace(inputs.rpo, target_seconds=1200))
    assert smallest_change(lag, at20, s) is None
    assert _paths(changes_for("RPO", at20, s)) == [("backup.cadenceMinutes", 20)]
    # 10 min: backups every 10 min, and the alarm down to the largest threshold within 600 s
    at10 = replace(inputs, rpo=replace(inputs.rpo, target_seconds=600))
    assert _paths(changes_for("RPO", at10, s)) == [("backup.cadenceMinutes", 10),
                                                   ("database.replicationLagAlarmSeconds", 600)]
    assert changes_for("RPO", inputs, s) == []   # meets as configured: nothing to change


def test_no_value_when_the_other_terms_alone_miss(config) -> None:
    s, inputs = _inputs(config, "snapshot-restore")
    strict = replace(inputs, rpo=replace(inputs.rpo, target_seconds=20 * 60))
    assert smallest_change(_knob("backup.cadenceMinutes"), strict, s) is None   # copy is 30 min


def test_failure_threshold_shortens_the_health_check_path(config) -> None:
    s, inputs = _inputs(config, "dms")
    assert estimate(inputs).rto.total_seconds == 840
    tight = replace(inputs, rto=replace(inputs.rto, target_seconds=825))
    # 10 s interval: each failure fewer saves 10 s; 840 -> 820 at 1, 830 at 2 (misses 825)
    assert smallest_change(_knob("healthCheck.failureThreshold"), tight, s) == 1
    assert smallest_change(_knob("dns.ttlSeconds"), tight, s) is None   # already at its lowest


def test_a_change_lands_in_the_variant_config_and_validates(config) -> None:
    v = with_changes(config, tier(config, "snapshot-restore"),
                     (Change("backup.cadenceMinutes", 60, 30, "min"),))
    s = settings_of(config, v)
    assert (s.database.strategy, s.backup.cadence_minutes, s.backup.retention_hours) == (
        "snapshot-restore", 30, 24)
    assert v.changes[0].new == 30

