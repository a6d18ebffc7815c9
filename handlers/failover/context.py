"""What every step receives, and what it returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from handlers.failover import clock
from handlers.failover.lease import Heartbeat
from handlers.failover.records import FailoverRecord, FailoverStatus
from handlers.failover.settings import FailoverSettings
from handlers.failover.state import StateStore
from handlers.shared.aws import ClientFactory

#: The failover record note a strategy may set (``ctx.record.notes[COMPLETION_NOTES]``, a
#: JSON-able dict) for the completion alert: what the operator must know or do next (e.g. the
#: snapshot holding the writes that did not replicate).
COMPLETION_NOTES = "completion_notes"


class StepFailed(Exception):
    """A step could not do its job; the failover stays in progress and is retried on the
    next trigger. The message says why."""


Outcome = Literal["ok", "skipped", "aborted", "paused"]


@dataclass
class StepResult:
    """``outcome``: ok / skipped (nothing to do) / aborted (stop the failover with
    ``status``) / paused (out of Lambda time; resume later). ``detail`` is recorded."""

    outcome: Outcome
    detail: dict[str, Any] = field(default_factory=dict)
    status: FailoverStatus | None = None


@dataclass
class StepContext:
    """Settings, clients, state and time for one step of one failover."""

    settings: FailoverSettings
    clients: ClientFactory
    store: StateStore
    record: FailoverRecord
    force: bool
    remaining_seconds: Callable[[], float]
    waited_seconds: float = 0.0
    #: The lock's heartbeat; None when run without the lock (unit tests of a step).
    lease: Heartbeat | None = None

    def standby(self, service: str) -> Any:
        return self.clients(service, self.settings.standby_region)

    def primary(self, service: str) -> Any:
        return self.clients(service, self.settings.primary_region)

    def check_lease(self) -> None:
        """Raise :class:`~handlers.failover.lease.LockLost` if the lock is no longer ours;
        call it before any one-time AWS request."""
        if self.lease is not None:
            self.lease.check()

    def wait(self, seconds: float) -> None:
        """Sleep for an AWS-side wait; counted apart from the step's own time.

        Raises:
            LockLost: the lock was lost during the wait (the poll loop must not go on).
        """
        clock.sleep(seconds)
        self.waited_seconds += seconds
        self.check_lease()

    def save(self) -> None:
        self.store.save_failover(self.record)
