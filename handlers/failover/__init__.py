"""Failover orchestrator Lambda: detect, verify, check readiness, promote, move traffic, warm,
verify. Entry point: :func:`handlers.failover.app.handler`. Steps: :mod:`.steps`; database
strategies: :mod:`.strategies`; state table records: :mod:`.records` (stored by
:mod:`.state`)."""
