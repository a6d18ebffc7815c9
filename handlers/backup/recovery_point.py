"""The RPO actually held: age of the newest usable recovery point in the standby Region.

Per protected database, the usable recovery points in the standby Region are

* the newest ``available`` snapshot of ours there (a cross-Region copy, or a snapshot of
  the standby instance): age = now - its data time (``OriginalSnapshotCreateTime``, which
  copying does not change);
* the standby read replica: age = its ``AWS/RDS ReplicaLag`` (seconds, newest datapoint);
* the DMS target, when ``DMS_TASK_ARN`` is set: age = max(``CDCLatencySource``,
  ``CDCLatencyTarget``) of the task (``AWS/DMS``, seconds; AWS DMS User Guide, "Monitoring
  AWS DMS tasks", https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Monitoring.html).

The metrics read are the strategy's (``contract.strategies.StrategySpec.replication_metrics``).

A database's recovery-point age is the smallest of those it has (the newest point you could
recover to); the stack's figure is the largest over databases (the worst one), and absent
when any database has no usable recovery point. The replication lag figure is the largest
ReplicaLag / CDC latency read. A negative ReplicaLag / CDC latency (RDS reports -1 when
replication is not running) is never a recovery point nor a lag figure: it is reported in
``not_running`` and the orchestrator records it as an error (run ``partial``, alert).

No datapoint at all for a replication the strategy has (a standby's ReplicaLag, the DMS
task's CDC latencies: task stopped, replica broken, metrics missing) means its state is
unknown - the failover's readiness calls the same state not ready. It is reported in
``unknown`` (the orchestrator records an error: run ``partial``, alert); the standby's own
snapshots do not count then (a fresh snapshot of a standby that stopped replicating long ago
is no fresh recovery point), only cross-Region copies; and the stack figure is withheld, so
the RPO alarm, which treats missing data as breaching, fires.

Metrics go out with ``PutMetricData`` in the standby Region (namespace
``contract.names.METRIC_NAMESPACE``, dimension ``Stack``; per-database figures also with
``Database``), so the program's alarms can read them while the primary Region is down.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from contract.names import METRIC_NAMESPACE, Metric
from contract.strategies import MetricRef, Standby, spec
from handlers.backup.inventory import Snapshot
from handlers.backup.naming import Kind
from handlers.backup.ownership import Ownership

#: Namespaces of replication metrics, by where their series are: RDS publishes its lag
#: metrics per standby (ReplicaLag per DB instance; Aurora's global-database lag per DB
#: cluster), DMS its CDC latencies per replication task.
STANDBY_NAMESPACE = "AWS/RDS"
TASK_NAMESPACE = "AWS/DMS"
#: The dimension naming the standby in a STANDBY_NAMESPACE metric, by what the standby is.
STANDBY_DIMENSION = {Standby.INSTANCE: "DBInstanceIdentifier", Standby.CLUSTER: "DBClusterIdentifier"}
#: Seconds per unit of a replication metric (``MetricRef.unit``).
SECONDS_PER_UNIT = {"seconds": 1.0, "milliseconds": 0.001}
#: How far back to look for lag datapoints; RDS and DMS publish them every minute.
LAG_LOOKBACK = timedelta(minutes=15)
#: The period of the lag query, seconds (the metrics' own: one datapoint a minute).
LAG_PERIOD_SECONDS = 60
#: PutMetricData accepts up to 1000 metrics per request (Amazon CloudWatch API reference,
#: PutMetricData, MetricData "maximum of 1000 items").
PUT_METRIC_BATCH = 1000
#: GetMetricData accepts up to 500 queries per request (CloudWatch API reference).
GET_METRIC_BATCH = 500


@dataclass
class RecoveryPoints:
    """Measured figures, seconds. ``per_database[db]`` is ``{"age_seconds", "source"}``
    (source ``snapshot`` | ``replica-lag`` | ``dms``), ``age_seconds`` None when the database
    has no usable recovery point in the standby Region. ``recovery_point_age_seconds`` is
    None when any database has none or any replication state is unknown. ``not_running``:
    ``{"database" (None for the DMS task), "target" (standby instance or DMS task ARN),
    "message"}`` per replication that reads a negative lag (not running); ``unknown``, the
    same per replication with no datapoint at all."""

    per_database: dict[str, dict[str, Any]] = field(default_factory=dict)
    recovery_point_age_seconds: float | None = None
    replication_lag_seconds: float | None = None
    missing: list[str] = field(default_factory=list)
    not_running: list[dict[str, Any]] = field(default_factory=list)
    unknown: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"per_database": self.per_database,
                "recovery_point_age_seconds": self.recovery_point_age_seconds,
                "replication_lag_seconds": self.replication_lag_seconds,
                "databases_without_recovery_point": self.missing,
                "replication_not_running": self.not_running,
                "replication_unknown": self.unknown}


def newest_snapshot_ages(snapshots: Iterable[Snapshot], *, owner: Ownership, now: datetime,
                         kinds: Iterable[Kind] = (Kind.COPY, Kind.STANDBY)) -> dict[str, float]:
    """``{database: age seconds}`` of the newest available snapshot of ours of ``kinds``."""
    wanted = {k.value for k in kinds}
    newest: dict[str, datetime] = {}
    for s in snapshots:
        if (owner.owns(s) and s.available and s.created is not None and s.kind in wanted
                and (s.database not in newest or s.created > newest[s.database])):
            newest[s.database] = s.created
    return {db: max(0.0, (now - t).total_seconds()) for db, t in newest.items()}


def latest_values(cloudwatch: Any, queries: Mapping[str, tuple[str, str, list[dict[str, str]]]],
                  now: datetime) -> dict[str, float]:
    """Newest datapoint (Maximum, 60 s) of each metric; ``{query key: value}``.

    Args:
        queries: ``{key: (namespace, metric name, dimensions)}``.
    """
    keys = list(queries)
    out: dict[str, float] = {}
    for start in range(0, len(keys), GET_METRIC_BATCH):
        batch = keys[start:start + GET_METRIC_BATCH]
        ids = {f"q{i}": k for i, k in enumerate(batch)}
        mdq = [{"Id": qid, "ReturnData": True, "MetricStat": {
            "Metric": {"Namespace": queries[k][0], "MetricName": queries[k][1],
                       "Dimensions": queries[k][2]},
            "Period": LAG_PERIOD_SECONDS, "Stat": "Maximum"}} for qid, k in ids.items()]
        # EndTime one period ahead, as the failover orchestrator reads its lag: the period
        # holding the newest datapoint ends after now, and an end time rounded to the second
        # or the period would otherwise leave out a datapoint of the last moments.
        pages = cloudwatch.get_paginator("get_metric_data").paginate(
            MetricDataQueries=mdq, StartTime=now - LAG_LOOKBACK,
            EndTime=now + timedelta(seconds=LAG_PERIOD_SECONDS), ScanBy="TimestampDescending")
        newest: dict[str, tuple[datetime, float]] = {}
        for page in pages:
            for res in page.get("MetricDataResults", []):
                for ts, val in zip(res.get("Timestamps", []), res.get("Values", []), strict=False):
                    key = ids[res["Id"]]
                    if key not in newest or ts > newest[key][0]:
                        newest[key] = (ts, float(val))
        out.update({k: v for k, (_, v) in newest.items()})
    return out


def task_dimensions(cloudwatch: Any, task_arn: str,
                    metrics: Sequence[MetricRef]) -> list[dict[str, str]] | None:
    """Full dimension set of the task's CDC latency metrics (it also carries the replication
    instance), found with a paginated ``ListMetrics`` on the task id (the last part of the
    task ARN), trying ``metrics`` in order until one is listed."""
    task_id = task_arn.rsplit(":", 1)[-1]
    for metric in metrics:
        pages = cloudwatch.get_paginator("list_metrics").paginate(
            Namespace=metric.namespace, MetricName=metric.name,
            Dimensions=[{"Name": "ReplicationTaskIdentifier", "Value": task_id}])
        for page in pages:
            for listed in page.get("Metrics", []):
                return listed.get("Dimensions", [])
    return None


def standby_readings(cloudwatch: Any, metrics: Sequence[MetricRef], dimension: str,
                      databases: Sequence[tuple[str, str | None]],
                      now: datetime) -> dict[str, tuple[str, float]]:
    """``{db: (metric name, seconds)}``: each database's standby lag reading (its series
    named by ``dimension``), a negative one (not running) first, else the largest."""
    queries = {f"{m.name}:{db}": (m.namespace, m.name, [{"Name": dimension, "Value": standby}])
               for m in metrics for db, standby in databases if standby}
    values = latest_values(cloudwatch, queries, now) if queries else {}
    per_unit = {m.name: SECONDS_PER_UNIT[m.unit] for m in metrics}
    per_db: dict[str, list[tuple[str, float]]] = {}
    for key, value in sorted(values.items()):
        name, db = key.split(":", 1)
        per_db.setdefault(db, []).append((name, value * per_unit[name]))
    out: dict[str, tuple[str, float]] = {}
    for db, found in per_db.items():
        not_running = [r for r in found if r[1] < 0]
        out[db] = not_running[0] if not_running else max(found, key=lambda r: r[1])
    return out


def _task_values(cloudwatch: Any, task_arn: str, metrics: Sequence[MetricRef],
                 now: datetime) -> dict[str, float]:
    """``{metric name: newest value}`` of the task's ``metrics``; empty without a task."""
    if not task_arn or not metrics:
        return {}
    dims = task_dimensions(cloudwatch, task_arn, metrics)
    if not dims:
        return {}
    values = latest_values(cloudwatch, {m.name: (m.namespace, m.name, dims) for m in metrics}, now)
    per_unit = {m.name: SECONDS_PER_UNIT[m.unit] for m in metrics}
    return {name: v * per_unit[name] for name, v in values.items()}


