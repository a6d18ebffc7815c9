"""The failover state table: lock, watchdog memory, gate latch, failover records.

DynamoDB table ``STATE_TABLE_NAME``, hash key ``pk`` (S), no sort key. Numbers are stored
as DynamoDB numbers (seconds since the epoch where named ``*_epoch``), times as ISO-8601
UTC strings. Items (nothing is ever deleted; the lock is released by an update):

``pk = "lock"`` - one failover or failback at a time::

    {"pk": "lock", "owner": "<aws_request_id>", "failover_id": str,
     "lease_expires_epoch": float, "acquired_at": str, "renewed_at": str | absent,
     "renewals": int | absent, "released_at": str | absent}

  Taken by a conditional write: ``attribute_not_exists(pk) OR lease_expires_epoch < :now
  OR owner = :me``. The lease is short (LEASE_SECONDS) and a heartbeat renews it every
  HEARTBEAT_SECONDS while the invocation runs (:mod:`handlers.failover.lease`; a renewal is
  a conditional update ``owner = :me AND lease_expires_epoch > 0`` that also sets
  ``renewed_at`` and increments ``renewals``). A crashed holder's lock therefore frees
  itself within one lease; a clean exit sets ``lease_expires_epoch`` to 0.

``pk = "watchdog"`` - what the watchdog has seen::

    {"pk": "watchdog", "armed": bool, "armed_at": str | absent,
     "last_probe_at": str, "last_probe_ok": bool, "last_probe": {probe result},
     "recent_failures_epoch": [float, ...] (the current run of consecutive failures, newest
     last, at most CONSECUTIVE_FAILURES), "last_healthy_at": str | absent,
     "unarmed_failures": int}

``pk = "gate"`` - the traffic gate latch::

    {"pk": "gate", "tripped": bool, "tripped_at": str, "failover_id": str,
     "released_at": str | absent, "release_reason": str | absent, "last_published": 0 | 1,
     "last_published_at": str, "generation": int (bumped by every trip and release; the
     lock-free watchdog re-publish checks it, see handlers.failover.gate.republish)}

``pk = "failover"`` - the current (latest) failover; ``pk = "failover#<failover_id>"`` - a
copy of every finished one (completed, not-ready, false-positive)::

    {"pk": ..., "failover_id": str, "status": "in-progress" | "completed" | "not-ready" |
     "false-positive", "trigger": "watchdog" | "alarm" | "manual", "reason": str,
     "force": bool, "started_at": str, "started_epoch": float, "current_step": str,
     "steps": {"<step>": {"started_at": str, "started_epoch": float, "ended_at": str,
               "outcome": "in-progress" | "ok" | "skipped" | "aborted" | "failed" | "paused",
               "detail": {...}, "duration_seconds": float, "wait_seconds": float,
               "own_seconds": float, "budget_seconds": int, "over_budget": bool,
               "attempts": int, "failures": int, "error": str (failed only)}},
     "step_alerts": {"<step>": {"sent": int, "suppressed": int (since the last sent),
                                "last_sent_epoch": float, "last_sent_at": str}},
     "promotion_requested_*" (read-replica), "restore_requested_*" (snapshot-restore),
     "dms_stop_requested_*" (dms): the step's one-time AWS request
     (:mod:`handlers.failover.steps.once`) as ``<key>_state``: "intent" | "accepted" |
     "failed", ``<key>_at``: str, ``<key>_epoch``: float (latest attempt),
     ``<key>_attempts``: int, ``<key>_error``: str (latest error) - all absent until the
     first attempt,
     "invocations": int, "last_error": str | absent, "completed_at": str | absent,
     "duration_seconds": float | absent, "alerts": {"<region>": "published" | "failed: ..."},
     "restore_snapshot_id" (snapshot-restore),
     "dms_drain_started_epoch" | "dms_stopped_at" (dms)}

  A step that raises leaves ``status = "in-progress"`` with the step's ``outcome =
  "failed"`` and ``last_error``; the next trigger retries it. Its alert goes out on the
  first failure, then at most once per ``runner.ALERT_REPEAT_SECONDS`` (``step_alerts``).
  ``current_step`` names the step running or last run. Steps with outcome ``ok`` never run again.

``pk = "false-positive#<iso time>"`` and ``pk = "failback#<iso time>"`` record each false
positive and each failback attempt (``{"outcome": "refused" | "released", "reason": ...}``).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from handlers.failover import clock

_SER = TypeSerializer()
_DESER = TypeDeserializer()

LOCK_PK = "lock"
WATCHDOG_PK = "watchdog"
GATE_PK = "gate"
FAILOVER_PK = "failover"
#: Lock lease, in seconds. Short, so a crashed holder's lock frees itself within a minute
#: (the watchdog ticks every minute: the next tick or the one after resumes), and three
#: heartbeat intervals long, so two consecutive renewals may fail or lag (throttling and
#: backoff, a slow DynamoDB call) before the lease lapses. Before this lease existed the
#: lease was the holder's remaining Lambda time + 5 s (up to 905 s: Lambda's longest
#: timeout is 900 s, field-notes), which a crash-and-resume drill paid in full.
LEASE_SECONDS = 60.0
#: Seconds between heartbeat renewals of the lease: LEASE_SECONDS / 3.
HEARTBEAT_SECONDS = LEASE_SECONDS / 3
#: A holder treats its lease as lost this many seconds before its own idea of the expiry,
#: to cover clock skew between invocations (a competitor compares with its own clock).
LEASE_SKEW_SECONDS = 5.0


def _to_ddb(item: dict[str, Any]) -> dict[str, Any]:
    # DynamoDB has no float type; a JSON round trip turns floats into Decimals.
    clean = json.loads(json.dumps(item, default=str), parse_float=Decimal)
    return {k: _SER.serialize(v) for k, v in clean.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | set):
        return [_plain(v) for v in value]
    return value


def _from_ddb(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _plain(_DESER.deserialize(v)) for k, v in item.items()}


class StateStore:
    """Reads and writes the state table through a DynamoDB client (standby Region)."""

    def __init__(self, dynamodb: Any, table_name: str) -> None:
        self._ddb = dynamodb
        self._table = table_name

    def get(self, pk: str) -> dict[str, Any] | None:
        """The item with hash key ``pk`` as plain Python values, or None."""
        out = self._ddb.get_item(TableName=self._table, Key={"pk": {"S": pk}}, ConsistentRead=True)
        return _from_ddb(out["Item"]) if "Item" in out else None

    def put(self, item: dict[str, Any]) -> None:
        """Write a whole item (must contain ``pk``)."""
        self._ddb.put_item(TableName=self._table, Item=_to_ddb(item))

    # -- lock ---------------------------------------------------------------------------
    def acquire_lock(self, owner: str, failover_id: str,
                     lease_seconds: float | None = None) -> bool:
        """Take the lock for ``lease_seconds`` (default LEASE_SECONDS); False if another
        live holder has it. Keep it with :class:`handlers.failover.lease.Heartbeat`."""
        now = clock.now()
        lease = LEASE_SECONDS if lease_seconds is None else lease_seconds
        item = {"pk": LOCK_PK, "owner": owner, "failover_id": failover_id,
                "lease_expires_epoch": now + lease,
                "acquired_at": clock.iso(now)}
        try:
            self._ddb.put_item(
                TableName=self._table, Item=_to_ddb(item),
                ConditionExpression="attribute_not_exists(pk) OR lease_expires_epoch < :now "
                                    "OR #o = :me",
                ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues={":now": {"N": repr(now)}, ":me": {"S": owner}})
            return True
        except ClientError as e:
            if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise

    def renew_lock(self, owner: str, lease_seconds: float, now: float | None = None) -> bool:
        """Extend ``owner``'s lease to ``now + lease_seconds`` (``now`` defaults to the
        clock); False if the lock is no longer ours (another holder, or released).

        Raises:
            botocore.exceptions.ClientError: any error other than the failed condition
                (throttling after retries, ...): the lock may still be ours.
        """
        at = clock.now() if now is None else now
        try:
            self._ddb.update_item(
                TableName=self._table, Key={"pk": {"S": LOCK_PK}},
                UpdateExpression="SET lease_expires_epoch = :exp, renewed_at = :t "
                                 "ADD renewals :one",
                ConditionExpression="#o = :me AND lease_expires_epoch > :zero",
                ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues={":exp": {"N": repr(at + lease_seconds)},
                                           ":t": {"S": clock.iso(at)}, ":one": {"N": "1"},
                                           ":zero": {"N": "0"}, ":me": {"S": owner}})
            return True
        except ClientError as e:
            if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise

    def release_lock(self, owner: str) -> None:
        """End the lease if ``owner`` still holds it (an update: nothing is deleted)."""
        try:
            self._ddb.update_item(
                TableName=self._table, Key={"pk": {"S": LOCK_PK}},
                UpdateExpression="SET lease_expires_epoch = :zero, released_at = :t",
                ConditionExpression="#o = :me",
                ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues={":zero": {"N": "0"}, ":me": {"S": owner},
                                           ":t": {"S": clock.iso()}})
        except ClientError as e:
            if e.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    # -- convenience --------------------------------------------------------------------
    def failover(self) -> dict[str, Any] | None:
        return self.get(FAILOVER_PK)

    def save_failover(self, record: dict[str, Any], *, archive: bool = False) -> None:
        """Write the current failover record; ``archive`` also writes its history copy."""
        self.put({**record, "pk": FAILOVER_PK})
        if archive:
            self.put({**record, "pk": f"failover#{record['failover_id']}"})

    def gate(self) -> dict[str, Any]:
        return self.get(GATE_PK) or {"pk": GATE_PK, "tripped": False}

    def watchdog(self) -> dict[str, Any]:
        return self.get(WATCHDOG_PK) or {"pk": WATCHDOG_PK, "armed": False,
                                         "recent_failures_epoch": []}


def update_fields(store: StateStore, pk: str, *, if_equal: tuple[str, Any] | None = None,
                  **fields: Any) -> bool:
    """Set only ``fields`` on item ``pk`` (creating it if absent), leaving the rest alone.

    ``if_equal = (attribute, value)`` makes the write conditional on the item's
    ``attribute`` being ``value`` (absent when ``value`` is None); returns False when that
    condition failed (nothing written), else True.
    """
    names = {f"#f{i}": k for i, k in enumerate(fields)}
    values = _to_ddb({f":v{i}": v for i, v in enumerate(fields.values())})
    extra: dict[str, Any] = {}
    if if_equal is not None:
        names["#c"] = if_equal[0]
        if if_equal[1] is None:
            extra["ConditionExpression"] = "attribute_not_exists(#c)"
        else:
            extra["ConditionExpression"] = "#c = :c"
            values |= _to_ddb({":c": if_equal[1]})
    try:
        store._ddb.update_item(
            TableName=store._table, Key={"pk": {"S": pk}},
            UpdateExpression="SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(fields))),
            ExpressionAttributeNames=names, ExpressionAttributeValues=values, **extra)
    except ClientError as e:
        if if_equal is not None and e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True
