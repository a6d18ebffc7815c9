"""Emulator-gap bridges. Each one stands in for something AWS does and moto does not.

They live only here, on the harness side; the handlers never know about them. Each bridge the
drill uses has a name (:data:`BRIDGES`) that the drill report lists, with how often it acted
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
* Aurora Global Database (:func:`aurora_global`, names in :data:`AURORA_GLOBAL_BRIDGES`,
  listed in the report of a drill of that tier, :mod:`drill.aurora`): moto 5.2.5 has no
  ``FailoverGlobalCluster`` and no ``SwitchoverGlobalCluster`` and leaves
  CreateGlobalCluster's source cluster not the writer.
  The bridge adds both calls to moto's RDS responses (so ``mock_aws`` and the moto server
  answer them), marks the source the writer, and, on request
  (:meth:`AuroraGlobalBridge.region_recovers`), does what Aurora does when the old primary's
  Region recovers: the ``rds:unplanned-global-failover-<cluster>-<timestamp>`` snapshot and
  the rejoin as a secondary. Roles change at once, or later (``immediate=False``) so a
  caller's polling and resumption are exercised.
* atomic DynamoDB writes (:func:`atomic_dynamodb_writes`, for handlers invoked from several
  threads against ``mock_aws``; the drill does not race invocations that way, so it is not in
  :data:`BRIDGES`): moto's in-process DynamoDB backend does not serialise concurrent writes,
  while DynamoDB checks a conditional write's condition and writes the item as one step
  ("Working with items and attributes in DynamoDB", section "Conditional writes", Amazon
  DynamoDB Developer Guide,
  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithItems.html).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from moto.dynamodb import models as ddb_models
from moto.rds import exceptions as rds_exceptions
from moto.rds import models as rds_models
from moto.rds import responses as rds_responses

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

    The patch acts only inside the block: code that saved the patched method and puts it back
    later (a test's ``monkeypatch`` undone after the block) gets moto's own behaviour from it.

    Args:
        log: notes each detachment.
        on_promote: called with the instance identifier on every promotion call.
    """
    orig = rds_models.RDSBackend.promote_read_replica
    active = True

    def promote(self: Any, db_kwargs: dict[str, Any]) -> Any:
        db = orig(self, db_kwargs)
        if not active:
            return db
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
        active = False
        rds_models.RDSBackend.promote_read_replica = orig  # type: ignore[method-assign]



