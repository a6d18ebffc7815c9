"""Ledgers of AWS calls: what the emulator served (:class:`RequestLedger`, counted
server-side, so nothing escapes it) and what the handlers' clients attempted
(:class:`ClientLedger`, including calls that never reached the emulator). Both label each
call with the step that was running (``ledger.step``)."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Request:
    """One request the emulator served.

    Attributes:
        step: the step label when it was served.
        region, service, operation: from the request's SigV4 scope and action.
        status: HTTP status of the answer.
        throttled: answered ``Throttling`` without running.
        by_drill: the harness's own request (applier, bridges, checks), not a handler's.
    """

    step: str
    region: str
    service: str
    operation: str
    status: int
    throttled: bool = False
    by_drill: bool = False


@dataclass
class RequestLedger:
    """Every request the emulator served, labelled with the step that was running."""

    step: str = "setup"
    requests: list[Request] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, r: Request) -> None:
        with self._lock:
            self.requests.append(r)

    def for_step(self, step: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.step == step]

    def counts(self, step: str, *, by_drill: bool | None = None) -> dict[str, int]:
        """``{"<service>:<Operation>": n}`` of the requests served in ``step`` (throttled
        ones, answered without running, are counted apart); ``by_drill`` selects the
        harness's own requests (True) or everyone else's, i.e. the handlers' (False)."""
        return dict(sorted(Counter(f"{r.service}:{r.operation}" for r in self.for_step(step)
                                   if not r.throttled
                                   and (by_drill is None or r.by_drill == by_drill)).items()))

    def count(self, *, step: str | None = None, service: str | None = None,
              operation: str | None = None, throttled: bool = False) -> int:
        """Requests matching the filters that ran (``throttled=True``: that were throttled)."""
        with self._lock:
            return sum(1 for r in self.requests
                       if (step is None or r.step == step)
                       and (service is None or r.service == service)
                       and (operation is None or r.operation == operation)
                       and r.throttled == throttled)


@dataclass(frozen=True)
class ClientCall:
    """One call a handler's client attempted: ``outcome`` is ``"ok"``, ``"error:<code>"``
    or ``"unreachable"`` (no answer: connection refused, timeout)."""

    step: str
    region: str
    service: str
    operation: str
    outcome: str


@dataclass
class ClientLedger:
    """Calls the handlers' clients attempted, per step."""

    step: str = "setup"
    calls: list[ClientCall] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, c: ClientCall) -> None:
        with self._lock:
            self.calls.append(c)

    def counts(self, step: str) -> dict[str, int]:
        """``{"<service>:<Operation>": n}`` attempted in ``step``."""
        with self._lock:
            return dict(sorted(Counter(f"{c.service}:{c.operation}" for c in self.calls
                                       if c.step == step).items()))

    def operations(self, step: str) -> Counter[str]:
        """Operation name -> calls attempted in ``step`` (any service)."""
        with self._lock:
            return Counter(c.operation for c in self.calls if c.step == step)

    def count(self, *, step: str | None = None, service: str | None = None,
              region: str | None = None, outcome: str | None = None) -> int:
        with self._lock:
            return sum(1 for c in self.calls
                       if (step is None or c.step == step)
                       and (service is None or c.service == service)
                       and (region is None or c.region == region)
                       and (outcome is None or c.outcome == outcome))
