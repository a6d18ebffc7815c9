"""Test-wide safety: no test reaches a real AWS endpoint. xdist groups that hold, and the
program variants recorded once per session for every test area."""

import functools
import os
from collections.abc import Iterator

import botocore.session
import pytest

# Fake credentials and a default Region, so a client built by mistake signs requests but
# can never authenticate against real AWS. Individual tests point clients at moto.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_SECURITY_TOKEN", "testing")
os.environ.setdefault("AWS_SESSION_TOKEN", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.pop("AWS_PROFILE", None)
# Handler tests read the EMF metrics Powertools prints; a caller's setting must not mute them.
os.environ.pop("POWERTOOLS_METRICS_DISABLED", None)

# One botocore data loader for every session a test process makes. moto's mock drops boto3's
# default session each time it starts, and each new session would read the service models and
# endpoint rules from JSON again (~0.1 s a service, most of a handler test's time). The loader
# only caches files read from botocore's data directory, so sharing it changes no behaviour.
botocore.session.create_loader = functools.cache(botocore.session.create_loader)


@pytest.hookimpl(trylast=True)   # after xdist's own hook, which would do this on pytest < 9.2
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On an xdist worker under ``--dist loadgroup``, end each grouped test's node id with
    ``@<group>``, which is how the scheduler reads the group. xdist writes it into
    ``item._nodeid``, which pytest 9.2 no longer reads (node ids are structured), so every
    group was silently spread over the workers (pytest-dev/pytest-xdist#1386, open:
    https://github.com/pytest-dev/pytest-xdist/issues/1386). A no-op where xdist's took."""
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        names = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                        for m in item.iter_markers("xdist_group")})
        suffix = "@" + "_".join(names)
        if names and not item.nodeid.endswith(suffix) and hasattr(item, "_id"):
            item._id = type(item._id).parse(item.nodeid + suffix)


@pytest.fixture(scope="session", autouse=True)
def _warm_plan_recorder() -> Iterator[None]:
    """Every plan a test process records goes to one warm recorder (engine.warm): Pulumi is
    imported once per worker instead of once per batch. Tests of the one-off path unset it."""
    from engine.warm import warm_recorder

    with warm_recorder():
        yield


@pytest.fixture(scope="session", autouse=True)
def _shared_plan_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Share the program variants recorded under mocks between the xdist workers of one
    session, whichever area's tests ask (``tests/program/variants.py``)."""
    from tests.program import variants  # after the environment above is set

    base = tmp_path_factory.getbasetemp()
    # Under xdist each worker's basetemp is <session dir>/popen-gwN; share the session dir.
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    cache = root / "program-plans"
    cache.mkdir(exist_ok=True)
    variants.CACHE_DIR = cache
