"""The failback's steps, in the order of :data:`contract.names.FAILBACK_STEPS`. Each takes the
step's :class:`~handlers.failover.failback.context.FailbackContext` and the strategy's
reverse-replication module (:mod:`handlers.failover.failback.reverse`).

1. ``check_reverse``: the reverse replication is ready (:meth:`ReverseOps.check
   <handlers.failover.failback.reverse.ReverseOps.check>`) and the write switch is deployed in
   both Regions; otherwise ``refused`` and nothing changes (an unreachable API is a refusal).
2. ``pause_writes``: the write switch ``paused`` in the primary Region (so the new primary
   does not take writes early), then in the standby Region (the shop stops writing to the
   promoted standby); the gate latch records the maintenance.
3. ``drain``: wait until the target's lag is zero (:meth:`ReverseOps.lag`), counting only
   readings from periods that began :data:`~contract.names.WRITE_SWITCH_REFRESH_SECONDS` after
   the pause; bounded by :data:`DRAIN_SECONDS` from the drain's start across invocations.
   Past the bound the failback is ``aborted``: the standby's writes are opened again, nothing
   was promoted, the gate stays tripped.
4. ``promote_reverse``: :meth:`ReverseOps.promote` (one one-time request across crashes).
   Before its request is made, writes paused longer than :data:`MAX_PAUSE_SECONDS` abort the
   failback the same way; once made, it is never aborted (a promotion cannot be undone).
5. ``release``: the gate released (publish 0; :func:`handlers.failover.gate.release`), then the
   primary Region's write switch ``open``, the maintenance ended on the latch, and a fresh
   standby identifier chosen. The standby Region's switch stays ``paused``: its database is
   the old writer, which clients still resolving to the standby during the DNS move must not
   write to (the next failover opens it again, :mod:`handlers.failover.steps.move_traffic`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from contract.identifiers import is_db_identifier
from contract.names import WRITE_SWITCH_REFRESH_SECONDS, write_switch_parameter
from contract.phases import WriteSwitch, fresh_standby_identifier
from handlers.failover import clock, database, gate, write_switch
from handlers.failover.failback.context import FailbackContext, FailbackStepResult
from handlers.failover.failback.reverse import ReverseOps
from handlers.failover.records import GateLatch
from handlers.failover.strategies.polling import POLL_SECONDS

#: Longest wait for the reverse replication to drain once writes are paused, seconds: the
#: customer-visible write pause before the promotion is about this at most. 10 min covers
#: a replica that was within START_MAX_LAG_SECONDS when the failback began many times over.
DRAIN_SECONDS = 600.0
#: Longest write pause before the promotion request is made, seconds (a promotion refused
#: again and again, e.g. while the replica is ``backing-up``): past it the failback aborts.
MAX_PAUSE_SECONDS = DRAIN_SECONDS + 300.0

Step = Callable[[FailbackContext, ReverseOps], FailbackStepResult]


def _switches_deployed(ctx: FailbackContext) -> str | None:
    """Why the write switch cannot pause writes (not deployed in a Region), or None."""
    s = ctx.settings
    for region in (s.standby_region, s.primary_region):
        if write_switch.read(ctx.clients("ssm", region), s.stack_name) is None:
            return (f"write switch {write_switch_parameter(s.stack_name)} not found in {region}: "
                    "the program deploys it (pulumi up); without it writes cannot be paused "
                    "for the switchover")
    return None


def check_reverse(ctx: FailbackContext, ops: ReverseOps) -> FailbackStepResult:
    try:
        found = ops.check(ctx)
        refusal = found.refusal or _switches_deployed(ctx)
    except (BotoCoreError, ClientError) as e:
        return FailbackStepResult("refused", reason=f"cannot verify reverse replication "
                                                    f"({type(e).__name__}: {e})")
    if refusal is not None or found.target is None:
        return FailbackStepResult("refused", found.detail, reason=refusal or "no target found")
    ctx.record.reverse = found.target
    ctx.record.old_writer = ctx.settings.standby_db_identifier if ops.NEW_STANDBY else None
    ctx.record.old_primary = ctx.settings.primary_db_identifier
    return FailbackStepResult("ok", {**found.detail, "target": found.target.to_item()})


def pause_writes(ctx: FailbackContext, ops: ReverseOps) -> FailbackStepResult:
    s, rec = ctx.settings, ctx.record
    for region in (s.primary_region, s.standby_region):
        write_switch.put(ctx.clients("ssm", region), s.stack_name, WriteSwitch.PAUSED)
        rec.writes[region] = str(WriteSwitch.PAUSED)
    now = clock.now()
    rec.writes_paused_epoch, rec.writes_paused_at = now, clock.iso(now)
    ctx.save()
    ctx.store.update(GateLatch.PK, maintenance=True, maintenance_since=rec.writes_paused_at,
                     maintenance_failback_id=rec.failback_id)
    return FailbackStepResult("ok", {"writes": dict(rec.writes), "paused_at": rec.writes_paused_at})


def abort(ctx: FailbackContext, why: str, detail: dict[str, Any]) -> FailbackStepResult:
    """Give the shop its writes back on the standby (still the writer: nothing was promoted)
    and end the maintenance; the gate stays tripped and the primary's switch ``paused``.

    Raises:
        botocore.exceptions.ClientError / BotoCoreError: the standby's switch could not be
            opened (the step fails and the next trigger aborts again).
    """
    s, rec = ctx.settings, ctx.record
    write_switch.put(ctx.standby("ssm"), s.stack_name, WriteSwitch.OPEN)
    rec.writes[s.standby_region] = str(WriteSwitch.OPEN)
    rec.abort_reason = why
    ctx.store.update(GateLatch.PK, maintenance=False, maintenance_ended_at=clock.iso())
    return FailbackStepResult("aborted", {**detail, "writes": dict(rec.writes)}, reason=why)


def drain(ctx: FailbackContext, ops: ReverseOps) -> FailbackStepResult:
    rec = ctx.record
    if rec.drain_started_epoch is None:
        rec.drain_started_epoch = clock.now()
        ctx.save()
    deadline = rec.drain_started_epoch + DRAIN_SECONDS
    since = (rec.writes_paused_epoch or rec.drain_started_epoch) + WRITE_SWITCH_REFRESH_SECONDS
    detail: dict[str, Any] = {"counted_from": clock.iso(since), "polls": 0}
    while True:
        if clock.now() > deadline:
            return abort(ctx, f"the reverse replication did not drain to zero lag within "
                              f"{DRAIN_SECONDS:g} s of pausing writes", detail)
        try:
            reading = ops.lag(ctx, since)
            detail.update(reading.as_dict())
            detail.pop("read_error", None)
        except (BotoCoreError, ClientError) as e:  # read again on the next poll
            reading, detail["read_error"] = None, f"{type(e).__name__}: {e}"
        detail["polls"] += 1
        if reading is not None and reading.drained:
            return FailbackStepResult("ok", detail)
        if ctx.out_of_time():
            return FailbackStepResult("paused", detail)
        ctx.wait(POLL_SECONDS)


def promote_reverse(ctx: FailbackContext, ops: ReverseOps) -> FailbackStepResult:
    rec = ctx.record
    request = rec.requests.get(ops.REQUEST)
    never_sent = request is None or request.state in (None, "failed")
    paused_for = clock.now() - (rec.writes_paused_epoch or clock.now())
    if never_sent and paused_for > MAX_PAUSE_SECONDS:
        return abort(ctx, f"writes were paused {paused_for:.0f} s (over {MAX_PAUSE_SECONDS:g} s) "
                          "and the promotion was never accepted", {})
    return ops.promote(ctx)


#: Fresh standby identifiers tried before giving up on checking that one is free.
SUGGESTION_TRIES = 5


def suggest_standby(ctx: FailbackContext) -> str | None:
    """A ``database.standbyIdentifier`` for phase normal that is not the old writer's and, as
    far as DescribeDBInstances in the standby Region tells, not taken; None when the strategy
    keeps its standby (Aurora)."""
    old = ctx.record.old_writer
    if old is None:
        return None
    candidate = fresh_standby_identifier(old)
    rds = ctx.standby("rds")
    for _ in range(SUGGESTION_TRIES):
        try:
            if database.describe_instance(rds, candidate) is None:
                break
        except (BotoCoreError, ClientError):
            break  # a suggestion, not a promise: the program checks the name again
        candidate = fresh_standby_identifier(candidate)
    return candidate if is_db_identifier(candidate) else None


def release(ctx: FailbackContext, ops: ReverseOps) -> FailbackStepResult:
    s, rec = ctx.settings, ctx.record
    cloudwatch = ctx.standby("cloudwatch")
    # The primary's writes first: if its Region cannot take the write, the gate stays tripped
    # and traffic stays on the standby rather than moving to a Region that cannot write.
    write_switch.put(ctx.primary("ssm"), s.stack_name, WriteSwitch.OPEN)
    rec.writes[s.primary_region] = str(WriteSwitch.OPEN)
    ctx.save()
    if ctx.store.gate().tripped:
        gate.release(ctx.store, cloudwatch, s.stack_name, rec.reason, s.gate_period_seconds)
    else:  # released by an earlier attempt of this step
        gate.publish(cloudwatch, s.stack_name, 0, s.gate_period_seconds)
    ctx.store.update(GateLatch.PK, maintenance=False, maintenance_ended_at=clock.iso())
    rec.standby_suggestion = suggest_standby(ctx)
    return FailbackStepResult("ok", {"gate": 0, "writes": dict(rec.writes),
                                     "new_primary_arn": ctx.reverse.new_primary_arn,
                                     "standby_suggestion": rec.standby_suggestion})


STEPS: dict[str, Step] = {
    "check_reverse": check_reverse,
    "pause_writes": pause_writes,
    "drain": drain,
    "promote_reverse": promote_reverse,
    "release": release,
}
