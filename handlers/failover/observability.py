"""Powertools Logger, Tracer and Metrics shared by the orchestrator's modules.

Tracer is off outside Lambda and when ``POWERTOOLS_TRACE_DISABLED=true`` (tests).
Metrics go to namespace ``contract.names.METRIC_NAMESPACE`` with dimension ``Stack``.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from contract.names import METRIC_NAMESPACE, Metric

SERVICE = "failover-orchestrator"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace=METRIC_NAMESPACE, service=SERVICE)


def count(metric: Metric | str, value: float = 1) -> None:
    """Add a Count metric to this invocation's EMF blob (flushed by ``log_metrics``)."""
    metrics.add_metric(name=str(metric), unit=MetricUnit.Count, value=value)


def seconds(metric: Metric | str, value: float, stack: str, **dimensions: str) -> None:
    """Emit one Seconds metric now, with its own dimensions (e.g. ``Step``)."""
    with single_metric(name=str(metric), unit=MetricUnit.Seconds, value=value,
                       namespace=METRIC_NAMESPACE) as m:
        m.add_dimension(name="Stack", value=stack)
        for k, v in dimensions.items():
            m.add_dimension(name=k, value=v)
