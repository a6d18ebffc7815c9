"""One backup run: snapshots, cross-Region copies, pruning, recovery-point age, metadata.

Each Region's work is isolated: a Region whose API fails (down, or denying) has its error
recorded and the other Region's work still runs; the run is then ``partial``, an alert goes
to every reachable Region's topic, and the run record is still written (``finally``).

Order per run (calls grow linearly with the number of databases):

1. Inventory both Regions: one paginated DescribeDBSnapshots(manual) each, plus one paginated
   DescribeDBInstances in the standby Region when standby instances are configured.
2. Primary Region: plan this period's snapshots (skip those that exist or whose previous
   snapshot is still creating), prune (retention, then quota), create.
3. Standby Region: plan copies of each database's newest AVAILABLE primary snapshot not yet
   copied, plus snapshots of available standby instances; prune; copy (copies get the room
   first), create.
4. Measure the recovery-point age and publish metrics in the standby Region.
5. Alert if not complete; write the run record to S3.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from contract.names import managed_by_value
from handlers.backup import recovery_point
from handlers.backup.inventory import Snapshot, instance_statuses, list_manual_snapshots
from handlers.backup.naming import Kind, copy_id, run_tags, snapshot_id, stamp
from handlers.backup.ownership import Ownership
from handlers.backup.pruning import delete_snapshots, plan_pruning
from handlers.backup.record import RunRecord
from handlers.backup.settings import BackupSettings
from handlers.backup.snapshots import Outcome, copy_snapshot, create_snapshot
from handlers.shared.alerts import publish_alert

#: ``(service, region) -> boto3 client``; the handler passes ``handlers.shared.aws.client``.
ClientFactory = Callable[[str, str], Any]
T = TypeVar("T")

#: botocore errors meaning the Region's endpoint cannot be reached: once one is seen, the
#: run makes no further call into that Region (each call would sit through its retries).
UNREACHABLE = frozenset({"EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError",
                         "ConnectionClosedError", "ConnectionError"})

#: Snapshot statuses meaning "RDS is still making it": never duplicated, copied or pruned.
IN_PROGRESS = frozenset({"creating", "pending", "copying"})


def metadata_key(period: datetime, run_id: str) -> str:
    """S3 key of a run record: ``runs/<YYYYmmddHHMM>/<run id>.json``."""
    return f"runs/{stamp(period)}/{run_id}.json"


class _Run:
    def __init__(self, settings: BackupSettings, *, period: datetime, run_id: str,
                 clients: ClientFactory, now: Callable[[], datetime]) -> None:
        self.s = settings
        self.clients = clients
        self.now = now
        self.period = period
        self.managed_by = managed_by_value(settings.stack_name)
        self.owner = Ownership(self.managed_by, {d.identifier: d.standby
                                                 for d in settings.protected_databases})
        self.rec = RunRecord(run_id=run_id, stack=settings.stack_name, period=period,
                             started_at=now())
        self.started = self.rec.started_at
        self.P, self.S = settings.primary_region, settings.standby_region
        self.new_standby: list[Snapshot] = []
        self.gone: set[str] = set()

    # -- plumbing ---------------------------------------------------------------------
    @contextmanager
    def timed(self, name: str) -> Iterator[None]:
        t0 = time.monotonic()
        try:
            yield
        finally:
            self.rec.timings[name] = round(time.monotonic() - t0, 6)

    def region_call(self, region: str, step: str, fn: Callable[[], T]) -> T | None:
        """Run ``fn``; on an AWS/connection error record it and return None."""
        try:
            result = fn()
        except ClientError as e:
            code = str(e.response.get("Error", {}).get("Code", ""))
            self.rec.error(region=region, step=step, code=code, message=str(e))
            return None
        except BotoCoreError as e:
            if type(e).__name__ in UNREACHABLE:
                self.rec.regions[region] = "unreachable"
            self.rec.error(region=region, step=step, code=type(e).__name__, message=str(e))
            return None
        self.rec.regions.setdefault(region, "ok")
        return result

    def reachable(self, region: str) -> bool:
        return self.rec.regions.get(region) != "unreachable"

    def skip_unreachable(self, region: str, step: str, database: str | None = None) -> bool:
        """True (and recorded) when ``region`` went unreachable earlier in this run."""
        if self.reachable(region):
            return False
        self.rec.error(region=region, step=step, database=database, code="RegionUnreachable",
                       message="skipped: the Region's endpoint was unreachable earlier in this run")
        return True

    def tags(self, database: str, kind: Kind) -> list[dict[str, str]]:
        return run_tags(stack=self.s.stack_name, database=database, kind=kind,
                        period=self.period, run_id=self.rec.run_id,
                        cadence_minutes=self.s.cadence_minutes, now=self.started)

    def in_progress(self, snaps: list[Snapshot], kind: Kind) -> set[str]:
        return {s.database for s in snaps
                if self.owner.owns(s) and s.kind == kind.value and s.status in IN_PROGRESS}

    def prune(self, region: str, rds: Any, snaps: list[Snapshot], needed: int) -> int:
        """Prune in ``region``; returns the room left for new snapshots."""
        plan = plan_pruning(snaps, owner=self.owner, now=self.started,
                            retention_hours=self.s.retention_hours,
                            keep_newest=self.s.keep_newest, quota=self.s.snapshot_quota,
                            needed=needed)
        pruned, errors = delete_snapshots(rds, plan)
        self.rec.pruned.extend(pruned)
        self.gone.update(p["arn"] for p in pruned)
        for err in errors:
            self.rec.error(region=region, step="prune", code=err["code"], message=err["message"])
        room = max(0, plan.room - len(errors))
        self.rec.quota[region] = {"manual_snapshots_before": len(snaps),
                                  "quota": self.s.snapshot_quota, "needed": needed, "room": room}
        if room < needed:
            self.rec.warnings.append(f"{region}: {len(snaps)} manual snapshots, quota "
                                     f"{self.s.snapshot_quota}; room for {room} of {needed} "
                                     "new snapshots after pruning ours")
        return room

    def record_outcome(self, out: Outcome, *, region: str, step: str, database: str,
                       snapshot_id: str, kind: Kind, source: Snapshot | None = None) -> None:
        entry: dict[str, Any] = {"region": region, "database": database, "kind": kind.value,
                                 "snapshot_id": snapshot_id}
        if out.snapshot is not None:
            entry["arn"] = out.snapshot.arn
            entry["status"] = out.snapshot.status
        if source is not None:
            entry["source_arn"] = source.arn
        if out.state == "created":
            (self.rec.copied if kind is Kind.COPY else self.rec.created).append(entry)
        elif out.state == "existing":
            self.rec.existing.append(entry)
        elif out.state == "deferred":
            self.rec.deferred.append({**entry, "code": out.code, "message": out.message})
        else:
            if out.code in UNREACHABLE:
                self.rec.regions[region] = "unreachable"
            self.rec.error(region=region, step=step, database=database, code=out.code,
                           message=out.message)

    # -- steps ------------------------------------------------------------------------
    def primary(self, snaps: list[Snapshot]) -> list[Snapshot]:
        """Snapshots of every protected database in the primary Region; returns new ones."""
        rds = self.clients("rds", self.P)
        existing = {s.identifier: s for s in snaps}
        busy = self.in_progress(snaps, Kind.PRIMARY)
        wanted = []
        for db in self.s.protected_databases:
            sid = snapshot_id(db.identifier, self.period)
            if sid in existing:
                self.rec.existing.append(existing[sid].brief())
            elif db.identifier in busy:
                self.rec.skipped.append({"region": self.P, "database": db.identifier,
                                         "reason": "previous snapshot still creating"})
            else:
                wanted.append((db, sid))
        room = self.prune(self.P, rds, snaps, len(wanted))
        new: list[Snapshot] = []
        for i, (db, sid) in enumerate(wanted):
            if self.skip_unreachable(self.P, "snapshot", db.identifier):
                continue
            if i >= room:
                self.rec.error(region=self.P, step="snapshot", database=db.identifier,
                               code="NoRoomUnderQuota",
                               message="manual snapshot quota reached and none of ours prunable")
                continue
            out = create_snapshot(rds, self.P, instance=db.identifier, snapshot_id=sid,
                                  tags=self.tags(db.identifier, Kind.PRIMARY))
            self.record_outcome(out, region=self.P, step="snapshot", database=db.identifier,
                                snapshot_id=sid, kind=Kind.PRIMARY)
            if out.snapshot is not None:
                new.append(out.snapshot)
        return new

    def copies_wanted(self, primary_snaps: list[Snapshot],
                      standby_snaps: list[Snapshot]) -> list[tuple[str, Snapshot]]:
        """``(database, source)``: newest available primary snapshot of ours per database,
        where no copy of it exists yet in the standby Region."""
        protected = {db.identifier for db in self.s.protected_databases}
        newest: dict[str, Snapshot] = {}
        for s in primary_snaps:
            if (self.owner.owns(s) and s.kind == Kind.PRIMARY.value and s.available
                    and s.database in protected and s.arn not in self.gone
                    and (s.database not in newest
                         or s.sort_time(self.started) > newest[s.database].sort_time(self.started))):
                newest[s.database] = s
        have = {s.identifier for s in standby_snaps} | {s.source for s in standby_snaps if s.source}
        return [(db, src) for db, src in sorted(newest.items())
                if copy_id(src.identifier) not in have and src.arn not in have]

    def standby(self, standby_snaps: list[Snapshot], primary_snaps: list[Snapshot] | None,
                statuses: dict[str, str]) -> None:
        rds = self.clients("rds", self.S)
        copies = self.copies_wanted(primary_snaps, standby_snaps) if primary_snaps is not None else []
        existing = {s.identifier: s for s in standby_snaps}
        busy = self.in_progress(standby_snaps, Kind.STANDBY)
        wanted = []
        for db in self.s.protected_databases:
            sb = db.standby
            if not sb:
                continue
            status = statuses.get(sb)
            sid = snapshot_id(sb, self.period)
            if sid in existing:
                self.rec.existing.append(existing[sid].brief())
            elif status is None:
                self.rec.skipped.append({"region": self.S, "database": db.identifier,
                                         "reason": f"standby instance {sb} not found"})
            elif status != "available":
                self.rec.skipped.append({"region": self.S, "database": db.identifier,
                                         "reason": f"standby instance {sb} is {status}"})
            elif db.identifier in busy:
                self.rec.skipped.append({"region": self.S, "database": db.identifier,
                                         "reason": "previous snapshot still creating"})
            else:
                wanted.append((db, sb, sid))
        room = self.prune(self.S, rds, standby_snaps, len(copies) + len(wanted))
        for db_id, src in copies:
            target = copy_id(src.identifier)
            if self.skip_unreachable(self.S, "copy", db_id):
                continue
            if room <= 0:
                self.rec.error(region=self.S, step="copy", database=db_id, code="NoRoomUnderQuota",
                               message="manual snapshot quota reached and none of ours prunable")
                continue
            out = copy_snapshot(rds, self.S, source=src, target_id=target,
                                kms_key_id=self.s.standby_kms_key_arn,
                                overrides={k["Key"]: k["Value"]
                                           for k in self.tags(db_id, Kind.COPY)})
            room -= 1
            self.record_outcome(out, region=self.S, step="copy", database=db_id,
                                snapshot_id=target, kind=Kind.COPY, source=src)
            if out.snapshot is not None:
                self.new_standby.append(out.snapshot)
        for db, sb, sid in wanted:
            if self.skip_unreachable(self.S, "snapshot", db.identifier):
                continue
            if room <= 0:
                self.rec.error(region=self.S, step="snapshot", database=db.identifier,
                               code="NoRoomUnderQuota",
                               message="manual snapshot quota reached and none of ours prunable")
                continue
            out = create_snapshot(rds, self.S, instance=sb, snapshot_id=sid,
                                  tags=self.tags(db.identifier, Kind.STANDBY))
            room -= 1
            self.record_outcome(out, region=self.S, step="snapshot", database=db.identifier,
                                snapshot_id=sid, kind=Kind.STANDBY)
            if out.snapshot is not None:
                self.new_standby.append(out.snapshot)

    def measure(self, standby_snaps: list[Snapshot]) -> None:
        after = [s for s in standby_snaps if s.arn not in self.gone] + self.new_standby
        dms_region = (self.s.dms_task_arn.split(":")[3] if self.s.dms_task_arn.count(":") >= 5
                      else self.S)
        rp = self.region_call(self.S, "measure", lambda: recovery_point.measure(
            databases=[(d.identifier, d.standby) for d in self.s.protected_databases],
            standby_snapshots=after, owner=self.owner, now=self.now(),
            strategy=self.s.db_strategy, cloudwatch=self.clients("cloudwatch", self.S),
            dms_task_arn=self.s.dms_task_arn,
            dms_cloudwatch=self.clients("cloudwatch", dms_region)))
        if rp is not None:
            self.rec.recovery_points = rp.to_dict()
            for stopped in rp.not_running:
                self.rec.error(region=self.S, step="measure", database=stopped["database"],
                               code="ReplicationNotRunning", message=stopped["message"])
            if rp.missing:
                self.rec.warnings.append("no usable recovery point in the standby Region yet "
                                         f"for: {', '.join(rp.missing)}")

    def status(self, inventories_ok: int) -> str:
        if not self.rec.errors:
            return "complete"
        return "failed" if inventories_ok == 0 else "partial"

    def publish_metrics(self) -> None:
        rp = recovery_point.RecoveryPoints(
            per_database=self.rec.recovery_points.get("per_database", {}),
            recovery_point_age_seconds=self.rec.recovery_points.get("recovery_point_age_seconds"),
            replication_lag_seconds=self.rec.recovery_points.get("replication_lag_seconds"))
        items = recovery_point.metric_data(rp, stack=self.s.stack_name, status=self.rec.status,
                                           now=self.now())
        if self.skip_unreachable(self.S, "metrics"):
            return
        calls = self.region_call(self.S, "metrics", lambda: recovery_point.publish(
            self.clients("cloudwatch", self.S), items))
        if calls is not None:
            self.rec.metrics_published = len(items)

    def alert(self) -> None:
        r = self.rec
        subject = f"[{r.stack}] backup run {r.status}: {len(r.errors)} error(s)"
        body = {"run_id": r.run_id, "period": r.period.isoformat(), "status": r.status,
                "regions": r.regions, "errors": r.errors, "warnings": r.warnings,
                "recovery_point_age_seconds": r.recovery_points.get("recovery_point_age_seconds")}
        reachable = {k: v for k, v in self.s.alert_topic_arns.items() if self.reachable(k)}
        r.alerts = publish_alert(reachable, subject, body,
                                 lambda region: self.clients("sns", region))
        r.alerts.update({k: "skipped: Region unreachable" for k in self.s.alert_topic_arns
                         if k not in reachable})

    def write_metadata(self) -> None:
        key = metadata_key(self.period, self.rec.run_id)
        self.rec.finished_at = self.now()
        body = json.dumps(self.rec.to_dict() | {"metadata_key": key}, default=str, indent=1)
        if not self.reachable(self.S):
            self.rec.metadata_error = (f"not written: {self.S} (bucket {self.s.metadata_bucket}) "
                                       "unreachable in this run")
            return
        try:
            self.clients("s3", self.S).put_object(Bucket=self.s.metadata_bucket, Key=key,
                                                  Body=body.encode(), ContentType="application/json")
            self.rec.metadata_key = key
        except (ClientError, BotoCoreError) as e:
            self.rec.metadata_error = f"{type(e).__name__}: {e}"

    # -- the run ----------------------------------------------------------------------
    def run(self) -> RunRecord:
        inventories_ok = 0
        crash: BaseException | None = None
        try:
            with self.timed("inventory"):
                p_snaps = self.region_call(self.P, "inventory", lambda: list_manual_snapshots(
                    self.clients("rds", self.P), self.P))
                s_snaps = self.region_call(self.S, "inventory", lambda: list_manual_snapshots(
                    self.clients("rds", self.S), self.S))
                inventories_ok = (p_snaps is not None) + (s_snaps is not None)
                sb_ids = {d.standby for d in self.s.protected_databases
                          if d.standby}
                statuses: dict[str, str] = {}
                if s_snaps is not None and sb_ids:
                    statuses = self.region_call(self.S, "describe-instances", lambda: (
                        instance_statuses(self.clients("rds", self.S), sb_ids))) or {}
            new_primary: list[Snapshot] = []
            if p_snaps is not None:
                with self.timed("primary"):
                    new_primary = self.primary(p_snaps)
            if s_snaps is not None:
                with self.timed("standby"):
                    self.standby(s_snaps, None if p_snaps is None else p_snaps + new_primary,
                                 statuses)
                with self.timed("measure"):
                    self.measure(s_snaps)
        except Exception as e:  # a bug must still leave a run record and an alert
            crash = e
            self.rec.error(region="-", step="internal", code=type(e).__name__, message=str(e))
        finally:
            self.rec.status = self.status(inventories_ok)
            if crash is not None:
                self.rec.status = "failed"
            with self.timed("metrics"):
                self.publish_metrics()
            self.rec.status = self.status(inventories_ok) if crash is None else "failed"
            if self.rec.status != "complete":
                with self.timed("alert"):
                    self.alert()
            self.write_metadata()
        if crash is not None:
            raise crash
        return self.rec


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
    return _Run(settings, period=period, run_id=run_id, clients=clients, now=now).run()
