"""Lambda functions: requests, GB-seconds, X-Ray, the orchestrators' metrics, hand-computed."""

import pytest

from cost import Basis
from tests.cost.fakes import backup_function, charge_usd, line, res, run, schedule

FN = "aws:lambda/function:Function"


def failover_plan(**fn_inputs):
    fn = res(FN, "failover-function", role="failover-orchestrator", memorySize=256, **fn_inputs)
    watchdog = schedule("watchdog", "rate(1 minute)", "watchdog-schedule")
    forwarder = res("aws:cloudwatch/eventRule:EventRule", "forwarder", region="us-east-1",
                    role="alarm-forwarder", eventPattern="{}")
    return fn, watchdog, forwarder


def test_failover_orchestrator_from_the_watchdog_schedule():
    est = run(*failover_plan(tracingConfig={"mode": "Active"}))
    ln = line(est, "failover-function")
    runs = 730 * 60                       # rate(1 minute) over a 730-hour month = 43,800
    alarm_runs = 4                        # usage.failover.alarm_state_changes_per_month
    requests = runs + alarm_runs
    assert charge_usd(ln, "requests") == pytest.approx(requests * 0.20 / 1e6)
    # (43,800 x 1.5 s + 4 x 3 s) x 256/1024 GB x $0.0000166667 per GB-s
    gbs = (runs * 1.5 + alarm_runs * 3.0) * 256 / 1024
    assert charge_usd(ln, "duration") == pytest.approx(gbs * 0.0000166667)
    assert charge_usd(ln, "X-Ray") == pytest.approx(requests * 5.00 / 1e6)
    # the gate metric, sent every watchdog run: 1 metric-month x $0.30
    assert charge_usd(ln, "1 custom metrics sent every run") == pytest.approx(0.30)
    # 5 event metrics + 6 step durations, each 4 h of 730 h x $0.30
    assert charge_usd(ln, "11 event-driven") == pytest.approx(11 * 4 / 730 * 0.30)
    # one PutMetricData (gate re-publish) per watchdog run x $0.01 per 1,000
    assert charge_usd(ln, "PutMetricData") == pytest.approx(runs * 0.01 / 1000)
    assert "FailoverGateEngaged" in ln.charges[3].note


def test_backup_orchestrator_arm64_every_30_minutes():
    fn = backup_function(cadence=30, memory=512, architectures=["arm64"])
    rule = schedule("backup-schedule", "rate(30 minutes)", "backup-schedule")
    ln = line(run(fn, rule), "backup-function")
    runs = 730 * 2                        # 1,460
    assert charge_usd(ln, "requests") == pytest.approx(runs * 0.20 / 1e6)
    # 1,460 x 20 s x 512/1024 GB x $0.0000133334 (arm64)
    assert charge_usd(ln, "duration") == pytest.approx(runs * 20 * 0.5 * 0.0000133334)
    # 5 PutMetricData metrics (success, failure, age, lag, age per database) + 6 EMF, all month
    assert charge_usd(ln, "11 custom metrics") == pytest.approx(11 * 0.30)
    assert charge_usd(ln, "PutMetricData") == pytest.approx(runs * 1 * 0.01 / 1000)


def test_backup_every_two_hours_bills_custom_metrics_half_the_hours():
    fn = backup_function(cadence=120, strategy="snapshot-restore")
    rule = schedule("backup-schedule", "rate(2 hours)", "backup-schedule")
    ln = line(run(fn, rule), "backup-function")
    # snapshot-restore has no replication lag metric: 4 PutMetricData + 6 EMF = 10 metrics,
    # each sent in half the hours (every 120 min) -> 10 x 0.5 x $0.30
    assert charge_usd(ln, "10 custom metrics") == pytest.approx(10 * 0.5 * 0.30)


def test_other_function_needs_usage_invocations():
    fn = res(FN, "helper", memorySize=128)
    unpriced = line(run(fn), "helper")
    assert unpriced.basis is Basis.UNPRICED
    assert "usage.lambda.invocations_per_month.helper" in unpriced.reason
    est = run(fn, override={"usage": {"lambda": {"invocations_per_month": {"helper": 1000}}}})
    ln = line(est, "helper")
    # 1,000 x $0.20/M + 1,000 x 1 s (usage.lambda.other_run_seconds) x 128/1024 GB x $0.0000166667
    assert ln.monthly_usd == pytest.approx(1000 * 0.2 / 1e6 + 1000 * 1 * 0.125 * 0.0000166667)


def test_cron_schedule_is_unpriced_not_guessed():
    fn = backup_function()
    rule = schedule("backup-schedule", "cron(0 * * * ? *)", "backup-schedule")
    est = run(fn, rule)
    assert line(est, "backup-function").basis is Basis.UNPRICED
    assert "rate(" in line(est, "backup-schedule").reason
