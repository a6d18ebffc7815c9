"""Per-test-process directories for tests that run real PostgreSQL servers.

They live outside pytest's temporary root: that root is mode 0700 and every pytest session on
the machine resets it to 0700, so the unprivileged PostgreSQL user could lose its way to a
running server's files mid-test.

They go to a memory file system (``/dev/shm``) when it has room, else to the repository's
``reports/`` (git-ignored). Why memory: the servers' files are scratch (every test builds its
own clusters; ``fsync`` is off anyway), and on a disk mounted with online discard deleting a
gigabyte of data directories takes 10-20 s of I/O wait, and writing them competes with every
other process on the machine. Nothing a test asserts depends on where the files are.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from engine.paths import ROOT

#: Where the runs go when no memory file system has room (``reports/test-<area>``).
REPORTS = ROOT / "reports"
#: The memory file system, and the room a test process's runs may need there (bytes): the
#: data-plane tests keep about 1 GiB of clusters per process until the session ends.
MEMORY_FS = Path("/dev/shm")
MEMORY_NEEDED = 4 << 30


def runs_base(memory_fs: Path = MEMORY_FS, needed: int = MEMORY_NEEDED) -> Path:
    """``<memory_fs>/ecommerce-dr-tests`` when ``memory_fs`` is a writable directory with
    ``needed`` bytes free, else :data:`REPORTS`."""
    try:
        stat = os.statvfs(memory_fs)
    except OSError:
        return REPORTS
    if stat.f_bavail * stat.f_frsize < needed or not os.access(memory_fs, os.W_OK | os.X_OK):
        return REPORTS
    return memory_fs / "ecommerce-dr-tests"


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
        if runs.parent != REPORTS:
            runs.parent.rmdir()


def _remove_runs_of_dead_processes(runs: Path) -> None:
    for stale in runs.glob("*-*"):
        pid = stale.name.rsplit("-", 1)[1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(stale, ignore_errors=True)