@contextlib.contextmanager
def atomic_dynamodb_writes() -> Iterator[None]:
    """For the block, each ``PutItem``/``UpdateItem`` on moto's in-process DynamoDB backend
    runs under one lock, as DynamoDB applies a conditional write as one step (see the module
    docstring): a test of concurrent invocations then exercises the handlers' conditions, not
    moto's race between reading and writing an item."""
    lock = threading.Lock()
    originals = {m: getattr(ddb_models.DynamoDBBackend, m) for m in ("put_item", "update_item")}

    def atomic(method: Callable[..., Any]) -> Callable[..., Any]:
        def write(self: Any, *args: Any, **kwargs: Any) -> Any:
            with lock:
                return method(self, *args, **kwargs)
        return write

    for name, method in originals.items():
        setattr(ddb_models.DynamoDBBackend, name, atomic(method))
    try:
        yield
    finally:
        for name, method in originals.items():
            setattr(ddb_models.DynamoDBBackend, name, method)

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
        last_known: health check id -> whether its alarm last had enough data to say healthy
            (what ``insufficientDataHealthStatus: LastKnownStatus`` reports; a check with no
            last status reports healthy, as Route 53 does for new checks: Amazon Route 53
            API Reference, "HealthCheckConfig", InsufficientDataHealthStatus,
            https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html).
    """

    client: ClientFactory
    checks: Mapping[str, Mapping[str, Any]]
    endpoint_urls: dict[str, str]
    log: BridgeLog
    probe_timeout_seconds: float = 2.0
    last_known: dict[str, bool] = field(default_factory=dict)

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
            ok, why = self._alarm(hc_id, cfg)
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

    def _alarm(self, hc_id: str, cfg: Mapping[str, Any]) -> tuple[bool, str]:
        name, region = cfg.get("cloudwatchAlarmName"), cfg.get("cloudwatchAlarmRegion")
        alarms = self.client("cloudwatch", region).describe_alarms(AlarmNames=[name])["MetricAlarms"]
        if not alarms:
            return False, f"alarm {region}/{name} not found"
        state = alarms[0]["StateValue"]
        if state in ("OK", "ALARM"):
            self.last_known[hc_id] = state == "OK"
            return state == "OK", f"alarm {name} {'OK' if state == 'OK' else 'in ALARM'}"
        insufficient = cfg.get("insufficientDataHealthStatus", "LastKnownStatus")
        why = f"alarm {name} INSUFFICIENT_DATA -> insufficientDataHealthStatus={insufficient}"
        if insufficient == "LastKnownStatus":
            last = self.last_known.get(hc_id)
            return last is not False, why + (" (no last status: healthy)" if last is None else
                                             f" (last {'healthy' if last else 'unhealthy'})")
        return insufficient == "Healthy", why


# --- Aurora Global Database -----------------------------------------------------------------

#: The Aurora Global Database bridges (apart from :data:`BRIDGES`: a drill reports them for the
#: aurora-global tier only, :func:`drill.aurora.bridges`). Each names the moto 5.2.5 gap.
AURORA_GLOBAL_BRIDGES: dict[str, str] = {
    "aurora-global-failover": "moto has no FailoverGlobalCluster; the bridge promotes the "
                              "target secondary to writer in the in-process moto backend and "
                              "takes the old primary out of the global database until its "
                              "Region recovers",
    "aurora-global-switchover": "moto has no SwitchoverGlobalCluster; the bridge swaps the "
                                "writer and the target secondary, keeping both members",
    "aurora-region-recovers": "Aurora snapshots the old primary's volume as "
                              "rds:unplanned-global-failover-<cluster>-<timestamp> and adds it "
                              "back as a secondary when its Region recovers; the bridge does "
                              "both on request",
    "aurora-global-writer": "moto's CreateGlobalCluster leaves the source cluster IsWriter "
                            "false; the bridge marks it the writer",
}


class _GlobalClusterNotFound(rds_exceptions.RDSClientError):
    def __init__(self, identifier: str) -> None:
        super().__init__("GlobalClusterNotFoundFault", f"Global cluster {identifier} not found.")


class _InvalidGlobalClusterState(rds_exceptions.RDSClientError):
    def __init__(self, message: str) -> None:
        super().__init__("InvalidGlobalClusterStateFault", message)


@dataclass
class AuroraGlobalBridge:
    """What the Aurora bridges did and may still do (see :func:`aurora_global`).

    Attributes:
        log: notes each action under its bridge name (:data:`AURORA_GLOBAL_BRIDGES`).
        immediate: apply a failover / switchover as the request is accepted (AWS takes
            minutes: with ``False`` the request is accepted and the roles change only when
            :meth:`complete` is called, or after ``complete_after_describes``).
        complete_after_describes: with ``immediate`` False, apply the accepted requests once
            DescribeGlobalClusters has been answered this many times since (None: only
            :meth:`complete` does), so a caller's polling is exercised.
        requests: every FailoverGlobalCluster / SwitchoverGlobalCluster request accepted, as
            ``{"action", "global_cluster", "target", "allow_data_loss"}``.
        removed: global cluster id -> ARNs of old primaries taken out by a failover.
        on_change: called as the roles change, ``(action, global id, target ARN, old writer
            ARNs) -> note``, so what stands behind the clusters (a drill's data plane) moves
            with them; an exception refuses the request (InvalidGlobalClusterStateFault, the
            global cluster ``available`` again, nothing changed).
    """

    log: BridgeLog = field(default_factory=BridgeLog)
    immediate: bool = True
    complete_after_describes: int | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    describes_since_request: int = 0
    pending: list[tuple[str, str, str]] = field(default_factory=list)
    removed: dict[str, list[str]] = field(default_factory=dict)
    on_change: Callable[[str, str, str, list[str]], str] | None = None

    # -- what the patched API calls do -----------------------------------------------------
    def global_cluster(self, identifier: str) -> Any:
        """The moto GlobalCluster (global clusters live in moto's us-east-1 backend)."""
        backend = rds_models.rds_backends[_account()]["us-east-1"]
        found = backend.global_clusters.get(identifier.rsplit(":", 1)[-1])
        if found is None:
            raise _GlobalClusterNotFound(identifier)
        return found

    def request(self, action: str, global_id: str, target_arn: str, allow_data_loss: bool) -> Any:
        """Validate and accept one request; apply it now or at :meth:`complete`."""
        g = self.global_cluster(global_id)
        members = {m.db_cluster_arn: m for m in g.members}
        if target_arn not in members:
            raise rds_exceptions.DBClusterNotFoundError(
                target_arn, f"DBCluster {target_arn} is not a member of global cluster {global_id}")
        if members[target_arn].is_writer:
            raise _InvalidGlobalClusterState(f"{target_arn} is already the primary of {global_id}")
        if any(p[1] == g.global_cluster_identifier for p in self.pending) or g.status != "available":
            raise _InvalidGlobalClusterState(f"global cluster {global_id} is {g.status}")
        self.requests.append({"action": action, "global_cluster": g.global_cluster_identifier,
                              "target": target_arn, "allow_data_loss": allow_data_loss})
        g.status = "failing-over" if allow_data_loss else "switching-over"
        self.pending.append((action, g.global_cluster_identifier, target_arn))
        self.describes_since_request = 0
        if self.immediate:
            self.complete()
        return g

    def described(self) -> None:
        """DescribeGlobalClusters was answered: complete what is due (see the attribute)."""
        if not self.pending or self.complete_after_describes is None:
            return
        self.describes_since_request += 1
        if self.describes_since_request >= self.complete_after_describes:
            self.complete()

    def complete(self) -> int:
        """Apply the accepted requests (the roles change); returns how many."""
        done = 0
        while self.pending:
            action, gid, target = self.pending.pop(0)
            g = self.global_cluster(gid)
            old = [m for m in g.members if m.is_writer]
            note = self._moved(action, g, target, [m.db_cluster_arn for m in old])
            for m in g.members:
                m.is_writer = m.db_cluster_arn == target
            if action == "failover":
                # The old primary's Region is lost: it leaves until that Region recovers.
                for m in old:
                    g.members.remove(m)
                    self.removed.setdefault(gid, []).append(m.db_cluster_arn)
            g.status = "available"
            self.log.note(f"aurora-global-{action}",
                          f"{gid}: {target} is the writer ({[m.db_cluster_arn for m in old]} "
                          f"was){note}")
            done += 1
        return done

    def _moved(self, action: str, g: Any, target: str, old: list[str]) -> str:
        """Run :attr:`on_change`; on its failure the request is refused and forgotten."""
        if self.on_change is None:
            return ""
        try:
            return f"; {self.on_change(action, g.global_cluster_identifier, target, old)}"
        except Exception as e:
            g.status = "available"
            self.pending.clear()
            self.requests.pop()
            self.log.note(f"aurora-global-{action}", f"{g.global_cluster_identifier}: REFUSED: {e}")
            raise _InvalidGlobalClusterState(f"{action} of {g.global_cluster_identifier} to "
                                             f"{target} failed: {e}") from e

    # -- what AWS does on its own ----------------------------------------------------------
    def region_recovers(self, global_id: str, old_primary_arn: str, *,
                        at: dt.datetime | None = None) -> str:
        """The old primary's Region recovered: Aurora snapshots its volume (a system snapshot,
        listed by DescribeDBClusterSnapshots) and adds it back as a secondary. Returns the
        snapshot identifier ``rds:unplanned-global-failover-<cluster>-<timestamp>``.

        Raises:
            LookupError: ``old_primary_arn`` was not taken out by a failover of ``global_id``.
        """
        g = self.global_cluster(global_id)
        if old_primary_arn not in self.removed.get(g.global_cluster_identifier, []):
            raise LookupError(f"{old_primary_arn} did not leave {global_id} in a failover")
        cluster = rds_models.find_cluster(old_primary_arn)
        region = old_primary_arn.split(":")[3]
        backend = rds_models.rds_backends[_account()][region]
        stamp = (at or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d-%H-%M")
        snapshot_id = f"rds:unplanned-global-failover-{cluster.db_cluster_identifier}-{stamp}"
        backend.create_db_cluster_snapshot(cluster.db_cluster_identifier, snapshot_id,
                                           snapshot_type="automated")
        cluster.is_writer = False
        g.members.append(cluster)
        self.removed[g.global_cluster_identifier].remove(old_primary_arn)
        self.log.note("aurora-region-recovers",
                      f"{global_id}: {old_primary_arn} rejoined as a secondary; snapshot {snapshot_id}")
        return snapshot_id


def _account() -> str:
    from moto.core import DEFAULT_ACCOUNT_ID

    return DEFAULT_ACCOUNT_ID


@contextlib.contextmanager
def aurora_global(bridge: AuroraGlobalBridge | None = None) -> Iterator[AuroraGlobalBridge]:
    """The Aurora Global Database bridges for the block (:data:`AURORA_GLOBAL_BRIDGES`): moto's
    RDS gains ``FailoverGlobalCluster`` and ``SwitchoverGlobalCluster`` (in its response class,
    so both ``mock_aws`` and the moto server serve them), and ``CreateGlobalCluster`` marks its
    source cluster the writer. Semantics follow the Amazon Aurora User Guide, "Using switchover
    or failover in Amazon Aurora Global Database"
    (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html):
    the target must be a secondary member; a failover (``AllowDataLoss``) makes it the writer
    and takes the old primary out until :meth:`AuroraGlobalBridge.region_recovers`; a
    switchover swaps the roles and keeps both members. Refusals use RDS's error codes
    (GlobalClusterNotFoundFault, DBClusterNotFoundFault, InvalidGlobalClusterStateFault).

    Yields the :class:`AuroraGlobalBridge` (its ``requests`` count the calls that reached it).
    """
    b = bridge or AuroraGlobalBridge()
    orig_create = rds_models.RDSBackend.create_global_cluster
    orig_describe = rds_models.RDSBackend.describe_global_clusters

    def describe_global_clusters(self: Any) -> Any:
        b.described()
        return orig_describe(self)

    def create_global_cluster(self: Any, *args: Any, **kwargs: Any) -> Any:
        g = orig_create(self, *args, **kwargs)
        if g.members and not any(m.is_writer for m in g.members):
            g.members[0].is_writer = True
            b.log.note("aurora-global-writer", f"{g.global_cluster_identifier}: "
                                               f"{g.members[0].db_cluster_arn} is the writer")
        return g

    def failover(self: Any) -> Any:
        allow = str(self.params.get("AllowDataLoss", "")).lower() == "true"
        g = b.request("failover" if allow else "switchover", self.params["GlobalClusterIdentifier"],
                      self.params["TargetDbClusterIdentifier"], allow)
        return rds_responses.ActionResult({"GlobalCluster": g})

    def switchover(self: Any) -> Any:
        g = b.request("switchover", self.params["GlobalClusterIdentifier"],
                      self.params["TargetDbClusterIdentifier"], False)
        return rds_responses.ActionResult({"GlobalCluster": g})

    rds_models.RDSBackend.create_global_cluster = create_global_cluster  # type: ignore[method-assign]
    rds_models.RDSBackend.describe_global_clusters = describe_global_clusters  # type: ignore[method-assign]
    rds_responses.RDSResponse.failover_global_cluster = failover  # type: ignore[attr-defined]
    rds_responses.RDSResponse.switchover_global_cluster = switchover  # type: ignore[attr-defined]
    try:
        yield b
    finally:
        rds_models.RDSBackend.create_global_cluster = orig_create  # type: ignore[method-assign]
        rds_models.RDSBackend.describe_global_clusters = orig_describe  # type: ignore[method-assign]
        del rds_responses.RDSResponse.failover_global_cluster  # type: ignore[attr-defined]
        del rds_responses.RDSResponse.switchover_global_cluster  # type: ignore[attr-defined]
