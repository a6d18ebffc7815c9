"""One backup run: snapshots, cross-Region copies, pruning, recovery-point age, metadata.

Each Region's work is isolated: a Region whose API fails (down, or denying) has its error
recorded and the other Region's work still runs; the run is then ``partial``, an alert goes
to every reachable Region's topic, and the run record is still written (``finally``).

The steps (:mod:`handlers.backup.steps`, calls grow linearly with the number of databases):

1. Inventory both Regions: one paginated DescribeDBSnapshots(manual) each, plus one paginated
   DescribeDBInstances in the standby Region when standby instances are configured.
2. Primary Region: copy Aurora's unplanned-failover snapshots to manual ones, never pruned
   (:mod:`handlers.backup.steps.preserve_failover`); plan this period's snapshots (skip those
   that exist or whose previous snapshot is still creating), prune (retention, then quota),
   create.
3. Standby Region: plan copies of each database's newest AVAILABLE primary snapshot not yet
   copied, plus snapshots of available standby instances; prune; copy (copies get the room
   first), create.
4. Measure the recovery-point age and publish metrics in the standby Region.
5. Alert if not complete, or when a failover snapshot was preserved; write the run record
   to S3.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from handlers.backup.context import RunContext
from handlers.backup.record import RunRecord
from handlers.backup.settings import BackupSettings
from handlers.backup.steps import (
    measure_recovery_point,
    preserve_failover,
    publish_metrics,
    send_alert,
    snapshot_primary,
    snapshot_standby,
    take_inventory,
    write_record,
)
from handlers.shared.aws import ClientFactory


def _work(ctx: RunContext) -> None:
    """Steps 1-4; a Region that could not be listed gets no work."""
    with ctx.timed("inventory"):
        take_inventory.run(ctx)
    if ctx.primary_snapshots is not None:
        if ctx.failover_snapshots:
            with ctx.timed("preserve"):
                preserve_failover.run(ctx)
        with ctx.timed("primary"):
            snapshot_primary.run(ctx)
    if ctx.standby_snapshots is not None:
        with ctx.timed("standby"):
            snapshot_standby.run(ctx)
        with ctx.timed("measure"):
            measure_recovery_point.run(ctx)


def _finish(ctx: RunContext, crashed: bool) -> None:
    """Metrics, alert and record, after the work or a crash in it."""
    ctx.record.status = "failed" if crashed else ctx.status()
    with ctx.timed("metrics"):
        publish_metrics.run(ctx)
    # Publishing may have failed: the status (and the alert) say so.
    ctx.record.status = "failed" if crashed else ctx.status()
    if ctx.record.status != "complete" or ctx.record.preserved:
        with ctx.timed("alert"):
            send_alert.run(ctx)
    write_record.run(ctx)


def run_backup(settings: BackupSettings, *, period: datetime, run_id: str,
               clients: ClientFactory,
               now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> RunRecord:
    """Run one backup for the scheduled ``period`` (UTC, floored to the cadence).

    Args:
        settings: parsed environment.
        period: period start; it names this run's snapshots (idempotency key).
        run_id: unique id of this invocation (the Lambda request id).
        clients: ``(service, region) -> boto3 client``.
        now: clock (UTC); ages and retention are measured against it.

    Returns:
        The :class:`RunRecord` (also written to ``METADATA_BUCKET``).

    Raises:
        Only unexpected (non-AWS) exceptions, after the record has been written.
    """
    ctx = RunContext.start(settings, period=period, run_id=run_id, clients=clients, now=now)
    crash: BaseException | None = None
    try:
        _work(ctx)
    except Exception as e:  # a bug must still leave a run record and an alert
        crash = e
        ctx.record.error(region="-", step="internal", code=type(e).__name__, message=str(e))
    finally:
        _finish(ctx, crash is not None)
    if crash is not None:
        raise crash
    return ctx.record
