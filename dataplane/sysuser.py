"""The unprivileged system user PostgreSQL runs as.

PostgreSQL refuses to start as root. When the caller is root, the servers run as one
dedicated system user (:data:`DEFAULT_USER`: no login shell, no home, its own group). Runs
share that user but never each other's processes or files: every run tracks its own
server PIDs and lives in its own directory. When the caller is not root, the servers run as
the caller.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import pwd
import stat
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from dataplane.errors import DataPlaneError

_log = logging.getLogger(__name__)

#: System user name used when running as root.
DEFAULT_USER: Final[str] = "ecommerce-dr-pg"

#: Machine-wide lock serialising the service user's creation between runs (FHS lock directory).
LOCK_PATH: Final[Path] = Path("/run/lock/ecommerce-dr-service-user.lock")

#: useradd exit statuses worth a retry: 1 (cannot update password file: locked by a
#: concurrent useradd), 9 (name in use: a concurrent run created it first), 10 (cannot
#: update group file). Source: useradd(8), EXIT VALUES.
_RETRYABLE_USERADD: Final[frozenset[int]] = frozenset({1, 9, 10})


@dataclass(frozen=True)
class ServiceUser:
    """An OS account that runs PostgreSQL processes.

    Attributes:
        name: login name.
        uid: numeric user id (never 0).
        gid: numeric primary group id.
    """

    name: str
    uid: int
    gid: int

    @property
    def is_caller(self) -> bool:
        """Whether this is the calling process's own user (no switch needed)."""
        return self.uid == os.geteuid()


def service_user(name: str = DEFAULT_USER, *, attempts: int = 40) -> ServiceUser:
    """The account to run PostgreSQL as, created when root and missing.

    Safe when several runs race. ``useradd`` alone is not: two at once can both succeed,
    the second rewriting the password file without the first one's entry (seen on Debian
    12's shadow-utils 4.13), so the check-and-create runs under an exclusive lock on
    :data:`LOCK_PATH`, shared by every run on the machine. A password file that another
    program holds locked is retried.

    Args:
        name: account name to use or create when root (ignored otherwise).
        attempts: how many times to try ``useradd`` before giving up.

    Returns:
        The account: the caller's own when not root.

    Raises:
        DataPlaneError: ``name`` exists with uid 0, or ``useradd`` kept failing.
    """
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        return ServiceUser(me.pw_name, me.pw_uid, me.pw_gid)
    with _machine_lock():
        return _find_or_create(name, attempts)


@contextlib.contextmanager
def _machine_lock() -> Iterator[None]:
    LOCK_PATH.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(LOCK_PATH, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _find_or_create(name: str, attempts: int) -> ServiceUser:
    last_error = ""
    for attempt in range(attempts):
        found = _lookup(name)
        if found is not None:
            return found
        done = subprocess.run(
            ["useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
             "--shell", "/usr/sbin/nologin", "--comment", "ecommerce-dr data plane", name],
            capture_output=True, text=True, check=False)
        if done.returncode == 0:
            continue
        last_error = f"useradd exited {done.returncode}: {done.stderr.strip()}"
        if done.returncode not in _RETRYABLE_USERADD:
            break
        time.sleep(min(0.02 * (attempt + 1), 0.25))
    found = _lookup(name)
    if found is not None:
        return found
    raise DataPlaneError(f"could not create system user {name!r}: {last_error}")


def _lookup(name: str) -> ServiceUser | None:
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        return None
    if entry.pw_uid == 0:
        raise DataPlaneError(f"system user {name!r} has uid 0; PostgreSQL must not run as root")
    return ServiceUser(entry.pw_name, entry.pw_uid, entry.pw_gid)


def grant_traversal(path: Path, user: ServiceUser) -> list[Path]:
    """Let ``user`` reach ``path`` by adding search (``x``) permission where it lacks it.

    Only the search bit for "others" is ever added, on ``path``'s ancestors and ``path``
    itself, and only where ``user`` could not already pass: nobody gains the right to list
    or read a directory.

    Returns:
        The directories whose mode was changed (logged as a warning), usually none.
    """
    changed: list[Path] = []
    for directory in [*reversed(path.resolve().parents), path.resolve()]:
        info = directory.stat()
        if _can_search(info, user):
            continue
        directory.chmod(stat.S_IMODE(info.st_mode) | stat.S_IXOTH)
        changed.append(directory)
    if changed:
        _log.warning("added o+x so %s can reach its files: %s", user.name,
                     ", ".join(str(d) for d in changed))
    return changed


def _can_search(info: os.stat_result, user: ServiceUser) -> bool:
    if user.uid == 0:
        return True
    if info.st_uid == user.uid:
        return bool(info.st_mode & stat.S_IXUSR)
    if info.st_gid == user.gid:
        return bool(info.st_mode & stat.S_IXGRP)
    return bool(info.st_mode & stat.S_IXOTH)


def give(path: Path, user: ServiceUser, mode: int = 0o700) -> Path:
    """Create directory ``path`` (and parents) and hand it to ``user`` with ``mode``.

    Returns:
        ``path``.
    """
    path.mkdir(parents=True, exist_ok=True)
    if not user.is_caller:
        os.chown(path, user.uid, user.gid)
    path.chmod(mode)
    return path


def give_file(path: Path, user: ServiceUser, text: str, mode: int = 0o600) -> Path:
    """Write ``text`` to ``path`` as a file of ``user``'s with ``mode`` (whatever the umask)."""
    path.write_text(text)
    if not user.is_caller:
        os.chown(path, user.uid, user.gid)
    path.chmod(mode)
    return path


def give_tree(root: Path, user: ServiceUser) -> None:
    """Hand every file and directory under ``root`` (inclusive) to ``user``."""
    if user.is_caller:
        return
    os.chown(root, user.uid, user.gid)
    for base, dirs, files in os.walk(root):
        for entry in (*dirs, *files):
            os.chown(os.path.join(base, entry), user.uid, user.gid, follow_symlinks=False)
