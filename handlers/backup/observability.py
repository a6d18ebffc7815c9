"""Powertools Logger, Tracer and Metrics of the backup orchestrator, service ``backup-orchestrator``
(:class:`handlers.shared.observability.Observability`: namespace ``METRIC_NAMESPACE``,
dimension ``Stack``)."""

from __future__ import annotations

from handlers.shared.observability import Observability

SERVICE = "backup-orchestrator"

logger, tracer, metrics, count, seconds = Observability(SERVICE).parts()
