"""One PostgreSQL server on 127.0.0.1, run as the service user, confined to its directory.

A server lives in ``home`` (``data/``, ``sock/``, ``server.log``), listens on 127.0.0.1
only, on a free port chosen at each start, and trusts connections from 127.0.0.1/32 only
(``pg_hba.conf`` has no other line, so its Unix socket takes no logins: every client uses
TCP). Its settings favour a short-lived drill on a shared machine: no fsync (an operating
system crash is not modelled), synchronous I/O, small buffers.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Literal

import psycopg
from psycopg.conninfo import make_conninfo

from dataplane import cleanup
from dataplane.binaries import program
from dataplane.errors import DataPlaneError, ServerStartError
from dataplane.ports import LOOPBACK, free_port
from dataplane.procs import run_as, spawn_as
from dataplane.sysuser import ServiceUser, give, give_file

#: Settings every server gets (``dataplane.conf``, included from ``postgresql.conf``, so a
#: base backup carries them to the standby).
SERVER_SETTINGS: Final[Mapping[str, str]] = {
    "wal_level": "logical",              # physical and logical replication both work
    "max_wal_senders": "10",
    "max_replication_slots": "10",
    "hot_standby": "on",
    "wal_log_hints": "on",               # lets pg_rewind turn an old primary into a standby
    "wal_receiver_status_interval": "1s",  # the primary sees replay progress every second
    "wal_retrieve_retry_interval": "1s",   # a standby reconnects soon after a link returns
    "fsync": "off",
    "synchronous_commit": "on",
    "io_method": "sync",
    "dynamic_shared_memory_type": "mmap",  # segments live in the data directory, not /dev/shm
    "shared_buffers": "16MB",
    "min_wal_size": "4MB",                 # 4 WAL files of 1 MiB (see initdb --wal-segsize)
    "max_wal_size": "64MB",
    "max_connections": "40",
    "jit": "off",
    "log_line_prefix": "'%m [%p] '",
}

#: Client authentication: trust from 127.0.0.1/32, nothing else.
PG_HBA: Final[str] = ("# ecommerce-dr data plane: loopback only\n"
                      "host all all 127.0.0.1/32 trust\n"
                      "host replication all 127.0.0.1/32 trust\n")

#: Longest Unix socket path the kernel accepts (sun_path is 108 bytes with the NUL).
_MAX_SOCKET_PATH: Final[int] = 107
_READY_STATES: Final[frozenset[str]] = frozenset({"ready", "standby"})
_STOP_SIGNALS: Final[Mapping[str, int]] = {
    "smart": signal.SIGTERM, "fast": signal.SIGINT, "immediate": signal.SIGQUIT}

StopMode = Literal["smart", "fast", "immediate"]


@dataclass(frozen=True)
class Endpoint:
    """Where a client connects: ``host`` (always 127.0.0.1), TCP ``port``, database, role."""

    host: str
    port: int
    dbname: str = "postgres"
    user: str = "postgres"

    def conninfo(self, **extra: Any) -> str:
        """A libpq connection string; ``extra`` adds parameters (``connect_timeout=2``)."""
        return make_conninfo(host=self.host, port=str(self.port), dbname=self.dbname, user=self.user,
                             **{k: str(v) for k, v in extra.items()})


class PostgresServer:
    """A PostgreSQL server of one Region.

    Args:
        name: unique within the run (``"primary"``, ``"standby"``); names its directory.
        region: the Region it stands for (``"us-east-1"``).
        home: directory of this server (created; owned by ``user``).
        user: the account its processes run as.
        scratch: TMPDIR/HOME for its processes (inside the run directory).
        settings: extra ``postgresql.conf`` settings, over :data:`SERVER_SETTINGS`.

    A server is used as a context manager (``with server.start(): ...``) or stopped
    explicitly; either way a stop is also registered with :mod:`dataplane.cleanup`.
    """

    def __init__(self, name: str, region: str, home: Path, *, user: ServiceUser, scratch: Path,
                 settings: Mapping[str, str] | None = None) -> None:
        self.name = name
        self.region = region
        self.home = give(home, user)
        self.user = user
        self.scratch = scratch
        self.settings = {**SERVER_SETTINGS, **(settings or {})}
        self.data_dir = home / "data"
        self.socket_dir = give(home / "sock", user)
        self.log_path = home / "server.log"
        self.port: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._cleanup_key: int | None = None

    def __repr__(self) -> str:
        state = f"port {self.port}" if self.running else "stopped"
        return f"PostgresServer({self.name!r}, {self.region!r}, {state})"

    # -- lifecycle ---------------------------------------------------------------------

    def init(self) -> PostgresServer:
        """Create an empty cluster in ``data_dir`` (``initdb``), then configure it.

        Raises:
            CommandError: ``initdb`` failed (e.g. ``data_dir`` not empty).
        """
        run_as(self.user, [program("initdb"), "-D", str(self.data_dir), "-U", "postgres", "--auth=trust",
                           "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions",
                           "--wal-segsize=1"],  # 1 MiB WAL files: backups and copies stay small
               scratch=self.scratch)
        self.configure()
        return self

    def configure(self) -> None:
        """Write this package's settings and client authentication into ``data_dir``.

        Used after ``initdb`` and after a restore; a base backup inherits them.
        """
        conf = self.data_dir / "postgresql.conf"
        text = conf.read_text()
        if "include 'dataplane.conf'" not in text:  # "include": an unreadable file fails the start
            conf.write_text(text + "\ninclude 'dataplane.conf'\n")
        settings = "".join(f"{key} = {value}\n" for key, value in self.settings.items())
        for name, text in (("dataplane.conf", settings), ("pg_hba.conf", PG_HBA)):
            give_file(self.data_dir / name, self.user, text)

    def start(self, timeout: float = 30.0) -> PostgresServer:
        """Start the server on a free port and wait until it accepts connections.

        A standby counts as started once it accepts read-only connections. When another
        process took the chosen port meanwhile, another port is tried (up to 5 times).
        Call it from a thread that outlives the server (normally the main thread): the
        server's parent-death signal fires when the starting thread exits.

        Args:
            timeout: seconds to wait for readiness per attempt.

        Returns:
            ``self``, for ``with server.start():``.

        Raises:
            ServerStartError: it exited or was not ready in time; carries the log tail.
        """
        if self.running:
            return self
        for _ in range(5):
            port = free_port()
            if self._start_on(port, timeout):
                return self
            if "could not bind" not in self._log_tail():
                break
        raise ServerStartError(f"{self.name} did not start: {self._log_tail()}")

    def _start_on(self, port: int, timeout: float) -> bool:
        argv = [program("postgres"), "-D", str(self.data_dir), "-c", f"port={port}",
                "-c", f"listen_addresses={LOOPBACK}",
                "-c", f"unix_socket_directories={self._socket_setting(port)}"]
        with self.log_path.open("ab") as log:
            self._log_offset = log.tell()
            proc = spawn_as(self.user, argv, scratch=self.scratch, log=log)
        self._proc, self.port = proc, port
        self._cleanup_key = cleanup.register(f"postgres {self.name} (pid {proc.pid})",
                                             lambda: self.stop("fast", timeout=10))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                self._forget()
                return False
            if self._postmaster_state(proc.pid) in _READY_STATES:
                return True
            time.sleep(0.01)
        self.stop("immediate")
        raise ServerStartError(f"{self.name} not ready after {timeout:.0f} s: {self._log_tail()}")

    def _socket_setting(self, port: int) -> str:
        # A run directory too deep for a Unix socket path gets TCP only: clients never use it.
        fits = len(str(self.socket_dir / f".s.PGSQL.{port}")) <= _MAX_SOCKET_PATH
        return str(self.socket_dir) if fits else ""

    def _postmaster_state(self, pid: int) -> str | None:
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
        except (FileNotFoundError, PermissionError):
            return None
        if len(lines) < 8 or lines[0].strip() != str(pid):
            return None
        return lines[7].strip()

    def stop(self, mode: StopMode = "fast", timeout: float = 30.0) -> None:
        """Stop the server; a no-op when it is not running.

        Args:
            mode: ``"fast"`` (roll back sessions, checkpoint, exit), ``"smart"`` (wait for
                sessions to end) or ``"immediate"`` (exit at once, recovery on next start: a
                crash).
            timeout: seconds before escalating to SIGKILL.
        """
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(_STOP_SIGNALS[mode])
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        self._forget()

    def crash(self) -> None:
        """Stop as a crash would: no shutdown checkpoint; committed work survives in the WAL."""
        self.stop("immediate")

    def _forget(self) -> None:
        if self._cleanup_key is not None:
            cleanup.unregister(self._cleanup_key)
        self._cleanup_key = None
        self._proc = None
        self.port = None

    @property
    def running(self) -> bool:
        """Whether the server process is alive."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        """PID of the postmaster while running, else ``None``."""
        return self._proc.pid if self.running and self._proc else None

    def _log_tail(self, lines: int = 15) -> str:
        try:
            data = self.log_path.read_bytes()[getattr(self, "_log_offset", 0):]
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(data.decode(errors="replace").splitlines()[-lines:])

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # -- clients -----------------------------------------------------------------------

    def endpoint(self, dbname: str = "postgres", user: str = "postgres") -> Endpoint:
        """The TCP endpoint of the running server.

        Raises:
            DataPlaneError: the server is not running.
        """
        if self.port is None or not self.running:
            raise DataPlaneError(f"{self.name} is not running")
        return Endpoint(LOOPBACK, self.port, dbname, user)

    def address(self) -> tuple[str, int]:
        """``(host, port)`` of the running server; a link calls it at each new connection.

        Raises:
            DataPlaneError: the server is not running.
        """
        endpoint = self.endpoint()
        return (endpoint.host, endpoint.port)

    def connect(self, dbname: str = "postgres", user: str = "postgres", *, autocommit: bool = True,
                timeout: float = 5.0) -> psycopg.Connection[Any]:
        """A new connection (autocommit by default); the caller closes it."""
        return psycopg.connect(self.endpoint(dbname, user).conninfo(connect_timeout=max(1, round(timeout))),
                               autocommit=autocommit)

    def query(self, sql: str, params: Sequence[Any] = (), *,
              dbname: str = "postgres") -> list[tuple[Any, ...]]:
        """Run one statement as the superuser and return its rows (empty when none)."""
        with self.connect(dbname) as conn, conn.cursor() as cur:
            cur.execute(sql, params)  # type: ignore[arg-type]
            return cur.fetchall() if cur.description else []

    def wait_for(self, sql: str, params: Sequence[Any] = (), *, dbname: str = "postgres",
                 timeout: float = 10.0, interval: float = 0.02) -> float | None:
        """Poll ``sql`` on one session until its first value is true.

        Returns:
            Seconds waited, or ``None`` when ``timeout`` passed first.
        """
        started = time.monotonic()
        with self.connect(dbname) as conn:
            while True:
                row = conn.execute(sql, params).fetchone()  # type: ignore[arg-type]
                if row and row[0]:
                    return time.monotonic() - started
                if time.monotonic() - started >= timeout:
                    return None
                time.sleep(interval)

    def is_in_recovery(self) -> bool:
        """Whether the server is a standby (replaying WAL, read-only)."""
        return bool(self.query("SELECT pg_is_in_recovery()")[0][0])

    def timeline(self) -> int:
        """The server's current timeline: 1 for a new cluster, +1 for each promotion.

        A writer reports the timeline it writes WAL on; a standby the timeline of its last
        restart point, which is the one it replays.
        """
        return int(self.query(_TIMELINE_SQL)[0][0])


_TIMELINE_SQL: Final[str] = (
    "SELECT CASE WHEN pg_is_in_recovery() THEN (SELECT timeline_id FROM pg_control_checkpoint())"
    " ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END")

