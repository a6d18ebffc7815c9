"""The data-plane side of the dms cycle's new databases and DMS tasks (the reverse pipeline of
``reverse-replicating``, the fresh standby and the new forward task of ``normal``): what
:func:`emulator.cdc_bridges.cdc_bridges` asks for.

* A new standalone instance gets a fresh, empty PostgreSQL server in its Region, started on
  the drill's main thread (:mod:`drill.data.jobs`); the instance stays ``creating`` until then.
* A started task whose endpoints name two databases with servers behind them: the target's
  server subscribes to the source's (:meth:`dataplane.logical.LogicalReplication.subscribe`:
  the initial copy, DMS's full load, then the change stream through a new inter-Region link),
  the target's Region's shop is attached to it (closed to the app's writes while it
  replicates), and the task's ``AWS/DMS CDCLatencySource`` / ``CDCLatencyTarget`` are
  published in the task's Region from the subscription and its slot (:mod:`drill.data.metrics`),
  as DMS publishes a task's. ``StopReplicationTask`` of it disables that subscription
  (``pg-dms-stop``, :meth:`drill.data.bridge.DataBridge.stop_task`).

Nothing here writes into a database that holds data: a subscription only ever makes a fresh
server (the target) follow a writer. Fresh means as this bridge created it: no task's target
yet, no shop writing to it, no order, no subscription; a task started again into a server
that has since become the primary (the reverse task after the failback) is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dataplane.errors import DataPlaneError
from dataplane.logical import LogicalReplication
from dataplane.schema import SHOP_DB, install_shop_schema
from dataplane.server import PostgresServer
from drill.cycle.hooks import CycleHooks, wait_published
from drill.data.metrics import LagPublisher
from drill.data.world import DataWorld
from emulator.cdc_bridges import TaskStart
from emulator.data_bridges import BridgeRefused, Restore, set_instance_status


@dataclass
class CdcTask:
    """A started task the bridge stands behind: its start, its subscription, its publisher."""

    start: TaskStart
    replication: LogicalReplication
    publisher: LagPublisher


def subscription_name(task_id: str) -> str:
    """A PostgreSQL subscription (and slot) name for the DMS task ``task_id``."""
    return "dms_" + re.sub(r"[^a-z0-9_]", "_", task_id.lower())[:55]


@dataclass
class CdcBridge(CycleHooks):
    """The :class:`emulator.cdc_bridges.CdcHooks` of the drill (arguments:
    :class:`drill.cycle.hooks.CycleHooks`)."""

    fresh: dict[tuple[str, str], PostgresServer] = field(default_factory=dict)
    tasks: dict[str, CdcTask] = field(default_factory=dict)

    def fresh_instance(self, region: str, db_id: str) -> Restore:
        w = self.world()
        if w is None:
            return Restore("no data plane yet: left to moto")
        w.jobs.submit(f"instance {db_id}", lambda: self._start_server(w, region, db_id))
        return Restore("a fresh PostgreSQL server (started on the main thread)", pending=True)

    def _start_server(self, w: DataWorld, region: str, db_id: str) -> None:
        n, used = len(self.fresh) + 1, w.plane.servers
        while f"fresh-{n}" in used:   # a name of the run's is never reused
            n += 1
        name = f"fresh-{n}"
        try:
            with w.timed("fresh instance"):
                server = w.plane.server(name, region).init().start()
                install_shop_schema(server)
        except (DataPlaneError, OSError) as e:
            set_instance_status(region, db_id, "failed")
            self.log.note("pg-instance", f"{region}/{db_id}: FAILED: {e}")
            raise
        self.fresh[(region, db_id)] = server
        w.servers_by_id[(region, db_id)] = server
        set_instance_status(region, db_id, "available")
        self.log.note("pg-instance", f"{region}/{db_id}: {name} accepts connections; "
                                     "instance available")

    def start_task(self, start: TaskStart) -> str:
        w = self.world()
        if w is None:
            return "no data plane yet: left to moto"
        source = w.servers_by_id.get(start.source) if start.source else None
        target = w.servers_by_id.get(start.target) if start.target else None
        if source is None or target is None:
            return (f"no PostgreSQL server behind its {'source' if source is None else 'target'}"
                    " endpoint's database: left to moto")
        if not source.running or source.is_in_recovery() or not target.running:
            raise BridgeRefused(f"{source.name} is not a running writer or {target.name} is down")
        if used := self._not_fresh(w, target):
            raise BridgeRefused(f"the target {target.name} is not a fresh instance ({used}): DMS "
                                "would write into a database that holds data")
        try:
            with w.timed("dms start"):
                repl = LogicalReplication.subscribe(w.plane, source, target,
                                                    subscription=subscription_name(start.task_id))
        except DataPlaneError as e:
            raise BridgeRefused(str(e)) from e
        self._register(w, start, repl)
        return (f"{target.name} subscribed to {source.name} ({repl.subscription}): initial copy "
                "done, change stream running")

    def _not_fresh(self, w: DataWorld, target: PostgresServer) -> str:
        """How ``target`` left the fresh, empty state this bridge created it in ("" when it
        has not): not created here, already a task's target, taking the shop's writes,
        holding orders, or subscribed to something."""
        if target not in self.fresh.values():
            return "not created for a new instance"
        tasks = [t.start.task_id for t in self.tasks.values() if t.replication.target is target]
        writes = target is w.primary or any(s.database is target for s in w.shops.values())
        orders = target.query("SELECT count(*) FROM orders", dbname=SHOP_DB)[0][0]
        subs = target.query("SELECT count(*) FROM pg_subscription")[0][0]
        return "; ".join(why for why, bad in (
            (f"already the target of {', '.join(tasks)}", tasks),
            ("the shop writes to it", writes), (f"holds {orders} order(s)", orders),
            (f"has {subs} subscription(s)", subs)) if bad)

    def _register(self, w: DataWorld, start: TaskStart, repl: LogicalReplication) -> None:
        dims = [{"Name": "ReplicationInstanceIdentifier", "Value": start.instance_id},
                {"Name": "ReplicationTaskIdentifier", "Value": start.task_id}]
        publisher = w.plane.own(LagPublisher(
            self.client("cloudwatch", start.region), lambda: list(repl.lag()),
            {"CDCLatencySource": dims, "CDCLatencyTarget": dims}, self.clock, self.log).start())
        self.tasks[start.arn] = CdcTask(start, repl, publisher)
        w.cdc_tasks[start.arn] = repl
        w.links.append(repl.link)
        if repl.target.region in w.shops:
            w.shops[repl.target.region].attach(repl.target)

    def publish_now(self) -> None:
        """Publish every task's latency now (after the drill skipped a wait on its clock)."""
        for t in self.tasks.values():
            t.publisher.publish_now()

    def wait_published(self, timeout: float = 10.0) -> list[str]:
        """Wait (real seconds) until every started task has published a CDCLatencyTarget
        datapoint (:func:`drill.cycle.hooks.wait_published`); returns the tasks that have
        none yet."""
        return wait_published({t.start.task_id: t.publisher for t in self.tasks.values()},
                              "CDCLatencyTarget", timeout)