def _unknown_message(names: Sequence[str], target: str) -> str:
    return (f"no {'/'.join(names)} datapoint for {target} in the last "
            f"{LAG_LOOKBACK.total_seconds():.0f} s: replication state unknown (stopped, broken "
            "or not reporting); its own snapshots are not recovery points")


def _task_lag(rp: RecoveryPoints, values: Mapping[str, float], task_arn: str,
              metrics: Sequence[MetricRef]) -> float | None:
    """The task's lag (largest reading), or None; a negative reading is ``not_running``,
    no reading at all (of a task the strategy has) ``unknown``."""
    if task_arn and metrics and not values:
        rp.unknown.append({"database": None, "target": task_arn, "message": _unknown_message(
            [m.name for m in metrics], f"DMS task {task_arn.rsplit(':', 1)[-1]}")})
        return None
    stopped = {name: v for name, v in sorted(values.items()) if v < 0}
    if stopped:
        readings = ", ".join(f"{name} {v:g}" for name, v in stopped.items())
        rp.not_running.append({
            "database": None, "target": task_arn,
            "message": f"DMS replication task {task_arn.rsplit(':', 1)[-1]} is not "
                       f"running ({readings})"})
        return None
    return max(values.values()) if values else None


def measure(*, databases: Sequence[tuple[str, str | None]], standby_snapshots: Iterable[Snapshot],
            owner: Ownership, now: datetime, strategy: str, cloudwatch: Any,
            dms_task_arn: str = "", dms_cloudwatch: Any = None) -> RecoveryPoints:
    """Measure recovery-point ages, seconds.

    Replication lag is read from the strategy's ``replication_metrics``
    (:attr:`contract.strategies.StrategySpec.replication_metrics`), converted to seconds by
    their unit: ``AWS/RDS`` metrics per standby (:data:`STANDBY_DIMENSION` of the strategy's
    standby kind), ``AWS/DMS`` metrics of the task ``dms_task_arn``. A negative
    ``ReplicaLag`` means replication is not running (RDS reports -1 then; Amazon RDS User
    Guide, "Monitoring read replication", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Monitoring.html),
    and a negative CDC latency likewise for DMS: such a reading is no recovery point. It is
    listed in ``not_running`` and the database falls back to its newest cross-Region copy,
    if it has one (not to a snapshot of the standby instance: that holds the data of
    whenever replication stopped).

    Args:
        databases: ``(protected db identifier, standby identifier or None)``.
        standby_snapshots: manual snapshots in the standby Region (after this run's work).
        owner: which snapshots are ours (only those count as recovery points).
        strategy: ``DB_STRATEGY``; its spec names the replication metrics.
        cloudwatch: standby-Region CloudWatch client.
        dms_cloudwatch: CloudWatch client of the DMS task's Region (defaults to ``cloudwatch``).

    Raises:
        ValueError: ``strategy`` is not a strategy.
        botocore errors from CloudWatch (the caller records them).
    """
    strategy_spec = spec(strategy)
    metrics = strategy_spec.replication_metrics
    task_metrics = [m for m in metrics if m.namespace == TASK_NAMESPACE]
    task_values = _task_values(dms_cloudwatch or cloudwatch, dms_task_arn, task_metrics, now)
    standby_metrics = [m for m in metrics if m.namespace == STANDBY_NAMESPACE]
    readings = (standby_readings(cloudwatch, standby_metrics,
                                  STANDBY_DIMENSION[strategy_spec.standby], databases, now)
                if standby_metrics else {})
    rp = RecoveryPoints()
    task_lag = _task_lag(rp, task_values, dms_task_arn, task_metrics)
    lags = [task_lag] if task_lag is not None else []
    ages = {False: newest_snapshot_ages(standby_snapshots, owner=owner, now=now),
            # A snapshot of a standby whose replication has stopped holds the data of
            # whenever it stopped, not of its creation time: then only copies count.
            True: newest_snapshot_ages(standby_snapshots, owner=owner, now=now,
                                       kinds=[Kind.COPY])}
    task_untrusted = any(v < 0 for v in task_values.values()) or bool(rp.unknown)
    lags += _databases(rp, databases, readings, [m.name for m in standby_metrics], task_lag,
                       ages, task_untrusted)
    known = [v["age_seconds"] for v in rp.per_database.values() if v["age_seconds"] is not None]
    # A database without any usable recovery point is the worst one: its age is unknown, so
    # the stack figure is unknown too and is not published (the RPO alarm treats missing
    # data as breaching) instead of the best-looking of the others. So is a replication
    # whose state is unknown: the figure would rest on a measurement that is missing.
    rp.recovery_point_age_seconds = (max(known) if known and not rp.missing and not rp.unknown
                                     else None)
    rp.replication_lag_seconds = max(lags) if lags else None
    return rp


