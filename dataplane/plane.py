"""A run's data plane: everything it starts, under one directory, stopped on the way out.

Layout under ``run_dir`` (all created here; nothing goes to the system temporary
directory)::

    run_dir/
      pg/<server>/data  sock/  server.log    one per PostgreSQL server
      snapshots/<region>/<snapshot>/          snapshot stores, one per Region
      tmp/                                    TMPDIR and HOME of every PostgreSQL process

Two runs with different ``run_dir`` never collide: ports are chosen per start, paths are
per run, and the shared service user only ever has its own run's processes signalled.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Protocol

from dataplane import cleanup
from dataplane.binaries import install_dir
from dataplane.errors import DataPlaneError
from dataplane.link import Address, LinkProxy
from dataplane.schema import install_shop_schema
from dataplane.server import PostgresServer
from dataplane.sysuser import DEFAULT_USER, ServiceUser, give, grant_traversal, service_user

_NAME: Final[re.Pattern[str]] = re.compile(r"^[a-z][a-z0-9_-]{0,40}$")


class _Closable(Protocol):
    def close(self) -> Any: ...


class DataPlane:
    """Owner of one run's servers, links and apps.

    Args:
        run_dir: the run's own directory (created; must not be shared with a live run).
        user_name: the service account to run PostgreSQL as when root.
        handle_sigterm: within the ``with`` block, turn SIGTERM/SIGHUP into
            ``KeyboardInterrupt`` so the block unwinds and stops everything (only when
            entered from the main thread over default handlers).

    Raises:
        DataPlaneError: the service user cannot be created, or a name is reused.
    """

    def __init__(self, run_dir: Path, *, user_name: str = DEFAULT_USER, handle_sigterm: bool = True) -> None:
        self.run_dir = Path(run_dir).resolve()
        self._user_name = user_name
        self._handle_sigterm = handle_sigterm
        self._stack = contextlib.ExitStack()
        self._lock = threading.Lock()
        self._servers: dict[str, PostgresServer] = {}
        self.user: ServiceUser | None = None

    def __enter__(self) -> DataPlane:
        try:
            self.open()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def open(self) -> DataPlane:
        """Create the layout and the service user; idempotent."""
        if self.user is not None:
            return self
        if self._handle_sigterm:
            self._stack.enter_context(cleanup.sigterm_as_interrupt())
        self.run_dir.mkdir(parents=True, exist_ok=True)
        user = service_user(self._user_name)
        for path in (install_dir(), self.run_dir):
            grant_traversal(path, user)
        give(self.run_dir / "pg", user, 0o755)
        give(self.scratch, user)
        give(self.run_dir / "snapshots", user, 0o755)
        self.user = user
        return self

    @property
    def scratch(self) -> Path:
        """TMPDIR/HOME of the run's PostgreSQL processes."""
        return self.run_dir / "tmp"

    def _require_user(self) -> ServiceUser:
        if self.user is None:
            raise DataPlaneError("DataPlane is not open: use it as a context manager or call open()")
        return self.user

    def server(self, name: str, region: str, *, settings: Mapping[str, str] | None = None) -> PostgresServer:
        """A new, empty server object (no cluster yet: :meth:`PostgresServer.init` or a backup).

        Raises:
            DataPlaneError: ``name`` is not ``[a-z][a-z0-9_-]*`` or already used in this run.
        """
        if not _NAME.match(name):
            raise DataPlaneError(f"server name {name!r} must match {_NAME.pattern}")
        with self._lock:
            if name in self._servers:
                raise DataPlaneError(f"server name {name!r} is already used in this run")
            server = PostgresServer(name, region, self.run_dir / "pg" / name, user=self._require_user(),
                                    scratch=self.scratch, settings=settings)
            self._servers[name] = server
        self._stack.callback(server.stop)
        return server

    def new_primary(self, name: str, region: str) -> PostgresServer:
        """A fresh cluster, started, with the shop schema installed."""
        server = self.server(name, region).init().start()
        install_shop_schema(server)
        return server

    @property
    def servers(self) -> dict[str, PostgresServer]:
        """Every server of this run by name (a copy)."""
        with self._lock:
            return dict(self._servers)

    def link(self, name: str, upstream: Address | Callable[[], Address], *,
             delay_seconds: float = 0.0) -> LinkProxy:
        """A started inter-Region link to ``upstream``, closed with the run."""
        return self.own(LinkProxy(name, upstream, delay_seconds=delay_seconds).start())

    def own(self, thing: _Closable) -> Any:
        """Close ``thing`` (anything with ``close()``) when the run ends; returns it."""
        self._stack.callback(thing.close)
        return thing

    def remove(self) -> None:
        """Delete the run directory; only when no server of it runs.

        Raises:
            DataPlaneError: a server of this run is still running.
        """
        still = [s.name for s in self.servers.values() if s.running]
        if still:
            raise DataPlaneError(f"servers still running: {', '.join(still)}")
        shutil.rmtree(self.run_dir, ignore_errors=True)

    def close(self) -> None:
        """Stop every app, link and server of the run, newest first (idempotent)."""
        self._stack.close()
