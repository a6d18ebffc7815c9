"""Step 4: verify from outside the handler, and the primary-recovers follow-up."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from contract.names import GATE_METRIC, GATE_NAMESPACE, Role

from .records import (
    brief,
)


class VerifySteps:
    """Mixin of :class:`offline.drill.runner.Drill` (shares its state)."""

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
            recovered_at = dt.datetime.now(dt.UTC)
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
                ticks.append(brief(inv.result) if inv.result else {"error": inv.error})
            rec.detail["ticks"] = ticks
            evals = self._evaluate_alarms()
            rec.detail["alarms"] = evals
            answer = self._answer()
            rec.detail["dns_answer"] = answer
            self.check("after the primary recovers, traffic stays on the standby (no failback)",
                       answer["answer"] == "SECONDARY",
                       f"{answer['name']} -> {answer['answer']}")
            published = self._gate_datapoints_since(recovered_at)
            rec.detail["gate_datapoints_after_recovery"] = published
            self.check("gate still published as tripped after recovery (raw datapoints read "
                       "from the emulator: no 0 after the failover)",
                       bool(published) and all(v >= 1 for v in published), json.dumps(published))

    def _gate_datapoints_since(self, since: dt.datetime) -> list[float]:
        """Raw gate datapoints published after ``since``, read from the in-process emulator
        backend (CloudWatch's API aggregates per period, which would hide a single 0)."""
        from moto.cloudwatch.models import cloudwatch_backends

        from .emulator import ACCOUNT_ID

        backend = cloudwatch_backends[ACCOUNT_ID][self.settings.standby_region]
        stack = {"Name": "Stack", "Value": self.opts.stack}
        return [float(d.value) for d in backend.get_all_metrics()
                if d.namespace == GATE_NAMESPACE and d.name == GATE_METRIC
                and any(dim.name == stack["Name"] and dim.value == stack["Value"]
                        for dim in d.dimensions)
                and _utc(d.timestamp) >= since.replace(microsecond=0)]


def _utc(t: dt.datetime) -> dt.datetime:
    """moto keeps naive UTC timestamps for datapoints published without one."""
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)
