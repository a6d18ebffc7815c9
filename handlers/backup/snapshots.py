"""Creating snapshots and cross-Region copies, one call each, idempotent per period.

* ``CreateDBSnapshot`` answering ``DBSnapshotAlreadyExists`` means a run for this period
  already made it (a second invocation, or a retry after a crash): success.
* ``CopyDBSnapshot`` is called in the DESTINATION Region's client, with the source given as
  an ARN, ``SourceRegion`` and the destination Region's KMS key (Amazon RDS User Guide,
  "Copying a DB snapshot": cross-Region copies are requested in the destination Region, and
  an encrypted copy needs a KMS key of that Region). Tags are passed explicitly, never a
  reserved ``aws:`` key.
* Copy requests in flight to one Region are limited (Amazon RDS User Guide, "Copying a DB
  snapshot", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_CopySnapshot.html);
  that error is retryable and the next run copies the newest snapshot then.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from handlers.backup.inventory import Snapshot, from_api
from handlers.backup.naming import KIND_TAG, SOURCE_TAG, Kind, to_tag_list

_EXISTS = frozenset({"DBSnapshotAlreadyExists", "DBSnapshotAlreadyExistsFault"})
#: Errors meaning "too many copies in flight / copy quota": retry next run.
_COPY_RETRYABLE = frozenset({"SnapshotQuotaExceeded", "SnapshotQuotaExceededFault",
                             "SnapshotCopyQuotaExceeded", "LimitExceededException"})
_COPY_RETRYABLE_WORDS = ("in flight", "in progress", "concurrent", "too many")


@dataclass(frozen=True)
class Outcome:
    """Result of one create/copy call.

    ``state``: ``created`` | ``existing`` | ``deferred`` (retryable, next run) | ``error``.
    ``snapshot``: the snapshot as returned, when the call succeeded.
    """

    state: str
    snapshot: Snapshot | None = None
    code: str = ""
    message: str = ""


def _code(e: ClientError) -> str:
    return str(e.response.get("Error", {}).get("Code", ""))


def create_snapshot(rds: Any, region: str, *, instance: str, snapshot_id: str,
                    tags: list[dict[str, str]]) -> Outcome:
    """``CreateDBSnapshot`` of ``instance`` as ``snapshot_id`` in the client's Region."""
    try:
        resp = rds.create_db_snapshot(DBInstanceIdentifier=instance,
                                      DBSnapshotIdentifier=snapshot_id, Tags=tags)
    except ClientError as e:
        if _code(e) in _EXISTS:
            return Outcome("existing", code=_code(e))
        return Outcome("error", code=_code(e), message=str(e))
    except BotoCoreError as e:
        return Outcome("error", code=type(e).__name__, message=str(e))
    return Outcome("created", from_api(resp["DBSnapshot"], region))


def copy_tags(source: Snapshot, overrides: Mapping[str, str]) -> list[dict[str, str]]:
    """The source's tags with ``overrides`` applied; ``aws:`` keys dropped."""
    return to_tag_list({**source.tags, **overrides})


def copy_snapshot(dest_rds: Any, dest_region: str, *, source: Snapshot, target_id: str,
                  kms_key_id: str, overrides: Mapping[str, str]) -> Outcome:
    """``CopyDBSnapshot`` of ``source`` (another Region) into ``dest_region`` as ``target_id``."""
    tags = copy_tags(source, {**overrides, SOURCE_TAG: source.arn, KIND_TAG: Kind.COPY.value})
    try:
        resp = dest_rds.copy_db_snapshot(
            SourceDBSnapshotIdentifier=source.arn, TargetDBSnapshotIdentifier=target_id,
            SourceRegion=source.region, KmsKeyId=kms_key_id, Tags=tags, CopyTags=False)
    except ClientError as e:
        code, msg = _code(e), str(e)
        if code in _EXISTS:
            return Outcome("existing", code=code)
        if code in _COPY_RETRYABLE or any(w in msg.lower() for w in _COPY_RETRYABLE_WORDS):
            return Outcome("deferred", code=code, message=msg)
        return Outcome("error", code=code, message=msg)
    except BotoCoreError as e:
        return Outcome("error", code=type(e).__name__, message=str(e))
    return Outcome("created", from_api(resp["DBSnapshot"], dest_region))