def _databases(rp: RecoveryPoints, databases: Sequence[tuple[str, str | None]],
               readings: Mapping[str, tuple[str, float]], names: Sequence[str],
               task_lag: float | None, ages: Mapping[bool, Mapping[str, float]],
               task_untrusted: bool) -> list[float]:
    """Fill ``rp`` for each database; returns their own lag readings. A standby with no
    reading of the standby metrics ``names`` is ``unknown``; without a trusted replication
    reading (that, or the task's untrusted), only copies count (:func:`_database`)."""
    lags = []
    for db, standby in databases:
        reading = readings.get(db)
        unknown = bool(standby) and bool(names) and reading is None
        if unknown:
            rp.unknown.append({"database": db, "target": standby,
                               "message": _unknown_message(names, str(standby))})
        lag = _database(rp, db, standby, reading, task_lag, ages, task_untrusted or unknown)
        if lag is not None:
            lags.append(lag)
    return lags


def _database(rp: RecoveryPoints, db: str, standby: str | None,
              reading: tuple[str, float] | None, task_lag: float | None,
              ages: Mapping[bool, Mapping[str, float]], untrusted: bool) -> float | None:
    """Fill ``rp.per_database[db]`` with its newest usable recovery point; returns the
    database's own replication lag reading (non-negative), if any. ``untrusted``: the
    replication is not running or its state is unknown, so only copies count."""
    candidates: list[tuple[float, str]] = []
    stopped = untrusted or (reading is not None and reading[1] < 0)
    snapshot_age = ages[stopped].get(db)
    if snapshot_age is not None:
        candidates.append((snapshot_age, "snapshot"))
    lag = None
    if reading is not None and reading[1] < 0:
        rp.not_running.append({
            "database": db, "target": standby,
            "message": f"replication to {standby} is not running ({reading[0]} {reading[1]:g})"})
    elif reading is not None:
        lag = reading[1]
        candidates.append((lag, "replica-lag"))
    if task_lag is not None:
        candidates.append((task_lag, "dms"))
    if candidates:
        age, source = min(candidates)
        rp.per_database[db] = {"age_seconds": age, "source": source}
    else:
        rp.per_database[db] = {"age_seconds": None, "source": None}
        rp.missing.append(db)
    return lag


