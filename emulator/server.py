"""moto server on 127.0.0.1, with a request ledger and server-side throttling.

One :class:`Emulator` per drill. It starts ``moto.server.ThreadedMotoServer`` on a free
loopback port (every Region lives in one backend), turns off Docker for Lambda, and wraps
moto's dispatch so that

* every AWS request served is counted per step, Region and service
  (:class:`emulator.ledger.RequestLedger`), server-side, so nothing a handler does escapes it;
* a :class:`emulator.faults.ThrottleStorm` answers a share of requests with
  ``Throttling: Rate exceeded`` the way AWS does, so botocore's own retries run for real;
* each DB instance gets its own resource id, and DynamoDB items are sized once when built
  (:mod:`emulator.moto_fixes`).

moto keeps its state in process-global backends; :meth:`Emulator.start` resets them, so start
one emulator at a time per process.
"""

from __future__ import annotations

import contextlib
import logging
import re
import warnings
from collections.abc import Iterator
from typing import Any

import boto3
import requests
from botocore.config import Config
from moto.core import responses as moto_responses
from moto.core.exceptions import ServiceException
from moto.server import ThreadedMotoServer

from emulator import FAKE_CREDENTIALS
from emulator.faults import ClosedPort, ThrottleStorm
from emulator.ledger import Request, RequestLedger
from emulator.moto_fixes import moto_fixes

#: Marks the harness's own requests, which faults never touch.
DRILL_USER_AGENT = "ecommerce-dr-drill"

_CRED_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/(?P<region>[a-z0-9-]+)/(?P<service>[a-z0-9-]+)/")
#: SigV4 signing names that differ from boto3 service names.
_SIGNING_TO_SERVICE = {"monitoring": "cloudwatch", "execute-api": "apigateway"}


class _Throttling(ServiceException):
    """The error AWS returns when a caller exceeds an API rate ("Throttling: Rate exceeded")."""

    code = "Throttling"
    message = "Rate exceeded"


class Emulator:
    """moto server on 127.0.0.1 with a request ledger (use as a context manager).

    Attributes:
        ledger: every request served.
        storm: the throttling storm in force, or None.
        url: ``http://127.0.0.1:<port>`` once started.
        closed_port: a loopback port that refuses connections (a Region "down").
    """

    def __init__(self) -> None:
        self.ledger = RequestLedger()
        self.storm: ThrottleStorm | None = None
        self._server: ThreadedMotoServer | None = None
        self.url = ""
        self._orig_call_action: Any = None
        self._clients: dict[tuple[str, str], Any] = {}
        self.closed_port = ClosedPort()
        self._session = boto3.session.Session()
        self._patches = contextlib.ExitStack()

    def start(self) -> Emulator:
        """Start the server on a free port and reset moto's state. Returns self."""
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        warnings.filterwarnings("ignore", message=r".*does not match an error shape.*")
        warnings.filterwarnings("ignore", message=r"No application metrics to publish.*")
        self._install_dispatch_hook()
        self._patches.enter_context(moto_fixes())
        # port 0: the OS picks a free port at bind time, so no other process can race for it
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        requests.post(f"{self.url}/moto-api/reset", timeout=10).raise_for_status()
        # Lambda functions are created (to hold the planned config) but never run in Docker:
        # the handlers run in-process (emulator.lambda_runtime).
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
        self._patches.close()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def client(self, service: str, region: str) -> Any:
        """A boto3 client for the harness's own calls (setup, bridges, verification); one per
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
        """Label every request served inside the block with the step ``name``."""
        previous, self.ledger.step = self.ledger.step, name
        try:
            yield
        finally:
            self.ledger.step = previous

    def _serve(self, orig: Any, resp: Any) -> Any:
        """One request through moto, counted, or answered ``Throttling`` by the storm."""
        headers = resp.headers or {}
        scope = _CRED_SCOPE.search(headers.get("Authorization", "") or "")
        region = scope["region"] if scope else getattr(resp, "region", "?")
        service = scope["service"] if scope else str(resp.service_name)
        service = _SIGNING_TO_SERVICE.get(service, service)
        try:
            operation = resp._get_action() or "?"
        except Exception:  # noqa: BLE001 - an unparseable request still gets counted
            operation = "?"
        drill_own = DRILL_USER_AGENT in (headers.get("User-Agent", "") or "")
        storm = self.storm
        if storm and not drill_own and storm.should_throttle(
                service, headers.get("amz-sdk-request", "")):
            storm.throttled += 1
            status, out_headers, body = resp.serialized(moto_responses.ActionResult(_Throttling()))
            self.ledger.add(Request(self.ledger.step, region, service, operation, int(status),
                                    throttled=True, by_drill=drill_own))
            return status, out_headers, body
        status, out_headers, body = orig(resp)
        self.ledger.add(Request(self.ledger.step, region, service, operation, int(status),
                                by_drill=drill_own))
        return status, out_headers, body

    def _install_dispatch_hook(self) -> None:
        """Wrap moto's ``BaseResponse.call_action``: every AWS query/JSON/CBOR/REST call of the
        services used goes through it (in-process, as the server runs in a thread)."""
        orig = moto_responses.BaseResponse.call_action
        self._orig_call_action = orig
        moto_responses.BaseResponse.call_action = lambda resp: self._serve(orig, resp)
