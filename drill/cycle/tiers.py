"""What the DR cycle (scenario ``full-cycle``, :mod:`drill.steps.cycle`) does differently per
database strategy: one :class:`Tier` per strategy in :data:`TIERS`; the cycle's steps call its
hooks and know no strategy by name.

==================  ==========================================================================
tier                reverse replication; the standby after the failback
==================  ==========================================================================
instance            the program's cross-Region read replica of the promoted standby
                    (:mod:`drill.cycle.instance`); a fresh standby, the old writer retained
aurora-global       the old primary cluster, rejoined by Aurora as a secondary
                    (:mod:`drill.cycle.aurora`); the same secondary cluster, a secondary again
dms                 the program's reverse DMS task into a fresh instance in the primary
                    Region (:mod:`drill.cycle.dms`); a fresh standby fed by a new forward
                    task, the old writer and the old primary retained
==================  ==========================================================================
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from contract.strategies import Strategy
from drill.cycle import aurora, dms, instance
from drill.cycle.deploy import PhaseDeploy
from drill.cycle.state import Instance
from drill.cycle.verify import Verify

if TYPE_CHECKING:
    from dataplane.server import PostgresServer
    from drill.context import DrillContext
    from drill.result import StepRecord


@dataclass(frozen=True)
class Tier:
    """The hooks of one strategy's cycle.

    Attributes:
        database: ``(ctx, identifier, region, server) -> Instance``: one of the tier's
            databases as RDS and its PostgreSQL server show it.
        region_recovers: ``(ctx, record)``: the primary Region's old database comes back.
        reverse: ``(ctx, record, deploy)``: after the ``reverse-replicating`` deploy, find the
            reverse replication (``state.reverse``, ``state.reverse_identifier``, and the
            server the failback makes the writer, ``run.new_primary``).
        normal_keys: config keys the failback's phase hint must set besides the phase.
        normal: ``(ctx, record, config set)``: after the ``normal`` deploy, the standby the
            next failover goes to (``world.standby``) and what the verifier reads of it.
        checks: the verifier's checks (:func:`drill.cycle.verify.checks_with`).
        bridges: ``(ctx) -> context manager``: emulator bridges the tier's deploys need
            (default none).
        second: ``(ctx, record)``: after the second failover, what the verifier reads of it
            beyond the event (default nothing).
    """

    database: Callable[[DrillContext, str, str, PostgresServer | None], Instance]
    region_recovers: Callable[[DrillContext, StepRecord], None]
    reverse: Callable[[DrillContext, StepRecord, PhaseDeploy], None]
    normal_keys: tuple[str, ...]
    normal: Callable[[DrillContext, StepRecord, dict[str, Any]], None]
    checks: tuple[Verify, ...]
    bridges: Callable[[DrillContext], AbstractContextManager[None]] = (
        lambda ctx: contextlib.nullcontext())
    second: Callable[[DrillContext, StepRecord], None] = lambda ctx, rec: None


INSTANCE = Tier(instance.database, instance.region_recovers, instance.reverse,
                instance.NORMAL_KEYS, instance.normal, instance.CHECKS, second=instance.second)
AURORA = Tier(aurora.database, aurora.region_recovers, aurora.reverse,
              aurora.NORMAL_KEYS, aurora.normal, aurora.CHECKS)
DMS = Tier(dms.database, dms.region_recovers, dms.reverse, dms.NORMAL_KEYS, dms.normal,
           dms.CHECKS, dms.bridges)

#: Strategy -> its cycle (the strategies :data:`drill.context.CYCLE_STRATEGIES` names).
TIERS: dict[Strategy, Tier] = {
    Strategy.READ_REPLICA: INSTANCE,
    Strategy.SNAPSHOT_RESTORE: INSTANCE,
    Strategy.AURORA_GLOBAL: AURORA,
    Strategy.DMS: DMS,
}


def tier(ctx: DrillContext) -> Tier:
    """The cycle of the drilled stack's strategy."""
    return TIERS[ctx.spec.strategy]
