"""Operator failback: release the gate only once replication runs in reverse.

Never automatic. Allowed only when the gate is tripped, no failover is in progress, and:

* replication runs in reverse, from the promoted standby to the primary Region: the
  strategy's :meth:`StrategyModule.check_reverse_replication
  <handlers.failover.strategies.StrategyModule.check_reverse_replication>` (e.g. an
  ``available`` read replica of the promoted instance in the primary Region, or a
  ``running`` DMS task reading from the standby).

Otherwise it refuses and says why (an unreachable primary-Region API is a refusal too).
Allowed: publish gate 0, unlatch, record ``pk = "failback#<time>"`` and alert. Nothing is
deleted or demoted: moving the data back is the operator's runbook.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from handlers.failover import gate, strategies
from handlers.failover.lease import Heartbeat
from handlers.failover.records import FailbackAttempt
from handlers.failover.runner import alert
from handlers.failover.settings import FailoverSettings
from handlers.failover.state import StateStore
from handlers.shared.aws import ClientFactory


def failback(settings: FailoverSettings, clients: ClientFactory, store: StateStore, *,
             reason: str, owner: str) -> dict[str, Any]:
    """Returns ``{"status": "failed-back" | "failback-refused", "reason": ..., "gate": 0|1}``."""
    latch = store.gate()
    current = store.failover()
    refusal: str | None = None
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
                if refusal is None and heartbeat.lost:
                    refusal = f"lost the lock while checking ({heartbeat.lost_reason})"
                if refusal is None:
                    gate.release(store, clients("cloudwatch", settings.standby_region),
                                 settings.stack_name, reason)
        finally:
            store.release_lock(owner)  # after the heartbeat stopped: no renewal follows
    store.log(FailbackAttempt(outcome="refused" if refusal else "released", reason=reason,
                              refusal=refusal, failover_id=latch.failover_id))
    if refusal:
        return {"status": "failback-refused", "reason": refusal,
                "gate": 1 if latch.tripped else 0}
    alerts = alert(settings, clients, "Failback: traffic gate released",
                   {"failover_id": latch.failover_id, "reason": reason})
    return {"status": "failed-back", "reason": reason, "gate": 0, "alerts": alerts,
            "failover_id": latch.failover_id}
