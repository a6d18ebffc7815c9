"""Operator failback: release the gate only once replication runs in reverse.

Never automatic. Allowed only when the gate is tripped, no failover is in progress, and:

* replication runs in reverse, from the promoted standby to the primary Region: the
  strategy's :meth:`StrategyModule.check_reverse_replication
  <handlers.failover.strategies.StrategyModule.check_reverse_replication>` (e.g. an
  ``available`` read replica of the promoted instance in the primary Region, a ``running``
  DMS task reading from the standby, or the old Aurora primary rejoined as a secondary with
  its lag near zero).

Then the strategy moves the database role back where it can
(:meth:`~handlers.failover.strategies.StrategyModule.switch_back`: aurora-global switches over,
with no data loss; the instance strategies move nothing). A switchover still under way when
Lambda time runs low returns ``failback-in-progress`` with the gate still tripped: invoking
failback again resumes it.

Otherwise it refuses and says why (an unreachable primary-Region API is a refusal too).
Allowed: publish gate 0, unlatch, record ``pk = "failback#<time>"`` and alert. Nothing is
deleted; for the instance strategies moving the data back is the operator's runbook.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from handlers.failover import gate, strategies
from handlers.failover.lease import Heartbeat
from handlers.failover.records import FailbackAttempt
from handlers.failover.runner import alert
from handlers.failover.settings import FailoverSettings
from handlers.failover.state import StateStore
from handlers.failover.strategies import SwitchBack
from handlers.shared.aws import ClientFactory
from rto_rpo.figures import LAMBDA_MAX_TIMEOUT_SECONDS


def failback(settings: FailoverSettings, clients: ClientFactory, store: StateStore, *,
             reason: str, owner: str,
             remaining_seconds: Callable[[], float] = lambda: LAMBDA_MAX_TIMEOUT_SECONDS
             ) -> dict[str, Any]:
    """Returns ``{"status": "failed-back" | "failback-refused" | "failback-in-progress",
    "reason": ..., "gate": 0|1}`` (``switch_back`` with what the strategy did)."""
    latch = store.gate()
    current = store.failover()
    refusal: str | None = None
    moved = SwitchBack()
    if not latch.tripped:
        refusal = "the gate is not tripped: there is nothing to fail back"
    elif current is not None and current.status == "in-progress":
        refusal = f"failover {current.failover_id} is still in progress"
    elif not store.acquire_lock(owner, "failback"):
        refusal = "another failover or failback holds the lock"
    else:
        heartbeat = Heartbeat(store, owner)
        try:
            with heartbeat:
                strategy = strategies.load(settings.db_strategy)
                try:
                    refusal = strategy.check_reverse_replication(settings, clients)
                except (BotoCoreError, ClientError) as e:
                    refusal = f"cannot verify reverse replication ({type(e).__name__}: {e})"
                if refusal is None:
                    refusal, moved = _switch_back(strategy, settings, clients, remaining_seconds)
                if refusal is None and heartbeat.lost:
                    refusal = f"lost the lock while checking ({heartbeat.lost_reason})"
                if refusal is None and moved.done:
                    gate.release(store, clients("cloudwatch", settings.standby_region),
                                 settings.stack_name, reason, settings.gate_period_seconds)
        finally:
            store.release_lock(owner)  # after the heartbeat stopped: no renewal follows
    outcome = "refused" if refusal else "released" if moved.done else "in-progress"
    store.log(FailbackAttempt(outcome=outcome, reason=reason, refusal=refusal,
                              failover_id=latch.failover_id))
    if refusal:
        return {"status": "failback-refused", "reason": refusal,
                "gate": 1 if latch.tripped else 0}
    if not moved.done:
        return {"status": "failback-in-progress", "reason": reason, "gate": 1,
                "switch_back": moved.detail,
                "next": "the switchover is under way: invoke failback again to finish it"}
    alerts = alert(settings, clients, "Failback: traffic gate released",
                   {"failover_id": latch.failover_id, "reason": reason,
                    "switch_back": moved.detail})
    return {"status": "failed-back", "reason": reason, "gate": 0, "alerts": alerts,
            "failover_id": latch.failover_id, "switch_back": moved.detail}


def _switch_back(strategy: Any, settings: FailoverSettings, clients: ClientFactory,
                 remaining_seconds: Callable[[], float]) -> tuple[str | None, SwitchBack]:
    """The strategy's switch-back; an AWS error is a refusal naming it."""
    try:
        moved = strategy.switch_back(settings, clients, remaining_seconds)
    except (BotoCoreError, ClientError) as e:
        return f"cannot switch the database back ({type(e).__name__}: {e})", SwitchBack()
    return moved.refusal, moved
