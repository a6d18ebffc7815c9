"""Creating snapshots and cross-Region copies, one call each, idempotent per period; DB
instance snapshots and DB cluster snapshots alike (:data:`handlers.backup.inventory.APIS`).

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

from handlers.backup.inventory import APIS, Snapshot, from_api
from handlers.backup.naming import KIND_TAG, SOURCE_CREATED_TAG, SOURCE_TAG, Kind, to_tag_list

_EXISTS = frozenset({"DBSnapshotAlreadyExists", "DBSnapshotAlreadyExistsFault",
                     "DBClusterSnapshotAlreadyExistsFault"})
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
                    tags: list[dict[str, str]], cluster: bool = False) -> Outcome:
    """``CreateDBSnapshot`` of ``instance`` (``cluster``: ``CreateDBClusterSnapshot`` of the
    DB cluster ``instance``) as ``snapshot_id`` in the client's Region."""
    api = APIS[cluster]
    try:
        resp = getattr(rds, api.create)(**{api.source_key: instance, api.id_key: snapshot_id},
                                        Tags=tags)
    except ClientError as e:
        if _code(e) in _EXISTS:
            return Outcome("existing", code=_code(e))
        return Outcome("error", code=_code(e), message=str(e))
    except BotoCoreError as e:
        return Outcome("error", code=type(e).__name__, message=str(e))
    return Outcome("created", from_api(resp["DBClusterSnapshot" if cluster else "DBSnapshot"], region))


def copy_tags(source: Snapshot, overrides: Mapping[str, str]) -> list[dict[str, str]]:
    """The source's tags with ``overrides`` applied; ``aws:`` keys dropped."""
    return to_tag_list({**source.tags, **overrides})


def _call_copy(dest_rds: Any, dest_region: str, source: Snapshot, target_id: str,
               tags: list[dict[str, str]], **extra: Any) -> Outcome:
    """One CopyDBSnapshot / CopyDBClusterSnapshot call and its outcome."""
    api = APIS[source.cluster]
    src, dst = (("SourceDBClusterSnapshotIdentifier", "TargetDBClusterSnapshotIdentifier")
                if source.cluster else ("SourceDBSnapshotIdentifier", "TargetDBSnapshotIdentifier"))
    try:
        resp = getattr(dest_rds, api.copy)(**{src: source.arn, dst: target_id}, Tags=tags,
                                           CopyTags=False, **extra)
    except ClientError as e:
        code, msg = _code(e), str(e)
        if code in _EXISTS:
            return Outcome("existing", code=code)
        if code in _COPY_RETRYABLE or any(w in msg.lower() for w in _COPY_RETRYABLE_WORDS):
            return Outcome("deferred", code=code, message=msg)
        return Outcome("error", code=code, message=msg)
    except BotoCoreError as e:
        return Outcome("error", code=type(e).__name__, message=str(e))
    return Outcome("created", from_api(resp["DBClusterSnapshot" if source.cluster else "DBSnapshot"],
                                       dest_region))


def _source_time(source: Snapshot) -> dict[str, str]:
    """A cluster snapshot's data time, for its copy (:data:`SOURCE_CREATED_TAG`)."""
    if not source.cluster or source.created is None:
        return {}
    return {SOURCE_CREATED_TAG: source.created.strftime("%Y-%m-%dT%H:%M:%SZ")}


def copy_snapshot(dest_rds: Any, dest_region: str, *, source: Snapshot, target_id: str,
                  kms_key_id: str, overrides: Mapping[str, str]) -> Outcome:
    """``CopyDBSnapshot`` / ``CopyDBClusterSnapshot`` of ``source`` (another Region) into
    ``dest_region`` as ``target_id``, encrypted with ``kms_key_id`` (a key of that Region)."""
    tags = copy_tags(source, {**overrides, SOURCE_TAG: source.arn, KIND_TAG: Kind.COPY.value,
                              **_source_time(source)})
    return _call_copy(dest_rds, dest_region, source, target_id, tags,
                      SourceRegion=source.region, KmsKeyId=kms_key_id)


def preserve_snapshot(rds: Any, region: str, *, source: Snapshot, target_id: str,
                      tags: Mapping[str, str]) -> Outcome:
    """A manual copy, in the same Region, of a system snapshot (Aurora's unplanned-failover
    snapshot), which would otherwise expire with its cluster's backup retention ("To preserve
    this snapshot outside of the retention period, you can copy it to save it as a manual
    snapshot": Amazon Aurora User Guide, "Using switchover or failover in Amazon Aurora
    Global Database"). Same-Region copies keep the source's KMS key."""
    out_tags = to_tag_list({**tags, SOURCE_TAG: source.arn, KIND_TAG: Kind.PRESERVED.value,
                            **_source_time(source)})
    return _call_copy(rds, region, source, target_id, out_tags)
