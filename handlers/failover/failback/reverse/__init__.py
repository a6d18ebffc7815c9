"""What a failback promotes, per database strategy: one module per kind of reverse
replication, each providing the functions of :class:`ReverseOps`.

==================  ======================================================================
strategy            reverse replication (:mod:`.instance`, :mod:`.dms`, :mod:`.aurora_global`)
==================  ======================================================================
read-replica        an RDS read replica of the promoted standby in the primary Region
snapshot-restore    the same, of the restored instance
dms                 the declared reverse CDC task from the promoted standby into a fresh
                    instance in the primary Region
aurora-global       the old primary cluster, rejoined as a secondary of the global database
==================  ======================================================================

The failback's steps (:mod:`handlers.failover.failback.steps`) dispatch through :func:`load`
and know no strategy by name.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Protocol, cast, runtime_checkable

from botocore.exceptions import BotoCoreError, ClientError

from contract.strategies import Strategy, spec
from handlers.failover import clock
from handlers.failover.context import StepFailed
from handlers.failover.failback.context import FailbackContext, FailbackStepResult
from handlers.failover.failback.reverse.readings import LagReading, PromotionReading, ReverseCheck
from handlers.failover.once import OneTime
from handlers.failover.settings import FailoverSettings
from handlers.failover.strategies.polling import POLL_SECONDS, refused
from handlers.shared.aws import ClientFactory

#: The module of each strategy's reverse replication.
MODULES: dict[Strategy, str] = {
    Strategy.READ_REPLICA: "handlers.failover.failback.reverse.instance",
    Strategy.SNAPSHOT_RESTORE: "handlers.failover.failback.reverse.instance",
    Strategy.DMS: "handlers.failover.failback.reverse.dms",
    Strategy.AURORA_GLOBAL: "handlers.failover.failback.reverse.aurora_global",
}


def await_promotion(ctx: FailbackContext, req: OneTime, read: Callable[[], PromotionReading],
                    request: Callable[[], None], *, done_key: str) -> FailbackStepResult:
    """Request the promotion once (:mod:`handlers.failover.once`) and poll ``read`` until the
    target is done, bounded by PROMOTION_SECONDS from the request: ``ok`` (``detail[done_key]``
    true when it was done before any request of this failback), or ``paused`` when the Lambda
    runs low on time.

    Raises:
        StepFailed: ``read`` raised it, the target refused the request, or it is late.
        LockLost: the lock was lost before a request or during a wait.
    """
    bound = ctx.settings.promotion_seconds
    started, polls = clock.now(), 0
    while True:
        r = read()
        polls += 1
        detail = r.detail | {"polls": polls}
        if r.done:
            return FailbackStepResult("ok", detail | {done_key: req.state is None})
        if r.due and req.may_repeat(untouched=r.untouched, accepted_after_seconds=bound):
            if r.blocked:
                raise StepFailed(r.blocked)
            request()
            continue  # read the target again at once
        if clock.now() > (req.epoch or started) + bound:
            raise StepFailed(f"{r.late} {bound} s after the request ({req.state})")
        if ctx.out_of_time():
            return FailbackStepResult("paused", detail)
        ctx.wait(POLL_SECONDS)


def request_once(req: OneTime, what: str, fn: Callable[..., Any], *,
                 landed: frozenset[str] = frozenset(), **kwargs: Any) -> None:
    """``req.call(fn, **kwargs)`` (the one-time promotion request); an AWS refusal is the
    step failure :func:`~handlers.failover.strategies.polling.refused` naming ``what``.

    Raises:
        StepFailed: AWS refused the request (made again on the next trigger).
        LockLost: the lock is no longer ours.
    """
    try:
        req.call(fn, landed_codes=landed, **kwargs)
    except (BotoCoreError, ClientError) as e:
        raise refused(what, e) from e


def api_state(read: Callable[[], object]) -> str:
    """``reachable`` when ``read()`` answers, else ``unreachable: <error>`` (status facts)."""
    try:
        read()
    except (BotoCoreError, ClientError) as e:
        return f"unreachable: {type(e).__name__}: {e}"
    return "reachable"


@runtime_checkable
class ReverseOps(Protocol):
    """The functions (and constants) a reverse-replication module provides."""

    #: The failback record's one-time request key of the promotion (switchover, task stop).
    REQUEST: str
    #: Whether the standby that wrote while failed over must never be a replica again (the
    #: phase-normal deploy then declares a fresh standby, under a new identifier).
    NEW_STANDBY: bool
    #: Whether a drain reading must come from after writes were paused (False only where the
    #: promotion waits for full synchronisation itself: Aurora's switchover).
    FRESH_READINGS: bool

    def check(self, ctx: FailbackContext) -> ReverseCheck:
        """Is the reverse replication ready for a switchover: the target exists, is available,
        replicates from the promoted standby, and its lag is known and small? Reads only.

        Raises:
            botocore.exceptions.ClientError / BotoCoreError: a Region's API failed (the step
                refuses, naming the error).
        """

    def lag(self, ctx: FailbackContext, since_epoch: float) -> LagReading:
        """The target's lag now; with FRESH_READINGS, only from datapoints of periods that
        began at or after ``since_epoch`` (after writes were paused)."""

    def promote(self, ctx: FailbackContext) -> FailbackStepResult:
        """Make the target the writer, a one-time request (:mod:`handlers.failover.once`),
        then wait (bounded by PROMOTION_SECONDS from the request) until it takes writes:
        ``ok``, or ``paused`` when the Lambda runs low on time.

        Raises:
            StepFailed: the request was refused, or the target did not come up in time.
            LockLost: the lock was lost before a request or during a wait.
        """

    def observe(self, settings: FailoverSettings, clients: ClientFactory) -> dict[str, Any]:
        """Live facts for the status report, read only, never raising: ``primary_api``
        (``reachable`` or ``unreachable: <error>``), ``standby_role`` (``replica``,
        ``writer``, ``missing`` or ``unknown: <error>``) and ``reverse`` (what a failback
        would promote: ``{"identifier", "status"}``, None when there is none, or
        ``unknown``); dms also ``forward_source`` (the forward task's source endpoint:
        ``{"endpoint", "reads"}``, ``reads`` as :func:`handlers.failover.dms_endpoints.reads`
        answers, None when the task is missing, or ``unknown: <error>``)."""


def load(strategy: Strategy | str) -> ReverseOps:
    """The reverse-replication module of ``strategy``.

    Raises:
        ValueError: not a strategy (the message lists the allowed values).
    """
    return cast(ReverseOps, importlib.import_module(MODULES[spec(strategy).strategy]))
