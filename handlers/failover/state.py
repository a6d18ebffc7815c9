"""The failover state table: reads and writes of its records, and the lock's lease.

The table and its items (lock, watchdog memory, gate latch, failover and failback records,
false positives, failback attempts) are described by the typed records of
:mod:`handlers.failover.records`; this module stores them. Numbers are stored as DynamoDB
numbers, times as ISO-8601 UTC strings.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, TypeVar

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from handlers.failover import clock
from handlers.failover.records import (
    FailbackAttempt,
    FailbackRecord,
    FailoverRecord,
    FalsePositive,
    GateLatch,
    LockItem,
    WatchdogItem,
)

#: A run record kept under its own key (:class:`FailoverRecord`, :class:`FailbackRecord`).
_R = TypeVar("_R", FailoverRecord, FailbackRecord)

_SER = TypeSerializer()
_DESER = TypeDeserializer()

#: Lock lease, in seconds. Short, so a crashed holder's lock frees itself within a minute
#: (the watchdog ticks every minute: the next tick or the one after resumes), and three
#: heartbeat intervals long, so two consecutive renewals may fail or lag (throttling and
#: backoff, a slow DynamoDB call) before the lease lapses. Before this lease existed the
#: lease was the holder's remaining Lambda time + 5 s (up to 905 s: Lambda's longest
#: timeout is 900 s - AWS Lambda Developer Guide, "Lambda quotas",
#: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html), which a
#: crash-and-resume drill paid in full.
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


def _condition_failed(e: ClientError) -> bool:
    return e.response["Error"]["Code"] == "ConditionalCheckFailedException"


class StateStore:
    """Reads and writes the state table through a DynamoDB client (standby Region).

    Every read is strongly consistent. Raises botocore errors of the DynamoDB calls.
    """

    def __init__(self, dynamodb: Any, table_name: str) -> None:
        self._ddb = dynamodb
        self._table = table_name

    # -- raw items ------------------------------------------------------------------------
    def get(self, pk: str) -> dict[str, Any] | None:
        """The item with hash key ``pk`` as plain Python values (its wire form), or None."""
        out = self._ddb.get_item(TableName=self._table, Key={"pk": {"S": pk}}, ConsistentRead=True)
        return _from_ddb(out["Item"]) if "Item" in out else None

    def put(self, item: dict[str, Any]) -> None:
        """Write a whole item (must contain ``pk``)."""
        self._ddb.put_item(TableName=self._table, Item=_to_ddb(item))

    def update(self, pk: str, *, if_equal: tuple[str, Any] | None = None, **fields: Any) -> bool:
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
            self._ddb.update_item(
                TableName=self._table, Key={"pk": {"S": pk}},
                UpdateExpression="SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(fields))),
                ExpressionAttributeNames=names, ExpressionAttributeValues=values, **extra)
        except ClientError as e:
            if if_equal is not None and _condition_failed(e):
                return False
            raise
        return True

    # -- lock ---------------------------------------------------------------------------
    def lock(self) -> LockItem | None:
        item = self.get(LockItem.PK)
        return LockItem.from_item(item) if item else None

    def acquire_lock(self, owner: str, failover_id: str,
                     lease_seconds: float | None = None) -> bool:
        """Take the lock for ``lease_seconds`` (default LEASE_SECONDS); False if another
        live holder has it. Keep it with :class:`handlers.failover.lease.Heartbeat`."""
        now = clock.now()
        lease = LEASE_SECONDS if lease_seconds is None else lease_seconds
        item = LockItem(owner=owner, failover_id=failover_id, lease_expires_epoch=now + lease,
                        acquired_at=clock.iso(now))
        try:
            self._ddb.put_item(
                TableName=self._table, Item=_to_ddb({**item.to_item(), "pk": LockItem.PK}),
                ConditionExpression="attribute_not_exists(pk) OR lease_expires_epoch < :now "
                                    "OR #o = :me",
                ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues={":now": {"N": repr(now)}, ":me": {"S": owner}})
            return True
        except ClientError as e:
            if _condition_failed(e):
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
                TableName=self._table, Key={"pk": {"S": LockItem.PK}},
                UpdateExpression="SET lease_expires_epoch = :exp, renewed_at = :t "
                                 "ADD renewals :one",
                ConditionExpression="#o = :me AND lease_expires_epoch > :zero",
                ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues={":exp": {"N": repr(at + lease_seconds)},
                                           ":t": {"S": clock.iso(at)}, ":one": {"N": "1"},
                                           ":zero": {"N": "0"}, ":me": {"S": owner}})
            return True
        except ClientError as e:
            if _condition_failed(e):
                return False
            raise

    def release_lock(self, owner: str) -> None:
        """End the lease if ``owner`` still holds it (an update: nothing is deleted)."""
        try:
            self._ddb.update_item(
                TableName=self._table, Key={"pk": {"S": LockItem.PK}},
                UpdateExpression="SET lease_expires_epoch = :zero, released_at = :t",
                ConditionExpression="#o = :me",
                ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues={":zero": {"N": "0"}, ":me": {"S": owner},
                                           ":t": {"S": clock.iso()}})
        except ClientError as e:
            if not _condition_failed(e):
                raise

    # -- records ------------------------------------------------------------------------
    def failover(self) -> FailoverRecord | None:
        """The current (latest) failover, or None before the first."""
        return self._load(FailoverRecord)

    def save_failover(self, record: FailoverRecord, *, archive: bool = False) -> None:
        """Write the current failover record; ``archive`` also writes its history copy."""
        self._save(record.to_item(), FailoverRecord.PK,
                   f"{FailoverRecord.ARCHIVE_PREFIX}{record.failover_id}" if archive else None)

    def failback(self) -> FailbackRecord | None:
        """The current (latest) failback, or None before the first."""
        return self._load(FailbackRecord)

    def save_failback(self, record: FailbackRecord, *, archive: bool = False) -> None:
        """Write the current failback record; ``archive`` also writes its history copy."""
        self._save(record.to_item(), FailbackRecord.PK,
                   f"{FailbackRecord.ARCHIVE_PREFIX}{record.failback_id}" if archive else None)

    def _load(self, kind: type[_R]) -> _R | None:
        item = self.get(kind.PK)
        return kind.from_item(item) if item else None

    def _save(self, item: dict[str, Any], pk: str, archive_pk: str | None) -> None:
        self.put({**item, "pk": pk})
        if archive_pk:
            self.put({**item, "pk": archive_pk})

    def gate(self) -> GateLatch:
        """The gate latch (untripped before the first failover)."""
        item = self.get(GateLatch.PK)
        return GateLatch.from_item(item) if item else GateLatch()

    def save_gate(self, latch: GateLatch) -> None:
        self.put({**latch.to_item(), "pk": GateLatch.PK})

    def watchdog(self) -> WatchdogItem:
        """What the watchdog has seen (unarmed before its first healthy probe)."""
        item = self.get(WatchdogItem.PK)
        return WatchdogItem.from_item(item) if item else WatchdogItem()

    def save_watchdog(self, watchdog: WatchdogItem) -> bool:
        """Write ``watchdog`` if nobody wrote the item since it was read: conditional on the
        stored ``version`` being ``watchdog.version`` (absent when that is None), which the
        write bumps (``watchdog.version`` is updated). False, and nothing written, when
        another invocation wrote in between (read again and re-apply).

        Raises:
            botocore.exceptions.ClientError: any error but the failed condition.
        """
        expected = watchdog.version
        item = {**watchdog.to_item(), "pk": WatchdogItem.PK, "version": (expected or 0) + 1}
        condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(#v)",
                                     "ExpressionAttributeNames": {"#v": "version"}}
        if expected is not None:
            condition = {"ConditionExpression": "#v = :v",
                         "ExpressionAttributeNames": {"#v": "version"},
                         "ExpressionAttributeValues": {":v": {"N": str(expected)}}}
        try:
            self._ddb.put_item(TableName=self._table, Item=_to_ddb(item), **condition)
        except ClientError as e:
            if _condition_failed(e):
                return False
            raise
        watchdog.version = item["version"]
        return True

    def log(self, entry: FalsePositive | FailbackAttempt) -> None:
        """Write a false positive or failback attempt under ``<prefix><iso time>``."""
        self.put({**entry.to_item(), "pk": f"{entry.PREFIX}{clock.iso()}"})
