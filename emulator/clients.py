"""Client factories for the harness and for handlers called with injected clients.

A factory is ``(service, region) -> boto3 client``, the shape the handlers take
(``ClientFactory``).

* :func:`session_clients`: plain clients (the harness's own, e.g. for
  :class:`emulator.site.SiteBuilder` under ``moto.mock_aws``);
* :class:`RecordingClients`: clients that record every API call and HTTP attempt, with chosen
  Regions unreachable;
* :class:`RefusingClients`: a factory that must never be asked, recording each request.

Clients of one factory share one botocore session, which caches the service models (loading
them again per client costs more than most emulated calls).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import boto3
import moto.core  # noqa: F401 - see _SESSION
from botocore.config import Config

from emulator.faults import ClosedPort

ClientFactory = Callable[[str, str], Any]

#: One session for every factory here: it caches the loaded service models. A session takes
#: botocore's built-in handlers when it is made, and moto adds the one that lets
#: ``mock_aws`` answer when ``moto.core`` is imported, hence that import above.
_SESSION = boto3.session.Session()


def session_clients() -> ClientFactory:
    """Plain clients of one shared session, with botocore's defaults: they reach moto's
    in-process mock while ``mock_aws`` is active, or ``AWS_ENDPOINT_URL``. The factory makes
    one client per ``(service, region)`` and hands it out again (a harness builds a site
    with hundreds of calls; a client each would cost more than the calls)."""
    made: dict[tuple[str, str], Any] = {}
    lock = threading.Lock()

    def factory(service: str, region: str) -> Any:
        with lock:
            if (service, region) not in made:
                made[(service, region)] = _SESSION.client(service, region_name=region)
            return made[(service, region)]
    return factory


class ApiCall(NamedTuple):
    """One API call as the caller made it: ``params`` are the operation's own parameters."""

    region: str
    service: str
    operation: str
    params: dict[str, Any]


class RecordingClients:
    """``(service, region) -> client`` recording every API call and HTTP attempt.

    Args:
        config: botocore config of every client (None: botocore's defaults).
        endpoint_for: Region -> endpoint URL, or None for the default (moto's ``mock_aws``
            or ``AWS_ENDPOINT_URL``).
        config_for: Region -> config, overriding ``config`` per Region.
        down_regions: Regions whose APIs are unreachable: their clients point at a closed
            port on 127.0.0.1 (:class:`emulator.faults.ClosedPort`) with
            ``down_attempts`` attempts and 1 s timeouts, so a call fails fast with a real
            connection error.
        down_attempts: attempts per call in a Region that is down (1: no retry).

    Attributes:
        calls: ``"<service>.<Operation>"`` -> calls (``before-call``: once per API call,
            retries not counted).
        by_region: ``"<region>:<service>.<Operation>"`` -> calls.
        requested: every ``(service, region)`` asked for, in order.
        log: every :class:`ApiCall`, in order (``before-parameter-build``: once per call).
        attempts: ``(region, url)`` of every HTTP attempt (``before-send``: retries show).
    """

    def __init__(self, config: Config | None = None,
                 endpoint_for: Callable[[str], str | None] = lambda region: None,
                 config_for: Callable[[str], Config | None] | None = None, *,
                 down_regions: Iterable[str] = (), down_attempts: int = 1) -> None:
        self.calls: Counter[str] = Counter()
        self.by_region: Counter[str] = Counter()
        self.requested: list[tuple[str, str]] = []
        self.log: list[ApiCall] = []
        self.attempts: list[tuple[str, str]] = []
        self._cache: dict[tuple[str, str], Any] = {}
        self._endpoint_for = endpoint_for
        self._config_for = config_for or (lambda region: config)
        self._down = frozenset(down_regions)
        self._closed = ClosedPort() if self._down else None
        self._down_config = Config(retries={"mode": "standard", "max_attempts": down_attempts},
                                   connect_timeout=1, read_timeout=1)
        self._lock = threading.Lock()

    def __call__(self, service: str, region: str) -> Any:
        with self._lock:
            self.requested.append((service, region))
            key = (service, region)
            if key not in self._cache:
                self._cache[key] = self._recording(service, region)
            return self._cache[key]

    def _recording(self, service: str, region: str) -> Any:
        if self._closed is not None and region in self._down:
            client = _SESSION.client(service, region_name=region, config=self._down_config,
                                     endpoint_url=self._closed.url)
        else:
            client = _SESSION.client(service, region_name=region,
                                     config=self._config_for(region),
                                     endpoint_url=self._endpoint_for(region))

        def counted(model: Any, **_: Any) -> None:
            name = f"{model.service_model.service_name}.{model.name}"
            self.calls[name] += 1
            self.by_region[f"{region}:{name}"] += 1

        def logged(model: Any, params: dict[str, Any], **_: Any) -> None:
            self.log.append(ApiCall(region, service, model.name, params))

        def attempted(request: Any, **_: Any) -> None:
            self.attempts.append((region, request.url))

        client.meta.events.register("before-call.*.*", counted)
        client.meta.events.register("before-parameter-build.*.*", logged)
        client.meta.events.register("before-send.*.*", attempted)
        return client

    def ops(self, operation: str, region: str | None = None) -> list[dict[str, Any]]:
        """The parameters of every call of ``operation`` (e.g. ``"CopyDBSnapshot"``), in
        order, in ``region`` or in any Region."""
        return [c.params for c in self.log if c.operation == operation and region in (None, c.region)]


class RefusingClients:
    """A factory that must not be asked for a client: each request is recorded in
    :attr:`requested`, then refused with ``AssertionError`` (``why`` says what forbids it).
    For code that must fail before it touches AWS."""

    def __init__(self, why: str = "no client may be built here") -> None:
        self.why = why
        self.requested: list[tuple[str, str]] = []

    def __call__(self, service: str, region: str) -> Any:
        self.requested.append((service, region))
        raise AssertionError(f"{self.why} (asked for {service} in {region})")
