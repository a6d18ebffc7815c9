"""Emulator-gap bridges. Each one stands in for something AWS does and moto does not.

They live only here, on the harness side; the handlers never know about them. Each bridge has
a name (:data:`BRIDGES`) that the drill report lists, with how often it acted
(:class:`BridgeLog`).

* ``promote-read-replica`` (:func:`promote_read_replica`): moto's ``PromoteReadReplica``
  returns 200 and flips an internal flag but leaves ``ReadReplicaSourceDBInstanceIdentifier``
  on the replica and the replica on its source's list. The bridge patches the in-process moto
  RDS backend (moto's server runs in the same process, and ``mock_aws`` too) so a promoted
  replica becomes a standalone instance, as in RDS ("Promoting a read replica to be a
  standalone DB instance", Amazon RDS User Guide,
  https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html). The
  emulator promotes at once; the promotion time in AWS is modelled elsewhere.
* ``alarm-evaluation`` (:class:`AlarmEvaluator`): moto never evaluates alarms from metrics,
  and starts a new alarm in OK where CloudWatch starts it in INSUFFICIENT_DATA. The bridge
  sets new alarms to INSUFFICIENT_DATA, reads the alarm definition and the published
  datapoints back, applies CloudWatch's rule (period x evaluation periods, datapoints to
  alarm, ``TreatMissingData``; "Using Amazon CloudWatch alarms", CloudWatch User Guide,
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html)
  and calls ``SetAlarmState``, as CloudWatch's evaluator would once a period.
* ``health-check-status`` (:class:`HealthCheckEvaluator`): moto reports every health check as
  "Success" and drops ``AlarmIdentifier``/``InsufficientDataHealthStatus``. The bridge
  computes each planned check's status: HTTP(S) checks probe the endpoint the FQDN names,
  alarm checks (CLOUDWATCH_METRIC) follow their alarm (INSUFFICIENT_DATA -> the check's
  ``insufficientDataHealthStatus``), calculated checks count healthy children ("How Amazon
  Route 53 determines whether a health check is healthy", Route 53 Developer Guide,
  https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from moto.rds import models as rds_models

BRIDGES: dict[str, str] = {
    "promote-read-replica": "moto's PromoteReadReplica leaves the replica attached to its "
                            "source; the drill detaches it in the in-process moto backend",
    "alarm-evaluation": "moto never evaluates alarms (and starts them in OK); the drill starts "
                        "them in INSUFFICIENT_DATA, evaluates them from the datapoints "
                        "published to the emulator and calls SetAlarmState",
    "health-check-status": "moto reports every health check healthy; the drill computes each "
                           "check's status from its endpoint or alarm",
}

ClientFactory = Callable[[str, str], Any]

#: User-Agent of the bridge's HTTP probes, so a site endpoint can tell them from the
#: handlers' requests (Route 53's checkers send "Amazon-Route53-Health-Check-Service").
PROBE_USER_AGENT = "Amazon-Route53-Health-Check-Service (ecommerce-dr drill bridge)"


@dataclass
class BridgeLog:
    """How often each bridge acted, with a line per action (the first 400); thread-safe
    (bridges act on moto's request threads and the drill's helper threads too)."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BRIDGES, 0))
    actions: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def note(self, bridge: str, what: str) -> None:
        with self._lock:
            self.counts[bridge] = self.counts.get(bridge, 0) + 1
            if len(self.actions) < 400:
                self.actions.append(f"[{bridge}] {what}")


