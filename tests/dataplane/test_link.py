"""The inter-Region link: one-way delay in order, cut and restore, no deadlock under churn."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from dataplane.link import LinkProxy


@pytest.fixture
def echo() -> Iterator[tuple[str, int]]:
    """A TCP echo server on 127.0.0.1."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            while data := conn.recv(65536):
                conn.sendall(data)

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()
    stop.set()
    server.shutdown(socket.SHUT_RDWR)
    server.close()


def _roundtrip(port: int, payload: bytes) -> tuple[bytes, float]:
    """What came back (b"" when the link dropped the connection) and how long it took."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        started = time.monotonic()
        received = b""
        try:
            conn.sendall(payload)
            while len(received) < len(payload):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                received += chunk
        except ConnectionResetError:
            pass
        return received, time.monotonic() - started


def _dropped(conn: socket.socket) -> bool:
    try:
        return conn.recv(10) == b""
    except ConnectionResetError:
        return True


def test_delay_holds_bytes_from_the_server_for_the_delay(echo: tuple[str, int]) -> None:
    with LinkProxy("a->b", echo, delay_seconds=0.3) as link:
        data, took = _roundtrip(link.port, b"x" * 1000)
        assert data == b"x" * 1000
        assert 0.3 <= took < 1.5
        link.set_delay(0.0)
        _, fast = _roundtrip(link.port, b"y")
        assert fast < 0.2
        stats = link.stats()
        assert stats.bytes_upstream == stats.bytes_downstream == 1001


def test_bytes_keep_their_order_when_the_delay_shrinks(echo: tuple[str, int]) -> None:
    with LinkProxy("a->b", echo, delay_seconds=0.4) as link, \
            socket.create_connection(("127.0.0.1", link.port), timeout=5) as conn:
        conn.sendall(b"first;")
        time.sleep(0.05)
        link.set_delay(0.0)
        conn.sendall(b"second;")
        received = b""
        while len(received) < len(b"first;second;"):
            received += conn.recv(100)
        assert received == b"first;second;"


def test_cut_drops_connections_and_refuses_new_ones_until_restored(echo: tuple[str, int]) -> None:
    with LinkProxy("a->b", echo) as link:
        conn = socket.create_connection(("127.0.0.1", link.port), timeout=5)
        conn.sendall(b"ping")
        assert conn.recv(10) == b"ping"
        link.cut()
        assert link.is_cut
        assert _dropped(conn), "an open connection must be dropped by the cut"
        conn.close()
        refused, _ = _roundtrip(link.port, b"hello")
        assert refused == b""
        assert link.stats().refused_while_cut >= 1
        link.restore()
        assert _roundtrip(link.port, b"back")[0] == b"back"


def test_cutting_while_connections_open_does_not_deadlock(echo: tuple[str, int]) -> None:
    link = LinkProxy("a->b", echo).start()
    stop = threading.Event()

    def churn() -> None:
        while not stop.is_set():
            with contextlib.suppress(OSError):
                _roundtrip(link.port, b"z")

    workers = [threading.Thread(target=churn, daemon=True) for _ in range(4)]
    for worker in workers:
        worker.start()
    def flap_then_close() -> None:
        for _ in range(60):
            link.cut()
            time.sleep(0.002)
            link.restore()
            time.sleep(0.002)
        stop.set()
        link.close()

    driver = threading.Thread(target=flap_then_close, daemon=True)
    driver.start()
    driver.join(10)
    stop.set()
    assert not driver.is_alive(), "cut()/close() hung: a lock is held by a connection thread"
    assert link.stats().connections > 0


def test_negative_delay_is_refused(echo: tuple[str, int]) -> None:
    with pytest.raises(ValueError, match="finite number of seconds >= 0"):
        LinkProxy("a->b", echo, delay_seconds=-1)
