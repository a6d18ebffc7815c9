"""Shared PostgreSQL for the data-plane tests.

Runs live in a memory file system or the repository's ``reports/``, not pytest's temporary
root (where and why: :mod:`tests.runs`).

One primary with a streaming standby is shared per test process (``stable_pair``); tests
that use it leave it replicating, undelayed and unpromoted. Tests that promote, stop or
crash build their own servers in ``plane``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dataplane.physical import PhysicalReplica
from dataplane.plane import DataPlane
from tests.runs import process_root, runs_base

RUNS = runs_base() / "test-dataplane"


@pytest.fixture(scope="session")
def run_root() -> Iterator[Path]:
    """A directory for this test process's runs, removed at the end."""
    yield from process_root(RUNS)


@pytest.fixture(scope="session")
def session_plane(run_root: Path) -> Iterator[DataPlane]:
    with DataPlane(run_root / "shared", handle_sigterm=False) as plane:
        yield plane


@pytest.fixture(scope="session")
def stable_pair(session_plane: DataPlane) -> PhysicalReplica:
    """A replicating primary (us-east-1) and standby (us-west-2), shared: do not promote."""
    primary = session_plane.new_primary("primary", "us-east-1")
    return PhysicalReplica.create(session_plane, primary, standby_region="us-west-2")


@pytest.fixture
def plane(run_root: Path, request: pytest.FixtureRequest) -> Iterator[DataPlane]:
    """A fresh run for one test, stopped afterwards."""
    with DataPlane(run_root / request.node.name[:40].replace("[", "-").replace("]", ""),
                   handle_sigterm=False) as fresh:
        yield fresh


def wait_until(check: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> float:
    """Poll ``check`` every 20 ms; returns seconds waited, fails the test on timeout."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(0.02)
    pytest.fail(f"{what} not reached within {timeout:.0f} s")


@pytest.fixture(name="wait_until")
def wait_until_fixture() -> Callable[..., float]:
    return wait_until
