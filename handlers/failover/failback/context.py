"""What every failback step receives, and what it returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from handlers.failover import clock
from handlers.failover.lease import Heartbeat
from handlers.failover.records import FailbackRecord, ReverseTarget
from handlers.failover.settings import FailoverSettings
from handlers.failover.state import StateStore
from handlers.failover.strategies.polling import PAUSE_MARGIN_SECONDS, POLL_SECONDS
from handlers.shared.aws import ClientFactory

#: ``ok`` (done, never run again), ``paused`` (out of Lambda time: resumed later),
#: ``refused`` (the reverse replication is not ready: the failback ends, nothing changed) or
#: ``aborted`` (writes were paused but the switchover cannot go on: they were opened again).
FailbackOutcome = Literal["ok", "paused", "refused", "aborted"]


@dataclass
class FailbackStepResult:
    """A step's ``outcome``, its recorded ``detail`` and, when refused or aborted, ``reason``."""

    outcome: FailbackOutcome
    detail: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None


@dataclass
class FailbackContext:
    """Settings, clients, state and time for one step of one failback. It offers what
    :class:`handlers.failover.once.OneTime` needs (``record``, ``check_lease``, ``save``)."""

    settings: FailoverSettings
    clients: ClientFactory
    store: StateStore
    record: FailbackRecord
    remaining_seconds: Callable[[], float]
    #: The lock's heartbeat; None when run without the lock (unit tests of a step).
    lease: Heartbeat | None = None
    waited_seconds: float = 0.0

    def standby(self, service: str) -> Any:
        return self.clients(service, self.settings.standby_region)

    def primary(self, service: str) -> Any:
        return self.clients(service, self.settings.primary_region)

    @property
    def reverse(self) -> ReverseTarget:
        """What ``check_reverse`` found.

        Raises:
            RuntimeError: called before ``check_reverse`` succeeded.
        """
        if self.record.reverse is None:
            raise RuntimeError("no reverse target: check_reverse has not succeeded")
        return self.record.reverse

    def check_lease(self) -> None:
        """Raise :class:`~handlers.failover.lease.LockLost` if the lock is no longer ours."""
        if self.lease is not None:
            self.lease.check()

    def out_of_time(self) -> bool:
        """True when another poll would leave less than PAUSE_MARGIN_SECONDS of Lambda time."""
        return self.remaining_seconds() < PAUSE_MARGIN_SECONDS + POLL_SECONDS

    def wait(self, seconds: float) -> None:
        """Sleep for an AWS-side wait; counted apart from the step's own time.

        Raises:
            LockLost: the lock was lost during the wait.
        """
        clock.sleep(seconds)
        self.waited_seconds += seconds
        self.check_lease()

    def save(self) -> None:
        self.store.save_failback(self.record)
