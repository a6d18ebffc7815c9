"""Failover benchmark on moto: AWS API calls per failover and the handler's own time.

For each strategy (read-replica, dms, snapshot-restore) a fresh moto world is built
(``tests.failover.world``) and one manual failover runs through
``handlers.failover.app.handle``. Measured:

* ``api_calls`` - AWS API calls per failover, total and per ``service.Operation``, counted
  with a botocore ``before-call`` hook (exact, identical on every run);
* ``handler own time`` - wall time of the handler minus the time spent inside AWS calls
  (measured with ``before-call``/``after-call`` hooks: that is the emulator's time, not
  ours) and minus the steps' recorded AWS-side waits. Median of ``RUNS`` runs, after one
  warm-up, with the min-max spread. The HTTP probes to 127.0.0.1 count as own time.

Emulator bridge used (named as required): ``bridge_promote_read_replica`` - moto's
promote_read_replica changes nothing, so the bridge clears the replica source. Moto's
instances are ``available`` at once, so there are no polling waits on moto.

Usage: ``python -m offline.bench_failover`` prints a table. ``measure()`` returns rows
``{"benchmark": "failover", "strategy", "metric", "value", "unit"[, "spread"]}``.
"""

from __future__ import annotations

import os
import statistics
import time
from collections import Counter
from typing import Any

os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
for _k, _v in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_DEFAULT_REGION": "us-east-1"}.items():
    os.environ.setdefault(_k, _v)

RUNS = 5
STRATEGIES = ("read-replica", "dms", "snapshot-restore")


class _TimedClients:
    """Wraps the test world's recording factory and adds time spent inside AWS calls."""

    def __init__(self, inner: Any) -> None:
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


def _one_run(strategy: str) -> tuple[Counter[str], float, float]:
    """(calls by operation, handler wall seconds, handler own seconds) of one failover."""
    from moto import mock_aws

    from handlers.failover.app import handle
    from tests.failover.world import (
        FakeContext,
        bridge_promote_read_replica,
        build_world,
        manual,
    )

    with mock_aws(config={"lambda": {"use_docker": False}}):
        world = build_world(strategy)
        try:
            clients = _TimedClients(world.clients)
            settings = world.settings
            with bridge_promote_read_replica(world):
                t0 = time.perf_counter()
                result = handle(manual(reason="benchmark"), FakeContext(), clients=clients,
                                settings=settings)
                wall = time.perf_counter() - t0
            if result["status"] != "completed":
                raise RuntimeError(f"{strategy}: failover ended {result['status']}: {result}")
            waits = sum(float(s.get("wait_seconds", 0)) for s in result["steps"])
            return world.clients.calls.copy(), wall, wall - clients.api_seconds - waits
        finally:
            world.close()


def measure(runs: int = RUNS) -> list[dict[str, Any]]:
    """Benchmark rows for every strategy (see the module docstring)."""
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


def main() -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Failover on moto (median of {RUNS} runs after a warm-up)")
    for col in ("strategy", "metric", "value", "unit", "spread"):
        table.add_column(col, justify="right" if col in {"value"} else "left")
    for r in measure():
        spread = r.get("spread")
        table.add_row(r["strategy"], r["metric"], str(r["value"]), r["unit"],
                      f"{spread[0]}-{spread[1]}" if spread else "")
    Console().print(table)


if __name__ == "__main__":
    main()
