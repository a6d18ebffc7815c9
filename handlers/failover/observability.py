"""Powertools Logger, Tracer and Metrics of the failover orchestrator, service ``failover-orchestrator``
(:class:`handlers.shared.observability.Observability`: namespace ``METRIC_NAMESPACE``,
dimension ``Stack``)."""

from __future__ import annotations

from handlers.shared.observability import Observability

SERVICE = "failover-orchestrator"

logger, tracer, metrics, count, seconds = Observability(SERVICE).parts()
