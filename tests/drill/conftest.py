"""Where the drill tests' real databases live.

Like the data-plane tests (``tests/dataplane/conftest.py``), under the repository's
``reports/`` (git-ignored) rather than pytest's temporary root: that root is mode 0700 and any
pytest session on the machine resets it to 0700, so the unprivileged PostgreSQL user could
lose its way to a running server's files mid-drill. Reports still go to ``tmp_path``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNS = ROOT / "reports" / "test-drill"


def _remove_runs_of_dead_processes() -> None:
    for stale in RUNS.glob("*-*"):
        pid = stale.name.rsplit("-", 1)[1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(stale, ignore_errors=True)


@pytest.fixture(scope="session")
def data_root() -> Iterator[Path]:
    """This test process's directory for drills' data directories, removed at the end."""
    root = RUNS / f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"
    _remove_runs_of_dead_processes()
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    yield root
    shutil.rmtree(root, ignore_errors=True)
    with contextlib.suppress(OSError):
        RUNS.rmdir()


@pytest.fixture(scope="session")
def data_dir_for(data_root: Path) -> Callable[[str], Path]:
    """``data_dir_for(name) -> Path``: a drill's own data directory."""
    def make(name: str) -> Path:
        return data_root / name
    return make
