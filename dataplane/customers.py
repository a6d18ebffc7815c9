"""Customers: a workload that places orders at a steady rate through the failover name.

Like a browser, a customer resolves the shop's name, keeps the answer for its TTL, and
posts to whatever address it got. The name is resolved through a callback,
``resolve(name) -> (host, port, ttl_seconds)``, which the caller backs with its DNS model
(the drill: its Route 53 failover records), and the TTL runs on an injected clock. A failed
order does not flush the cached answer: browsers and stub resolvers keep a cached record
until it expires, which is why the TTL is part of the outage.

Every acknowledged order is recorded with its id, time and the Region that took it; every
failure with its time and cause. Pacing is in real seconds (requests take real time);
recorded times are on the injected clock.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from dataplane.cleanup import background
from dataplane.lifecycle import Service

Clock = Callable[[], float]

#: Default order rate, orders per second: enough points for a per-second curve, light on 2 cores.
DEFAULT_RATE_PER_SECOND = 10.0


class Resolution(NamedTuple):
    """A DNS answer: where the name points and for how long (seconds) it may be cached."""

    host: str
    port: int
    ttl_seconds: float


Resolver = Callable[[str], tuple[str, int, float]]


class CachingResolver:
    """Resolves through ``resolve`` and caches each answer for its TTL on ``clock``.

    Args:
        resolve: the authoritative lookup; raises (any exception) when the name does not
            resolve.
        clock: seconds, monotonic in the caller's frame (the drill's clock).

    Attributes:
        upstream_lookups: how many times ``resolve`` was called.
    """

    def __init__(self, resolve: Resolver, clock: Clock) -> None:
        self._resolve = resolve
        self._clock = clock
        self._cache: dict[str, tuple[Resolution, float]] = {}
        self._lock = threading.Lock()
        self.upstream_lookups = 0

    def lookup(self, name: str) -> Resolution:
        """The cached answer while fresh (``now < resolved_at + ttl``), else a new lookup.

        Raises:
            ValueError: the resolver returned a negative TTL or a bad port.
            Exception: whatever ``resolve`` raised (nothing is cached then).
        """
        now = self._clock()
        with self._lock:
            cached = self._cache.get(name)
            if cached is not None and now < cached[1]:
                return cached[0]
        host, port, ttl = self._resolve(name)
        answer = Resolution(str(host), int(port), float(ttl))
        if answer.ttl_seconds < 0 or not 0 < answer.port < 65536:
            raise ValueError(f"bad answer for {name}: {answer}")
        with self._lock:
            self.upstream_lookups += 1
            self._cache[name] = (answer, now + answer.ttl_seconds)
        return answer


@dataclass(frozen=True)
class Ack:
    """An acknowledged order (the shop answered 201 after its commit).

    Attributes:
        order_id: the id the shop returned (UUID text).
        at: clock time the acknowledgement arrived.
        sent_at: clock time the order was sent.
        region: the Region whose shop took it.
        address: ``(host, port)`` it was posted to.
    """

    order_id: str
    at: float
    sent_at: float
    region: str
    address: tuple[str, int]


@dataclass(frozen=True)
class Failure:
    """An order that was not acknowledged.

    Attributes:
        at: clock time the failure was seen.
        cause: e.g. ``"HTTP 503: read-only: database is a replica"``,
            ``"connect: ConnectionRefusedError"``, ``"resolve: ..."``.
        address: where it was posted, or ``None`` when the name did not resolve.
        region: the Region that answered, when one did.
    """

    at: float
    cause: str
    address: tuple[str, int] | None
    region: str | None = None


class Customers(Service):
    """Places orders on ``name`` at ``rate_per_second`` in a background thread.

    Args:
        name: the failover name (``"shop.example.com"``).
        resolve: ``resolve(name) -> (host, port, ttl_seconds)``.
        rate_per_second: orders per real second (> 0); one at a time, so a slow answer
            delays the next order rather than piling requests up.
        clock: the clock times are recorded on and TTLs run on (default ``time.time``).
        timeout_seconds: per-request connect+read timeout; longer than the shop's own database
            timeout (2 s) so a slow answer is seen, not cut short while its commit may land.

    Use as a context manager, or :meth:`start` and :meth:`stop`.
    """

    def __init__(self, name: str, resolve: Resolver, *, rate_per_second: float = DEFAULT_RATE_PER_SECOND,
                 clock: Clock = time.time, timeout_seconds: float = 5.0) -> None:
        if not rate_per_second > 0:
            raise ValueError(f"rate_per_second must be > 0, got {rate_per_second!r}")
        self.name = name
        self.rate_per_second = float(rate_per_second)
        self.resolver = CachingResolver(resolve, clock)
        self._clock = clock
        self._timeout = timeout_seconds
        self._acks: list[Ack] = []
        self._failures: list[Failure] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sequence = 0

    @property
    def acks(self) -> list[Ack]:
        """Acknowledged orders so far, in order (a copy)."""
        with self._lock:
            return list(self._acks)

    @property
    def failures(self) -> list[Failure]:
        """Failed orders so far, in order (a copy)."""
        with self._lock:
            return list(self._failures)

    def place_order(self) -> Ack | Failure:
        """Place one order now (resolve, POST, record) and return what happened."""
        self._sequence += 1
        sent = self._clock()
        try:
            host, port, _ = self.resolver.lookup(self.name)
        except Exception as exc:  # a resolver failure is an outage like any other
            return self._record(Failure(self._clock(), f"resolve: {exc}", None))
        result = self._post((host, port), sent)
        return self._record(result)

    def _post(self, address: tuple[str, int], sent: float) -> Ack | Failure:
        body = json.dumps({"customer": f"customer-{self._sequence}", "amount_cents": 1999})
        conn = http.client.HTTPConnection(*address, timeout=self._timeout)
        try:
            conn.request("POST", "/orders", body=body, headers={"Content-Type": "application/json",
                                                                "Host": self.name})
            response = conn.getresponse()
            status, raw = response.status, response.read()
        except (OSError, http.client.HTTPException) as exc:
            return Failure(self._clock(), f"connect: {type(exc).__name__}", address)
        finally:
            conn.close()
        try:
            data = json.loads(raw)
        except ValueError:
            data = {}
        region = data.get("region") if isinstance(data, dict) else None
        if status == 201 and isinstance(data, dict) and data.get("order_id"):
            return Ack(str(data["order_id"]), self._clock(), sent, str(region), address)
        error = data.get("error", "") if isinstance(data, dict) else ""
        return Failure(self._clock(), f"HTTP {status}: {error}".rstrip(": "), address, region)

    def _record(self, result: Ack | Failure) -> Ack | Failure:
        with self._lock:
            if isinstance(result, Ack):
                self._acks.append(result)
            else:
                self._failures.append(result)
        return result

    def start(self) -> Customers:
        """Start placing orders in a daemon thread (idempotent)."""
        if self._thread is None:
            self._stop.clear()
            self._thread = background(self._run, name=f"customers {self.name}")
        return self

    def _run(self) -> None:
        interval = 1.0 / self.rate_per_second
        next_at = time.monotonic()
        while not self._stop.is_set():
            self.place_order()
            next_at = max(next_at + interval, time.monotonic())
            self._stop.wait(max(0.0, next_at - time.monotonic()))

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the order in flight (idempotent)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)

    close = stop
