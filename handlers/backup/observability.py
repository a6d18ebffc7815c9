"""Powertools Logger, Tracer and Metrics of the backup orchestrator, service ``backup-orchestrator``
(:class:`handlers.shared.observability.Observability`: namespace ``METRIC_NAMESPACE``,
dimension ``Stack``)."""

from __future__ import annotations

from handlers.shared.observability import Observability

SERVICE = "backup-orchestrator"

_OBSERVABILITY = Observability(SERVICE)
logger, tracer, metrics = _OBSERVABILITY.logger, _OBSERVABILITY.tracer, _OBSERVABILITY.metrics
count, seconds = _OBSERVABILITY.count, _OBSERVABILITY.seconds
