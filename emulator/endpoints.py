"""HTTP health endpoints on 127.0.0.1: one per Region, standing in for the site's load
balancers.

A :class:`LoopbackEndpoint` answers ``GET``/``HEAD`` on any path (``/health``, warm-up URLs)
with :attr:`~LoopbackEndpoint.status` while it answers; :meth:`~LoopbackEndpoint.stop_answering`
closes its socket, so probes get "connection refused" as from a dead load balancer, and
:meth:`~LoopbackEndpoint.resume` answers again on the same port.
"""

from __future__ import annotations

import http.server
import threading
from collections import Counter
from typing import Any, Protocol


class SiteEndpoint(Protocol):
    """A Region's application endpoint as the drill and the handlers see it."""

    @property
    def port(self) -> int:
        """The TCP port on 127.0.0.1 (kept across stops and restarts)."""

    @property
    def requests(self) -> int:
        """Requests answered so far, the drill's own probes and customers not counted."""

    def stop_answering(self) -> None:
        """Refuse connections from now on (the Region's load balancer is gone)."""

    def resume(self) -> None:
        """Answer again on the same port."""

    def url(self, path: str = "/health") -> str:
        """``http://127.0.0.1:<port><path>``."""


class LoopbackEndpoint:
    """One Region's application endpoint, on 127.0.0.1.

    Args:
        name: for thread names and messages (``"primary"``, ``"standby"``).
        status: HTTP status every request gets (200 healthy; e.g. 503 to model an endpoint
            that answers but is unhealthy).

    Attributes:
        hits: requests answered per path, across stops and restarts.
    """

    def __init__(self, name: str, status: int = 200) -> None:
        self.name = name
        self.status = status
        self.hits: Counter[str] = Counter()
        self.port = 0
        self._server: http.server.ThreadingHTTPServer | None = None
        self._lock = threading.Lock()

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        endpoint = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                # Counted before answering, so a caller that got its answer sees its count.
                with endpoint._lock:
                    endpoint.hits[self.path.split("?", 1)[0]] += 1
                status = endpoint.status
                body = b'{"status": "ok"}' if status < 400 else b'{"status": "unhealthy"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_HEAD = do_GET  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep quiet
                return

        return Handler

    def start(self, port: int = 0) -> LoopbackEndpoint:
        """Listen on ``port`` (0: a free one). Returns self."""
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        server.daemon_threads = True
        self._server = server
        self.port = int(server.server_address[1])
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True, name=f"endpoint-{self.name}").start()
        return self

    @property
    def requests(self) -> int:
        """Requests answered so far (across stops and restarts)."""
        with self._lock:
            return sum(self.hits.values())

    @property
    def answering(self) -> bool:
        return self._server is not None

    def stop_answering(self) -> None:
        """Close the listening socket: the endpoint is down (connection refused)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def resume(self) -> None:
        """Answer again on the same port (the primary recovering)."""
        if self._server is None:
            self.start(self.port)

    def url(self, path: str = "/health") -> str:
        return f"http://127.0.0.1:{self.port}{path}"