@contextlib.contextmanager
def promote_read_replica(log: BridgeLog | None = None,
                         on_promote: Callable[[str], None] | None = None) -> Iterator[None]:
    """Bridge ``promote-read-replica`` for the block: patch ``RDSBackend.promote_read_replica``
    so the promoted replica leaves its source (see the module docstring).

    Args:
        log: notes each detachment.
        on_promote: called with the instance identifier on every promotion call.
    """
    orig = rds_models.RDSBackend.promote_read_replica

    def promote(self: Any, db_kwargs: dict[str, Any]) -> Any:
        db = orig(self, db_kwargs)
        if on_promote is not None:
            on_promote(db_kwargs["db_instance_identifier"])
        source_id = db.source_db_instance_identifier
        if source_id:
            with contextlib.suppress(Exception):  # the source may be gone (Region lost)
                source = self.find_db_from_id(source_id)
                for ref in (db.db_instance_arn, db.db_instance_identifier):
                    if ref in source.replicas:
                        source.replicas.remove(ref)
            db.source_db_instance_identifier = None
            if log is not None:
                log.note("promote-read-replica",
                         f"{db.db_instance_identifier} detached from {source_id}")
        return db

    rds_models.RDSBackend.promote_read_replica = promote  # type: ignore[method-assign]
    try:
        yield
    finally:
        rds_models.RDSBackend.promote_read_replica = orig  # type: ignore[method-assign]


_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanOrEqualToThreshold": lambda v, t: v >= t,
    "GreaterThanThreshold": lambda v, t: v > t,
    "LessThanThreshold": lambda v, t: v < t,
    "LessThanOrEqualToThreshold": lambda v, t: v <= t,
}
#: The state an alarm takes with no datapoint in its window, per ``TreatMissingData``
#: (None: it keeps its state, which is what makes the gate a latch).
_MISSING: dict[str, str | None] = {"ignore": None, "breaching": "ALARM", "notBreaching": "OK",
                                   "missing": "INSUFFICIENT_DATA"}


@dataclass
class AlarmEvaluator:
    """Bridge ``alarm-evaluation``: CloudWatch's alarm rule over the emulator's datapoints.

    Attributes:
        client: ``(service, region) -> client`` of the emulator.
        log: notes each state change.
        clock: the account's clock (UTC datetime) alarms are evaluated on; default the wall
            clock (a drill that skips waits passes its own, see :mod:`emulator.clock`).
    """

    client: ClientFactory
    log: BridgeLog
    clock: Callable[[], dt.datetime] | None = None

    def as_created(self, name: str, region: str) -> None:
        """Put a just-created alarm in INSUFFICIENT_DATA, where CloudWatch starts it (moto
        starts it in OK). For the gate this matters: until its first datapoint, the gate
        health check reports its ``insufficientDataHealthStatus``."""
        self.client("cloudwatch", region).set_alarm_state(
            AlarmName=name, StateValue="INSUFFICIENT_DATA",
            StateReason="drill alarm-evaluation bridge: a new alarm has no data yet")
        self.log.note("alarm-evaluation", f"{region}/{name}: created -> INSUFFICIENT_DATA")

    def evaluate(self, name: str, region: str, *, now: dt.datetime | None = None) -> dict[str, Any]:
        """Evaluate alarm ``name`` once and set its state if it changed.

        Returns:
            ``{"alarm", "region", "before", "after", "datapoints", "breaching"}``.

        Raises:
            LookupError: no such alarm in the emulator.
        """
        cw = self.client("cloudwatch", region)
        alarms = cw.describe_alarms(AlarmNames=[name])["MetricAlarms"]
        if not alarms:
            raise LookupError(f"no alarm {name!r} in {region}")
        a = alarms[0]
        now = now or (self.clock() if self.clock else dt.datetime.now(dt.UTC))
        period, evals = int(a["Period"]), int(a["EvaluationPeriods"])
        to_alarm = int(a.get("DatapointsToAlarm") or evals)
        stat = a.get("Statistic") or "Maximum"
        points = cw.get_metric_statistics(
            Namespace=a["Namespace"], MetricName=a["MetricName"], Dimensions=a.get("Dimensions", []),
            StartTime=now - dt.timedelta(seconds=period * evals), EndTime=now + dt.timedelta(seconds=1),
            Period=period, Statistics=[stat])["Datapoints"]
        compare = _COMPARE[a["ComparisonOperator"]]
        breaching = sum(1 for p in points if compare(float(p[stat]), float(a["Threshold"])))
        before = a["StateValue"]
        if points:
            after = "ALARM" if breaching >= min(to_alarm, len(points)) and breaching else "OK"
        else:
            after = _MISSING.get(a.get("TreatMissingData", "missing"), "INSUFFICIENT_DATA") or before
        if after != before:
            cw.set_alarm_state(AlarmName=name, StateValue=after,
                               StateReason=f"drill alarm-evaluation bridge: {breaching} of "
                                           f"{len(points)} datapoints breaching")
            self.log.note("alarm-evaluation", f"{region}/{name}: {before} -> {after} "
                                              f"({breaching}/{len(points)} breaching)")
        return {"alarm": name, "region": region, "before": before, "after": after,
                "datapoints": len(points), "breaching": breaching}


