"""Moto world for the backup orchestrator tests (imported by conftest and the benchmark).

Emulator bridges used here (moto gaps, test code only):

* ``age_snapshot``: moto stamps every snapshot with the current time; snapshots seeded as
  "old" get a past ``created``/``original_snapshot_create_time`` on the backend object.
* ``set_status``: moto makes every snapshot ``available`` at once; a snapshot "still
  creating" is made so by setting its backend status.
* ``seed_snapshots``: 100+ snapshots are created through the moto backend directly (same
  model objects the API creates), to keep setup fast.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.config import Config
from moto.core import DEFAULT_ACCOUNT_ID
from moto.rds.models import rds_backends

from contract.names import MANAGED_BY_TAG, managed_by_value
from handlers.backup.naming import copy_id, snapshot_id
from handlers.backup.settings import BackupSettings
from handlers.shared.aws import RETRY_CONFIG

os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")

PRIMARY, STANDBY = "us-east-1", "us-west-2"
STACK = "prod"
MANAGED_BY = managed_by_value(STACK)
BUCKET = "dr-metadata-prod"
# Fixed period; snapshots made "now" by moto are newer than everything seeded as old.
PERIOD = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


#: One session for every test client: it caches the service models, so building a client
#: costs milliseconds instead of tens of them.
SESSION = boto3.session.Session()


def client(service: str, region: str, **kwargs: Any) -> Any:
    return SESSION.client(service, region, **kwargs)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Recorder:
    """Client factory recording every API call as ``(region, service, operation, params)``
    (``before-parameter-build``: once per operation, API-level params) and every HTTP
    attempt (``before-send``, so retries show)."""

    down: set[str] = field(default_factory=set)
    config: Config = RETRY_CONFIG
    calls: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)
    attempts: list[tuple[str, str]] = field(default_factory=list)
    _cache: dict[tuple[str, str], Any] = field(default_factory=dict)

    def __call__(self, service: str, region: str) -> Any:
        key = (service, region)
        if key not in self._cache:
            if region in self.down:
                # Region down: a client pointed at a closed loopback port; one attempt so
                # the test does not sit through backoff.
                c = client(service, region,
                                 endpoint_url=f"http://127.0.0.1:{closed_port()}",
                                 config=Config(retries={"mode": "standard", "max_attempts": 1},
                                               connect_timeout=1, read_timeout=1))
            else:
                c = client(service, region, config=self.config)

            def on_call(model: Any, params: dict[str, Any], **_: Any) -> None:
                self.calls.append((region, service, model.name, params))

            def on_send(request: Any, **_: Any) -> None:
                self.attempts.append((region, request.url))

            c.meta.events.register("before-parameter-build.*.*", on_call)
            c.meta.events.register("before-send.*.*", on_send)
            self._cache[key] = c
        return self._cache[key]

    def ops(self, operation: str, region: str | None = None) -> list[dict[str, Any]]:
        return [p for r, _s, op, p in self.calls if op == operation and region in (None, r)]


@dataclass
class World:
    databases: list[dict[str, Any]]
    kms_key_arn: str
    topics: dict[str, str]
    queues: dict[str, str]
    env: dict[str, str]

    def settings(self, **overrides: str) -> BackupSettings:
        return BackupSettings.parse({**self.env, **overrides})

    def rds(self, region: str) -> Any:
        return client("rds", region)

    def snapshots(self, region: str) -> list[dict[str, Any]]:
        pages = self.rds(region).get_paginator("describe_db_snapshots").paginate(
            SnapshotType="manual")
        return [s for p in pages for s in p["DBSnapshots"]]

    def alerts(self, region: str) -> list[dict[str, Any]]:
        sqs = client("sqs", region)
        msgs = sqs.receive_message(QueueUrl=self.queues[region], MaxNumberOfMessages=10)
        return [json.loads(m["Body"]) for m in msgs.get("Messages", [])]

    def metadata(self) -> list[dict[str, Any]]:
        s3 = client("s3", STANDBY)
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
        return [json.loads(s3.get_object(Bucket=BUCKET, Key=k)["Body"].read()) for k in keys]


def backend(region: str) -> Any:
    return rds_backends[DEFAULT_ACCOUNT_ID][region]


def age_snapshot(region: str, snapshot_id: str, created: datetime) -> None:
    """Bridge: give a moto snapshot a past creation time."""
    snap = backend(region).database_snapshots[snapshot_id]
    snap.created = created
    snap.original_snapshot_create_time = created


def set_status(region: str, snapshot_id: str, status: str) -> None:
    """Bridge: moto snapshots are available at once; set e.g. ``creating``."""
    backend(region).database_snapshots[snapshot_id].status = status


def seed_snapshots(region: str, instance: str, count: int, *, tags: dict[str, str] | None,
                   prefix: str, oldest: datetime, step: timedelta = timedelta(hours=1)
                   ) -> list[str]:
    """Bridge: ``count`` manual snapshots of ``instance`` created via the moto backend,
    ``oldest`` first, one ``step`` apart. ``tags=None`` leaves them untagged.

    ``prefix``: identifiers ``<prefix>-<i:04d>``; or ``"scheme"`` / ``"scheme-copy"`` for the
    identifiers the backup handler itself makes (``<instance>-dr-<creation minute>``, or its
    ``-copy`` form), which ``step`` >= 1 minute keeps unique."""
    ids = []
    tag_list = [{"Key": k, "Value": v} for k, v in (tags or {}).items()]
    for i in range(count):
        if prefix.startswith("scheme"):
            sid = snapshot_id(instance, oldest + i * step)
            sid = copy_id(sid) if prefix == "scheme-copy" else sid
        else:
            sid = f"{prefix}-{i:04d}"
        backend(region).create_db_snapshot(instance, sid, tags=list(tag_list))
        age_snapshot(region, sid, oldest + i * step)
        ids.append(sid)
    return ids


def enforce_manual_quota(monkeypatch: Any, region: str, quota: int) -> None:
    """Bridge: make moto refuse snapshot creation at ``quota`` MANUAL snapshots. moto's
    limit (``MOTO_RDS_SNAPSHOT_LIMIT``) counts automated snapshots too (moto makes one per
    instance); AWS's quota counts manual ones only, so the automated ones are added."""
    automated = sum(1 for s in backend(region).database_snapshots.values()
                    if s.snapshot_type == "automated")
    monkeypatch.setenv("MOTO_RDS_SNAPSHOT_LIMIT", str(quota + automated))