def metric_data(rp: RecoveryPoints, *, stack: str, status: str,
                now: datetime) -> list[dict[str, Any]]:
    """The ``MetricData`` items for a run (names from :class:`contract.names.Metric`)."""
    stack_dim = [{"Name": "Stack", "Value": stack}]
    items: list[dict[str, Any]] = [
        {"MetricName": Metric.BACKUP_SUCCESS.value, "Dimensions": stack_dim,
         "Value": 1.0 if status == "complete" else 0.0, "Unit": "Count", "Timestamp": now},
        {"MetricName": Metric.BACKUP_FAILURE.value, "Dimensions": stack_dim,
         "Value": 0.0 if status == "complete" else 1.0, "Unit": "Count", "Timestamp": now},
    ]
    if rp.recovery_point_age_seconds is not None:
        items.append({"MetricName": Metric.RECOVERY_POINT_AGE.value, "Dimensions": stack_dim,
                      "Value": rp.recovery_point_age_seconds, "Unit": "Seconds",
                      "Timestamp": now})
    if rp.replication_lag_seconds is not None:
        items.append({"MetricName": Metric.REPLICATION_LAG.value, "Dimensions": stack_dim,
                      "Value": rp.replication_lag_seconds, "Unit": "Seconds", "Timestamp": now})
    for db, fig in rp.per_database.items():
        if fig["age_seconds"] is not None:
            items.append({"MetricName": Metric.RECOVERY_POINT_AGE.value,
                          "Dimensions": [*stack_dim, {"Name": "Database", "Value": db}],
                          "Value": fig["age_seconds"], "Unit": "Seconds", "Timestamp": now})
    return items


def publish(cloudwatch: Any, items: Sequence[dict[str, Any]]) -> int:
    """``PutMetricData`` in batches; returns the number of calls made."""
    calls = 0
    for start in range(0, len(items), PUT_METRIC_BATCH):
        cloudwatch.put_metric_data(Namespace=METRIC_NAMESPACE,
                                   MetricData=list(items[start:start + PUT_METRIC_BATCH]))
        calls += 1
    return calls