@dataclass
class HealthCheckEvaluator:
    """Bridge ``health-check-status``: the status Route 53's checkers would see.

    Attributes:
        client: ``(service, region) -> client`` of the emulator.
        checks: health check id -> its planned inputs (camelCase, as in the plan).
        endpoint_urls: FQDN -> loopback base URL (``http://127.0.0.1:<port>``).
        log: notes each evaluation.
        probe_timeout_seconds: per HTTP probe.
    """

    client: ClientFactory
    checks: Mapping[str, Mapping[str, Any]]
    endpoint_urls: dict[str, str]
    log: BridgeLog
    probe_timeout_seconds: float = 2.0

    def _planned(self, hc_id: str) -> Mapping[str, Any]:
        try:
            return self.checks[hc_id]
        except KeyError:
            raise LookupError(f"health check {hc_id} was not created from the plan") from None

    def healthy(self, hc_id: str) -> tuple[bool, str]:
        """``(healthy, why)`` for health check ``hc_id``.

        Raises:
            LookupError: not a planned health check.
            ValueError: a check type the bridge does not model.
        """
        cfg = self._planned(hc_id)
        kind = cfg.get("type", "HTTPS")
        if kind in ("HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP"):
            ok, why = self._probe(cfg)
        elif kind == "CLOUDWATCH_METRIC":
            ok, why = self._alarm(cfg)
        elif kind == "CALCULATED":
            children = list(cfg.get("childHealthchecks") or [])
            states = [self.healthy(c)[0] for c in children]
            need = int(cfg.get("childHealthThreshold", len(children)))
            ok = sum(states) >= need
            why = f"{sum(states)} of {len(children)} children healthy, threshold {need}"
        else:
            raise ValueError(f"health check type {kind!r} is not modelled by the drill")
        if cfg.get("invertHealthcheck"):
            ok, why = not ok, why + " (inverted)"
        self.log.note("health-check-status", f"{hc_id} ({kind}): "
                                             f"{'healthy' if ok else 'unhealthy'} - {why}")
        return ok, why

    def _probe(self, cfg: Mapping[str, Any]) -> tuple[bool, str]:
        fqdn = str(cfg.get("fqdn", "")).rstrip(".")
        base = self.endpoint_urls.get(fqdn)
        if base is None:
            return False, f"{fqdn} is not a site endpoint the drill runs"
        path = str(cfg.get("resourcePath", "/"))
        request = urllib.request.Request(base + path, headers={"User-Agent": PROBE_USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=self.probe_timeout_seconds) as r:
                return 200 <= r.status < 400, f"GET {fqdn}{path} -> HTTP {r.status}"
        except Exception as e:  # noqa: BLE001 - any failure is an unhealthy probe
            return False, f"GET {fqdn}{path} failed: {type(e).__name__}"

    def _alarm(self, cfg: Mapping[str, Any]) -> tuple[bool, str]:
        name, region = cfg.get("cloudwatchAlarmName"), cfg.get("cloudwatchAlarmRegion")
        alarms = self.client("cloudwatch", region).describe_alarms(AlarmNames=[name])["MetricAlarms"]
        if not alarms:
            return False, f"alarm {region}/{name} not found"
        state = alarms[0]["StateValue"]
        if state == "OK":
            return True, f"alarm {name} OK"
        if state == "ALARM":
            return False, f"alarm {name} in ALARM"
        insufficient = cfg.get("insufficientDataHealthStatus", "LastKnownStatus")
        return insufficient != "Unhealthy", (f"alarm {name} INSUFFICIENT_DATA -> "
                                             f"insufficientDataHealthStatus={insufficient}")