def ours(database: str, kind: str = "primary") -> dict[str, str]:
    return {MANAGED_BY_TAG: MANAGED_BY, "dr:database": database, "dr:kind": kind}


def create_instance(region: str, identifier: str) -> str:
    resp = client("rds", region).create_db_instance(
        DBInstanceIdentifier=identifier, Engine="postgres", DBInstanceClass="db.t3.micro",
        AllocatedStorage=20, MasterUsername="admin1", MasterUserPassword="password1234")
    return resp["DBInstance"]["DBInstanceArn"]


def build_world(n: int = 2, *, standby: bool = True, strategy: str = "snapshot-restore",
                quota: int = 100, keep_newest: int = 2, retention_hours: int = 24) -> World:
    """Primary databases ``shop-<i>`` (+ standby instances ``shop-<i>-standby``), KMS key,
    metadata bucket, alert topics with SQS subscribers, and the orchestrator's env."""
    dbs = []
    for i in range(n):
        arn = create_instance(PRIMARY, f"shop-{i}")
        sb = None
        if standby:
            sb = f"shop-{i}-standby"
            create_instance(STANDBY, sb)
        dbs.append({"primaryArn": arn, "standbyIdentifier": sb})
    kms = client("kms", STANDBY).create_key()["KeyMetadata"]["Arn"]
    client("s3", STANDBY).create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": STANDBY})
    topics, queues = {}, {}
    for region in (PRIMARY, STANDBY):
        sns = client("sns", region)
        sqs = client("sqs", region)
        topics[region] = sns.create_topic(Name="dr-alerts")["TopicArn"]
        queues[region] = sqs.create_queue(QueueName="alerts")["QueueUrl"]
        qarn = sqs.get_queue_attributes(QueueUrl=queues[region],
                                        AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topics[region], Protocol="sqs", Endpoint=qarn,
                      Attributes={"RawMessageDelivery": "true"})
    env = {
        "PRIMARY_REGION": PRIMARY, "STANDBY_REGION": STANDBY, "STACK_NAME": STACK,
        "DB_STRATEGY": strategy, "RPO_SECONDS": "3600",
        "ALERT_TOPIC_ARNS": json.dumps(topics), "STANDBY_KMS_KEY_ARN": kms,
        "DMS_TASK_ARN": "", "PROTECTED_DATABASES": json.dumps(dbs),
        "METADATA_BUCKET": BUCKET, "CADENCE_MINUTES": "60",
        "RETENTION_HOURS": str(retention_hours), "KEEP_NEWEST": str(keep_newest),
        "SNAPSHOT_QUOTA": str(quota),
    }
    return World(dbs, kms, topics, queues, env)


