"""The embedded AWS emulator: moto server on 127.0.0.1, with a request ledger and fault hooks.

One :class:`Emulator` per drill. It starts ``moto.server.ThreadedMotoServer`` on a free
loopback port (both Regions live in one backend), turns off Docker for Lambda, and wraps
moto's dispatch so the drill can

* count every AWS request the emulator served, per drill step, Region and service
  (:class:`RequestLedger`) - counted server-side, so nothing a handler does escapes it;
* answer a share of requests with ``Throttling: Rate exceeded`` the way AWS does, so
  botocore's own retry logic runs for real (fault injection for the throttling storm).

moto keeps its state in process-global backends; :meth:`Emulator.start` resets them, so
call it once per drill and never run two drills in one process at the same time.
"""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import threading
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import requests
from botocore.config import Config
from moto.core import responses as moto_responses
from moto.core.exceptions import ServiceException
from moto.server import ThreadedMotoServer

ACCOUNT_ID = "123456789012"  # moto's default account; the stack config's ARNs use it too
#: Marks the drill's own requests, which faults never touch.
DRILL_USER_AGENT = "ecommerce-dr-drill"
FAKE_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}

_CRED_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/(?P<region>[a-z0-9-]+)/(?P<service>[a-z0-9-]+)/")
#: SigV4 signing names that differ from boto3 service names.
_SIGNING_TO_SERVICE = {"monitoring": "cloudwatch", "execute-api": "apigateway"}
_ATTEMPT = re.compile(r"attempt=(?P<n>\d+)")
_MAX = re.compile(r"max=(?P<n>\d+)")


class _Throttling(ServiceException):
    """The error AWS returns when a caller exceeds an API rate ("Throttling: Rate exceeded")."""

    code = "Throttling"
    message = "Rate exceeded"


@dataclass(frozen=True)
class Request:
    """One request the emulator served."""

    step: str
    region: str
    service: str
    operation: str
    status: int
    throttled: bool = False
    by_drill: bool = False   # the drill harness's own request (applier, bridges, checks)


@dataclass
class RequestLedger:
    """Every request the emulator served, labelled with the drill step that was running."""

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


@dataclass
class ThrottleStorm:
    """Answer ``Throttling`` to the first ``throttled_attempts`` attempts of every call.

    The last attempt botocore will make (``max`` in the ``amz-sdk-request`` header) always
    gets through, so a client that retries succeeds and one that does not fails - the same
    outcome as a real storm that outlasts a client's retry budget would be a different
    scenario.
    """

    throttled_attempts: int = 1
    services: frozenset[str] | None = None  # None = every service
    throttled: int = 0

    def should_throttle(self, service: str, sdk_request: str) -> bool:
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
    can take it while the drill runs) but never listening. ``url`` points a client at it."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self.port = int(self._sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._sock.close()


class Emulator:
    """moto server on 127.0.0.1 with a request ledger (use as a context manager)."""

    def __init__(self) -> None:
        self.ledger = RequestLedger()
        self.storm: ThrottleStorm | None = None
        self._server: ThreadedMotoServer | None = None
        self.url = ""
        self._orig_call_action: Any = None
        self._clients: dict[tuple[str, str], Any] = {}
        self.closed_port = ClosedPort()
        self._session = boto3.session.Session()

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> Emulator:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        warnings.filterwarnings("ignore", message=r".*does not match an error shape.*")
        warnings.filterwarnings("ignore", message=r"No application metrics to publish.*")
        self._install_dispatch_hook()
        # port 0: the OS picks a free port at bind time, so no other process can race for it
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        requests.post(f"{self.url}/moto-api/reset", timeout=10).raise_for_status()
        # Lambda functions are created (to hold the planned config) but never run in Docker:
        # the drill runs the handlers in-process.
        requests.post(f"{self.url}/moto-api/config",
                      json={"lambda": {"use_docker": False}}, timeout=10).raise_for_status()
        return self

    def stop(self) -> None:
        self.closed_port.close()
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._orig_call_action is not None:
            moto_responses.BaseResponse.call_action = self._orig_call_action
            self._orig_call_action = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- clients for the drill itself -------------------------------------------------------
    def client(self, service: str, region: str) -> Any:
        """A boto3 client for the drill's own calls (setup, bridges, verification); one per
        service and Region (building a client costs more than most emulated calls)."""
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self._session.client(
                service, region_name=region, endpoint_url=self.url,
                config=Config(retries={"mode": "standard", "max_attempts": 3},
                              user_agent_extra=DRILL_USER_AGENT),
                **FAKE_CREDENTIALS)
        return self._clients[key]

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Label every request served inside the block with the drill step ``name``."""
        previous, self.ledger.step = self.ledger.step, name
        try:
            yield
        finally:
            self.ledger.step = previous

    # -- request hook -----------------------------------------------------------------------
    def _install_dispatch_hook(self) -> None:
        """Wrap moto's ``BaseResponse.call_action``: every AWS query/JSON/CBOR/REST call of the
        services the drill uses goes through it (in-process, as the server runs in a thread)."""
        orig = moto_responses.BaseResponse.call_action
        self._orig_call_action = orig
        emulator = self

        def call_action(resp: Any) -> Any:
            headers = resp.headers or {}
            scope = _CRED_SCOPE.search(headers.get("Authorization", "") or "")
            region = scope["region"] if scope else getattr(resp, "region", "?")
            service = scope["service"] if scope else str(resp.service_name)
            service = _SIGNING_TO_SERVICE.get(service, service)
            try:
                operation = resp._get_action() or "?"
            except Exception:  # an unparseable request still gets counted
                operation = "?"
            storm = emulator.storm
            drill_own = DRILL_USER_AGENT in (headers.get("User-Agent", "") or "")
            if storm and not drill_own and storm.should_throttle(
                    service, headers.get("amz-sdk-request", "")):
                storm.throttled += 1
                status, out_headers, body = resp.serialized(
                    moto_responses.ActionResult(_Throttling()))
                emulator.ledger.add(Request(emulator.ledger.step, region, service, operation,
                                            int(status), throttled=True, by_drill=drill_own))
                return status, out_headers, body
            status, out_headers, body = orig(resp)
            emulator.ledger.add(Request(emulator.ledger.step, region, service, operation,
                                        int(status), by_drill=drill_own))
            return status, out_headers, body

        moto_responses.BaseResponse.call_action = call_action
