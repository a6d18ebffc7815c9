"""Lambda entry point of the backup orchestrator: ``handlers.backup.app.handler``.

Deployed in the STANDBY Region (so backups and RPO measurement go on while the primary
Region is down), triggered by an EventBridge schedule every ``CADENCE_MINUTES``.

Event: the scheduled event of the stack's own backup schedule rule (Powertools
``EventBridgeModel``; :func:`handlers.backup.events.check_source`: ``Scheduled Event`` from
``aws.events``, the stack's account, STANDBY_REGION, the rule
``ecommerce-dr-<stack>-backup-schedule`` in ``resources``, a ``time`` at most one cadence
from now); its ``time`` floored to the cadence is the run's period (see
:func:`handlers.backup.events.scheduled_event` to build one). Any other event - malformed,
foreign, another kind, or too far from now - raises
:class:`~handlers.shared.errors.MalformedEventError` before any AWS call. Settings:
:mod:`handlers.backup.settings` (environment, parsed once;
:class:`~handlers.shared.errors.SettingsError`). Clients: :func:`default_clients`.

Return value, and the metadata object written to ``s3://METADATA_BUCKET/runs/<YYYYmmddHHMM>/<run_id>.json``
(same dict; times ISO 8601 UTC, durations/ages in seconds)::

    {
      "run_id": str,                  # Lambda request id
      "stack": str,
      "period": str,                  # period start, ISO 8601
      "status": "complete" | "partial" | "failed",
      "started_at": str, "finished_at": str, "duration_seconds": float,
      "timings": {"inventory"|"primary"|"standby"|"measure"|"metrics"|"alert": float},
      "created":  [{"region", "database", "kind": "primary"|"standby", "snapshot_id", "arn", "status"}],
      "copied":   [{"region", "database", "kind": "copy", "snapshot_id", "arn", "status", "source_arn"}],
      "existing": [...],              # already there for this period (idempotent re-run)
      "skipped":  [{"region", "database", "reason"}],   # previous still creating, standby absent
      "pruned":   [{"region", "snapshot_id", "arn", "database", "kind", "status", "created",
                    "reason": "retention"|"quota"}],
      "deferred": [{... "code", "message"}],           # retryable copy errors: next run
      "errors":   [{"region", "step", "database", "code", "message"}],
      "warnings": [str],
      "quota":    {region: {"manual_snapshots_before", "quota", "needed", "room"}},
      "regions":  {region: "ok" | "unreachable"},
      "recovery_point_age_seconds": float | None,   # worst database, standby Region
      "replication_lag_seconds": float | None,      # ReplicaLag / CDC latency, max
      "recovery_points": {"per_database": {db: {"age_seconds", "source"}}, ...},
      "metrics_published": int,
      "alerts": {region: "published" | "failed: ..."},   # only when not complete
      "metadata_key": str | None, "metadata_error": str | None,
    }

``status``: ``complete`` without errors; ``partial`` when some work failed (e.g. one Region
down) - an alert then goes to each reachable Region's topic; ``failed`` when neither
Region could be listed. Deferred copies (copy quota in flight) do not make a run partial;
the recovery-point-age alarm covers a copy that keeps failing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.backup.events import check_source, parse_event, period_start
from handlers.backup.observability import logger, metrics, tracer
from handlers.backup.runner import run_backup
from handlers.backup.settings import BackupSettings, get_settings
from handlers.shared import aws
from handlers.shared.aws import ClientFactory

#: Summary lists counted as metrics, with the metric's name.
_COUNTED = {"created": "SnapshotsCreated", "copied": "SnapshotsCopied",
            "pruned": "SnapshotsPruned", "deferred": "SnapshotsDeferred", "errors": "BackupErrors"}


def default_clients(settings: BackupSettings) -> ClientFactory:
    """Cached clients with standard retries (RETRY_CONFIG) in both Regions (:mod:`handlers.shared.aws`):
    the run isolates a Region that fails, so none of them needs to fail fast."""
    return aws.default_clients()


def _emit(summary: dict[str, Any], stack: str) -> None:
    """The run's duration and counts as EMF metrics (flushed by ``log_metrics``)."""
    metrics.add_dimension(name="Stack", value=stack)
    metrics.add_metric(name="BackupRunDurationSeconds", unit=MetricUnit.Seconds,
                       value=summary["duration_seconds"] or 0.0)
    for key, name in _COUNTED.items():
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=len(summary[key]))


def handle(event: Any, context: Any, *, clients: ClientFactory | None = None,
           settings: BackupSettings | None = None,
           now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> dict[str, Any]:
    """Run one scheduled backup. ``clients`` / ``settings`` / ``now`` (the UTC clock the
    event time is checked and ages are measured against) override the defaults (tests,
    drill, benchmark); ``context`` may be None (the run id is then a fresh UUID).

    Returns:
        The run summary (shape in the module docstring).

    Raises:
        MalformedEventError: malformed, foreign or mistimed event (no AWS call made).
        SettingsError: invalid environment (no AWS call made).
    """
    parsed = parse_event(event)            # before anything else: no AWS call on bad input
    s = settings or get_settings()
    check_source(parsed, s, now=now())
    period = period_start(parsed.time, s.cadence_minutes)
    run_id = getattr(context, "aws_request_id", None) or str(uuid.uuid4())
    logger.append_keys(period=period.isoformat(), run_id=run_id, stack=s.stack_name)
    record = run_backup(s, period=period, run_id=run_id, clients=clients or default_clients(s),
                        now=now)
    summary = record.to_dict()
    _emit(summary, s.stack_name)
    log = logger.info if record.status == "complete" else logger.warning
    log("backup run finished", extra={"status": record.status, "errors": record.errors,
                                      "recovery_point_age_seconds":
                                      summary["recovery_point_age_seconds"]})
    return summary


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE,
                              clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The Lambda handler. See :func:`handle`."""
    return handle(event, context)
