"""Pieces shared by the strategies whose standby is an RDS DB instance (read replica, DMS
target, restored instance): wait until it is available, tell whether it takes writes, and
find a read replica of it in the primary Region (reverse replication for failback).

RDS gives a cross-Region replica's source as an ARN (Amazon RDS API Reference, "DBInstance",
ReadReplicaSourceDBInstanceIdentifier,
https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBInstance.html); comparisons
accept an identifier too (:func:`contract.identifiers.same_db`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contract.identifiers import same_db
from handlers.failover import database
from handlers.failover.context import StepContext, StepFailed, StepResult
from handlers.failover.settings import FailoverSettings
from handlers.failover.strategies import Check, SwitchBack
from handlers.failover.strategies.polling import Poll
from handlers.shared.aws import ClientFactory


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


def check_reverse_replica(settings: FailoverSettings, clients: ClientFactory) -> str | None:
    """Reason failback must wait, or None when an ``available`` read replica of the
    promoted standby instance exists in the primary Region (its source is the standby's
    ARN or identifier)."""
    standby = database.describe_instance(clients("rds", settings.standby_region),
                                         settings.standby_db_identifier)
    if standby is None:
        return f"standby instance {settings.standby_db_identifier} not found"
    arn = standby.get("DBInstanceArn")
    rds = clients("rds", settings.primary_region)
    for page in rds.get_paginator("describe_db_instances").paginate():
        for inst in page.get("DBInstances", []):
            if same_db(database.replica_source(inst), settings.standby_db_identifier, arn):
                if inst["DBInstanceStatus"] == "available":
                    return None
                return (f"reverse replica {inst['DBInstanceIdentifier']} is "
                        f"{inst['DBInstanceStatus']!r}, not 'available'")
    return (f"no read replica of {settings.standby_db_identifier} in {settings.primary_region}: "
            "replication has not been re-established in reverse")


def no_switch_back(settings: FailoverSettings, clients: ClientFactory,
                   remaining_seconds: Callable[[], float]) -> SwitchBack:
    """An instance standby moves no data back by itself (the operator's runbook does): done."""
    return SwitchBack(done=True)
