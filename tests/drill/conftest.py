"""Where the drill tests' real databases live.

Like the data-plane tests (``tests/dataplane/conftest.py``), in a memory file system or the
repository's ``reports/``, not pytest's temporary root (where and why: :mod:`tests.runs`).
Reports still go to ``tmp_path``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.runs import process_root, runs_base

RUNS = runs_base() / "test-drill"


@pytest.fixture(scope="session")
def data_root() -> Iterator[Path]:
    """This test process's directory for drills' data directories, removed at the end."""
    yield from process_root(RUNS)


@pytest.fixture(scope="session")
def data_dir_for(data_root: Path) -> Callable[[str], Path]:
    """``data_dir_for(name) -> Path``: a drill's own data directory."""
    def make(name: str) -> Path:
        return data_root / name
    return make
