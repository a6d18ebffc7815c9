"""Shared PostgreSQL for the data-plane tests.

Runs live under the repository's ``reports/`` (git-ignored), not pytest's temporary root:
that root is mode 0700 and every pytest session resets it to 0700, so the unprivileged
PostgreSQL user could lose its way to a running server's files mid-test.

One primary with a streaming standby is shared per test process (``stable_pair``); tests
that use it leave it replicating, undelayed and unpromoted. Tests that promote, stop or
crash build their own servers in ``plane``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dataplane.physical import PhysicalReplica
from dataplane.plane import DataPlane

ROOT = Path(__file__).resolve().parents[2]
RUNS = ROOT / "reports" / "test-dataplane"


@pytest.fixture(scope="session")
def run_root() -> Iterator[Path]:
    """A directory for this test process's runs, removed at the end."""
    root = RUNS / f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"
    _remove_runs_of_dead_processes()
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    yield root
    shutil.rmtree(root, ignore_errors=True)
    with contextlib.suppress(OSError):  # another test process may still use it
        RUNS.rmdir()


def _remove_runs_of_dead_processes() -> None:
    """Runs left by a test process that was killed before its teardown."""
    for stale in RUNS.glob("*-*"):
        pid = stale.name.rsplit("-", 1)[1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(stale, ignore_errors=True)


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
