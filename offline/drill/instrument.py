"""Instruments every boto3 client the handlers build during a drill, without touching them.

The handlers build clients through boto3 (``handlers.shared.aws.client``), which ends in
``botocore.session.Session.create_client``. While :func:`instrumented_clients` is active,
that method is wrapped so each new client

* points at the emulator (``AWS_ENDPOINT_URL`` does this for the handlers already; the
  wrapper only overrides it for a Region the scenario has taken down);
* for a Region in :attr:`Faults.down_regions`, points at a closed port on 127.0.0.1, so
  every call fails with a real connection error (the primary Region's APIs unreachable);
* records every call attempted, including those that never reached the emulator
  (:class:`ClientLedger`);
* raises :class:`SimulatedCrash` right after a chosen operation succeeds, the way a
  Lambda container that dies mid-invocation leaves the work done so far in AWS.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import botocore.session


class SimulatedCrash(BaseException):  # noqa: N818 - it models a crash, not an error
    """The Lambda container died mid-invocation. A BaseException, so a handler's
    ``except Exception`` cannot swallow it (a killed process runs no except blocks)."""


@dataclass
class Faults:
    """Faults applied to the clients built while instrumentation is active.

    Attributes:
        down_regions: Regions whose API endpoints are unreachable.
        closed_port_url: where clients for those Regions point (nothing listens there).
        crash_after: ``"<service>:<Operation>"``: raise :class:`SimulatedCrash` once, right
            after the first successful call of that operation.
    """

    down_regions: frozenset[str] = frozenset()
    closed_port_url: str = ""
    crash_after: str | None = None
    crashed: bool = False


@dataclass
class ClientCall:
    step: str
    region: str
    service: str
    operation: str
    outcome: str  # "ok" | "error:<code>" | "unreachable"


@dataclass
class ClientLedger:
    """Calls the handlers' clients attempted, per drill step."""

    step: str = "setup"
    calls: list[ClientCall] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, c: ClientCall) -> None:
        with self._lock:
            self.calls.append(c)

    def counts(self, step: str) -> dict[str, int]:
        with self._lock:
            return dict(sorted(Counter(f"{c.service}:{c.operation}" for c in self.calls
                                       if c.step == step).items()))

    def count(self, *, step: str | None = None, service: str | None = None,
              region: str | None = None, outcome: str | None = None) -> int:
        with self._lock:
            return sum(1 for c in self.calls
                       if (step is None or c.step == step)
                       and (service is None or c.service == service)
                       and (region is None or c.region == region)
                       and (outcome is None or c.outcome == outcome))


@contextlib.contextmanager
def instrumented_clients(ledger: ClientLedger, faults: Faults) -> Iterator[None]:
    """Wrap ``botocore.session.Session.create_client`` for the duration of the block."""
    orig = botocore.session.Session.create_client

    def create_client(self: Any, service_name: str, region_name: str | None = None,
                      *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("endpoint_url"):
            # The drill's own clients name the emulator explicitly; the handlers' rely on
            # AWS_ENDPOINT_URL. Only the handlers' are instrumented and faulted.
            return orig(self, service_name, region_name, *args, **kwargs)
        region = region_name or self.get_config_variable("region") or "?"
        if region in faults.down_regions:
            kwargs["endpoint_url"] = faults.closed_port_url
        client = orig(self, service_name, region_name, *args, **kwargs)
        _hook(client, service_name, region, ledger, faults)
        return client

    botocore.session.Session.create_client = create_client  # type: ignore[method-assign]
    try:
        yield
    finally:
        botocore.session.Session.create_client = orig  # type: ignore[method-assign]


def _hook(client: Any, service: str, region: str, ledger: ClientLedger, faults: Faults) -> None:
    events = client.meta.events
    prefix = client.meta.service_model.service_id.hyphenize()

    def after_call(model: Any, parsed: Any, **_: Any) -> None:
        error = (parsed or {}).get("Error", {}).get("Code") if isinstance(parsed, dict) else None
        ledger.add(ClientCall(ledger.step, region, service, model.name,
                              f"error:{error}" if error else "ok"))
        key = f"{service}:{model.name}"
        if not error and faults.crash_after == key and not faults.crashed:
            faults.crashed = True
            raise SimulatedCrash(f"container killed right after {key} succeeded")

    def after_call_error(event_name: str = "", **_: Any) -> None:
        # botocore passes no operation model here; the event name ends with the operation.
        ledger.add(ClientCall(ledger.step, region, service, event_name.rsplit(".", 1)[-1],
                              "unreachable"))

    events.register(f"after-call.{prefix}", after_call)
    events.register(f"after-call-error.{prefix}", after_call_error)
