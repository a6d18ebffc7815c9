"""Client factories for the harness and for handlers called with injected clients.

A factory is ``(service, region) -> boto3 client``, the shape the handlers take
(``ClientFactory``). :class:`RecordingClients` records every API call its clients make;
clients of one factory share one botocore session, which caches the service models (loading
them again per client costs more than most emulated calls).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config

#: One session for every recording factory: it caches the loaded service models.
_SESSION = boto3.session.Session()


class RecordingClients:
    """``(service, region) -> client`` recording every API call.

    Args:
        config: botocore config of every client (None: botocore's defaults).
        endpoint_for: Region -> endpoint URL (e.g. a closed port for a Region that is down),
            or None for the default (moto's ``mock_aws`` or ``AWS_ENDPOINT_URL``).
        config_for: Region -> config, overriding ``config`` per Region.

    Attributes:
        calls: ``"<service>.<Operation>"`` -> calls (``before-call``: once per API call,
            retries not counted).
        by_region: ``"<region>:<service>.<Operation>"`` -> calls.
        requested: every ``(service, region)`` asked for, in order.
    """

    def __init__(self, config: Config | None = None,
                 endpoint_for: Callable[[str], str | None] = lambda region: None,
                 config_for: Callable[[str], Config | None] | None = None) -> None:
        self.calls: Counter[str] = Counter()
        self.by_region: Counter[str] = Counter()
        self.requested: list[tuple[str, str]] = []
        self._cache: dict[tuple[str, str], Any] = {}
        self._endpoint_for = endpoint_for
        self._config_for = config_for or (lambda region: config)
        self._lock = threading.Lock()

    def __call__(self, service: str, region: str) -> Any:
        with self._lock:
            self.requested.append((service, region))
            key = (service, region)
            if key not in self._cache:
                client = _SESSION.client(service, region_name=region,
                                         config=self._config_for(region),
                                         endpoint_url=self._endpoint_for(region))

                def record(model: Any, **_: Any) -> None:
                    name = f"{model.service_model.service_name}.{model.name}"
                    self.calls[name] += 1
                    self.by_region[f"{region}:{name}"] += 1

                client.meta.events.register("before-call.*.*", record)
                self._cache[key] = client
            return self._cache[key]
