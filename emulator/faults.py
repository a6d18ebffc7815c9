"""Fault injection: the throttling storm (server-side), and faults on the clients the handlers
build (a Region's APIs unreachable, the container killed right after a call).

The handlers build clients through boto3, which ends in
``botocore.session.Session.create_client``. While :func:`instrumented_clients` is active that
method is wrapped, so each client built without an explicit ``endpoint_url`` (the harness's
own clients name the emulator; the handlers' rely on ``AWS_ENDPOINT_URL`` or moto's
in-process mock)

* for a Region in :attr:`Faults.down_regions`, points at a closed port on 127.0.0.1, so every
  call fails with a real connection error (the Region's APIs unreachable);
* records every call attempted in a :class:`emulator.ledger.ClientLedger`, including those
  that never reached the emulator;
* raises :class:`SimulatedCrash` right after a chosen operation succeeds, the way a Lambda
  container that dies mid-invocation leaves the work done so far in AWS.
"""

from __future__ import annotations

import contextlib
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import botocore.session

from emulator.ledger import ClientCall, ClientLedger

_ATTEMPT = re.compile(r"attempt=(?P<n>\d+)")
_MAX = re.compile(r"max=(?P<n>\d+)")


class SimulatedCrash(BaseException):  # noqa: N818 - it models a crash, not an error
    """The Lambda container died mid-invocation. A BaseException, so a handler's
    ``except Exception`` cannot swallow it (a killed process runs no except blocks)."""


@dataclass
class ThrottleStorm:
    """Answer ``Throttling`` to the first ``throttled_attempts`` attempts of every call.

    The last attempt botocore will make (``max`` in the ``amz-sdk-request`` header) always
    gets through, so a client that retries succeeds and one that does not fails - a storm
    that outlasts a client's retry budget would be a different scenario.

    Attributes:
        throttled_attempts: attempts per call answered ``Throttling``.
        services: services it applies to (signing names); None = every service.
        throttled: responses throttled so far.
    """

    throttled_attempts: int = 1
    services: frozenset[str] | None = None
    throttled: int = 0

    def should_throttle(self, service: str, sdk_request: str) -> bool:
        """Whether to throttle this attempt, from its ``amz-sdk-request`` header."""
        if self.services is not None and service not in self.services:
            return False
        attempt = _ATTEMPT.search(sdk_request)
        if not attempt:
            return False
        n = int(attempt["n"])
        most = _MAX.search(sdk_request)
        last = int(most["n"]) if most else n + 1
        return n <= self.throttled_attempts and n < last


class ClosedPort:
    """A TCP port on 127.0.0.1 that refuses every connection: bound (so no other process
    can take it while it is held) but never listening. ``url`` points a client at it."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self.port = int(self._sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._sock.close()


@dataclass
class Faults:
    """Faults applied to the clients built while :func:`instrumented_clients` is active.

    Attributes:
        down_regions: Regions whose API endpoints are unreachable.
        closed_port_url: where clients for those Regions point (nothing listens there).
        crash_after: ``"<service>:<Operation>"`` (boto3 service name, API operation):
            raise :class:`SimulatedCrash` once, right after the first successful call of it.
        crashed: whether that crash happened.
    """

    down_regions: frozenset[str] = frozenset()
    closed_port_url: str = ""
    crash_after: str | None = None
    crashed: bool = False


@contextlib.contextmanager
def instrumented_clients(ledger: ClientLedger, faults: Faults | None = None) -> Iterator[None]:
    """Wrap ``botocore.session.Session.create_client`` for the duration of the block (see
    the module docstring). ``faults=None`` records calls without injecting anything."""
    faults = faults or Faults()
    orig = botocore.session.Session.create_client

    def create_client(self: Any, service_name: str, region_name: str | None = None,
                      *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("endpoint_url"):
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
