"""The ``{"action": "status"}`` report: the state table as it stands (five reads), a few live
reads of the databases (never a write, never raising for an unreachable Region), and the phase
hint (:mod:`handlers.failover.phase`).

Keys: ``status`` (``report``), ``failover_id``, ``failover_status``, ``current_step``,
``steps`` (the latest failover's timeline), ``gate`` (the latch, with ``maintenance`` while a
failback has paused writes), ``watchdog``, ``lock``, ``failback`` (the latest failback:
``failback_id``, ``status``, ``current_step``, ``steps``, ``reverse``, ``writes``,
``writes_paused_at``, ``new_primary_arn``, ``standby_suggestion``, ``refusal``,
``abort_reason``; None before the first), ``live`` (what
:meth:`~handlers.failover.failback.reverse.ReverseOps.observe` read) and ``phase``
(``configured``, ``set``, ``why``, ``commands``, ``then``, ``mismatches``).
"""

from __future__ import annotations

from typing import Any

from handlers.failover import phase
from handlers.failover.failback.reverse import load
from handlers.failover.failback.run import timeline
from handlers.failover.records import FailbackRecord, GateLatch
from handlers.failover.runner import summary
from handlers.failover.settings import FailoverSettings
from handlers.failover.state import StateStore
from handlers.shared.aws import ClientFactory


def _gate(latch: GateLatch) -> dict[str, Any]:
    return {"tripped": latch.tripped, "tripped_at": latch.tripped_at,
            "last_published": latch.last_published, "generation": latch.generation,
            "maintenance": bool(latch.maintenance),
            "maintenance_since": latch.maintenance_since if latch.maintenance else None,
            "maintenance_failback_id": (latch.maintenance_failback_id if latch.maintenance
                                        else None)}


def _failback(record: FailbackRecord | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return {"failback_id": record.failback_id, "failover_id": record.failover_id,
            "status": record.status, "current_step": record.current_step,
            "steps": timeline(record),
            "reverse": record.reverse.to_item() if record.reverse else None,
            "writes": dict(record.writes), "writes_paused_at": record.writes_paused_at,
            "new_primary_arn": record.reverse.new_primary_arn if record.reverse else None,
            "standby_suggestion": record.standby_suggestion, "refusal": record.refusal,
            "abort_reason": record.abort_reason}


def report(settings: FailoverSettings, clients: ClientFactory,
           store: StateStore) -> dict[str, Any]:
    """The status report (see the module docstring).

    Raises:
        botocore.exceptions.ClientError / BotoCoreError: the state table cannot be read.
    """
    record, latch, wd, lock = store.failover(), store.gate(), store.watchdog(), store.lock()
    back = store.failback()
    live = load(settings.db_strategy).observe(settings, clients)
    hint = phase.for_status(settings, failover=record, latch=latch, failback=back, live=live)
    return {"status": "report", "failover_id": record and record.failover_id,
            "failover_status": record and record.status,
            "current_step": record and record.current_step,
            "steps": summary(record) if record else [],
            "gate": _gate(latch),
            "watchdog": {"armed": wd.armed,
                         "consecutive_failures": len(wd.recent_failures_epoch),
                         "last_probe_at": wd.last_probe_at, "last_probe_ok": wd.last_probe_ok},
            "lock": {"owner": lock and lock.owner,
                     "lease_expires_epoch": lock and lock.lease_expires_epoch,
                     "renewed_at": lock and lock.renewed_at,
                     "renewals": lock and lock.renewals},
            "failback": _failback(back), "live": live, "phase": hint.as_dict()}
