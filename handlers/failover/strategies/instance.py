"""Pieces shared by the strategies whose standby is an RDS DB instance (read replica, DMS
target, restored instance): wait until it is available, and tell whether it takes writes.
Its reverse replication for failback is :mod:`handlers.failover.failback.reverse.instance`.
"""

from __future__ import annotations

from typing import Any

from handlers.failover import database
from handlers.failover.context import StepContext, StepFailed, StepResult
from handlers.failover.strategies import Check
from handlers.failover.strategies.polling import Poll


def poll_available(ctx: StepContext, requested_epoch: float, detail: dict[str, Any],
                   *, must_not_be_replica: bool) -> StepResult:
    """Poll the standby instance until ``available`` (and, if ``must_not_be_replica``, no
    longer a read replica): ``ok``, or ``paused`` when the Lambda runs low on time.
    ``detail`` gains ``instance_status`` and ``polls``.

    Raises:
        StepFailed: not available PROMOTION_SECONDS after ``requested_epoch`` (epoch seconds).
    """
    s = ctx.settings
    poll = Poll(ctx, detail)
    while True:
        inst = poll.instance()
        status = inst["DBInstanceStatus"] if inst else "missing"
        replica = bool(inst and database.replica_source(inst))
        if status == "available" and not (must_not_be_replica and replica):
            detail.update(instance_status=status, polls=poll.polls)
            return StepResult("ok", detail)
        if poll.late(requested_epoch):
            raise StepFailed(f"{s.standby_db_identifier} not available (status {status!r}, "
                             f"replica={replica}) {s.promotion_seconds} s after the request")
        paused = poll.pause_or_wait(instance_status=status, polls=poll.polls)
        if paused is not None:
            return paused


def check_writable(ctx: StepContext) -> Check:
    """Writable: the standby instance is ``available`` and no longer a read replica."""
    s = ctx.settings
    inst = database.describe_instance(ctx.standby("rds"), s.standby_db_identifier)
    writable = bool(inst and inst["DBInstanceStatus"] == "available"
                    and not database.replica_source(inst))
    detail = {"identifier": s.standby_db_identifier, "writable": writable,
              "status": inst["DBInstanceStatus"] if inst else "missing"}
    problems = [] if writable else [f"database {s.standby_db_identifier} is not writable"]
    return Check(problems, detail)
