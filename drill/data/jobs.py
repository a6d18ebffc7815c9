"""Work that must run on the main thread, handed over from other threads.

A PostgreSQL server dies with the *thread* that started it (its parent-death signal, see
:func:`dataplane.procs.spawn_as`), so a server is started from the main thread only. A
bridge acting on moto's request thread (a restore) queues the start here; the drill runs the
queue whenever the main thread is its own: between invocations, while the handler waits, and
before it checks anything.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class MainThreadJobs:
    """A queue of callables run by :meth:`run_pending` on the main thread.

    Attributes:
        errors: ``"<label>: <Type>: <message>"`` of each job that raised.
    """

    errors: list[str] = field(default_factory=list)
    _queue: queue.SimpleQueue[tuple[str, Callable[[], None]]] = field(
        default_factory=queue.SimpleQueue)
    _idle: threading.Condition = field(default_factory=threading.Condition)
    _running: int = 0

    def submit(self, label: str, job: Callable[[], None]) -> None:
        """Queue ``job`` (from any thread)."""
        with self._idle:
            self._queue.put((label, job))

    @property
    def pending(self) -> int:
        """Jobs queued and not yet run."""
        return self._queue.qsize()

    def wait_idle(self, timeout: float) -> bool:
        """From another thread: wait (up to ``timeout`` real seconds) until the main thread
        has run every queued job; True when it has."""
        with self._idle:
            return self._idle.wait_for(lambda: self._queue.empty() and not self._running, timeout)

    def run_pending(self) -> int:
        """Run every queued job, in order, if called on the main thread; returns how many ran
        (0 on any other thread). A job that raises is recorded in :attr:`errors`."""
        if threading.current_thread() is not threading.main_thread():
            return 0
        ran = 0
        while True:
            with self._idle:
                try:
                    label, job = self._queue.get_nowait()
                except queue.Empty:
                    self._idle.notify_all()
                    return ran
                self._running += 1
            try:
                job()
            except Exception as e:  # noqa: BLE001 - recorded; the bridge reports it
                self.errors.append(f"{label}: {type(e).__name__}: {e}")
            finally:
                with self._idle:
                    self._running -= 1
            ran += 1
