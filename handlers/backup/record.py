"""The run record: returned by the handler and written to the metadata bucket as is."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class RunRecord:
    """Everything one run did. See :mod:`handlers.backup.app` for the dict shape."""

    run_id: str
    stack: str
    period: datetime
    started_at: datetime
    finished_at: datetime | None = None
    status: str = "running"
    created: list[dict[str, Any]] = field(default_factory=list)
    existing: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    copied: list[dict[str, Any]] = field(default_factory=list)
    pruned: list[dict[str, Any]] = field(default_factory=list)
    deferred: list[dict[str, Any]] = field(default_factory=list)
    #: Aurora unplanned-failover snapshots copied to a manual snapshot by this run.
    preserved: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    quota: dict[str, dict[str, int]] = field(default_factory=dict)
    regions: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    recovery_points: dict[str, Any] = field(default_factory=dict)
    metrics_published: int = 0
    alerts: dict[str, str] = field(default_factory=dict)
    metadata_key: str | None = None
    metadata_error: str | None = None

    def error(self, *, region: str, step: str, code: str, message: str,
              database: str | None = None) -> None:
        self.errors.append({"region": region, "step": step, "database": database,
                            "code": code, "message": message})

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (datetimes as ISO 8601 strings)."""
        duration = ((self.finished_at - self.started_at).total_seconds()
                    if self.finished_at else None)
        rp = self.recovery_points
        return {
            "run_id": self.run_id, "stack": self.stack, "period": self.period.isoformat(),
            "status": self.status, "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "duration_seconds": duration, "timings": self.timings,
            "created": self.created, "existing": self.existing, "skipped": self.skipped,
            "copied": self.copied, "pruned": self.pruned, "deferred": self.deferred,
            "preserved": self.preserved,
            "errors": self.errors, "warnings": self.warnings, "quota": self.quota,
            "regions": self.regions,
            "recovery_point_age_seconds": rp.get("recovery_point_age_seconds"),
            "replication_lag_seconds": rp.get("replication_lag_seconds"),
            "recovery_points": rp, "metrics_published": self.metrics_published,
            "alerts": self.alerts, "metadata_key": self.metadata_key,
            "metadata_error": self.metadata_error,
        }
