"""The inter-Region network: a loopback TCP proxy that can delay traffic or be cut.

Clients in one Region connect to the link's port; the link connects on to the upstream
server in the other Region. Bytes from the upstream server to the client (the direction
WAL and change streams flow) are held for ``delay_seconds`` each, chunk by chunk, in order,
so the stream stays intact and replication lag builds up as over a slow long-haul network.
The other direction (the client's feedback) is not delayed: the delay is one-way.

Cutting the link drops every connection through it at once, discards the bytes still in
flight (a lost Region takes its network with it) and refuses new connections until the
link is restored. Peers notice immediately; a real partition would surface only after TCP
or replication timeouts.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from dataplane.cleanup import background
from dataplane.lifecycle import Service
from dataplane.ports import LOOPBACK

_log = logging.getLogger(__name__)
_CHUNK = 65536

Address = tuple[str, int]


@dataclass(frozen=True)
class LinkStats:
    """What crossed a link: connections accepted, bytes each way, connections refused while cut."""

    connections: int
    bytes_downstream: int
    bytes_upstream: int
    refused_while_cut: int


class LinkProxy(Service):
    """A one-way-delayable, cuttable TCP link on 127.0.0.1.

    Args:
        name: label for logs (``"us-east-1->us-west-2"``).
        upstream: the server's address, or a callable returning it at each new connection
            (so the link follows a server that restarted on another port).
        delay_seconds: initial one-way delay, seconds (>= 0).

    Use as a context manager, or :meth:`start` then :meth:`close`.
    """

    def __init__(self, name: str, upstream: Address | Callable[[], Address], *,
                 delay_seconds: float = 0.0) -> None:
        self.name = name
        self._upstream = upstream if callable(upstream) else (lambda: upstream)
        self._delay = _checked_delay(delay_seconds)
        self._lock = threading.Lock()
        self._pipes: set[_Pipe] = set()
        self._cut = False
        self._listener: socket.socket | None = None
        self._counts = {"connections": 0, "down": 0, "up": 0, "refused": 0}

    # -- control -----------------------------------------------------------------------

    def start(self) -> LinkProxy:
        """Bind 127.0.0.1 on a free port (kept, so it cannot race) and accept connections."""
        if self._listener is None:
            listener = socket.create_server((LOOPBACK, 0))
            self._listener = listener
            background(self._accept_loop, listener, name=f"link {self.name}")
        return self

    @property
    def port(self) -> int:
        """The port clients connect to. Raises ``RuntimeError`` before :meth:`start`."""
        if self._listener is None:
            raise RuntimeError(f"link {self.name} is not started")
        return int(self._listener.getsockname()[1])

    @property
    def delay_seconds(self) -> float:
        """Current one-way delay in seconds."""
        return self._delay

    def set_delay(self, seconds: float) -> None:
        """Change the one-way delay for bytes read from now on (bytes in flight keep theirs).

        Raises:
            ValueError: ``seconds`` is negative or not finite.
        """
        self._delay = _checked_delay(seconds)

    @property
    def is_cut(self) -> bool:
        """Whether the link is cut."""
        return self._cut

    def cut(self) -> None:
        """Drop all connections and in-flight bytes; refuse new connections until :meth:`restore`."""
        with self._lock:
            self._cut = True
            pipes = list(self._pipes)
        for pipe in pipes:
            pipe.close()

    def restore(self) -> None:
        """Accept connections again (peers reconnect on their own)."""
        self._cut = False

    def stats(self) -> LinkStats:
        """Counters since :meth:`start`."""
        with self._lock:
            c = dict(self._counts)
        return LinkStats(c["connections"], c["down"], c["up"], c["refused"])

    def close(self) -> None:
        """Stop listening and drop every connection (idempotent)."""
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        self.cut()

    # -- data path ---------------------------------------------------------------------

    def _accept_loop(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            if self._cut:
                self._count("refused", 1)
                client.close()
                continue
            background(self._open_pipe, client, name=f"link {self.name} connect")

    def _open_pipe(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self._upstream(), timeout=5)
        except Exception as exc:  # server down or its address unknown: refuse like a dead host
            _log.debug("link %s: upstream unreachable: %s", self.name, exc)
            client.close()
            return
        upstream.settimeout(None)
        pipe = _Pipe(self, client, upstream)
        with self._lock:
            admitted = not self._cut  # cut while this connection was being opened
            if admitted:
                self._pipes.add(pipe)
                self._counts["connections"] += 1
        if not admitted:
            pipe.close()  # outside the lock: close() takes it to forget the pipe
            return
        pipe.run()

    def _count(self, key: str, n: int) -> None:
        with self._lock:
            self._counts[key] += n

    def _discard(self, pipe: _Pipe) -> None:
        with self._lock:
            self._pipes.discard(pipe)


def _checked_delay(seconds: float) -> float:
    value = float(seconds)
    if not (value >= 0.0 and value != float("inf")):
        raise ValueError(f"link delay must be a finite number of seconds >= 0, got {seconds!r}")
    return value


class _Pipe:
    """One client connection through the link: three threads, one in-order delay queue."""

    def __init__(self, link: LinkProxy, client: socket.socket, upstream: socket.socket) -> None:
        self.link, self.client, self.upstream = link, client, upstream
        self.queue: deque[tuple[float, bytes]] = deque()
        self.ready = threading.Condition()
        self.closed = False
        self.last_release = 0.0

    def run(self) -> None:
        for target in (self._pump_up, self._pump_down_release):
            background(target, name=f"link {self.link.name} pipe")
        self._pump_down_read()

    def _pump_up(self) -> None:
        self._copy(self.client, self.upstream, "up")

    def _copy(self, source: socket.socket, sink: socket.socket, counter: str) -> None:
        try:
            while data := source.recv(_CHUNK):
                self.link._count(counter, len(data))
                sink.sendall(data)
        except OSError:
            pass
        self.close()

    def _pump_down_read(self) -> None:
        try:
            while data := self.upstream.recv(_CHUNK):
                release = max(time.monotonic() + self.link.delay_seconds, self.last_release)
                self.last_release = release
                with self.ready:
                    self.queue.append((release, data))
                    self.ready.notify()
        except OSError:
            self.close()
            return
        # The server closed its side: deliver what is in flight, then close.
        with self.ready:
            self.queue.append((self.last_release, b""))
            self.ready.notify()

    def _pump_down_release(self) -> None:
        while True:
            with self.ready:
                while not self.queue and not self.closed:
                    self.ready.wait()
                if self.closed:
                    return
                release, data = self.queue[0]
                wait = release - time.monotonic()
                if wait > 0:
                    self.ready.wait(wait)
                    continue
                self.queue.popleft()
            if not data:
                self.close()
                return
            self.link._count("down", len(data))
            try:
                self.client.sendall(data)
            except OSError:
                self.close()
                return

    def close(self) -> None:
        with self.ready:
            if self.closed:
                return
            self.closed = True
            self.queue.clear()
            self.ready.notify_all()
        for sock in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.link._discard(self)
