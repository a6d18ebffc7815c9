"""Share recorded plans between the xdist workers of one session (see variants.py)."""

from __future__ import annotations

import os

import pytest

from tests.program import variants


@pytest.fixture(scope="session", autouse=True)
def _shared_plan_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    base = tmp_path_factory.getbasetemp()
    # Under xdist each worker's basetemp is <session dir>/popen-gwN; share the session dir.
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    cache = root / "program-plans"
    cache.mkdir(exist_ok=True)
    variants.CACHE_DIR = cache
