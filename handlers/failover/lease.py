"""Keeps the failover lock's short lease alive while one invocation runs.

:class:`Heartbeat` is started right after :meth:`StateStore.acquire_lock` succeeds and is
stopped (its thread joined) before the invocation returns or raises: Lambda freezes the
execution environment after the handler returns, and a thread that outlived the invocation
would wake in a later one and renew a lock nobody is using. Use it as a context manager.

A daemon thread renews the lease (``state.LEASE_SECONDS``) every ``state.HEARTBEAT_SECONDS``
with a conditional update (``owner = :me``). The lock counts as lost when

* a renewal finds it is no longer ours (``ConditionalCheckFailedException``), or
* the lease we last wrote has run out (less ``state.LEASE_SKEW_SECONDS``) because renewals
  kept failing (throttling, network): a competitor may take it from then on.

The runner calls :meth:`Heartbeat.check` between steps and a step's poll loop calls it on
every wait (:meth:`StepContext.wait`); it raises :class:`LockLost`, and the invocation stops
without writing anything more, so no two holders act. :meth:`check` also renews when a
renewal is due by the handler's clock (:mod:`handlers.failover.clock`), so a clock moved by
tests or the drill renews the lease the way the thread does in real time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from contract.names import Metric
from handlers.failover import clock, state
from handlers.failover.observability import count, logger

#: Name of the heartbeat thread (tests look for it to prove it never outlives a call).
THREAD_NAME = "failover-lease-heartbeat"


class LockLost(Exception):  # noqa: N818 - the name says what happened
    """The failover lock is no longer ours: stop before the next step or AWS call."""


class Heartbeat:
    """Renews ``owner``'s lease on the lock in ``store`` until :meth:`stop`.

    Args:
        store: the state table.
        owner: the lock owner (the invocation's request id).
        lease_seconds: lease length, seconds (default ``state.LEASE_SECONDS``).
        interval_seconds: seconds between renewals (default ``state.HEARTBEAT_SECONDS``,
            or a third of ``lease_seconds`` when that is given).
    """

    def __init__(self, store: state.StateStore, owner: str, *,
                 lease_seconds: float | None = None,
                 interval_seconds: float | None = None) -> None:
        self.store = store
        self.owner = owner
        self.lease_seconds = state.LEASE_SECONDS if lease_seconds is None else lease_seconds
        if interval_seconds is None:
            interval_seconds = (state.HEARTBEAT_SECONDS if lease_seconds is None
                                else lease_seconds / 3)
        self.interval_seconds = interval_seconds
        if not 0 < self.interval_seconds < self.lease_seconds:
            raise ValueError(f"heartbeat interval {self.interval_seconds} s must be above 0 "
                             f"and below the lease {self.lease_seconds} s")
        self.renewals = 0
        self.failed_renewals = 0
        self.lost_reason: str | None = None
        self._mutex = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # The lease was just written by acquire_lock: it runs from about now.
        self._last_renewal = clock.now()
        self._valid_until = self._last_renewal + self.lease_seconds

    # -- lifecycle ----------------------------------------------------------------------
    def start(self) -> Heartbeat:
        self._thread = threading.Thread(target=self._run, name=THREAD_NAME, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop renewing and wait for the thread to end (at most one renewal call)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> Heartbeat:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- renewal ------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.wait(self.interval_seconds):
            try:
                self._renew()
            except Exception:  # noqa: BLE001 - keep beating; check() stops the run if the
                # lease runs out meanwhile
                self.failed_renewals += 1
                logger.exception("lease renewal raised; retrying on the next heartbeat")
            if self.lost_reason:
                return

    def _renew(self) -> None:
        with self._mutex:
            if self.lost_reason or self._stop.is_set():
                return
            now = clock.now()
            try:
                ours = self.store.renew_lock(self.owner, self.lease_seconds, now)
            except (BotoCoreError, ClientError) as e:
                # The lock may still be ours; the next renewal retries, and check() stops
                # the runner if the lease runs out meanwhile.
                self.failed_renewals += 1
                logger.warning("lease renewal failed; retrying on the next heartbeat",
                               extra={"error": f"{type(e).__name__}: {e}"})
                return
            if ours:
                self.renewals += 1
                self._last_renewal = now
                self._valid_until = now + self.lease_seconds
            else:
                self.lost_reason = "a renewal found the lock held by another invocation or released"
                logger.error("failover lock lost: stopping before the next step",
                             extra={"owner": self.owner})

    def _expired(self) -> bool:
        return clock.now() >= self._valid_until - state.LEASE_SKEW_SECONDS

    @property
    def lost(self) -> bool:
        """True once the lock is known lost or our lease has run out."""
        if not self.lost_reason and self._expired():
            self.lost_reason = "the lease ran out before a renewal succeeded"
        return self.lost_reason is not None

    def check(self) -> None:
        """Renew if a renewal is due by the clock, then raise if the lock is lost.

        Raises:
            LockLost: the lock is no longer ours (the message says why).
        """
        if (self.lost_reason is None and not self._stop.is_set()
                and clock.now() - self._last_renewal >= self.interval_seconds):
            self._renew()
        if self.lost:
            raise LockLost(f"failover lock lost by {self.owner}: {self.lost_reason}")


def locked_run(store: state.StateStore, owner: str, lock_for: str,
               run: Callable[[Heartbeat], dict[str, Any]], *, what: str,
               record_id: Callable[[], dict[str, Any]],
               locked_key: str = "lock_for") -> dict[str, Any]:
    """Run ``run(heartbeat)`` holding the state table's lock for ``lock_for``, renewed by a
    heartbeat; ``what`` (``failover`` or ``failback``) names the run in logs and answers.

    Returns:
        ``run``'s answer; ``{"status": "locked", "held_by", <locked_key>, "steps": []}``
        when another invocation holds the lock (``locked_key``: the run the lock is for);
        ``{"status": "lock-lost", "error", "steps": [], **record_id()}`` when the lease was
        lost mid-run (nothing more is written: the holder resumes the run).

    Raises:
        whatever ``run`` raises, after releasing the lock.
    """
    if not store.acquire_lock(owner, lock_for):
        lock = store.lock()
        logger.info(f"{what} lock held elsewhere", extra={"holder": lock and lock.owner})
        return {"status": "locked", "held_by": lock and lock.owner,
                locked_key: lock and lock.failover_id, "steps": []}
    heartbeat = Heartbeat(store, owner)
    try:
        with heartbeat:
            result = run(heartbeat)
    except LockLost as e:
        logger.error(f"{what} stopped: lock lost", extra={"reason": str(e)})
        count(Metric.ORCHESTRATOR_ERROR)
        return {"status": "lock-lost", **record_id(), "error": str(e), "steps": []}
    except Exception:
        store.release_lock(owner)
        raise
    # Released only after the heartbeat stopped, so no renewal follows it.
    store.release_lock(owner)
    return result
