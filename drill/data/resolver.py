"""The customers' DNS: the failover name resolved through the drill's Route 53 model.

:class:`FailoverResolver` answers ``resolve(name) -> (host, port, ttl)`` for
:class:`dataplane.customers.Customers`: the PRIMARY or SECONDARY record Route 53 would answer
(:func:`drill.dns.answer_from`, from the deployed records and the health-check states the
``health-check-status`` bridge computes), mapped from the record's value (a Region's endpoint
name) to that endpoint's address on 127.0.0.1, with the record's TTL. The record sets are
read from the emulator once, up front: resolving makes no Route 53 API call (the drill checks
that the failover path makes none).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from drill.dns import answer_from

HealthFn = Callable[[str], tuple[bool, str]]


@dataclass
class FailoverResolver:
    """Resolves the failover name.

    Attributes:
        fqdn: the failover name.
        record_sets: the zone's record sets (``ListResourceRecordSets`` items).
        endpoints: endpoint name (a record's value) -> ``(host, port)``.
        health: a factory of the health function (``health check id -> (healthy, why)``),
            called per lookup so each lookup sees the states of the moment.
        clock: the drill's clock, to stamp :attr:`answers`.
        answers: ``(clock time, "PRIMARY" | "SECONDARY", value)`` of every lookup.
    """

    fqdn: str
    record_sets: list[dict[str, Any]]
    endpoints: Mapping[str, tuple[str, int]]
    health: Callable[[], HealthFn]
    clock: Callable[[], float]
    answers: list[tuple[float, str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __call__(self, name: str) -> tuple[str, int, float]:
        """``(host, port, ttl seconds)`` for ``name``.

        Raises:
            LookupError: not the failover name, no failover pair, or a value that names no
                endpoint the drill runs.
        """
        if name.rstrip(".").lower() != self.fqdn.rstrip(".").lower():
            raise LookupError(f"{name} is not the failover name {self.fqdn}")
        answer = answer_from(self.record_sets, self.fqdn, self.health())
        value = str(answer["values"][0]).rstrip(".")
        if value not in self.endpoints:
            raise LookupError(f"{self.fqdn} -> {value}: not an endpoint the drill runs")
        with self._lock:
            self.answers.append((self.clock(), str(answer["answer"]), value))
        host, port = self.endpoints[value]
        return host, port, float(answer["ttl"] if answer.get("ttl") is not None else 60)

    def ttl(self) -> float:
        """The TTL of the failover records (the largest of the pair), seconds."""
        name = self.fqdn.rstrip(".") + "."
        ttls = [float(r["TTL"]) for r in self.record_sets
                if r["Name"] == name and r.get("Failover") and r.get("TTL") is not None]
        return max(ttls, default=60.0)
