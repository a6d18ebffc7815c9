"""The shop: a small HTTP app per Region on 127.0.0.1 that takes orders into its database.

Routes (JSON bodies, ``Connection: close``):

* ``GET /health``: 200 ``{"status": "ok", ...}`` only while the app can commit an order now
  (database reachable, a writer, the app's sessions read-write, not in maintenance);
  otherwise 503 with ``"reason"``. Route 53 health checks and the failover gate probe it.
* ``POST /orders``: body ``{"customer": str, "amount_cents": int}`` (both optional). Writes
  the order to the Region's own database and answers 201 ``{"order_id", "region"}`` only
  after the commit returned. 503 with ``"error"`` when it cannot (a replica's read-only
  sessions, database down, maintenance, writes paused by the write switch); 400 for a
  malformed body.

The write switch (:meth:`ShopApp.follow_write_switch`): the SSM parameter
``/ecommerce-dr/<stack>/writes`` of the shop's Region (``contract.names.write_switch_parameter``),
read through a callable, re-read at most every ``contract.names.WRITE_SWITCH_REFRESH_SECONDS``.
While it says ``paused`` every order is answered 503 and nothing is written: a switchover
stops writes this way before it moves the writer. ``GET /health`` does not follow it: a
deliberate pause is not a failure, and a health check failing on it would move traffic in the
middle of the switchover. A switch that cannot be read keeps its last known value (``open``
before the first read), so an SSM outage alone never stops the shop.

Each request opens its own database session, so a database that was promoted, opened or
replaced is seen at the next request (no stale pool), at the cost of a connection per order.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final

import psycopg

from contract.names import WRITE_SWITCH_REFRESH_SECONDS
from contract.phases import WriteSwitch
from dataplane.cleanup import background
from dataplane.lifecycle import Service
from dataplane.ports import LOOPBACK
from dataplane.schema import app_endpoint
from dataplane.server import PostgresServer

_log = logging.getLogger(__name__)
_MAX_BODY: Final[int] = 4096
_INSERT: Final[str] = ("INSERT INTO orders (customer, amount_cents, region) VALUES (%s, %s, %s) "
                       "RETURNING id")
_ROLE: Final[str] = "SELECT pg_is_in_recovery(), current_setting('transaction_read_only')::bool"


@dataclass(frozen=True)
class Outcome:
    """An answer: HTTP status and JSON body."""

    status: int
    body: dict[str, Any]


class ShopApp(Service):
    """The shop of one Region.

    Args:
        region: the Region it serves (echoed in answers, written with each order).
        database: its Region's database server, or ``None`` (no database: every order fails).
        db_timeout_seconds: connect timeout to the database (libpq rounds below 2 up to 2).
    """

    def __init__(self, region: str, database: PostgresServer | None = None, *,
                 db_timeout_seconds: float = 2.0) -> None:
        self.region = region
        self._database = database
        self._timeout = max(2, round(db_timeout_seconds))
        self._maintenance = False
        self._httpd: ThreadingHTTPServer | None = None
        self._lock = threading.Lock()
        self._port = 0
        self._switch: _WriteSwitchReader | None = None
        self.orders_committed = 0
        #: Requests answered, by ``(method, path, User-Agent)``, across stops and restarts.
        self.hits: Counter[tuple[str, str, str]] = Counter()

    # -- control -----------------------------------------------------------------------

    def start(self, port: int | None = None) -> ShopApp:
        """Listen on 127.0.0.1 and serve.

        Args:
            port: the port to bind; default a free one the first time (bound here, so it
                cannot race) and the same one on a restart after :meth:`close`, as a load
                balancer keeps its address when the app behind it comes back.

        Raises:
            OSError: the port is taken.
        """
        if self._httpd is None:
            chosen = self._port if port is None else port
            httpd = ThreadingHTTPServer((LOOPBACK, chosen), _handler_for(self))
            httpd.daemon_threads = True
            self._httpd = httpd
            self._port = int(httpd.server_address[1])
            background(httpd.serve_forever, 0.1, name=f"shop {self.region}")  # request threads inherit
        return self

    @property
    def port(self) -> int:
        """The TCP port it listens on (kept while stopped). Raises ``RuntimeError`` before
        the first :meth:`start`."""
        if not self._port:
            raise RuntimeError(f"shop {self.region} is not started")
        return self._port

    @property
    def serving(self) -> bool:
        """Whether it listens now (False after :meth:`close`: connections are refused)."""
        return self._httpd is not None

    def count(self, method: str, path: str, agent: str) -> None:
        """Count one request (called by the request handler before it answers)."""
        with self._lock:
            self.hits[(method, path, agent)] += 1

    def hit_counts(self) -> dict[tuple[str, str, str], int]:
        """A copy of :attr:`hits`: ``(method, path, User-Agent) -> requests``."""
        with self._lock:
            return dict(self.hits)

    @property
    def address(self) -> tuple[str, int]:
        """``(host, port)`` to put behind the failover name."""
        return (LOOPBACK, self.port)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{LOOPBACK}:{self.port}"

    def attach(self, database: PostgresServer | None) -> None:
        """Point the app at another database (e.g. a restored one), or at none."""
        self._database = database

    @property
    def database(self) -> PostgresServer | None:
        """The database the app writes to."""
        return self._database

    @property
    def maintenance(self) -> bool:
        """Whether the app answers 503 to everything (a switchover stops writes this way)."""
        return self._maintenance

    def set_maintenance(self, on: bool) -> None:
        """Enter or leave maintenance mode; takes effect for the next request."""
        self._maintenance = on

    def follow_write_switch(self, read: Callable[[], str | None], *,
                            refresh_seconds: float = WRITE_SWITCH_REFRESH_SECONDS,
                            clock: Callable[[], float] = time.monotonic) -> None:
        """Follow a write switch (see the module docstring).

        Args:
            read: returns the switch's value (``"open"``/``"paused"``, a
                ``contract.phases.WriteSwitch``) or None when it does not exist; may raise
                (the last known value is kept).
            refresh_seconds: the longest time a value read is trusted, seconds.
            clock: seconds, monotonic (the drill passes its own clock, so the waits it skips
                count here as for the orchestrator).
        """
        self._switch = _WriteSwitchReader(read, refresh_seconds, clock)

    @property
    def writes_paused(self) -> bool:
        """Whether the write switch says ``paused`` now (re-read when due)."""
        return self._switch is not None and self._switch.paused()

    def close(self) -> None:
        """Stop serving (idempotent)."""
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()

    # -- behaviour ---------------------------------------------------------------------

    def health(self) -> Outcome:
        """The ``GET /health`` answer."""
        if self._maintenance:
            return self._unavailable("maintenance")
        try:
            with self._connect() as conn:
                in_recovery, read_only = conn.execute(_ROLE).fetchone() or (True, True)
        except _NoDatabase:
            return self._unavailable("no database")
        except psycopg.Error as exc:
            return self._unavailable(f"database unreachable: {_first_line(exc)}")
        if in_recovery or read_only:
            return self._unavailable("database is a replica (read-only)")
        return Outcome(HTTPStatus.OK, {"status": "ok", "region": self.region, "database": "writer"})

    def place_order(self, customer: str, amount_cents: int) -> Outcome:
        """The ``POST /orders`` answer for a valid order: 201 only after the commit."""
        if self._maintenance:
            return self._refused("maintenance")
        if self.writes_paused:
            return self._refused("writes paused (write switch)")
        try:
            with self._connect() as conn:
                row = conn.execute(_INSERT, (customer, amount_cents, self.region)).fetchone()
                conn.commit()
        except _NoDatabase:
            return self._refused("no database")
        except psycopg.errors.ReadOnlySqlTransaction:
            return self._refused("read-only: database is a replica")
        except psycopg.Error as exc:
            return self._refused(f"database error: {_first_line(exc)}")
        order_id = str(row[0]) if row else ""
        with self._lock:
            self.orders_committed += 1
        return Outcome(HTTPStatus.CREATED, {"order_id": order_id, "region": self.region})

    def _connect(self) -> psycopg.Connection[Any]:
        database = self._database
        if database is None or not database.running:
            raise _NoDatabase
        try:
            conninfo = app_endpoint(database).conninfo(connect_timeout=self._timeout,
                                                      application_name=f"shop-{self.region}")
        except RuntimeError as exc:  # stopped between the check and here
            raise _NoDatabase from exc
        return psycopg.connect(conninfo)

    def _unavailable(self, reason: str) -> Outcome:
        return Outcome(HTTPStatus.SERVICE_UNAVAILABLE,
                       {"status": "unavailable", "region": self.region, "reason": reason})

    def _refused(self, error: str) -> Outcome:
        return Outcome(HTTPStatus.SERVICE_UNAVAILABLE, {"error": error, "region": self.region})


class _NoDatabase(Exception):
    pass


class _WriteSwitchReader:
    """The write switch's value, read through ``read`` at most every ``refresh`` seconds on
    ``clock``; a failed read keeps the last known value."""

    def __init__(self, read: Callable[[], str | None], refresh: float,
                 clock: Callable[[], float]) -> None:
        self._read, self._refresh, self._clock = read, refresh, clock
        self._value = str(WriteSwitch.OPEN)
        self._read_at: float | None = None
        self._lock = threading.Lock()

    def paused(self) -> bool:
        with self._lock:
            now = self._clock()
            if self._read_at is None or now - self._read_at >= self._refresh:
                try:
                    self._value = self._read() or str(WriteSwitch.OPEN)
                except Exception as exc:  # noqa: BLE001 - unreadable: keep the last value
                    _log.warning("shop write switch unreadable, keeping %s: %s", self._value, exc)
                self._read_at = now
            return self._value == WriteSwitch.PAUSED


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def parse_order(raw: bytes) -> tuple[str, int]:
    """``(customer, amount_cents)`` from a ``POST /orders`` body (empty body: defaults).

    Raises:
        ValueError: not a JSON object, or a field of the wrong type or range.
    """
    data = json.loads(raw) if raw.strip() else {}
    if not isinstance(data, dict):
        raise ValueError("body must be a JSON object")
    customer = data.get("customer", "anonymous")
    amount = data.get("amount_cents", 1999)
    if not isinstance(customer, str) or not 0 < len(customer) <= 100:
        raise ValueError("customer must be a string of 1 to 100 characters")
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= 10**9:
        raise ValueError("amount_cents must be an integer from 0 to 1000000000")
    return customer, amount


def _handler_for(app: ShopApp) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "ecommerce-dr-shop"

        def do_GET(self) -> None:
            app.count("GET", self.path.split("?", 1)[0], self.headers.get("User-Agent", ""))
            if self.path == "/health":
                self._send(app.health())
            else:
                self._send(Outcome(HTTPStatus.NOT_FOUND, {"error": f"no route {self.path}"}))

        def do_POST(self) -> None:
            app.count("POST", self.path.split("?", 1)[0], self.headers.get("User-Agent", ""))
            if self.path != "/orders":
                self._send(Outcome(HTTPStatus.NOT_FOUND, {"error": f"no route {self.path}"}))
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > _MAX_BODY:
                self._send(Outcome(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "body too large"}))
                return
            try:
                customer, amount = parse_order(self.rfile.read(length))
            except ValueError as exc:
                self._send(Outcome(HTTPStatus.BAD_REQUEST, {"error": str(exc)}))
                return
            self._send(app.place_order(customer, amount))

        def _send(self, outcome: Outcome) -> None:
            body = json.dumps(outcome.body).encode()
            self.send_response(outcome.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if outcome.status == HTTPStatus.SERVICE_UNAVAILABLE:
                self.send_header("Retry-After", "1")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            _log.debug("shop %s: " + format, app.region, *args)

    return Handler
