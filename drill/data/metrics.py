"""``AWS/RDS ReplicaLag`` and ``AWS/DMS CDCLatency*`` published from the real replication state.

moto publishes no RDS or DMS metric. :class:`LagPublisher` does what those services do: once
a period (1 s here; RDS and DMS publish one-minute data) it reads the lag from PostgreSQL
(:mod:`dataplane.lag`: ``pg_stat_replication`` for a streaming replica, the subscription and
its slot for logical replication) and sends a datapoint with ``PutMetricData``, stamped on the
drill's clock, with the dimensions the services use (:data:`drill.replication.DIMENSIONS`).
A reading without data (no standby connected, source down) publishes nothing.

Values are ages, read on the wall clock; the drill's clock adds the waits it skipped since
(:meth:`drill.clock.DrillClock.age`), so a link that stays slow while the drill skips time
shows the lag it would have. ``CDCLatencyTarget`` is published as at least
``CDCLatencySource``: an event captured late reaches the target at least as late (AWS DMS User
Guide, "Monitoring AWS DMS tasks", https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Monitoring.html).

Bridge name: ``replication-metrics``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dataplane.cleanup import background
from dataplane.lag import LagSample
from drill.clock import DrillClock
from emulator.bridges import BridgeLog

BRIDGE = "replication-metrics"
BRIDGE_WHY = ("moto publishes no AWS/RDS or AWS/DMS metrics; the drill publishes ReplicaLag / "
              "CDCLatencySource / CDCLatencyTarget / AuroraGlobalDBRPOLag (milliseconds) from "
              "PostgreSQL (pg_stat_replication, the subscription and its slot) once a second, "
              "stamped on the drill's clock")

Readings = Callable[[], list[LagSample]]


@dataclass(frozen=True)
class Published:
    """One datapoint sent: drill-clock ``at``, metric, ``value`` sent (seconds, on the drill's
    clock) and what PostgreSQL showed (``postgres_seconds`` on the wall clock,
    ``bytes_behind``, ``state``; see :class:`dataplane.lag.LagSample`)."""

    at: float
    namespace: str
    metric: str
    value: float
    postgres_seconds: float | None
    bytes_behind: int | None
    state: str


@dataclass
class LagPublisher:
    """Publishes the replication metrics of one strategy.

    Attributes:
        cloudwatch: a client of the emulator's CloudWatch in the standby Region.
        readings: returns the current samples (``[ReplicaLag]`` or ``[source, target]``).
        dimensions: metric name -> the CloudWatch dimensions to publish it with.
        clock: the drill's clock.
        log: the bridge log (one note per publication).
        period_seconds: seconds between publications.
        history: every datapoint sent, oldest first.
        errors: publications that failed (a gap in the series, as in AWS).
    """

    cloudwatch: Any
    readings: Readings
    dimensions: dict[str, list[dict[str, str]]]
    clock: DrillClock
    log: BridgeLog
    period_seconds: float = 1.0
    history: list[Published] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    def start(self) -> LagPublisher:
        """Publish once now, then every period in a background thread."""
        self.publish_now()
        if self._thread is None:
            self._thread = background(self._run, name="replication metrics")
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.period_seconds):
            try:
                self.publish_now()
            except Exception as e:  # noqa: BLE001 - a failed publication is a gap, as in AWS
                self.errors.append(f"{type(e).__name__}: {e}")

    def publish_now(self) -> list[Published]:
        """Read and publish once (one ``PutMetricData`` per namespace); returns what was sent."""
        with self._lock:
            samples = self.readings()
            floor = _source_seconds(samples)
            stamp = self.clock.utc()
            sent: list[Published] = []
            data: dict[str, list[dict[str, Any]]] = {}
            for s in samples:
                if s.seconds is None or s.metric not in self.dimensions:
                    continue
                seconds = max(s.seconds, floor) if s.metric == "CDCLatencyTarget" else s.seconds
                value = round(self.clock.age(seconds), 6)
                data.setdefault(s.namespace, []).append({
                    "MetricName": s.metric, "Value": value, "Unit": "Seconds", "Timestamp": stamp,
                    "Dimensions": self.dimensions[s.metric]})
                sent.append(Published(stamp.timestamp(), s.namespace, s.metric, value, s.seconds,
                                      s.bytes_behind, s.state))
            for namespace, datums in data.items():
                self.cloudwatch.put_metric_data(Namespace=namespace, MetricData=datums)
            self.history.extend(sent)
        if sent:
            self.log.note(BRIDGE, ", ".join(f"{p.metric}={p.value:.3f} s" for p in sent))
        return sent

    def values(self, metric: str) -> list[float]:
        """Every value sent for ``metric``."""
        with self._lock:
            return [p.value for p in self.history if p.metric == metric]

    def close(self) -> None:
        """Stop publishing (idempotent)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(5)


def _source_seconds(samples: list[LagSample]) -> float:
    """CDCLatencySource's seconds (0.0 without one): the floor of CDCLatencyTarget."""
    source = next((s for s in samples if s.metric == "CDCLatencySource"), None)
    return source.seconds if source is not None and source.seconds is not None else 0.0
