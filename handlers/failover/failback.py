"""Operator failback: release the gate only once replication runs in reverse.

Never automatic. Allowed only when the gate is tripped, no failover is in progress, and:

* read-replica / snapshot-restore: an ``available`` read replica of the promoted standby
  exists in the primary Region (its source is the standby's ARN or identifier);
* dms: a ``running`` replication task (either Region) reads from the original task's target
  endpoint, i.e. the standby database is now the source.

Otherwise it refuses and says why (an unreachable primary-Region API is a refusal too).
Allowed: publish gate 0, unlatch, record ``pk = "failback#<time>"`` and alert. Nothing is
deleted or demoted: moving the data back is the operator's runbook.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from handlers.failover import clock, database, gate
from handlers.failover.lease import Heartbeat
from handlers.failover.runner import alert
from handlers.failover.settings import FailoverSettings
from handlers.failover.state import StateStore
from handlers.shared.aws import ClientFactory


def _reverse_replica(settings: FailoverSettings, clients: ClientFactory) -> str | None:
    """Reason it is missing, or None when a reverse read replica exists."""
    standby = database.describe_instance(clients("rds", settings.standby_region),
                                         settings.standby_db_identifier)
    if standby is None:
        return f"standby instance {settings.standby_db_identifier} not found"
    arn = standby.get("DBInstanceArn")
    rds = clients("rds", settings.primary_region)
    for page in rds.get_paginator("describe_db_instances").paginate():
        for inst in page.get("DBInstances", []):
            if database.same_db(database.replica_source(inst), settings.standby_db_identifier,
                                arn):
                if inst["DBInstanceStatus"] == "available":
                    return None
                return (f"reverse replica {inst['DBInstanceIdentifier']} is "
                        f"{inst['DBInstanceStatus']!r}, not 'available'")
    return (f"no read replica of {settings.standby_db_identifier} in {settings.primary_region}: "
            "replication has not been re-established in reverse")


def _reverse_task(settings: FailoverSettings, clients: ClientFactory) -> str | None:
    original = database.dms_task(clients("dms", settings.standby_region), settings.dms_task_arn)
    if original is None:
        return f"DMS task {settings.dms_task_arn} not found"
    target = original["TargetEndpointArn"]
    for region in (settings.standby_region, settings.primary_region):
        tasks = clients("dms", region).describe_replication_tasks(
            Filters=[{"Name": "endpoint-arn", "Values": [target]}], WithoutSettings=True)
        for task in tasks.get("ReplicationTasks", []):
            if (task["ReplicationTaskArn"] != settings.dms_task_arn
                    and task["SourceEndpointArn"] == target and task["Status"] == "running"):
                return None
    return ("no running DMS task reads from the standby (endpoint "
            f"{target}): replication has not been re-established in reverse")


def failback(settings: FailoverSettings, clients: ClientFactory, store: StateStore, *,
             reason: str, owner: str) -> dict[str, Any]:
    """Returns ``{"status": "failed-back" | "failback-refused", "reason": ..., "gate": 0|1}``."""
    latch = store.gate()
    current = store.failover() or {}
    refusal: str | None = None
    if not latch.get("tripped"):
        refusal = "the gate is not tripped: there is nothing to fail back"
    elif current.get("status") == "in-progress":
        refusal = f"failover {current.get('failover_id')} is still in progress"
    elif not store.acquire_lock(owner, "failback"):
        refusal = "another failover or failback holds the lock"
    else:
        heartbeat = Heartbeat(store, owner)
        try:
            with heartbeat:
                check = _reverse_task if settings.db_strategy == "dms" else _reverse_replica
                try:
                    refusal = check(settings, clients)
                except (BotoCoreError, ClientError) as e:
                    refusal = f"cannot verify reverse replication ({type(e).__name__}: {e})"
                if refusal is None and heartbeat.lost:
                    refusal = f"lost the lock while checking ({heartbeat.lost_reason})"
                if refusal is None:
                    gate.release(store, clients("cloudwatch", settings.standby_region),
                                 settings.stack_name, reason)
        finally:
            store.release_lock(owner)  # after the heartbeat stopped: no renewal follows
    outcome = "refused" if refusal else "released"
    store.put({"pk": f"failback#{clock.iso()}", "outcome": outcome, "reason": reason,
               "refusal": refusal, "failover_id": latch.get("failover_id")})
    if refusal:
        return {"status": "failback-refused", "reason": refusal,
                "gate": 1 if latch.get("tripped") else 0}
    alerts = alert(settings, clients, "Failback: traffic gate released",
                   {"failover_id": latch.get("failover_id"), "reason": reason})
    return {"status": "failed-back", "reason": reason, "gate": 0, "alerts": alerts,
            "failover_id": latch.get("failover_id")}
