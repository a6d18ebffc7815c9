"""Step 3: baseline, back up, inject the failure, fail over through the real triggers."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import time
import uuid
from typing import Any

from contract.names import Role

from . import scenarios as scenario_defs
from .bridges import AlarmEvaluator, HealthCheckEvaluator
from .dns import failover_answer
from .emulator import ACCOUNT_ID, ThrottleStorm
from .records import (
    DONE_STATUSES,
    StepRecord,
    brief,
    invocation_status,
)


class FailureSteps:
    """Mixin of :class:`offline.drill.runner.Drill` (shares its state)."""

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
            rec.detail["watchdog"] = brief(inv.result) if inv.result else inv.error
            armed = bool(inv.result and inv.result.get("armed") is not False
                         and not inv.error)
            self.check("watchdog armed after seeing the primary healthy", armed,
                       json.dumps(brief(inv.result)) if inv.result else str(inv.error))
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
        handler's clock past it (a modelled wait, reported in the RTO).

        The wait is the worst case, one whole lease (the handler's
        ``state.LEASE_SECONDS``: the crash came right after a heartbeat renewal) + 1 s; the
        lease left on the table item must not exceed it (checked)."""
        from handlers.failover.state import LEASE_SECONDS

        assert self.deployment is not None
        table = self.deployment.one(Role.STATE_TABLE)
        item = self.client("dynamodb", table.region).get_item(
            TableName=table.physical_name, Key={"pk": {"S": "lock"}}).get("Item", {})
        expires = float(item.get("lease_expires_epoch", {}).get("N", "0"))
        left = max(0.0, expires - (time.time() + self.clock_offset))
        self.check("the crashed holder's lock lease is at most one lease "
                   f"({LEASE_SECONDS:g} s, handlers.failover.state.LEASE_SECONDS)",
                   left <= LEASE_SECONDS, f"{left:.1f} s left on the lock item")
        wait = max(left, LEASE_SECONDS) + 1.0
        self.clock_offset += wait
        self.modelled_waits.append({"name": "lock lease of the crashed invocation expires",
                                    "seconds": round(wait, 1),
                                    "note": "handler clock moved forward by the drill: worst "
                                            f"case one heartbeat-renewed lease ({LEASE_SECONDS:g} "
                                            "s, handlers.failover.state.LEASE_SECONDS) + 1 s; "
                                            f"{left:.1f} s were left on the lock item"})

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
        return invocation_status(inv), inv.crashed

    def _failover(self) -> None:
        with self.step("failover", "Fail over: invoke the real orchestrator through its triggers") as rec:
            fo = self.failover_fn
            assert fo is not None
            status, n, cold = "not-started", 0, False
            self._gate_evaluations = []
            assert self.site is not None
            standby_requests = self.site.standby.requests
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
                statuses = [invocation_status(i) for i in invs]
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
            seen = self.site.standby.requests - standby_requests
            rec.detail["standby_endpoint_requests"] = seen
            self.check("the standby endpoint was warmed and probed (requests seen by its server)",
                       seen > 0, f"{seen} request(s) to the standby endpoint during the failover")
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
