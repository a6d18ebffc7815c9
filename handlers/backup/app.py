"""Lambda entry point of the backup orchestrator: ``handlers.backup.app.handler``.

Deployed in the STANDBY Region (so backups and RPO measurement go on while the primary
Region is down), triggered by an EventBridge schedule every ``CADENCE_MINUTES``.

Event: an EventBridge event (Powertools ``EventBridgeModel``); its ``time`` floored to the
cadence is the run's period (see :func:`handlers.backup.events.scheduled_event` to build
one). A malformed event raises :class:`~handlers.backup.events.InvalidEventError` before any
AWS call. Settings: :mod:`handlers.backup.settings` (environment, parsed once).

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

import os
import uuid
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit

from contract.names import METRIC_NAMESPACE
from handlers.shared.aws import client as aws_client

from .events import parse_event, period_start
from .orchestrator import ClientFactory, run_backup
from .settings import get_settings

SERVICE = "backup-orchestrator"
logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace=METRIC_NAMESPACE, service=SERVICE)


def client_factory(service: str, region: str) -> Any:
    """Cached clients with adaptive retries (``handlers.shared.aws``); tests replace this."""
    return aws_client(service, region)


def _run(event: dict[str, Any], context: Any, clients: ClientFactory) -> dict[str, Any]:
    parsed = parse_event(event)            # before anything else: no AWS call on bad input
    settings = get_settings()
    period = period_start(parsed.time, settings.cadence_minutes)
    run_id = getattr(context, "aws_request_id", None) or str(uuid.uuid4())
    logger.append_keys(period=period.isoformat(), run_id=run_id, stack=settings.stack_name)
    record = run_backup(settings, period=period, run_id=run_id, clients=clients)
    summary = record.to_dict()
    metrics.add_dimension(name="Stack", value=settings.stack_name)
    metrics.add_metric(name="BackupRunDurationSeconds", unit=MetricUnit.Seconds,
                       value=summary["duration_seconds"] or 0.0)
    for name in ("created", "copied", "pruned", "deferred", "errors"):
        metrics.add_metric(name=f"Snapshots{name.capitalize()}" if name != "errors"
                           else "BackupErrors", unit=MetricUnit.Count, value=len(summary[name]))
    log = logger.info if record.status == "complete" else logger.warning
    log("backup run finished", extra={"status": record.status, "errors": record.errors,
                                      "recovery_point_age_seconds":
                                      summary["recovery_point_age_seconds"]})
    return summary


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE,
                              clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def _instrumented(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return _run(event, context, client_factory)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Run one scheduled backup. Returns the run summary (shape in the module docstring).

    Raises:
        InvalidEventError: malformed event (no AWS call made).
        SettingsError: invalid environment.
    """
    return _instrumented(event, context if context is not None else _LocalContext())


class _LocalContext:
    """Stand-in Lambda context when the handler is called directly (drill, scripts)."""

    function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "backup-orchestrator-local")
    function_version = "$LATEST"
    invoked_function_arn = f"arn:aws:lambda:local:000000000000:function:{function_name}"
    memory_limit_in_mb = 256
    aws_request_id = ""
    log_group_name = "local"
    log_stream_name = "local"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 900_000
