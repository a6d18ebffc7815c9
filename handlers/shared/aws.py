"""boto3 clients for the orchestrators, with retry settings fit for a Region in trouble.

Domain code takes a :class:`ClientFactory` as a parameter; each handler builds its default
factory here once per invocation (:func:`default_clients`), and tests, the drill and the
benchmarks pass their own. A factory's clients last one invocation: botocore's standard
mode keeps a retry quota per client (each throttled retry spends from it, a success refills
a little), and a client kept in a warm container would carry a quota that a throttling
storm emptied into every later invocation, which would then not retry at all. The clients
come from one session per container, so the service models are read once.
``AWS_ENDPOINT_URL`` (read by botocore itself) points every client at an emulator in tests
and in the drill.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from functools import cache
from typing import Any, Protocol

import boto3
from botocore.config import Config

#: Standard retry: exponential backoff with jitter (at most 20 s a wait) on throttling
#: ("Throttling: Rate exceeded") and transient errors: the first call and up to 8 retries
#: (a client Config's ``max_attempts`` counts retries; botocore makes it 9 attempts in all).
#: Not adaptive mode: AWS calls it experimental, and its client-side rate limiter, once a call
#: is throttled, holds every later call of the client to as little as 0.5 requests per
#: second, which would stretch a failover in a throttling storm. Sources: AWS SDKs and Tools
#: Reference Guide, "Retry behavior"
#: (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html); Boto3
#: Developer Guide, "Retries" (https://docs.aws.amazon.com/boto3/latest/guide/retries.html).
RETRY_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 8},
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


#: boto3 sessions are not safe for creating clients from several threads at once.
_SESSION_LOCK = threading.Lock()


@cache
def _session() -> boto3.session.Session:
    """The container's session: its loader keeps the service models between invocations."""
    return boto3.session.Session()


def client(service: str, region: str, *, fast_fail: bool = False) -> Any:
    """A new boto3 client for ``service`` in ``region`` (its own retry quota).

    Args:
        service: boto3 service name, e.g. ``"rds"``.
        region: AWS Region code.
        fast_fail: fewer retries and short timeouts, for calls into a Region that may be down.
    """
    with _SESSION_LOCK:
        return _session().client(
            service, region_name=region, config=FAST_FAIL_CONFIG if fast_fail else RETRY_CONFIG)


def default_clients(*, fast_fail_region: str | None = None,
                    fast_fail_regions: Iterable[str] = ()) -> ClientFactory:
    """A factory over :func:`client` that reuses each client for its own lifetime (one
    invocation): standard retries (:data:`RETRY_CONFIG`) everywhere, except fast-fail clients
    for ``fast_fail_region`` and each of ``fast_fail_regions`` (Regions whose APIs may be
    down), if given."""
    fast = frozenset(fast_fail_regions) | ({fast_fail_region} if fast_fail_region else set())
    made: dict[tuple[str, str], Any] = {}
    lock = threading.Lock()

    def factory(service: str, region: str) -> Any:
        with lock:
            if (service, region) not in made:
                made[(service, region)] = client(service, region, fast_fail=region in fast)
            return made[(service, region)]
    return factory
