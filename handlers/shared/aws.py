"""boto3 clients for the orchestrators, with retry settings fit for a Region in trouble.

Domain code takes a :class:`ClientFactory` as a parameter; each handler builds its default
factory here once per invocation (:func:`default_clients`), and tests, the drill and the
benchmarks pass their own. ``AWS_ENDPOINT_URL`` (read by botocore itself) points every
client at an emulator in tests and in the drill.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any, Protocol

import boto3
from botocore.config import Config

#: Adaptive retry: client-side rate limiting plus exponential backoff with jitter on
#: throttling ("Throttling: Rate exceeded") and transient errors. Source: botocore
#: "Retries" guide (standard/adaptive modes, max_attempts counts the first call).
RETRY_CONFIG = Config(
    retries={"mode": "adaptive", "max_attempts": 8},
    connect_timeout=3,
    read_timeout=10,
)

#: For a Region that may be down: fail fast so the orchestrator moves on.
FAST_FAIL_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 2},
    connect_timeout=2,
    read_timeout=5,
)


class ClientFactory(Protocol):
    """``(service, region) -> boto3 client``, e.g. ``clients("rds", "us-west-2")``."""

    def __call__(self, service: str, region: str) -> Any: ...


@cache
def client(service: str, region: str, *, fast_fail: bool = False) -> Any:
    """A cached boto3 client for ``service`` in ``region``.

    Args:
        service: boto3 service name, e.g. ``"rds"``.
        region: AWS Region code.
        fast_fail: fewer retries and short timeouts, for calls into a Region that may be down.
    """
    return boto3.session.Session().client(
        service, region_name=region, config=FAST_FAIL_CONFIG if fast_fail else RETRY_CONFIG)


def default_clients(*, fast_fail_region: str | None = None,
                    fast_fail_regions: Iterable[str] = ()) -> ClientFactory:
    """The factory over :func:`client`: adaptive retries everywhere, except fast-fail
    clients for ``fast_fail_region`` and each of ``fast_fail_regions`` (Regions whose APIs
    may be down), if given."""
    fast = frozenset(fast_fail_regions) | ({fast_fail_region} if fast_fail_region else set())

    def factory(service: str, region: str) -> Any:
        return client(service, region, fast_fail=region in fast)
    return factory
