"""Running PostgreSQL programs as the service user, confined to a run directory.

Every child gets a minimal environment: no ``PG*`` variables leak in from the caller,
``TMPDIR`` and ``HOME`` point into the run directory (nothing is written to the system
temporary directory), and the C locale makes output stable.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from dataplane.errors import CommandError, DataPlaneError
from dataplane.sysuser import ServiceUser


def child_env(scratch: Path) -> dict[str, str]:
    """The environment of every PostgreSQL child; ``scratch`` becomes TMPDIR and HOME."""
    return {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "LANG": "C", "TMPDIR": str(scratch),
            "HOME": str(scratch), "TZ": "UTC"}


def _setpriv() -> str:
    found = shutil.which("setpriv") or ("/usr/bin/setpriv" if Path("/usr/bin/setpriv").exists() else None)
    if found is None:
        raise DataPlaneError("setpriv (util-linux) is needed to run PostgreSQL as its own user")
    return found


def as_user(user: ServiceUser, argv: Sequence[str], *, parent_death_signal: str | None = None) -> list[str]:
    """``argv`` prefixed to run as ``user`` (and die with its parent when a signal is given).

    Args:
        user: the account to switch to (no switch when it is the caller).
        argv: the program and its arguments.
        parent_death_signal: e.g. ``"INT"``: the kernel sends it to the program when the
            thread that started it exits, so a killed run cannot leave a server behind.
    """
    prefix: list[str] = []
    if not user.is_caller:
        prefix = [_setpriv(), f"--reuid={user.uid}", f"--regid={user.gid}", "--clear-groups"]
    if parent_death_signal:
        prefix = prefix or [_setpriv()]
        prefix.append(f"--pdeathsig={parent_death_signal}")
    return [*prefix, "--", *argv] if prefix else list(argv)


def run_as(user: ServiceUser, argv: Sequence[str], *, scratch: Path, timeout: float = 120.0) -> str:
    """Run a short-lived PostgreSQL program as ``user`` and return its combined output.

    Raises:
        CommandError: it exited non-zero (the error carries its output).
        DataPlaneError: it did not finish within ``timeout`` seconds.
    """
    command = as_user(user, argv, parent_death_signal="KILL")
    try:
        done = subprocess.run(command, env=child_env(scratch), cwd=scratch, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise DataPlaneError(f"{argv[0]} did not finish within {timeout:.0f} s") from exc
    if done.returncode != 0:
        raise CommandError(list(argv), done.returncode, done.stdout or "")
    return done.stdout or ""


def spawn_as(user: ServiceUser, argv: Sequence[str], *, scratch: Path,
             log: IO[bytes]) -> subprocess.Popen[bytes]:
    """Start a long-running server as ``user``, in its own session, output to ``log``.

    The child is its own session leader, so a terminal's Ctrl-C reaches only the run, which
    then stops its servers in order; if the run dies without doing so, the parent-death
    signal (SIGINT: PostgreSQL's fast shutdown) stops the server. The kernel sends that
    signal when the *thread* that called this exits: start servers from a long-lived thread.
    """
    return subprocess.Popen(as_user(user, argv, parent_death_signal="INT"), env=child_env(scratch),
                            cwd=scratch, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
