"""The drill itself: policy gate, emulator and site, deploy the plan, back up, break the
primary, fail over through the real triggers, verify from outside, report.

:func:`run_drill` returns the report dict (see :mod:`offline.drill.report`) and writes the
report files. Each step is timed on the emulator (``measured``) and counted in AWS API calls
(served by the emulator, and attempted by the handlers' clients).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import json
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from components.settings import PROJECT, DrSettings, read_stack_file, settings_from_raw
from rto_rpo.contract import GATE_METRIC, GATE_NAMESPACE, Role

from . import scenarios as scenario_defs
from .applier import Applier, Deployment
from .bridges import AlarmEvaluator, BridgeLog, HealthCheckEvaluator, promotion_bridge
from .dns import failover_answer
from .emulator import ACCOUNT_ID, Emulator, ThrottleStorm, free_port
from .instrument import ClientLedger, Faults, instrumented_clients
from .runtime import FunctionRuntime
from .site import Site, stand_up_site

ROOT = Path(__file__).resolve().parents[2]

#: Where the real handlers live, per orchestrator role (the plan's function resources say
#: what to deploy; the code that runs is this repository's).
HANDLERS: dict[Role, str] = {
    Role.FAILOVER_ORCHESTRATOR: "handlers.failover.app.handler",
    Role.BACKUP_ORCHESTRATOR: "handlers.backup.app.handler",
}
#: Roles without which the drill cannot fail over.
REQUIRED_ROLES: tuple[Role, ...] = (
    Role.FAILOVER_ORCHESTRATOR, Role.BACKUP_ORCHESTRATOR, Role.GATE_ALARM, Role.HEALTH_ALARM,
    Role.STATE_TABLE, Role.ALERT_TOPIC,
)
#: Route 53 records cannot carry tags: the failover pair is found by its routing policy.
FAILOVER_RECORD_TYPES = ("PRIMARY", "SECONDARY")
DONE_STATUSES = ("completed", "already-failed-over")
#: Placeholder DMS source secret for a drill of the dms strategy on a stack configured
#: otherwise (the emulator never reads it).
DRILL_DMS = {"sourceSecretArn": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT_ID}:secret:drill-dms"}


#: Plans recorded in this process, by stack, stack file and overrides: recording runs the
#: program in a subprocess (~2 s), and one process (tests, bench) drills the same config
#: several times. Applying a plan never changes it.
_PLAN_CACHE: dict[str, Any] = {}


class DrillError(Exception):
    """The drill cannot run (bad config, policy gate failed, a piece missing). Exit code 2."""


@dataclass
class DrillOptions:
    """What to drill.

    Attributes:
        stack: stack name (``Pulumi.<stack>.yaml``).
        scenario: one of :data:`offline.drill.scenarios.SCENARIOS`.
        strategy: database strategy override, or None for the stack's own.
        stack_file: another stack file instead of ``Pulumi.<stack>.yaml``.
        reports_dir: where the report files go (None: do not write them).
        policy_gate: run ``offline.preview`` first (step 1); off only for tests/benchmarks
            that run it elsewhere, and the report says so.
        progress: show rich progress on the terminal.
        max_triggers: failover invocations before the drill gives up.
        seeded_replica_lag_seconds: replication lag seeded into the emulator's metrics
            (moto does not replicate; AWS/RDS ReplicaLag and AWS/DMS CDCLatency* are inputs).
    """

    stack: str = "prod"
    scenario: str = "happy-path"
    strategy: str | None = None
    stack_file: Path | None = None
    reports_dir: Path | None = ROOT / "reports"
    policy_gate: bool = True
    progress: bool = True
    max_triggers: int = 12
    seeded_replica_lag_seconds: float = 5.0


@dataclass
class StepRecord:
    name: str
    title: str
    started_offset: float = 0.0
    seconds: float = 0.0
    status: str = "ok"          # ok | failed | skipped
    detail: dict[str, Any] = field(default_factory=dict)
    api_calls: dict[str, int] = field(default_factory=dict)       # handlers', served
    harness_calls: dict[str, int] = field(default_factory=dict)   # the drill's own, served
    handler_calls: dict[str, int] = field(default_factory=dict)   # handlers' clients, attempted
    throttled: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.name, "title": self.title, "basis": "measured",
                "started_offset_seconds": round(self.started_offset, 4),
                "seconds": round(self.seconds, 4), "status": self.status,
                "api_calls_total": sum(self.api_calls.values()) + sum(self.harness_calls.values()),
                "api_calls": self.api_calls, "harness_calls": self.harness_calls,
                "handler_calls": self.handler_calls, "throttled_responses": self.throttled,
                "detail": self.detail}


@dataclass
class Check:
    name: str
    passed: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


def stack_path(opts: DrillOptions) -> Path:
    return opts.stack_file or ROOT / f"Pulumi.{opts.stack}.yaml"


def drill_config(opts: DrillOptions) -> tuple[DrSettings, dict[str, Any]]:
    """Validated settings for the drill and the config overrides that produce them.

    Raises:
        DrillError: the stack file is missing or invalid (the message lists each key).
    """
    path = stack_path(opts)
    try:
        cfg = read_stack_file(path)
    except FileNotFoundError:
        raise DrillError(f"no stack file {path} (stack {opts.stack!r})") from None
    raw = {k[len(PROJECT) + 1:]: v for k, v in cfg.items() if k.startswith(f"{PROJECT}:")}
    overrides: dict[str, Any] = {}
    if opts.strategy:
        db = raw.get("database")
        db = json.loads(db) if isinstance(db, str) else dict(db or {})
        db["strategy"] = opts.strategy
        if opts.strategy == "dms" and not db.get("dms"):
            db["dms"] = dict(DRILL_DMS)
        raw["database"] = db
        overrides[f"{PROJECT}:database"] = db
    try:
        return settings_from_raw(raw), overrides
    except Exception as e:  # ConfigError: names each key
        raise DrillError(str(e)) from None


class Drill:
    """One drill run (use :func:`run_drill`)."""

    def __init__(self, opts: DrillOptions, console: Any = None) -> None:
        self.opts = opts
        self.scenario = scenario_defs.get(opts.scenario)
        self.settings, self.overrides = drill_config(opts)
        self.strategy = self.settings.database.strategy
        self.emulator = Emulator()
        self.client_ledger = ClientLedger()
        self.faults = Faults()
        self.bridges = BridgeLog()
        self.steps: list[StepRecord] = []
        self.checks: list[Check] = []
        self.notes: list[str] = []
        self.missing: list[str] = []
        self.modelled_waits: list[dict[str, Any]] = []
        self.site: Site | None = None
        self.deployment: Deployment | None = None
        self.failover_fn: FunctionRuntime | None = None
        self.backup_fn: FunctionRuntime | None = None
        self.backup_result: dict[str, Any] | None = None
        self.invocations: list[dict[str, Any]] = []
        self.queues: dict[str, str] = {}
        self.t0 = 0.0
        self.failure_injected_at = 0.0
        self.failover_done_at = 0.0
        self.failover_status = "not-run"
        self.clock_offset = 0.0
        self.console = console
        self._progress: Any = None
        self.plan_resources = 0
        self.recovery_point: dict[str, Any] = {}
        self._gate_evaluations: list[dict[str, Any]] = []

    # -- plumbing ---------------------------------------------------------------------------
    def client(self, service: str, region: str) -> Any:
        return self.emulator.client(service, region)

    @contextlib.contextmanager
    def step(self, name: str, title: str) -> Iterator[StepRecord]:
        rec = StepRecord(name, title, started_offset=time.perf_counter() - self.t0)
        self.steps.append(rec)
        task = self._progress.add_task(title, total=1) if self._progress else None
        self.client_ledger.step = name
        started = time.perf_counter()
        try:
            with self.emulator.step(name):
                yield rec
        except _StepSkipped as s:
            rec.status, rec.detail["skipped"] = "skipped", str(s)
        except Exception:
            rec.status = "failed"
            raise
        finally:
            rec.seconds = time.perf_counter() - started
            rec.api_calls = self.emulator.ledger.counts(name, by_drill=False)
            rec.harness_calls = self.emulator.ledger.counts(name, by_drill=True)
            rec.handler_calls = self.client_ledger.counts(name)
            rec.throttled = sum(1 for r in self.emulator.ledger.for_step(name) if r.throttled)
            self.client_ledger.step = "between-steps"
            if self._progress and task is not None:
                mark = {"ok": "[green]✓", "failed": "[red]✗", "skipped": "[yellow]–"}[rec.status]
                self._progress.update(task, completed=1,
                                      description=f"{mark} {title} [dim]{rec.seconds:.2f} s, "
                                                  f"{sum(rec.api_calls.values())}+"
                                                  f"{sum(rec.harness_calls.values())} calls")

    def check(self, name: str, passed: bool, detail: str) -> bool:
        self.checks.append(Check(name, bool(passed), detail))
        return bool(passed)

    # -- the run ----------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        from . import report

        self.t0 = time.perf_counter()
        started_at = dt.datetime.now(dt.UTC)
        progress_cm = contextlib.nullcontext()
        if self.opts.progress:
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                      TimeElapsedColumn(), console=self.console, transient=False)
            progress_cm = self._progress
        try:
            with progress_cm, instrumented_clients(self.client_ledger, self.faults), \
                    promotion_bridge(self.bridges), self._handler_clock():
                self._policy_gate()
                with self.step("emulator", "Start the emulator and the site's existing parts"):
                    self._start()
                try:
                    self._deploy()
                    if self.missing:
                        raise _Abort("the plan lacks resources the drill needs: "
                                     + "; ".join(self.missing))
                    self._baseline()
                    self._backup()
                    self._inject()
                    self._failover()
                    self._verify()
                    if self.scenario.primary_recovers:
                        self._primary_recovers()
                except _Abort as e:
                    self.notes.append(f"drill stopped early: {e}")
                    self.check("drill ran to the end", False, str(e))
                except DrillError:
                    raise
                except Exception as e:  # noqa: BLE001 - an unexpected error fails the drill
                    # with a report, rather than losing what ran so far
                    import traceback

                    self.notes.append("drill stopped by an error:\n" + traceback.format_exc(limit=6))
                    self.check("drill ran to the end", False, f"{type(e).__name__}: {e}")
                finally:
                    self.emulator.storm = None
                    if self.site:
                        self.site.stop()
                    self.emulator.stop()
        finally:
            self.client_ledger.step = "report"
        return report.build(self, started_at=started_at,
                            wall_seconds=time.perf_counter() - self.t0)

    @contextlib.contextmanager
    def _handler_clock(self) -> Iterator[None]:
        """Let the drill move the failover handler's clock forward (a simulated wait, e.g.
        for a crashed holder's lock lease to expire); every jump is reported as modelled."""
        try:
            from handlers.failover import clock
        except ImportError:
            yield
            return
        real = time.time
        with mock.patch.object(clock, "now", lambda: real() + self.clock_offset):
            yield

    # -- step 1 -----------------------------------------------------------------------------
    def _policy_gate(self) -> None:
        with self.step("policy-gate", "Policy gate: offline preview with the policy pack") as rec:
            if not self.opts.policy_gate:
                raise _StepSkipped("turned off by --no-policy-gate (the report says so)")
            cmd = [sys.executable, "-m", "offline.preview", "--stack", self.opts.stack]
            if self.opts.stack_file:
                cmd += ["--stack-file", str(self.opts.stack_file)]
            with tempfile.TemporaryDirectory() as tmp:
                if self.overrides:
                    # the drill deploys the overridden config: check exactly that plan
                    from offline.plan import record_plan

                    plan_file = Path(tmp) / "plan.json"
                    plan_file.write_text(record_plan(
                        self.opts.stack, stack_file=self.opts.stack_file,
                        config_overrides=self.overrides, preview=True).to_json())
                    cmd += ["--plan-file", str(plan_file)]
                    rec.detail["overrides"] = self.overrides
                proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                                      timeout=300, check=False)
            rec.detail.update(command=" ".join(cmd[1:]), exit_code=proc.returncode,
                              output_tail=(proc.stdout + proc.stderr).strip().splitlines()[-8:])
            if proc.returncode != 0:
                rec.status = "failed"
                missing = "No module named offline.preview" in proc.stderr
                raise DrillError("policy gate failed: " + (
                    "offline.preview is not available" if missing else
                    f"`{' '.join(cmd[1:])}` exited {proc.returncode}:\n"
                    + "\n".join(rec.detail["output_tail"])))

    # -- step 2 -----------------------------------------------------------------------------
    def _start(self) -> None:
        self.emulator.start()
        self.faults.closed_port_url = f"http://127.0.0.1:{free_port()}"
        self.site = stand_up_site(self.settings, self.client)
        rec = self.steps[-1]
        rec.detail = {"emulator": self.emulator.url,
                      "primary_endpoint": self.site.primary.url(),
                      "standby_endpoint": self.site.standby.url(),
                      "hosted_zone": f"{self.site.configured_zone_id} -> {self.site.hosted_zone_id}",
                      "primary_db_arn": self.site.primary_db_arn}

    def _deploy(self) -> None:
        with self.step("deploy", "Deploy the plan recorded under mocks into the emulator") as rec:
            try:
                from offline.plan import PlanConfigError, record_plan
            except ImportError as e:
                raise DrillError(f"offline.plan is not available: {e}") from None
            key = json.dumps([self.opts.stack, str(self.opts.stack_file), self.overrides],
                             sort_keys=True)
            rec.detail["plan_reused_in_process"] = key in _PLAN_CACHE
            try:
                plan = _PLAN_CACHE.get(key) or record_plan(
                    self.opts.stack, stack_file=self.opts.stack_file,
                    config_overrides=self.overrides or None, preview=True)
                _PLAN_CACHE[key] = plan
            except PlanConfigError as e:
                raise DrillError(f"the program rejected the stack config: {e}") from None
            self.plan_resources = len(plan.resources)
            assert self.site is not None
            applier = Applier(self.client, self.site, env_substitute=self._env_substitute,
                              primary_region=self.settings.primary_region,
                              standby_region=self.settings.standby_region)
            self.deployment = applier.apply(plan.resources)
            d = self.deployment
            for role in REQUIRED_ROLES:
                if not d.by_role(role):
                    planned = [r.urn for r in plan.by_role(role)]
                    why = ("planned but not applied: " + ", ".join(planned) if planned
                           else "not in the plan")
                    self.missing.append(f"{role} ({why})")
            kinds = {(a.inputs.get("failoverRoutingPolicies") or [{}])[0].get("type")
                     for a in d.applied.values() if a.type == "aws:route53/record:Record"}
            for kind in FAILOVER_RECORD_TYPES:
                if kind not in kinds:
                    self.missing.append(f"{kind} failover record (not applied)")
            rec.detail = {"planned_resources": len(plan.resources), **d.summary()}
            if d.failed:
                self.notes.append(f"{len(d.failed)} planned resource(s) failed to apply; "
                                  "see deployment.failed")
            ev = AlarmEvaluator(self.client, self.bridges)
            for a in d.applied.values():
                if a.type == "aws:cloudwatch/metricAlarm:MetricAlarm":
                    ev.as_created(a.physical_name, a.region)
            self._subscribe_alert_queues()
            self._make_runtimes()

    _URL = re.compile(r"https?://(?P<host>[A-Za-z0-9.-]+)(?::\d+)?")

    def _env_substitute(self, key: str, value: str) -> str | None:
        """Site FQDNs in env values point at the loopback endpoints (the drill's DNS for
        the site's own names); nothing else is changed."""
        assert self.site is not None
        bases = {self.settings.site.primary_endpoint_fqdn: self.site.primary.url(""),
                 self.settings.site.standby_endpoint_fqdn: self.site.standby.url(""),
                 self.settings.site.failover_fqdn: self.site.primary.url("")}
        new = self._URL.sub(lambda m: bases.get(m["host"], m[0]), value)
        return new if new != value else None

    def _subscribe_alert_queues(self) -> None:
        assert self.deployment is not None
        for topic in self.deployment.by_role(Role.ALERT_TOPIC):
            sqs = self.client("sqs", topic.region)
            url = sqs.create_queue(QueueName=f"drill-alerts-{topic.region}")["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"]
                                           )["Attributes"]["QueueArn"]
            self.client("sns", topic.region).subscribe(
                TopicArn=topic.arn, Protocol="sqs", Endpoint=arn,
                Attributes={"RawMessageDelivery": "true"})
            self.queues[topic.region] = url

    def _make_runtimes(self) -> None:
        assert self.deployment is not None
        for role, attr in ((Role.FAILOVER_ORCHESTRATOR, "failover_fn"),
                           (Role.BACKUP_ORCHESTRATOR, "backup_fn")):
            fns = self.deployment.by_role(role)
            if len(fns) != 1:
                continue
            fn = fns[0]
            module = HANDLERS[role].rsplit(".", 1)[0]
            try:
                __import__(module)
            except ImportError as e:
                self.missing.append(f"{HANDLERS[role]} cannot be imported ({e})")
                continue
            setattr(self, attr, FunctionRuntime(
                lambda_client=self.client("lambda", fn.region), function_name=fn.physical_name,
                region=fn.region, handler_path=HANDLERS[role], endpoint_url=self.emulator.url))

    # -- step 3 -----------------------------------------------------------------------------
    def _seed_replication_metrics(self) -> dict[str, Any]:
        """moto does not replicate: seed the lag metric the strategy is monitored by."""
        lag = float(self.opts.seeded_replica_lag_seconds)
        cw = self.client("cloudwatch", self.settings.standby_region)
        # RDS and DMS publish one datapoint per minute for the minute just past; a datapoint
        # stamped "now" can also fall outside a query ending this same second.
        stamp = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30)
        standby_id = self.settings.database.standby_id
        if self.strategy == "read-replica":
            cw.put_metric_data(Namespace="AWS/RDS", MetricData=[{
                "MetricName": "ReplicaLag", "Value": lag, "Unit": "Seconds", "Timestamp": stamp,
                "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": standby_id}]}])
            return {"metric": "AWS/RDS ReplicaLag", "dimension": standby_id, "seconds": lag}
        if self.strategy == "dms":
            assert self.deployment is not None
            tasks = [a for a in self.deployment.applied.values()
                     if a.type == "aws:dms/replicationTask:ReplicationTask"]
            insts = [a for a in self.deployment.applied.values()
                     if a.type == "aws:dms/replicationInstance:ReplicationInstance"]
            if not tasks:
                return {"metric": "AWS/DMS CDCLatency*", "seeded": False,
                        "why": "no replication task applied"}
            dims = [{"Name": "ReplicationInstanceIdentifier",
                     "Value": insts[0].physical_name if insts else "drill"},
                    {"Name": "ReplicationTaskIdentifier", "Value": tasks[0].physical_name}]
            cw.put_metric_data(Namespace="AWS/DMS", MetricData=[
                {"MetricName": m, "Value": lag, "Unit": "Seconds", "Dimensions": dims,
                 "Timestamp": stamp}
                for m in ("CDCLatencySource", "CDCLatencyTarget")])
            return {"metric": "AWS/DMS CDCLatencySource/Target", "task": tasks[0].physical_name,
                    "seconds": lag}
        return {"metric": None, "why": "snapshot-restore has no replication"}

    def _evaluate_alarms(self) -> list[dict[str, Any]]:
        """Bridge ``alarm-evaluation`` over the gate alarm and the replication alarms."""
        assert self.deployment is not None
        ev = AlarmEvaluator(self.client, self.bridges)
        out = []
        for role in (Role.GATE_ALARM, Role.REPLICATION_ALARM):
            for a in self.deployment.by_role(role):
                if a.type == "aws:cloudwatch/metricAlarm:MetricAlarm":
                    out.append(ev.evaluate(a.physical_name, a.region))
        return out

    def _health(self) -> HealthCheckEvaluator:
        assert self.site is not None and self.deployment is not None
        return HealthCheckEvaluator(
            self.client, self.deployment,
            {self.settings.site.primary_endpoint_fqdn: self.site.primary.url(""),
             self.settings.site.standby_endpoint_fqdn: self.site.standby.url("")},
            self.bridges)

    def _answer(self) -> dict[str, Any]:
        assert self.site is not None
        return failover_answer(self.client("route53", "us-east-1"), self.site.hosted_zone_id,
                               self.settings.site.failover_fqdn, self._health().healthy)

    def _scheduled_event(self, role: Role) -> dict[str, Any]:
        assert self.deployment is not None
        rules = [a for a in self.deployment.by_role(role)
                 if a.type == "aws:cloudwatch/eventRule:EventRule"]
        region = rules[0].region if rules else self.settings.standby_region
        arn = rules[0].arn if rules else f"arn:aws:events:{region}:{ACCOUNT_ID}:rule/drill"
        return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event",
                "source": "aws.events", "account": ACCOUNT_ID,
                "time": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "region": region, "resources": [arn], "detail": {}}

    def _baseline(self) -> None:
        with self.step("baseline", "Baseline: metrics, alarms, DNS answer, watchdog arms") as rec:
            rec.detail["seeded"] = self._seed_replication_metrics()
            rec.detail["alarms"] = self._evaluate_alarms()
            answer = self._answer()
            rec.detail["dns_answer"] = answer
            self.check("before the failure, the failover name resolves to the primary",
                       answer["answer"] == "PRIMARY",
                       f"{answer['name']} -> {answer['answer']} {answer['values']}")
            assert self.failover_fn is not None
            inv = self.failover_fn.invoke(self._scheduled_event(Role.WATCHDOG_SCHEDULE),
                                          trigger="watchdog (healthy primary)", cold=True)
            self._record_invocation(inv)
            rec.detail["watchdog"] = _brief(inv.result) if inv.result else inv.error
            armed = bool(inv.result and inv.result.get("armed") is not False
                         and not inv.error)
            self.check("watchdog armed after seeing the primary healthy", armed,
                       json.dumps(_brief(inv.result)) if inv.result else str(inv.error))
            rec.detail["alarms_after"] = self._evaluate_alarms()

    def _backup(self) -> None:
        with self.step("backup", "Run the real backup orchestrator once") as rec:
            assert self.backup_fn is not None
            inv = self.backup_fn.invoke(self._scheduled_event(Role.BACKUP_SCHEDULE),
                                        trigger="backup schedule", cold=True)
            self._record_invocation(inv)
            self.backup_result = inv.result if isinstance(inv.result, dict) else None
            r = self.backup_result or {}
            rec.detail = {k: r.get(k) for k in (
                "status", "recovery_point_age_seconds", "replication_lag_seconds", "regions",
                "duration_seconds", "metadata_key", "errors")} if r else {"error": inv.error}
            rec.detail["created"] = len(r.get("created", []))
            rec.detail["copied"] = len(r.get("copied", []))
            copies = self._standby_copies()
            rec.detail["standby_copies_seen_by_drill"] = len(copies)
            self.check("backup run complete", r.get("status") == "complete",
                       f"status={r.get('status')} error={inv.error}")
            self.check("a recovery point exists in the standby Region (read by the drill)",
                       len(copies) > 0, f"{len(copies)} managed snapshot(s) in "
                                        f"{self.settings.standby_region}")
            if self.strategy in ("read-replica", "dms"):
                seeded = float(self.opts.seeded_replica_lag_seconds)
                got = r.get("replication_lag_seconds")
                self.check("the backup orchestrator read the replication lag the emulator holds",
                           got is not None and abs(float(got) - seeded) < 1e-6,
                           f"orchestrator {got} s, emulator {seeded:g} s")

    def _standby_copies(self) -> list[dict[str, Any]]:
        rds = self.client("rds", self.settings.standby_region)
        snaps = rds.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]
        out = []
        for s in snaps:
            tags = {t["Key"]: t["Value"] for t in s.get("TagList", [])}
            if tags.get("managed-by", "").startswith("ecommerce-dr/"):
                out.append(s)
        return out

    def _inject(self) -> None:
        with self.step("inject", "Inject the failure: primary endpoint down, alarm to ALARM") as rec:
            assert self.site is not None and self.deployment is not None
            rec.detail["seeded_at_failover"] = self._seed_replication_metrics()
            self.recovery_point = self._read_recovery_point()
            rec.detail["recovery_point_at_failure"] = self.recovery_point
            self.site.primary.stop_answering()
            self.failure_injected_at = time.perf_counter()
            health = self.deployment.one(Role.HEALTH_ALARM)
            self.client("cloudwatch", health.region).set_alarm_state(
                AlarmName=health.physical_name, StateValue="ALARM",
                StateReason="drill: primary endpoint stopped answering")
            rec.detail["health_alarm"] = f"{health.region}/{health.physical_name} -> ALARM"
            if self.scenario.primary_region_down:
                self.faults.down_regions = frozenset({self.settings.primary_region})
                rec.detail["primary_region_apis"] = (
                    f"unreachable: handler clients for {self.settings.primary_region} point at "
                    f"{self.faults.closed_port_url} (nothing listens)")
            if self.scenario.throttling:
                self.emulator.storm = ThrottleStorm(throttled_attempts=1)
                rec.detail["throttling"] = "first attempt of every AWS call answered Throttling"
            if self.scenario.crash_mid_failover:
                self.faults.crash_after = scenario_defs.CRASH_AFTER[self.strategy]
                rec.detail["crash_after"] = self.faults.crash_after

    def _read_recovery_point(self) -> dict[str, Any]:
        """The drill's own reading of the recovery point the standby would resume from, at
        the moment of the failure (RPO achieved), next to the backup orchestrator's figure."""
        cw = self.client("cloudwatch", self.settings.standby_region)
        now = dt.datetime.now(dt.UTC)
        handler = (self.backup_result or {})
        out: dict[str, Any] = {"strategy": self.strategy,
                               "backup_orchestrator_recovery_point_age_seconds":
                                   handler.get("recovery_point_age_seconds"),
                               "backup_orchestrator_replication_lag_seconds":
                                   handler.get("replication_lag_seconds")}
        if self.strategy in ("read-replica", "dms"):
            ns, name, dims = ("AWS/RDS", "ReplicaLag", [
                {"Name": "DBInstanceIdentifier", "Value": self.settings.database.standby_id}])
            if self.strategy == "dms":
                listed = cw.list_metrics(Namespace="AWS/DMS", MetricName="CDCLatencyTarget")
                ns, name = "AWS/DMS", "CDCLatencyTarget"
                dims = listed["Metrics"][0]["Dimensions"] if listed["Metrics"] else []
            points = cw.get_metric_statistics(
                Namespace=ns, MetricName=name, Dimensions=dims,
                StartTime=now - dt.timedelta(minutes=10), EndTime=now + dt.timedelta(seconds=5),
                Period=60, Statistics=["Maximum"])["Datapoints"]
            lag = max((p["Maximum"] for p in points), default=None)
            out.update(seconds=lag, source=f"{ns} {name} read from the emulator at the failure",
                       note=f"seeded at {self.opts.seeded_replica_lag_seconds:g} s by the drill: "
                            "moto does not replicate")
        else:
            copies = self._standby_copies()
            if copies:
                newest = max(copies, key=lambda s: s.get("OriginalSnapshotCreateTime")
                             or s["SnapshotCreateTime"])
                taken = newest.get("OriginalSnapshotCreateTime") or newest["SnapshotCreateTime"]
                out.update(seconds=max(0.0, (now - taken).total_seconds()),
                           source=f"age of {newest['DBSnapshotIdentifier']} in "
                                  f"{self.settings.standby_region} at the failure",
                           note="measured on the emulator: the copy is as old as the drill's "
                                "backup run")
            else:
                out.update(seconds=None, source="no recovery point in the standby Region")
        return out

    def _alarm_event(self) -> dict[str, Any]:
        assert self.deployment is not None
        health = self.deployment.one(Role.HEALTH_ALARM)
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
        return {"version": "0", "id": str(uuid.uuid4()),
                "detail-type": "CloudWatch Alarm State Change", "source": "aws.cloudwatch",
                "account": ACCOUNT_ID, "time": now[:19] + "Z", "region": health.region,
                "resources": [health.arn],
                "detail": {"alarmName": health.physical_name,
                           "state": {"value": "ALARM", "reason": "drill: endpoint down",
                                     "timestamp": now},
                           "previousState": {"value": "OK", "reason": "", "timestamp": now},
                           "configuration": {"description": ""}}}

    def _forwarder_matches(self, event: dict[str, Any]) -> str:
        """Does the planned forwarding rule's pattern match the alarm event? (EventBridge
        TestEventPattern on the emulator.)"""
        assert self.deployment is not None
        rules = [a for a in self.deployment.by_role(Role.ALARM_FORWARDER)
                 if a.type == "aws:cloudwatch/eventRule:EventRule" and a.inputs.get("eventPattern")]
        if not rules:
            return "no forwarding rule with an event pattern in the plan"
        r = rules[0]
        try:
            ok = self.client("events", r.region).test_event_pattern(
                EventPattern=r.inputs["eventPattern"], Event=json.dumps(event))["Result"]
        except Exception as e:  # noqa: BLE001 - reported, not fatal
            return f"could not test the pattern: {type(e).__name__}"
        self.check("the forwarded alarm event matches the planned forwarding rule", ok,
                   r.physical_name)
        return "matches" if ok else "does NOT match"

    def _record_invocation(self, inv: Any) -> None:
        self.invocations.append({
            "function": inv.function, "trigger": inv.trigger, "request_id": inv.request_id,
            "seconds": round(inv.seconds, 4), "status": (inv.result or {}).get("status")
            if isinstance(inv.result, dict) else None, "error": inv.error, "crashed": inv.crashed,
            "offset_seconds": round(time.perf_counter() - self.t0, 4)})

    def _after_crash(self) -> None:
        """A crashed holder's lock lease must expire before anyone resumes: move the
        handler's clock past it (a modelled wait, reported in the RTO)."""
        assert self.deployment is not None
        table = self.deployment.one(Role.STATE_TABLE)
        item = self.client("dynamodb", table.region).get_item(
            TableName=table.physical_name, Key={"pk": {"S": "lock"}}).get("Item", {})
        expires = float(item.get("lease_expires_epoch", {}).get("N", "0"))
        wait = max(0.0, expires - (time.time() + self.clock_offset)) + 1.0
        self.clock_offset += wait
        self.modelled_waits.append({"name": "lock lease of the crashed invocation expires",
                                    "seconds": round(wait, 1),
                                    "note": "handler clock moved forward by the drill; the "
                                            "lease is the crashed invocation's remaining Lambda "
                                            "time + margin"})

    def _evaluate_gate(self) -> dict[str, Any]:
        """One pass of CloudWatch's evaluator over the gate alarm (bridge ``alarm-evaluation``),
        as would happen within a minute of each invocation."""
        assert self.deployment is not None
        gate = self.deployment.one(Role.GATE_ALARM)
        return AlarmEvaluator(self.client, self.bridges).evaluate(gate.physical_name, gate.region)

    def _deliver(self, event: dict[str, Any], trigger: str, *, cold: bool) -> tuple[str, bool]:
        """Invoke the failover orchestrator once; returns ``(status, crashed)``."""
        assert self.failover_fn is not None
        inv = self.failover_fn.invoke(event, trigger=trigger, cold=cold)
        self._record_invocation(inv)
        if inv.crashed:
            self._after_crash()
        self._gate_evaluations.append(self._evaluate_gate())
        return _status(inv), inv.crashed

    def _failover(self) -> None:
        with self.step("failover", "Fail over: invoke the real orchestrator through its triggers") as rec:
            fo = self.failover_fn
            assert fo is not None
            status, n, cold = "not-started", 0, False
            self._gate_evaluations = []
            if self.scenario.concurrent_invocations:
                k = self.scenario.concurrent_invocations
                events = [(self._alarm_event(), "alarm event") if i % 2 == 0 else
                          (self._scheduled_event(Role.WATCHDOG_SCHEDULE), "watchdog")
                          for i in range(k)]
                with fo.active(), concurrent.futures.ThreadPoolExecutor(k) as pool:
                    invs = list(pool.map(lambda e: fo.invoke(e[0], trigger=f"{e[1]} (concurrent)",
                                                             inside_active=True), events))
                for inv in invs:
                    self._record_invocation(inv)
                n = len(invs)
                statuses = [_status(i) for i in invs]
                rec.detail["concurrent_statuses"] = statuses
                if any(s in DONE_STATUSES for s in statuses):
                    status = "completed"
                self._gate_evaluations.append(self._evaluate_gate())
            elif self.scenario.alarm_trigger:
                event = self._alarm_event()
                rec.detail["forwarder_pattern"] = self._forwarder_matches(event)
                status, cold = self._deliver(event, "forwarded alarm event", cold=False)
                n += 1
            while status not in DONE_STATUSES and n < self.opts.max_triggers:
                status, cold = self._deliver(self._scheduled_event(Role.WATCHDOG_SCHEDULE),
                                             "watchdog", cold=cold)
                n += 1
            self.failover_done_at = time.perf_counter()
            self.failover_status = status
            done = [i.result for i in fo.invocations
                    if isinstance(i.result, dict) and i.result.get("steps")]
            rec.detail["orchestrator_steps"] = done[-1]["steps"] if done else []
            throttled = self.emulator.storm.throttled if self.emulator.storm else 0
            self.emulator.storm = None
            rec.detail.update(invocations=n, final_status=status, throttled_responses=throttled,
                              gate_evaluations=self._gate_evaluations)
            self.check("failover completed (handler's own report)", status in DONE_STATUSES,
                       f"status {status} after {n} invocation(s)")
            self._scenario_checks(rec)

    def _scenario_checks(self, rec: StepRecord) -> None:
        """Evidence that the scenario's fault really happened during the failover."""
        sc = self.scenario
        if sc.primary_region_down:
            region = self.settings.primary_region
            refused = self.client_ledger.count(step="failover", region=region,
                                               outcome="unreachable")
            served = self.emulator.ledger.count(step="failover") - self.emulator.ledger.count(
                step="failover", service="route53")
            rec.detail["primary_region_calls_unreachable"] = refused
            self.check(f"{region} APIs were unreachable for the handler during the failover",
                       self.client_ledger.count(step="failover", region=region, outcome="ok") == 0,
                       f"{refused} call(s) to {region} refused; {served} served in other Regions")
        if sc.throttling:
            n = self.emulator.ledger.count(step="failover", throttled=True)
            self.check("the storm throttled the handler's calls", n > 0,
                       f"{n} request(s) answered Throttling")
        if sc.crash_mid_failover:
            crashed = [i for i in self.invocations if i["crashed"]]
            self.check("the container was killed mid-failover, then the failover resumed",
                       len(crashed) == 1 and self.faults.crashed,
                       f"{len(crashed)} crashed invocation(s) after {self.faults.crash_after}")
        if sc.concurrent_invocations:
            statuses = rec.detail.get("concurrent_statuses", [])
            ran = sum(1 for s in statuses
                      if s in ("completed", "in-progress", "step-failed", "not-ready"))
            self.check("exactly one of the concurrent invocations ran the failover "
                       "(the others saw the lock)", ran == 1, json.dumps(statuses))

    # -- step 4 -----------------------------------------------------------------------------
    def _verify(self) -> None:
        with self.step("verify", "Verify from outside the handler") as rec:
            assert self.deployment is not None and self.site is not None
            standby = self.settings.standby_region
            self.faults.down_regions = frozenset()
            # gate: the metric datapoint, then the alarm the bridge evaluated
            cw = self.client("cloudwatch", standby)
            now = dt.datetime.now(dt.UTC)
            points = cw.get_metric_statistics(
                Namespace=GATE_NAMESPACE, MetricName=GATE_METRIC,
                Dimensions=[{"Name": "Stack", "Value": self.opts.stack}],
                StartTime=now - dt.timedelta(minutes=10), EndTime=now + dt.timedelta(seconds=5),
                Period=60, Statistics=["Maximum"])["Datapoints"]
            top = max((p["Maximum"] for p in points), default=None)
            self.check("gate metric published (FailoverGateEngaged = 1 in the standby Region)",
                       top is not None and top >= 1, f"max datapoint {top}")
            self._evaluate_alarms()
            gate = self.deployment.one(Role.GATE_ALARM)
            state = cw.describe_alarms(AlarmNames=[gate.physical_name])["MetricAlarms"][0]["StateValue"]
            self.check("gate alarm in ALARM (after the alarm-evaluation bridge)", state == "ALARM",
                       f"{standby}/{gate.physical_name}: {state}")
            answer = self._answer()
            rec.detail["dns_answer"] = answer
            standby_fqdn = self.settings.site.standby_endpoint_fqdn
            self.check("the failover name resolves to the standby (Route 53 rules, from records "
                       "and health-check states)",
                       answer["answer"] == "SECONDARY"
                       and any(v.rstrip(".") == standby_fqdn for v in answer["values"]),
                       f"{answer['name']} -> {answer['answer']} {answer['values']}")
            rec.detail["database"] = self._verify_database()
            rec.detail["alerts"] = self._verify_alerts()
            r53 = self.emulator.ledger.count(step="failover", service="route53")
            r53_client = self.client_ledger.count(step="failover", service="route53")
            self.check("no Route 53 API call on the failover path", r53 == 0 and r53_client == 0,
                       f"{r53} served by the emulator, {r53_client} attempted by handler clients")

    def _verify_database(self) -> dict[str, Any]:
        rds = self.client("rds", self.settings.standby_region)
        ident = self.settings.database.standby_id
        found = rds.describe_db_instances(Filters=[
            {"Name": "db-instance-id", "Values": [ident]}])["DBInstances"]
        db = found[0] if found else None
        detail = {"identifier": ident, "exists": db is not None}
        if db:
            detail.update(status=db["DBInstanceStatus"],
                          replica_source=db.get("ReadReplicaSourceDBInstanceIdentifier"))
        self.check("standby database exists, available and no longer a replica",
                   bool(db) and db["DBInstanceStatus"] == "available"
                   and not db.get("ReadReplicaSourceDBInstanceIdentifier"), json.dumps(detail))
        promotions = self.emulator.ledger.count(service="rds", operation="PromoteReadReplica")
        restores = self.emulator.ledger.count(service="rds",
                                              operation="RestoreDBInstanceFromDBSnapshot")
        stops = self.emulator.ledger.count(service="dms", operation="StopReplicationTask")
        detail.update(promote_calls=promotions, restore_calls=restores, dms_stop_calls=stops)
        if self.strategy == "read-replica":
            self.check("exactly one promotion", promotions == 1, f"{promotions} PromoteReadReplica")
        elif self.strategy == "snapshot-restore":
            self.check("exactly one restore", restores == 1,
                       f"{restores} RestoreDBInstanceFromDBSnapshot")
        return detail

    def _verify_alerts(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for region, url in self.queues.items():
            msgs = self.client("sqs", region).receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
            out[region] = len(msgs)
        self.check("alerts published (read from SQS subscriptions of the alert topics)",
                   sum(out.values()) > 0, json.dumps(out))
        return out

    def _primary_recovers(self) -> None:
        with self.step("primary-recovers", "Primary answers again: the gate must stay tripped") as rec:
            assert self.site is not None and self.failover_fn is not None
            self.site.primary.resume()
            assert self.deployment is not None
            health = self.deployment.one(Role.HEALTH_ALARM)
            self.client("cloudwatch", health.region).set_alarm_state(
                AlarmName=health.physical_name, StateValue="OK",
                StateReason="drill: primary recovered")
            ticks = []
            for _ in range(self.settings.failover.consecutive_failures + 1):
                inv = self.failover_fn.invoke(self._scheduled_event(Role.WATCHDOG_SCHEDULE),
                                              trigger="watchdog (primary recovered)")
                self._record_invocation(inv)
                ticks.append(_brief(inv.result) if inv.result else {"error": inv.error})
            rec.detail["ticks"] = ticks
            evals = self._evaluate_alarms()
            rec.detail["alarms"] = evals
            answer = self._answer()
            rec.detail["dns_answer"] = answer
            self.check("after the primary recovers, traffic stays on the standby (no failback)",
                       answer["answer"] == "SECONDARY",
                       f"{answer['name']} -> {answer['answer']}")
            self.check("gate still published as tripped after recovery",
                       all(t.get("gate") == 1 for t in ticks if "gate" in t) and
                       any("gate" in t for t in ticks), json.dumps([t.get("gate") for t in ticks]))


class _StepSkipped(Exception):  # noqa: N818 - control flow
    """The step did not run; the message says why (the report shows it)."""


class _Abort(Exception):  # noqa: N818 - control flow
    """The drill cannot go on; what ran so far is reported."""


def _status(inv: Any) -> str:
    return str(inv.result.get("status", "error")) if isinstance(inv.result, dict) else "error"


def _brief(result: Any) -> dict[str, Any]:
    if not isinstance(result, dict):
        return {"result": str(result)}
    return {k: result[k] for k in ("status", "armed", "consecutive_failures", "gate",
                                   "failover_id", "current_step") if k in result}


def run_drill(opts: DrillOptions, console: Any = None) -> dict[str, Any]:
    """Run one drill and write its reports (unless ``opts.reports_dir`` is None).

    Returns:
        The report (see :mod:`offline.drill.report`); ``report["verdict"]`` is ``pass`` or
        ``fail``.

    Raises:
        DrillError: it cannot run (bad config, policy gate failed, a piece missing).
        ValueError: unknown scenario.
    """
    from . import report

    drill = Drill(opts, console)
    result = drill.run()
    if opts.reports_dir is not None:
        report.write(result, opts.reports_dir)
    return result
