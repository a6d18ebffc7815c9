"""Manual snapshot storage under the retention rule and cross-Region copy transfer."""

import pytest

from cost import Basis
from tests.cost.fakes import backup_function, line, res, run, schedule

DAYS = 730 / 24
RULE = schedule("backup-schedule", "rate(60 minutes)", "backup-schedule")
REPLICA = res("aws:rds/instance:Instance", "replica", role="standby-database",
              instanceClass="db.r6g.large")

# Defaults: 80 GiB data growing 2 GiB a month (mean 81 GiB), 2 GiB/day changed.
# cadence 60 min, retention 24 h, keepNewest 3 -> 24 snapshots held per series, spanning
# 23 intervals of 1 h: a series bills 81 + 2 x 23/24 GiB.
SERIES_GIB = 81 + 2 * 23 / 24


def test_read_replica_series_in_both_regions_and_copy_transfer():
    est = run(backup_function(), RULE, REPLICA)
    primary = line(est, "manual snapshots of the primary (us-east-1)")
    copies = line(est, "cross-Region snapshot copies (us-west-2)")
    standby = line(est, "manual snapshots of the standby (us-west-2)")
    for ln in (primary, copies, standby):
        assert ln.monthly_usd == pytest.approx(SERIES_GIB * 0.095)
        assert ln.urn is None and ln.basis is Basis.ESTIMATED
    assert primary.charges[0].standing == "published"     # us-east-1 backup storage
    assert copies.charges[0].standing == "estimate"       # read for us-east-1 only
    transfer = line(est, "cross-Region snapshot copies (us-east-1 -> us-west-2)")
    # incremental copies: 2 GiB/day x 30.4167 days x $0.02, billed by us-east-1
    assert transfer.monthly_usd == pytest.approx(2 * DAYS * 0.02)


def test_snapshot_restore_has_no_standby_series():
    est = run(backup_function(strategy="snapshot-restore"), RULE)
    names = [ln.resource for ln in est.lines if ln.type.startswith("run-time:rds")]
    assert names == ["manual snapshots of the primary (us-east-1)",
                     "cross-Region snapshot copies (us-west-2)",
                     "cross-Region snapshot copies (us-east-1 -> us-west-2)"]


def test_retention_and_cadence_set_the_series():
    rule = schedule("backup-schedule", "rate(30 minutes)", "backup-schedule")
    est = run(backup_function(cadence=30, retention=48), rule)
    # 48 h / 30 min = 96 held, spanning 95 x 30 min = 1.979 days
    held_gib = 81 + 2 * 95 * 30 / 1440
    primary = line(est, "manual snapshots of the primary (us-east-1)")
    assert primary.monthly_usd == pytest.approx(held_gib * 0.095)


def test_keep_newest_floor_applies():
    est = run(backup_function(cadence=1440, retention=24, keep=5), schedule(
        "backup-schedule", "rate(1 day)", "backup-schedule"))
    # ceil(24 h / 1 day) = 1 < keepNewest 5 -> 5 held over 4 days
    assert line(est, "manual snapshots of the primary (us-east-1)").monthly_usd == pytest.approx(
        (81 + 2 * 4) * 0.095)


def test_usage_options_change_rate_shared_blocks_first_copy_and_free_allowance():
    override = {"usage": {
        "database": {"data_gib": 500, "growth_gib_per_month": 0, "change_percent_per_day": 1},
        "snapshots": {"share_automated_backups": True, "count_initial_full_copy": True,
                      "free_backup_gib": {"us-west-2": 100}}}}
    est = run(backup_function(databases=("a", "b")), RULE, REPLICA, override=override)
    change = 500 * 0.01                    # 1 % of 500 GiB a day = 5 GiB/day
    # own-Region series share the full data with automated backups: only 23 h of change
    only_change = change * 23 / 24
    assert line(est, "manual snapshots of the primary (us-east-1)").monthly_usd == pytest.approx(
        2 * only_change * 0.095)
    # copies hold a full copy; 100 GiB free in us-west-2 taken off the first series there
    assert line(est, "cross-Region snapshot copies (us-west-2)").monthly_usd == pytest.approx(
        (2 * (500 + change * 23 / 24) - 100) * 0.095)
    # month of change for 2 databases + the one-off first full copies
    assert line(est, "cross-Region snapshot copies (us-east-1 -> us-west-2)").monthly_usd == \
        pytest.approx((2 * change * DAYS + 2 * 500) * 0.02)


def test_standby_region_without_prices_is_unpriced_not_zero():
    est = run(backup_function(standby="eu-west-1"), res(
        "aws:cloudwatch/eventRule:EventRule", "backup-schedule", region="eu-west-1",
        role="backup-schedule", scheduleExpression="rate(60 minutes)"))
    copies = line(est, "cross-Region snapshot copies")
    assert copies.basis is Basis.UNPRICED
    assert "prices.rds/backup-storage.regions.eu-west-1" in copies.reason
    assert not est.complete
