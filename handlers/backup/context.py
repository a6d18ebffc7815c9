"""What every step of a backup run receives: settings, clients, clock, the run record, and
what earlier steps found (the inventory, the snapshots made, the ones pruned).

The steps (:mod:`handlers.backup.steps`) read and write only this object; the runner
(:mod:`handlers.backup.runner`) creates it and calls them in order.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from contract.names import managed_by_value
from handlers.backup.inventory import Snapshot
from handlers.backup.naming import Kind, run_tags
from handlers.backup.ownership import Ownership
from handlers.backup.record import RunRecord
from handlers.backup.settings import BackupSettings
from handlers.shared.aws import ClientFactory

T = TypeVar("T")

#: botocore errors meaning the Region's endpoint cannot be reached: once one is seen, the
#: run makes no further call into that Region (each call would sit through its retries).
UNREACHABLE = frozenset({"EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError",
                         "ConnectionClosedError", "ConnectionError"})


@dataclass
class RunContext:
    """One backup run.

    Attributes:
        settings, clients: the parsed environment and ``(service, region) -> client``.
        now: the clock (UTC); ages and retention are measured against it.
        period: the scheduled period (UTC); it names this run's snapshots.
        record: the run record every step writes to (returned and stored at the end).
        owner: which snapshots are this stack's (:class:`Ownership`).
        primary_snapshots, standby_snapshots: every manual snapshot listed in each Region;
            None when the Region could not be listed (no work there).
        standby_statuses: ``{standby instance or cluster id: status}`` of those that exist; a
            standby Aurora cluster that is a secondary of a global database (not its writer)
            reads ``secondary`` (its data is the primary's: nothing of its own to snapshot).
        failover_snapshots: Aurora's unplanned-failover snapshots of the protected clusters
            found in the primary Region (:mod:`handlers.backup.steps.preserve_failover`).
        inventories_ok: how many Regions were listed (0, 1 or 2).
        new_primary: primary-Region snapshots made by this run.
        new_standby: standby-Region snapshots and copies made by this run.
        pruned_arns: ARNs of the snapshots this run deleted.
    """

    settings: BackupSettings
    clients: ClientFactory
    now: Callable[[], datetime]
    period: datetime
    record: RunRecord
    owner: Ownership
    primary_snapshots: list[Snapshot] | None = None
    standby_snapshots: list[Snapshot] | None = None
    standby_statuses: dict[str, str] = field(default_factory=dict)
    failover_snapshots: list[Snapshot] = field(default_factory=list)
    inventories_ok: int = 0
    new_primary: list[Snapshot] = field(default_factory=list)
    new_standby: list[Snapshot] = field(default_factory=list)
    pruned_arns: set[str] = field(default_factory=set)

    @classmethod
    def start(cls, settings: BackupSettings, *, period: datetime, run_id: str,
              clients: ClientFactory, now: Callable[[], datetime]) -> RunContext:
        """A fresh run of ``period``; its record starts now."""
        owner = Ownership(managed_by_value(settings.stack_name),
                          {d.identifier: d.standby for d in settings.protected_databases})
        record = RunRecord(run_id=run_id, stack=settings.stack_name, period=period,
                           started_at=now())
        return cls(settings=settings, clients=clients, now=now, period=period, record=record,
                   owner=owner)

    @property
    def started(self) -> datetime:
        """When the run started (UTC): snapshot tags, retention and ordering use it."""
        return self.record.started_at

    @property
    def primary_region(self) -> str:
        return self.settings.primary_region

    @property
    def standby_region(self) -> str:
        return self.settings.standby_region

    def rds(self, region: str) -> Any:
        return self.clients("rds", region)

    @contextmanager
    def timed(self, name: str) -> Iterator[None]:
        """Record the seconds the block takes as ``record.timings[name]``."""
        t0 = time.monotonic()
        try:
            yield
        finally:
            self.record.timings[name] = round(time.monotonic() - t0, 6)

    def region_call(self, region: str, step: str, fn: Callable[[], T]) -> T | None:
        """Run ``fn``; on an AWS/connection error record it (and an unreachable Region) and
        return None."""
        try:
            result = fn()
        except ClientError as e:
            code = str(e.response.get("Error", {}).get("Code", ""))
            self.record.error(region=region, step=step, code=code, message=str(e))
            return None
        except BotoCoreError as e:
            if type(e).__name__ in UNREACHABLE:
                self.record.regions[region] = "unreachable"
            self.record.error(region=region, step=step, code=type(e).__name__, message=str(e))
            return None
        self.record.regions.setdefault(region, "ok")
        return result

    def reachable(self, region: str) -> bool:
        return self.record.regions.get(region) != "unreachable"

    def skip_unreachable(self, region: str, step: str, database: str | None = None) -> bool:
        """True (and recorded) when ``region`` went unreachable earlier in this run."""
        if self.reachable(region):
            return False
        self.record.error(region=region, step=step, database=database, code="RegionUnreachable",
                          message="skipped: the Region's endpoint was unreachable earlier in this run")
        return True

    def tags(self, database: str, kind: Kind) -> list[dict[str, str]]:
        """Tags of a snapshot of ``database`` of ``kind`` made by this run."""
        return run_tags(stack=self.settings.stack_name, database=database, kind=kind,
                        period=self.period, run_id=self.record.run_id,
                        cadence_minutes=self.settings.cadence_minutes, now=self.started)

    def status(self) -> str:
        """``complete`` without errors, ``failed`` when no Region was listed, else ``partial``."""
        if not self.record.errors:
            return "complete"
        return "failed" if self.inventories_ok == 0 else "partial"
