"""Per-test-process directories for tests that run real PostgreSQL servers.

They live under the repository's ``reports/`` (git-ignored), not pytest's temporary root: that
root is mode 0700 and every pytest session on the machine resets it to 0700, so the
unprivileged PostgreSQL user could lose its way to a running server's files mid-test.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from engine.paths import ROOT

#: Where every such test area keeps its runs (``reports/test-<area>``).
REPORTS = ROOT / "reports"


def process_root(runs: Path) -> Iterator[Path]:
    """Yield ``runs/<xdist worker>-<pid>``, created empty, and remove it afterwards (and
    ``runs`` itself when no other test process still uses it). Runs left by test processes
    killed before their teardown are removed first. For a session fixture: ``yield from``."""
    root = runs / f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"
    _remove_runs_of_dead_processes(runs)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    yield root
    shutil.rmtree(root, ignore_errors=True)
    with contextlib.suppress(OSError):  # another test process may still use it
        runs.rmdir()


def _remove_runs_of_dead_processes(runs: Path) -> None:
    for stale in runs.glob("*-*"):
        pid = stale.name.rsplit("-", 1)[1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(stale, ignore_errors=True)
