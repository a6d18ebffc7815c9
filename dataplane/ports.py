"""Free TCP ports on 127.0.0.1 for servers that must bind the port themselves.

Sockets this package opens itself (link proxies, shop apps) bind port 0 and keep the
socket, which cannot race. PostgreSQL binds its own port, so a port is picked here and the
server start retries with another when the bind loses a race
(:meth:`dataplane.server.PostgresServer.start`). Within one process, a port handed out is
never handed out again.
"""

from __future__ import annotations

import socket
import threading

LOOPBACK = "127.0.0.1"

_lock = threading.Lock()
_handed_out: set[int] = set()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago and not handed out before here."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((LOOPBACK, 0))
            port = probe.getsockname()[1]
        with _lock:
            if port not in _handed_out:
                _handed_out.add(port)
                return port
    raise RuntimeError("no free TCP port on 127.0.0.1")
