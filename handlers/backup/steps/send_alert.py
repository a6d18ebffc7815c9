"""Finishing step of a run that is not ``complete``, or that preserved an Aurora
unplanned-failover snapshot: alert every reachable Region's topic with the errors, warnings
and preserved snapshots (:func:`handlers.shared.alerts.publish_alert`); an unreachable
Region's topic is recorded as skipped. A body too long for SNS (many databases, each with
errors) is cut to fit; the run record in the metadata bucket keeps all of it."""

from __future__ import annotations

from handlers.backup.context import RunContext
from handlers.backup.steps.write_record import metadata_key
from handlers.shared.alerts import publish_alert


def run(ctx: RunContext) -> None:
    r = ctx.record
    topics = ctx.settings.alert_topic_arns
    subject = f"[{r.stack}] backup run {r.status}: {len(r.errors)} error(s)"
    if r.preserved:
        subject += f", {len(r.preserved)} failover snapshot(s) preserved"
    body = {"run_id": r.run_id, "period": r.period.isoformat(), "status": r.status,
            "regions": r.regions, "errors": r.errors, "warnings": r.warnings,
            "recovery_point_age_seconds": r.recovery_points.get("recovery_point_age_seconds")}
    if r.preserved:
        body["preserved_failover_snapshots"] = r.preserved
        body["next"] = ("each holds the writes that did not replicate before the failover: "
                        "restore it beside the new primary and reconcile (README runbook); the "
                        "manual copy is never pruned by the backup orchestrator")
    reachable = {k: v for k, v in topics.items() if ctx.reachable(k)}
    record_at = f"s3://{ctx.settings.metadata_bucket}/{metadata_key(r.period, r.run_id)}"
    r.alerts = publish_alert(reachable, subject, body, lambda region: ctx.clients("sns", region),
                             full_text=f"the run record {record_at}")
    r.alerts.update({k: "skipped: Region unreachable" for k in topics if k not in reachable})
