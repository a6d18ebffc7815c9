"""The custom CloudWatch metrics the orchestrators publish, named, for pricing.

A custom metric is one namespace + name + dimension set; it is billed per metric-month,
prorated by the hour and metered only in hours it is sent (Amazon CloudWatch pricing,
https://aws.amazon.com/cloudwatch/pricing/). Metrics sent through the embedded metric format
(EMF, Powertools' ``Metrics``) are custom metrics too, but cost no PutMetricData request.

* ``every-run``: published on every run of the function (billed each hour it runs).
* ``on-event``: published only when something happens (a failed probe, an error, a
  failover); billed for ``usage.failover.event_metric_hours_per_month`` hours each.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from contract.names import FAILOVER_STEPS, GATE_METRIC, GATE_NAMESPACE, METRIC_NAMESPACE, Metric
from contract.strategies import StrategySpec

#: PutMetricData takes up to 1,000 metric items per call (Amazon CloudWatch API Reference,
#: "PutMetricData"); the backup orchestrator batches its items by it.
PUT_METRIC_ITEMS_PER_CALL = 1000


@dataclass(frozen=True)
class CustomMetric:
    """Attributes: namespace, name, dimensions (names), via (``PutMetricData`` | ``EMF``),
    cadence (``every-run`` | ``on-event``)."""

    namespace: str
    name: str
    dimensions: tuple[str, ...]
    via: Literal["PutMetricData", "EMF"]
    cadence: Literal["every-run", "on-event"]

    @property
    def label(self) -> str:
        return f"{self.namespace}/{self.name}{{{','.join(self.dimensions)}}}"


def failover_metrics() -> list[CustomMetric]:
    """The failover orchestrator's metrics: the gate metric, re-published on every watchdog
    run (``handlers/failover/gate.py``), and its event-driven EMF metrics."""
    svc = ("Stack", "service")
    on_event = [CustomMetric(METRIC_NAMESPACE, str(m), svc, "EMF", "on-event") for m in (
        Metric.PRIMARY_PROBE_FAILED, Metric.FAILOVER_UNARMED, Metric.ORCHESTRATOR_ERROR,
        Metric.FALSE_POSITIVE, Metric.FAILOVER_DURATION)]
    steps = [CustomMetric(METRIC_NAMESPACE, f"{Metric.STEP_DURATION}[Step={s}]", ("Stack", "Step"),
                          "EMF", "on-event") for s in FAILOVER_STEPS]
    return [CustomMetric(GATE_NAMESPACE, GATE_METRIC, ("Stack",), "PutMetricData", "every-run"),
            *on_event, *steps]


#: The backup orchestrator's per-run EMF metrics (``handlers/backup/app.py``).
BACKUP_EMF_NAMES = ("BackupRunDurationSeconds", "SnapshotsCreated", "SnapshotsCopied",
                    "SnapshotsPruned", "SnapshotsDeferred", "BackupErrors")


def backup_metrics(spec: StrategySpec, databases: int) -> list[CustomMetric]:
    """The backup orchestrator's metrics on every run: its PutMetricData items
    (``handlers/backup/recovery_point.py``, ``metric_data``: success, failure, the stack's
    recovery-point age, the replication lag when the strategy replicates, the age per
    database) and its EMF metrics."""
    names = [Metric.BACKUP_SUCCESS, Metric.BACKUP_FAILURE, Metric.RECOVERY_POINT_AGE]
    if spec.replication_metrics:
        names.append(Metric.REPLICATION_LAG)
    put = [CustomMetric(METRIC_NAMESPACE, str(n), ("Stack",), "PutMetricData", "every-run")
           for n in names]
    put += [CustomMetric(METRIC_NAMESPACE, f"{Metric.RECOVERY_POINT_AGE}[Database={i + 1}]",
                         ("Stack", "Database"), "PutMetricData", "every-run") for i in range(databases)]
    emf = [CustomMetric(METRIC_NAMESPACE, n, ("Stack", "service"), "EMF", "every-run")
           for n in BACKUP_EMF_NAMES]
    return put + emf


def put_calls_per_run(metrics: list[CustomMetric]) -> int:
    """PutMetricData calls per run: the every-run PutMetricData items in batches."""
    items = sum(1 for m in metrics if m.via == "PutMetricData" and m.cadence == "every-run")
    return math.ceil(items / PUT_METRIC_ITEMS_PER_CALL)
