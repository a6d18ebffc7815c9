"""One-time AWS requests of the promote step that survive errors and crashes.

A request ``key`` (named by its strategy module, ending in ``_requested``: e.g.
``promotion_requested``, ``restore_requested``, ``dms_stop_requested``) is tracked in the
failover record as a :class:`~handlers.failover.records.OneTimeRequest` (wire keys
``<key>_state``, ``<key>_epoch``, ``<key>_at``, ``<key>_attempts``, ``<key>_error``):
``state`` ``intent`` | ``accepted`` | ``failed``; ``epoch`` / ``at`` when the latest attempt
was recorded; ``attempts``; ``error``, the latest error, if any.

* The intent is written BEFORE the call (``intent``), so a crash right after the call
  cannot lead a resumed invocation to fire blindly.
* AWS answered with an error (``ClientError``: InvalidDBInstanceState while the replica is
  ``backing-up``, throttling after botocore's retries, ...) or the request never left
  (connection refused / connect timeout): ``failed``. The request did not happen, so the
  next attempt (the next trigger: the step raises ``StepFailed``) makes it again.
* The call returned: ``accepted``.
* Anything else (the invocation crashed between the intent and the answer, or the answer
  was lost: read timeout) leaves ``intent``: the request may have reached AWS. The caller
  resolves that by reading the resource (:meth:`OneTime.may_repeat`): only when the
  resource still looks untouched - still a read replica and ``available``, restore target
  absent, task still ``running`` - and the intent is older than :data:`GRACE_SECONDS` is
  the request made again.

Why a repeat is safe: PromoteReadReplica fails with InvalidDBInstanceState on an instance
that is not a read replica (RDS API reference, PromoteReadReplica "Errors":
DBInstanceNotFound, InvalidDBInstanceState), RestoreDBInstanceFromDBSnapshot fails with
DBInstanceAlreadyExists when the identifier is taken (RDS API reference), and
StopReplicationTask fails with InvalidResourceStateFault on a task that is not running
(DMS API reference). So a repeated request can never promote, restore or stop twice; the
callers treat those answers on a repeat as "the earlier request landed".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError, ConnectTimeoutError, EndpointConnectionError

from handlers.failover import clock
from handlers.failover.records import FailbackRecord, FailoverRecord, OneTimeRequest, RequestState


class RequestContext(Protocol):
    """What a one-time request needs of its step's context: the record holding the request
    (a failover's or a failback's), a lease check and a save of that record
    (:class:`handlers.failover.context.StepContext`,
    :class:`handlers.failover.failback.context.FailbackContext`)."""

    @property
    def record(self) -> FailoverRecord | FailbackRecord: ...

    def check_lease(self) -> None: ...

    def save(self) -> None: ...

#: Seconds an unanswered request (state ``intent``) is given to show its effect before the
#: resource is trusted to say it did not land. RDS changes the instance status within
#: seconds of accepting PromoteReadReplica / RestoreDBInstanceFromDBSnapshot (to
#: ``modifying`` / ``creating``) and DMS the task to ``stopping``; 120 s is two watchdog
#: ticks and several times that, while small against the 4 h RTO.
GRACE_SECONDS = 120.0

#: Errors that prove the request never reached AWS.
_NOT_SENT = (EndpointConnectionError, ConnectTimeoutError)


def accepted(record: FailoverRecord | FailbackRecord, key: str) -> bool:
    """Whether AWS accepted the one-time request ``key`` of this failover ``record``: the
    only proof that a standby which no longer replicates was promoted (stopped, restored) by
    this failover and not by hand or by an earlier one. Reads only (creates no request)."""
    request = record.requests.get(key)
    return request is not None and request.state == "accepted"


def error_code(e: BaseException) -> str:
    """The AWS error code of a ClientError, else the exception's class name."""
    if isinstance(e, ClientError):
        return str(e.response.get("Error", {}).get("Code", "ClientError"))
    return type(e).__name__


class OneTime:
    """The request ``key`` of the failover (or failback) record in ``ctx``.

    Raises:
        ValueError: ``key`` does not end with ``_requested``.
    """

    def __init__(self, ctx: RequestContext, key: str) -> None:
        self.ctx = ctx
        self.key = key
        self.request: OneTimeRequest = ctx.record.request(key)

    @property
    def state(self) -> RequestState | None:
        """None before the first attempt. A record written before states existed (an
        ``_epoch`` only) counts as ``intent``: it may have reached AWS."""
        if self.request.state is None and self.request.epoch:
            return "intent"
        return self.request.state

    @property
    def epoch(self) -> float | None:
        return self.request.epoch or None

    @property
    def attempts(self) -> int:
        return self.request.attempts or (1 if self.request.epoch else 0)

    def age(self) -> float:
        return clock.now() - (self.epoch or clock.now())

    def may_repeat(self, *, untouched: bool, accepted_after_seconds: float) -> bool:
        """Should the request be made (again) now?

        Args:
            untouched: the resource looks as if no request landed (see module docstring).
            accepted_after_seconds: an ``accepted`` request whose effect has not shown after
                this many seconds is made again (the modelled PROMOTION_SECONDS).
        """
        state = self.state
        if state is None or state == "failed":
            return True
        if not untouched:
            return False
        if state == "intent":
            return self.age() >= GRACE_SECONDS
        return self.age() >= accepted_after_seconds

    def call(self, fn: Callable[..., Any], *, landed_codes: frozenset[str] = frozenset(),
             **kwargs: Any) -> tuple[Any, str | None]:
        """Record the intent, call ``fn(**kwargs)``, record the outcome.

        Returns:
            ``(response, None)``, or ``(None, code)`` when AWS answered with one of
            ``landed_codes`` (an earlier request landed: recorded as ``accepted``).

        Raises:
            LockLost: the lock is no longer ours (checked before the call).
            ClientError / BotoCoreError: the call failed; recorded as ``failed`` (or left
                ``intent`` when the request may have reached AWS).
        """
        self.ctx.check_lease()  # never make a one-time request without the lock
        now = clock.now()
        req = self.request
        req.attempts, req.state, req.epoch, req.at = self.attempts + 1, "intent", now, clock.iso(now)
        self.ctx.save()
        try:
            out = fn(**kwargs)
        except ClientError as e:
            code = error_code(e)
            if code in landed_codes:
                req.state, req.error = "accepted", f"{code} (an earlier request landed)"
                self.ctx.save()
                return None, code
            self._failed(e, "failed")
            raise
        except _NOT_SENT as e:
            self._failed(e, "failed")
            raise
        except BotoCoreError as e:
            # The answer was lost (read timeout, connection closed): it may have landed.
            self._failed(e, "intent")
            raise
        req.state, req.error = "accepted", None
        self.ctx.save()
        return out, None

    def _failed(self, e: BaseException, state: RequestState) -> None:
        self.request.state, self.request.error = state, f"{error_code(e)}: {e}"
        self.ctx.save()
