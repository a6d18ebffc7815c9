"""Schedule arithmetic, and the metric catalogue against what the handlers publish."""

from datetime import UTC, datetime

import pytest

from contract.strategies import Strategy
from contract.strategies import spec as strategy_spec
from cost.metrics import PUT_METRIC_ITEMS_PER_CALL, backup_metrics, failover_metrics
from cost.schedules import runs_per_month
from handlers.backup import recovery_point


@pytest.mark.parametrize(("expr", "runs"), [
    ("rate(1 minute)", 730 * 60), ("rate(5 minutes)", 730 * 12), ("rate(60 minutes)", 730),
    ("rate(2 hours)", 365), ("rate(1 day)", 730 / 24)])
def test_rate_expressions(expr, runs):
    assert runs_per_month(expr) == pytest.approx(runs)


@pytest.mark.parametrize("expr", ["cron(0 * * * ? *)", "rate(0 minutes)", "rate(1 week)", "every hour"])
def test_other_expressions_are_refused(expr):
    with pytest.raises(ValueError, match="only rate"):
        runs_per_month(expr)


@pytest.mark.parametrize("strategy", list(Strategy))
def test_backup_put_metric_items_match_the_handler(strategy):
    spec = strategy_spec(strategy)
    rp = recovery_point.RecoveryPoints(
        per_database={"db1": {"age_seconds": 60.0, "source": "snapshot"},
                      "db2": {"age_seconds": 90.0, "source": "snapshot"}},
        recovery_point_age_seconds=90.0,
        replication_lag_seconds=5.0 if spec.replication_metrics else None)
    items = recovery_point.metric_data(rp, stack="prod", status="complete", now=datetime.now(UTC))
    handler = sorted((i["MetricName"], tuple(d["Name"] for d in i["Dimensions"])) for i in items)
    ours = sorted((m.name.split("[")[0], m.dimensions) for m in backup_metrics(spec, 2)
                  if m.via == "PutMetricData")
    assert ours == handler
    assert recovery_point.PUT_METRIC_BATCH == PUT_METRIC_ITEMS_PER_CALL


def test_failover_catalogue_names_the_gate_metric_and_every_step():
    metrics = failover_metrics()
    every = [m for m in metrics if m.cadence == "every-run"]
    assert [m.label for m in every] == ["EcommerceDR/Gate/FailoverGateEngaged{Stack}"]
    assert sum(1 for m in metrics if m.name.startswith("FailoverStepDurationSeconds")) == 6
