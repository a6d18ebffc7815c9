"""Powertools Logger, Tracer and Metrics of the failover orchestrator, service ``failover-orchestrator``
(:class:`handlers.shared.observability.Observability`: namespace ``METRIC_NAMESPACE``,
dimension ``Stack``)."""

from __future__ import annotations

from handlers.shared.observability import Observability

SERVICE = "failover-orchestrator"

_OBSERVABILITY = Observability(SERVICE)
logger, tracer, metrics = _OBSERVABILITY.logger, _OBSERVABILITY.tracer, _OBSERVABILITY.metrics
count, seconds = _OBSERVABILITY.count, _OBSERVABILITY.seconds
