"""CloudWatch alarms, dashboards and log groups, hand-computed."""

import pytest

from cost import Basis
from tests.cost.fakes import backup_function, charge_usd, line, res, run, schedule

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"


def test_standard_resolution_alarm():
    est = run(res(ALARM, "lag", period=60, metricName="ReplicaLag", namespace="AWS/RDS"))
    # 1 alarm metric x $0.10 (period >= 60 s)
    assert line(est, "lag").monthly_usd == pytest.approx(0.10)


def test_high_resolution_alarm():
    est = run(res(ALARM, "fast", period=10, metricName="X", namespace="Y"))
    # 1 alarm metric x $0.30 (period < 60 s)
    assert line(est, "fast").monthly_usd == pytest.approx(0.30)


def test_metric_math_alarm_counts_each_metric():
    queries = [{"id": "a", "metric": {"metricName": "A", "period": 60, "stat": "Sum"}},
               {"id": "b", "metric": {"metricName": "B", "period": 60, "stat": "Sum"}},
               {"id": "e", "expression": "a/b", "returnData": True}]
    est = run(res(ALARM, "ratio", metricQueries=queries))
    # 2 metrics (the expression is not one) x $0.10
    assert line(est, "ratio").monthly_usd == pytest.approx(2 * 0.10)


def test_anomaly_detection_alarm_is_unpriced_not_zero():
    est = run(res(ALARM, "anomaly", thresholdMetricId="ad1", metricQueries=[]))
    ln = line(est, "anomaly")
    assert ln.basis is Basis.UNPRICED and ln.monthly_usd is None
    assert "anomaly" in ln.reason


def test_dashboards_free_tier_stated_not_assumed():
    boards = [res(DASHBOARD, "rpo"), res(DASHBOARD, "rto")]
    est = run(*boards)
    # 2 dashboards x $3.00: the account's 3 free dashboards are taken as used elsewhere
    assert sum(line(est, n).monthly_usd for n in ("rpo", "rto")) == pytest.approx(2 * 3.00)
    assert "used elsewhere" in line(est, "rpo").charges[0].note
    one_free = run(*boards, override={"usage": {"free_tier": {"cloudwatch_dashboards": 1}}})
    # one free dashboard granted: the first is $0, the second $3.00
    assert line(one_free, "rpo").monthly_usd == pytest.approx(0.0)
    assert line(one_free, "rto").monthly_usd == pytest.approx(3.00)


def test_log_group_of_the_backup_function():
    fn = backup_function(name="dr-backup")
    rule = schedule("backup-schedule", "rate(60 minutes)", "backup-schedule")
    logs = res("aws:cloudwatch/logGroup:LogGroup", "logs", name="/aws/lambda/dr-backup",
               retentionInDays=30)
    est = run(fn, rule, logs)
    ln = line(est, "logs")
    gb = 730 * 2 / 1024**2           # 730 runs x 2 KiB, in GB
    assert charge_usd(ln, "log ingestion") == pytest.approx(gb * 0.50)
    # held 30 days: a month's ingestion x 30 / (730 / 24) days, at $0.03 per GB-month
    assert charge_usd(ln, "log storage") == pytest.approx(gb * 30 / (730 / 24) * 0.03)


def test_log_group_without_a_writer_is_unpriced():
    est = run(res("aws:cloudwatch/logGroup:LogGroup", "orphan", name="/custom/logs"))
    assert line(est, "orphan").basis is Basis.UNPRICED
