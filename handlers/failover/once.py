"""One-time AWS requests of the promote step that survive errors and crashes.

A request ``key`` (``promotion_requested``, ``restore_requested``, ``dms_stop_requested``)
is tracked in the failover record::

    "<key>_state": "intent" | "accepted" | "failed",
    "<key>_epoch": float, "<key>_at": str   (when the latest attempt was recorded),
    "<key>_attempts": int, "<key>_error": str (the latest error, if any)

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
from typing import Any, Literal

from botocore.exceptions import BotoCoreError, ClientError, ConnectTimeoutError, EndpointConnectionError

from handlers.failover import clock
from handlers.failover.context import StepContext

#: Seconds an unanswered request (state ``intent``) is given to show its effect before the
#: resource is trusted to say it did not land. RDS changes the instance status within
#: seconds of accepting PromoteReadReplica / RestoreDBInstanceFromDBSnapshot (to
#: ``modifying`` / ``creating``) and DMS the task to ``stopping``; 120 s is two watchdog
#: ticks and several times that, while small against the 4 h RTO.
GRACE_SECONDS = 120.0

State = Literal["intent", "accepted", "failed"]

#: Errors that prove the request never reached AWS.
_NOT_SENT = (EndpointConnectionError, ConnectTimeoutError)


def error_code(e: BaseException) -> str:
    """The AWS error code of a ClientError, else the exception's class name."""
    if isinstance(e, ClientError):
        return str(e.response.get("Error", {}).get("Code", "ClientError"))
    return type(e).__name__


class OneTime:
    """The request ``key`` of the failover record in ``ctx``."""

    def __init__(self, ctx: StepContext, key: str) -> None:
        self.ctx = ctx
        self.key = key

    def _get(self, field: str) -> Any:
        return self.ctx.record.get(f"{self.key}_{field}")

    @property
    def state(self) -> State | None:
        """None before the first attempt. A record written before states existed (an
        ``_epoch`` only) counts as ``intent``: it may have reached AWS."""
        value = self._get("state")
        if value is None and self._get("epoch"):
            return "intent"
        return value  # type: ignore[no-any-return]

    @property
    def epoch(self) -> float | None:
        value = self._get("epoch")
        return float(value) if value else None

    @property
    def attempts(self) -> int:
        return int(self._get("attempts") or (1 if self._get("epoch") else 0))

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
        rec = self.ctx.record
        rec[f"{self.key}_attempts"] = self.attempts + 1
        rec[f"{self.key}_state"] = "intent"
        rec[f"{self.key}_epoch"] = now
        rec[f"{self.key}_at"] = clock.iso(now)
        self.ctx.save()
        try:
            out = fn(**kwargs)
        except ClientError as e:
            code = error_code(e)
            if code in landed_codes:
                rec[f"{self.key}_state"] = "accepted"
                rec[f"{self.key}_error"] = f"{code} (an earlier request landed)"
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
        rec[f"{self.key}_state"] = "accepted"
        rec.pop(f"{self.key}_error", None)
        self.ctx.save()
        return out, None

    def _failed(self, e: BaseException, state: State) -> None:
        self.ctx.record[f"{self.key}_state"] = state
        self.ctx.record[f"{self.key}_error"] = f"{error_code(e)}: {e}"
        self.ctx.save()
