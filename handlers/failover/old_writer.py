"""No failover onto the old writer: between a completed failback and the ``normal`` deploy.

A failback of an instance strategy (``rds-read-replica`` or ``dms-task`` reverse target)
makes the reverse replication's target the new primary; the standby the orchestrator still
names (STANDBY_DB_IDENTIFIER) is then the *old writer*: it took no write since the failback's
``pause_writes`` step and replicates from nothing. Until the operator sets ``failover.phase``
back to ``normal`` and deploys (a fresh standby replica of the new primary, under a fresh
identifier), a failover would promote that stale copy and lose every order written since the
failback. So a failover is refused then, by alarm or by the operator, with one alert per
failback saying what to deploy. ``force`` is the operator's explicit choice to fail over onto
the old writer anyway (the site up on stale data rather than down): the run goes on as usual
after an alert saying so.

An ``aurora-secondary`` failback swaps the global database's roles back: the secondary
replicates again and needs no guard.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from handlers.failover import clock, phase
from handlers.failover.observability import logger
from handlers.failover.records import FailbackRecord
from handlers.failover.settings import FailoverSettings
from handlers.failover.state import StateStore

#: Reverse-target kinds after whose failback the standby is the old writer.
_INSTANCE_KINDS = frozenset({"rds-read-replica", "dms-task"})
#: The note on the failback record that the refusal was alerted (one alert per failback).
ALERTED_NOTE = "old_writer_refusal_alerted_at"


def old_writer_failback(settings: FailoverSettings, store: StateStore) -> FailbackRecord | None:
    """The completed failback whose old writer is still the configured standby, or None.

    Raises:
        botocore.exceptions.ClientError / BotoCoreError: the state table could not be read.
    """
    fb = store.failback()
    if (fb is None or fb.status != "completed" or not fb.old_writer or fb.reverse is None
            or fb.reverse.kind not in _INSTANCE_KINDS):
        return None
    return fb if fb.old_writer.lower() == settings.standby_db_identifier.lower() else None


def refusal(settings: FailoverSettings, store: StateStore, *, force: bool,
            alert: Callable[[str, dict[str, Any]], Any]) -> dict[str, Any] | None:
    """The answer ``{"status": "standby-is-old-writer", ...}`` when a new failover would promote
    the old writer, else None. ``alert(subject, body)`` sends the operator's alert: once per
    failback for the refusal; with ``force`` (None is returned: the failover goes on) an alert
    that the failover runs onto the old writer.

    Raises:
        botocore.exceptions.ClientError / BotoCoreError: the state table could not be read or
            written (no failover starts then either: the handler fails and is retried).
    """
    fb = old_writer_failback(settings, store)
    if fb is None:
        return None
    body = {"failback_id": fb.failback_id, "failback_completed_at": fb.completed_at,
            "old_writer": fb.old_writer,
            "new_primary": fb.reverse.new_primary_arn if fb.reverse else None,
            "phase": phase.after_failback(settings, fb).as_dict()}
    if force:
        logger.warning("forced failover onto the old writer of a completed failback", extra=body)
        alert("FORCED FAILOVER onto the old writer of the last failback: orders written since "
              "the failback are not on it", body)
        return None
    body["force"] = ('invoke {"action": "failover", "force": true} to fail over onto the old '
                     "writer anyway: orders written since the failback are not on it")
    if not fb.notes.get(ALERTED_NOTE):
        alert("FAILOVER REFUSED: the standby is the old writer of the last failback", body)
        fb.notes[ALERTED_NOTE] = clock.iso(clock.now())
        store.save_failback(fb)
    logger.warning("failover refused: the standby is the old writer of the last failback",
                   extra=body)
    return {"status": "standby-is-old-writer", **body, "steps": []}
