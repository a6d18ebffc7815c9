"""Ledgers of AWS calls: what the emulator served (:class:`RequestLedger`, counted
server-side, so nothing escapes it) and what the handlers' clients attempted
(:class:`ClientLedger`, including calls that never reached the emulator). Both label each
call with the step that was running (``ledger.step``)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar


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


E = TypeVar("E")


class _StepLedger(Generic[E]):
    """Entries added from any thread, each labelled with the step that was running
    (``ledger.step``, set by the harness before each step)."""

    def __init__(self) -> None:
        self.step = "setup"
        self._entries: list[E] = []
        self._lock = threading.Lock()

    def add(self, entry: E) -> None:
        with self._lock:
            self._entries.append(entry)

    def _where(self, keep: Callable[[E], bool]) -> list[E]:
        with self._lock:
            return [e for e in self._entries if keep(e)]


class RequestLedger(_StepLedger[Request]):
    """Every request the emulator served, labelled with the step that was running."""

    @property
    def requests(self) -> list[Request]:
        """Every request served so far, in order."""
        return self._where(lambda r: True)

    def for_step(self, step: str) -> list[Request]:
        return self._where(lambda r: r.step == step)

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
        return len(self._where(lambda r: (step is None or r.step == step)
                               and (service is None or r.service == service)
                               and (operation is None or r.operation == operation)
                               and r.throttled == throttled))


@dataclass(frozen=True)
class ClientCall:
    """One call a handler's client attempted: ``outcome`` is ``"ok"``, ``"error:<code>"``
    or ``"unreachable"`` (no answer: connection refused, timeout)."""

    step: str
    region: str
    service: str
    operation: str
    outcome: str


class ClientLedger(_StepLedger[ClientCall]):
    """Calls the handlers' clients attempted, per step."""

    @property
    def calls(self) -> list[ClientCall]:
        """Every call attempted so far, in order."""
        return self._where(lambda c: True)

    def counts(self, step: str) -> dict[str, int]:
        """``{"<service>:<Operation>": n}`` attempted in ``step``."""
        return dict(sorted(Counter(f"{c.service}:{c.operation}"
                                   for c in self._where(lambda c: c.step == step)).items()))

    def operations(self, step: str) -> Counter[str]:
        """Operation name -> calls attempted in ``step`` (any service)."""
        return Counter(c.operation for c in self._where(lambda c: c.step == step))

    def count(self, *, step: str | None = None, service: str | None = None,
              region: str | None = None, outcome: str | None = None) -> int:
        return len(self._where(lambda c: (step is None or c.step == step)
                               and (service is None or c.service == service)
                               and (region is None or c.region == region)
                               and (outcome is None or c.outcome == outcome)))
