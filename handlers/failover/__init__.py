"""Failover orchestrator Lambda: detect, verify, check readiness, promote, move traffic, warm,
verify. Entry point: :func:`handlers.failover.app.handler`. State table shapes: see
:mod:`handlers.failover.state`."""
