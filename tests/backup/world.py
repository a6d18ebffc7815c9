"""The backup orchestrator's moto world: the emulator's backup site
(:func:`emulator.orchestrators.backup_site`) inside ``mock_aws``, read back through the APIs.

Recovery points from the past, or still being made, are set on moto's backend with
:mod:`emulator.rds_backend` (moto stamps every snapshot now and makes it available at once);
:func:`enforce_manual_quota` makes moto refuse snapshots at a quota as RDS does.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import handlers.backup.app as app
from contract.names import MANAGED_BY_TAG, managed_by_value
from emulator.clients import RecordingClients, session_clients
from emulator.faults import ClosedPort
from emulator.lambda_runtime import LambdaContext
from emulator.orchestrators import BackupSite, backup_site
from emulator.rds_backend import add_snapshots, backend
from emulator.site import SiteBuilder
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

#: The harness's own clients: ``client(service, region)``.
client = session_clients()


def recording_clients(down: Iterable[str] = ()) -> RecordingClients:
    """Recording clients with the handlers' retry config; Regions in ``down`` unreachable
    (one attempt per call)."""
    return RecordingClients(config=RETRY_CONFIG, down_regions=down)


def context() -> LambdaContext:
    """The backup function's Lambda context (request id ``req-1``, a minute left)."""
    return LambdaContext.for_function("backup-orchestrator", region=STANDBY, request_id="req-1",
                                      timeout_seconds=60, memory_mb=256)


def unreachable_aws(monkeypatch: pytest.MonkeyPatch) -> RecordingClients:
    """No moto: any AWS call goes to a closed loopback port (never to AWS) and fails, and the
    handler's default clients are the returned recorder, which sees every call and attempt."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", ClosedPort().url)
    recorder = recording_clients()
    monkeypatch.setattr(app, "default_clients", lambda settings: recorder)
    return recorder


@dataclass
class World:
    """One backup site and the builder that made it. The site's parts read as the world's
    own: ``world.env``, ``world.databases``, ``world.kms_key_arn``."""

    site: BackupSite
    builder: SiteBuilder

    def __getattr__(self, name: str) -> Any:
        return getattr(self.site, name)

    def settings(self, **overrides: str) -> BackupSettings:
        return BackupSettings.parse({**self.env, **overrides})

    def rds(self, region: str) -> Any:
        return client("rds", region)

    def snapshots(self, region: str) -> list[dict[str, Any]]:
        pages = self.rds(region).get_paginator("describe_db_snapshots").paginate(
            SnapshotType="manual")
        return [s for p in pages for s in p["DBSnapshots"]]

    def alerts(self, region: str) -> list[dict[str, Any]]:
        """Alert bodies delivered to ``region``'s queue since the last call."""
        return self.site.alerts.received(client, region)

    def metadata(self) -> list[dict[str, Any]]:
        s3 = client("s3", STANDBY)
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
        return [json.loads(s3.get_object(Bucket=BUCKET, Key=k)["Body"].read()) for k in keys]


def build_world(n: int = 2, *, standby: bool = True, strategy: str = "snapshot-restore",
                quota: int = 100, keep_newest: int = 2, retention_hours: int = 24,
                lag_seconds: float | None = None) -> World:
    """Primary databases ``shop-<i>`` (+ standby instances ``shop-<i>-standby``), KMS key,
    metadata bucket, alert topics with SQS subscribers, and the orchestrator's env. Each
    standby's ``ReplicaLag`` is ``lag_seconds`` (None: no replication metric at all)."""
    builder = SiteBuilder(client, primary_region=PRIMARY, standby_region=STANDBY)
    site = backup_site(builder, n, standby=standby, strategy=strategy, stack=STACK, bucket=BUCKET,
                       name="shop-{i}", quota=quota, keep_newest=keep_newest,
                       retention_hours=retention_hours, lag_seconds=lag_seconds)
    return World(site, builder)


def seed_snapshots(region: str, instance: str, count: int, *, tags: dict[str, str] | None,
                   prefix: str, oldest: datetime, step: timedelta = timedelta(hours=1)
                   ) -> list[str]:
    """``count`` manual snapshots of ``instance`` made on the moto backend, ``oldest`` first,
    one ``step`` apart. ``tags=None`` leaves them untagged.

    ``prefix``: identifiers ``<prefix>-<i:04d>``; or ``"scheme"`` / ``"scheme-copy"`` for the
    identifiers the backup handler itself makes (``<instance>-dr-<creation minute>``, or its
    ``-copy`` form), which ``step`` >= 1 minute keeps unique."""
    created = {}
    for i in range(count):
        when = oldest + i * step
        if prefix.startswith("scheme"):
            sid = snapshot_id(instance, when)
            sid = copy_id(sid) if prefix == "scheme-copy" else sid
        else:
            sid = f"{prefix}-{i:04d}"
        created[sid] = when
    return add_snapshots(region, instance, created, tags=tags)


def enforce_manual_quota(monkeypatch: Any, region: str, quota: int) -> None:
    """Make moto refuse snapshot creation at ``quota`` MANUAL snapshots. moto's limit
    (``MOTO_RDS_SNAPSHOT_LIMIT``) counts automated snapshots too (moto makes one per
    instance); AWS's quota counts manual ones only, so the automated ones are added."""
    automated = sum(1 for s in backend(region).database_snapshots.values()
                    if s.snapshot_type == "automated")
    monkeypatch.setenv("MOTO_RDS_SNAPSHOT_LIMIT", str(quota + automated))


def ours(database: str, kind: str = "primary") -> dict[str, str]:
    return {MANAGED_BY_TAG: MANAGED_BY, "dr:database": database, "dr:kind": kind}
