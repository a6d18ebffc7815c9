"""Failover benchmark on moto: AWS API calls per failover and the handler's own time.

For each strategy a fresh site is built in ``moto.mock_aws``
(:func:`emulator.in_process.mocked_aws`, :func:`emulator.orchestrators.failover_site`) and one
manual failover runs through ``handlers.failover.app.handle`` with its environment, a Lambda
context and injected clients.
Measured:

* ``api_calls`` - AWS API calls per failover, total and per ``service.Operation``, counted
  with a botocore ``before-call`` hook (exact, identical on every run);
* ``handler own time`` - wall time of the handler minus the time spent inside AWS calls
  (``before-call``/``after-call`` hooks: that is the emulator's time, not ours) and minus the
  steps' recorded AWS-side waits. Median of ``RUNS`` runs, after one warm-up, with the
  min-max spread. The HTTP probes to 127.0.0.1 count as own time.

Emulator bridges used: ``promote-read-replica`` (:func:`emulator.bridges.promote_read_replica`):
moto's promote_read_replica leaves the replica attached to its source; the Aurora Global
Database bridges (:func:`emulator.bridges.aurora_global`): moto has no FailoverGlobalCluster.
Moto's instances are ``available`` at once, so there are no polling waits on moto.

``python -m cli bench --only failover`` prints the rows; :func:`measure` returns
``{"benchmark": "failover", "strategy", "metric", "value", "unit"[, "spread"]}``.
"""

from __future__ import annotations

import io
import statistics
import time
from collections import Counter
from typing import Any

from botocore.config import Config

from contract.env import Env
from contract.strategies import STRATEGIES
from emulator.bridges import aurora_global, promote_read_replica
from emulator.clients import RecordingClients, session_clients
from emulator.events import manual_failover
from emulator.in_process import mocked_aws
from emulator.lambda_runtime import LambdaContext, captured_output, clear_caches, lambda_environment
from emulator.orchestrators import failover_site
from emulator.site import SiteBuilder

RUNS = 5
FUNCTION = "ecommerce-dr-failover"
_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10)


class _TimedClients:
    """Wraps a recording factory and adds up the time spent inside AWS calls (seconds)."""

    def __init__(self, inner: RecordingClients) -> None:
        self.inner = inner
        self.api_seconds = 0.0
        self._started: dict[int, float] = {}
        self._hooked: set[int] = set()

    def __call__(self, service: str, region: str) -> Any:
        client = self.inner(service, region)
        if id(client) not in self._hooked:
            self._hooked.add(id(client))
            client.meta.events.register("before-call.*.*", self._before)
            client.meta.events.register("after-call.*.*", self._after)
            # Failed calls (a Region down) end in an exception without after-call.
            client.meta.events.register("after-call-error.*.*", self._after)
        return client

    def _before(self, **_: Any) -> None:
        self._started[0] = time.perf_counter()

    def _after(self, **_: Any) -> None:
        start = self._started.pop(0, None)
        if start is not None:
            self.api_seconds += time.perf_counter() - start


def _failover(env: dict[str, str], clients: _TimedClients) -> tuple[dict[str, Any], float]:
    """One manual failover through the handler's entry point; ``(result, wall seconds)``."""
    from handlers.failover.app import handle

    runtime_env = {**env, "AWS_REGION": env[Env.STANDBY_REGION], "AWS_LAMBDA_FUNCTION_NAME": FUNCTION,
                   "POWERTOOLS_TRACE_DISABLED": "true"}
    context = LambdaContext.for_function(FUNCTION, region=env[Env.STANDBY_REGION])
    with lambda_environment(runtime_env), captured_output(io.StringIO()), promote_read_replica(), \
            aurora_global():
        clear_caches()      # a new container: settings parsed from this environment
        t0 = time.perf_counter()
        result = handle(manual_failover("benchmark"), context, clients=clients)
        wall = time.perf_counter() - t0
    clear_caches()
    return result, wall


def _one_run(strategy: str) -> tuple[Counter[str], float, float]:
    """(calls by operation, handler wall seconds, handler own seconds) of one failover."""
    with mocked_aws():
        site = failover_site(SiteBuilder(session_clients()), strategy)
        try:
            recording = RecordingClients(config=_CONFIG)
            clients = _TimedClients(recording)
            result, wall = _failover(site.env, clients)
            if result["status"] != "completed":
                raise RuntimeError(f"{strategy}: failover ended {result['status']}: {result}")
            waits = sum(float(s.get("wait_seconds", 0)) for s in result["steps"])
            return recording.calls.copy(), wall, wall - clients.api_seconds - waits
        finally:
            site.close()


def measure(runs: int = RUNS) -> list[dict[str, Any]]:
    """Benchmark rows for every strategy (see the module docstring): calls and milliseconds."""
    rows: list[dict[str, Any]] = []
    for strategy in STRATEGIES:
        _one_run(strategy)  # warm-up: imports, botocore model loading
        samples = [_one_run(strategy) for _ in range(runs)]
        calls = samples[0][0]
        if any(s[0] != calls for s in samples):
            raise RuntimeError(f"{strategy}: API call counts differ between runs")
        own = [s[2] * 1000 for s in samples]
        wall = [s[1] * 1000 for s in samples]
        base = {"benchmark": "failover", "strategy": strategy}
        rows.append({**base, "metric": "AWS API calls per failover",
                     "value": sum(calls.values()), "unit": "calls"})
        for op, n in sorted(calls.items()):
            rows.append({**base, "metric": f"API calls: {op}", "value": n, "unit": "calls"})
        rows.append({**base, "metric": "handler own time (excl. AWS calls and waits)",
                     "value": round(statistics.median(own), 1), "unit": "ms",
                     "spread": (round(min(own), 1), round(max(own), 1))})
        rows.append({**base, "metric": "handler wall time on moto (in-process)",
                     "value": round(statistics.median(wall), 1), "unit": "ms",
                     "spread": (round(min(wall), 1), round(max(wall), 1))})
    return rows
