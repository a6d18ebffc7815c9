"""Last-resort cleanup: whatever a run started is stopped even when the run does not get to.

Three layers, from the orderly to the brutal:

1. context managers (:class:`dataplane.plane.DataPlane`, every server, link and app) stop
   what they started on the way out of a ``with`` block, including on an exception or a
   ``KeyboardInterrupt`` (Ctrl-C);
2. :func:`sigterm_as_interrupt` turns SIGTERM/SIGHUP into ``KeyboardInterrupt`` so layer 1
   runs for them too, and an :mod:`atexit` hook stops anything still registered here;
3. every server is started with a parent-death signal (see :func:`dataplane.procs.spawn_as`),
   so even a SIGKILLed run cannot leave a server running.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType

_log = logging.getLogger(__name__)

_lock = threading.Lock()
_live: dict[int, tuple[str, Callable[[], None]]] = {}
_next_key = 0


def register(label: str, stop: Callable[[], None]) -> int:
    """Remember ``stop`` until :func:`unregister`; returns the key to unregister with."""
    global _next_key
    with _lock:
        _next_key += 1
        _live[_next_key] = (label, stop)
        return _next_key


def unregister(key: int) -> None:
    """Forget a registration (a no-op for an unknown key)."""
    with _lock:
        _live.pop(key, None)


def live() -> list[str]:
    """Labels of everything still registered, oldest first."""
    with _lock:
        return [label for label, _ in _live.values()]


def stop_all() -> list[str]:
    """Stop everything still registered, newest first; returns the labels stopped.

    A stopper that raises is logged and skipped, so one failure does not strand the rest.
    """
    with _lock:
        entries = sorted(_live.items(), reverse=True)
        _live.clear()
    for _, (label, stop) in entries:
        try:
            stop()
        except Exception:  # last resort: keep stopping the others
            _log.exception("could not stop %s", label)
    return [label for _, (label, _) in entries]


atexit.register(stop_all)


#: Signals that end a run; only the main thread takes them (see :func:`background`).
TERMINATING: frozenset[signal.Signals] = frozenset({signal.SIGINT, signal.SIGTERM, signal.SIGHUP})


def background(target: Callable[..., object], *args: object, name: str) -> threading.Thread:
    """Start a daemon thread that never takes SIGINT, SIGTERM or SIGHUP.

    The kernel hands a signal sent to the process to any thread not blocking it. Python
    runs the handler in the main thread, but only once that thread wakes up: a signal that
    lands on a helper thread leaves a main thread asleep in ``time.sleep`` or ``join``
    asleep. Blocking them here (threads this one starts inherit the mask) sends every
    such signal to the main thread, whose blocking call it interrupts at once.
    """
    def run() -> None:
        signal.pthread_sigmask(signal.SIG_BLOCK, TERMINATING)
        target(*args)

    thread = threading.Thread(target=run, daemon=True, name=name)
    thread.start()
    return thread


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[bool]:
    """Within the block, SIGTERM and SIGHUP raise ``KeyboardInterrupt`` in the main thread.

    Installed only from the main thread and only over the default handlers, so a caller's
    own handlers are left alone. Yields whether the handlers were installed; restores the
    previous handlers on exit.
    """
    if threading.current_thread() is not threading.main_thread():
        yield False
        return
    previous: dict[int, object] = {}
    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) is signal.SIG_DFL:
            previous[signum] = signal.signal(signum, _interrupt)
    try:
        yield bool(previous)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}")
