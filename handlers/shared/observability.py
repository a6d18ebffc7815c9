"""Powertools Logger, Tracer and Metrics for one orchestrator (one service name).

Tracer is off outside Lambda and when ``POWERTOOLS_TRACE_DISABLED=true`` (tests).
Metrics go to namespace ``contract.names.METRIC_NAMESPACE``.
"""

from __future__ import annotations

from collections.abc import Callable

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from contract.names import METRIC_NAMESPACE, Metric


class Observability:
    """The Powertools objects of ``service``, and the two metric shapes the handlers emit."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.logger = Logger(service=service)
        self.tracer = Tracer(service=service)
        self.metrics = Metrics(namespace=METRIC_NAMESPACE, service=service)

    def parts(self) -> tuple[Logger, Tracer, Metrics, Callable[..., None], Callable[..., None]]:
        """``(logger, tracer, metrics, count, seconds)``, the names an orchestrator's
        ``observability`` module exports."""
        return self.logger, self.tracer, self.metrics, self.count, self.seconds

    def count(self, metric: Metric | str, value: float = 1) -> None:
        """Add a Count metric to this invocation's EMF blob (flushed by ``log_metrics``)."""
        self.metrics.add_metric(name=str(metric), unit=MetricUnit.Count, value=value)

    def seconds(self, metric: Metric | str, value: float, stack: str, **dimensions: str) -> None:
        """Emit one Seconds metric now, with its own dimensions (``Stack``, e.g. ``Step``)."""
        with single_metric(name=str(metric), unit=MetricUnit.Seconds, value=value,
                           namespace=METRIC_NAMESPACE) as m:
            m.add_dimension(name="Stack", value=stack)
            for k, v in dimensions.items():
                m.add_dimension(name=k, value=v)
