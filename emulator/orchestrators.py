"""The parts each orchestrator runs against, composed from :class:`emulator.site.SiteBuilder`,
with the environment the program would give it.

* :func:`failover_site`: two Regions, the state table, alert topics read through one SQS
  queue, the health-check alarm (in us-east-1, where ``AWS/Route53`` metrics are, whatever
  the stack's Regions), a standby database per strategy (:func:`standby_for`), a
  function to warm, and HTTP health endpoints on 127.0.0.1 - with the failover
  orchestrator's environment (:class:`contract.env.FailoverEnv` names, checked by it).
* :func:`backup_site`: ``n`` protected databases (with standby instances or not), a KMS key,
  the metadata bucket, alert topics read through SQS - with the backup orchestrator's
  environment (:class:`contract.env.BackupEnv`).

Both work through any client factory: plain clients inside ``moto.mock_aws`` or the drill's
moto server. Fixed names (``shop-primary``, ``ecommerce-dr-failover-state``...) are the
defaults; every one is an argument.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from contract.env import BackupEnv, Env, FailoverEnv
from contract.names import DEFAULT_STEP_BUDGETS_SECONDS
from contract.strategies import Standby, Strategy, spec
from emulator.endpoints import LoopbackEndpoint
from emulator.site import AlertTopics, Database, SiteBuilder


@dataclass(frozen=True)
class Names:
    """Names and figures of an orchestrator site (every field is the default used)."""

    stack: str = "prod"
    primary_id: str = "shop-primary"
    standby_id: str = "shop-standby"
    table: str = "ecommerce-dr-failover-state"
    health_alarm: str = "ecommerce-dr-primary-health"
    gate_alarm: str = "ecommerce-dr-gate"
    warm_function: str = "shop-api-standby"
    alert_topic: str = "ecommerce-dr-alerts"
    rpo_seconds: int = 3600
    instance_class: str = "db.r6g.large"
    global_id: str = "shop-global"


@dataclass(frozen=True)
class StandbyDb:
    """The standby a strategy keeps: ``identifier`` (replica, DMS target, restore target or
    secondary cluster), the DMS task ARN (dms), the cross-Region copy id (snapshot-restore),
    or the global database and the primary cluster's ARN (aurora-global)."""

    strategy: Strategy
    identifier: str
    dms_task_arn: str = ""
    copy_id: str | None = None
    global_cluster_id: str = ""
    primary_arn: str = ""


def backup_copy(builder: SiteBuilder, db: Database | str, *, kms_key_arn: str, stack: str,
                age: dt.timedelta, tags: dict[str, str] | None = None) -> str:
    """The backup orchestrator's cross-Region copy of ``db``, named and tagged the way it
    names and tags one (:mod:`handlers.backup.naming`): snapshot ``<db>-dr-<stamp>`` in the
    primary Region, copied into the standby Region as ``<db>-dr-<stamp>-copy``. ``db`` given
    by identifier is created (encrypted, primary Region) when it does not exist. ``age``
    back-dates the copy's data; ``tags`` override the copy's tags. Returns the copy id."""
    from contract.names import MANAGED_BY_TAG, managed_by_value
    from handlers.backup import naming

    if isinstance(db, str):
        db = _existing_or_new(builder, db)

    period = (dt.datetime.now(dt.UTC) - age).replace(second=0, microsecond=0)
    source = naming.snapshot_id(db.identifier, period)

    def copy_tags(source_arn: str) -> dict[str, str]:
        return {MANAGED_BY_TAG: managed_by_value(stack), naming.STACK_TAG: stack,
                naming.DATABASE_TAG: db.identifier, naming.KIND_TAG: naming.Kind.COPY.value,
                naming.SOURCE_TAG: source_arn, **(tags or {})}

    return builder.snapshot_copy(db, snapshot_id=source, copy_id=naming.copy_id(source),
                                 kms_key_arn=kms_key_arn, tags=copy_tags, age=age)


def _existing_or_new(builder: SiteBuilder, identifier: str) -> Database:
    try:
        return builder.describe(identifier)
    except Exception:  # noqa: BLE001 - DBInstanceNotFound: create it
        return builder.database(identifier, encrypted=True)


def _read_replica(b: SiteBuilder, n: Names, lag: float, _kms: str, _age: dt.timedelta) -> StandbyDb:
    primary = b.database(n.primary_id, instance_class=n.instance_class)
    b.read_replica(n.standby_id, source=primary, instance_class=n.instance_class)
    b.seed_metric("AWS/RDS", "ReplicaLag", {"DBInstanceIdentifier": n.standby_id}, lag)
    return StandbyDb(Strategy.READ_REPLICA, n.standby_id)


def _dms(b: SiteBuilder, n: Names, lag: float, _kms: str, _age: dt.timedelta) -> StandbyDb:
    b.database(n.standby_id, region=b.standby_region, instance_class=n.instance_class)
    task = b.dms_task()
    b.seed_metric("AWS/DMS", "CDCLatencyTarget", {"ReplicationInstanceIdentifier": task.instance_id,
                                                  "ReplicationTaskIdentifier": task.resource_id}, lag)
    return StandbyDb(Strategy.DMS, n.standby_id, dms_task_arn=task.arn)


def _snapshot_restore(b: SiteBuilder, n: Names, _lag: float, kms: str,
                      age: dt.timedelta) -> StandbyDb:
    primary = b.database(n.primary_id, instance_class=n.instance_class, encrypted=True)
    copy = backup_copy(b, primary, kms_key_arn=kms, stack=n.stack, age=age)
    return StandbyDb(Strategy.SNAPSHOT_RESTORE, n.standby_id, copy_id=copy)


def _aurora_global(b: SiteBuilder, n: Names, lag: float, kms: str, _age: dt.timedelta) -> StandbyDb:
    primary = b.aurora_cluster(n.primary_id, kms_key_arn=b.kms_key(region=b.primary_region))
    b.global_database(n.global_id, source=primary)
    b.aurora_cluster(n.standby_id, region=b.standby_region, kms_key_arn=kms,
                     global_cluster=n.global_id)
    b.seed_metric("AWS/RDS", "AuroraGlobalDBRPOLag", {"DBClusterIdentifier": n.standby_id},
                  lag * 1000, unit="Milliseconds")
    return StandbyDb(Strategy.AURORA_GLOBAL, n.standby_id, global_cluster_id=n.global_id,
                     primary_arn=primary.arn)


#: Per strategy, what its standby is in the emulated account (the emulator's one seam per
#: strategy): ``(builder, names, lag seconds, standby KMS key ARN, copy age) -> StandbyDb``.
STANDBY_BUILDERS: dict[Strategy, Callable[[SiteBuilder, Names, float, str, dt.timedelta], StandbyDb]] = {
    Strategy.READ_REPLICA: _read_replica,
    Strategy.DMS: _dms,
    Strategy.SNAPSHOT_RESTORE: _snapshot_restore,
    Strategy.AURORA_GLOBAL: _aurora_global,
}


def standby_for(builder: SiteBuilder, strategy: str, *, names: Names = Names(),
                lag_seconds: float | None = None, kms_key_arn: str,
                copy_age: dt.timedelta = dt.timedelta(minutes=20)) -> StandbyDb:
    """The standby database ``strategy`` keeps, with the replication lag metric it is
    watched by seeded (moto never emits it; default 30 s, or 2 s for DMS) or, for a
    strategy that runs no standby, the backup orchestrator's copy ``copy_age`` old.

    Raises:
        ValueError: not a strategy.
    """
    s = spec(strategy)
    lag = lag_seconds if lag_seconds is not None else (2.0 if s.strategy is Strategy.DMS else 30.0)
    return STANDBY_BUILDERS[s.strategy](builder, names, lag, kms_key_arn, copy_age)


@dataclass
class FailoverSite:
    """What :func:`failover_site` built.

    Attributes:
        strategy: the database strategy.
        primary, standby: health endpoints (the primary answers ``primary_status``).
        env: the failover orchestrator's environment (``Env`` name -> string).
        alerts: the alert topics and the one standby-Region queue reading both.
        standby_db: the standby per strategy.
        kms_key_arn: the standby-Region key.
    """

    strategy: str
    primary: LoopbackEndpoint
    standby: LoopbackEndpoint
    env: dict[str, str]
    alerts: AlertTopics
    standby_db: StandbyDb
    kms_key_arn: str
    names: Names = field(default_factory=Names)
    regions: tuple[str, str] = ("us-east-1", "us-west-2")
    account: str = "123456789012"

    @property
    def queue_url(self) -> str:
        return next(iter(self.alerts.queues.values()))

    def close(self) -> None:
        self.primary.stop_answering()
        self.standby.stop_answering()


def failover_env(site: FailoverSite) -> dict[str, str]:
    """The failover orchestrator's environment for ``site`` (checked by
    :meth:`contract.env.FailoverEnv.parse`, which raises ``SettingsError`` naming a bad one)."""
    n, (primary, standby) = site.names, site.regions
    env = {
        Env.PRIMARY_REGION: primary, Env.STANDBY_REGION: standby, Env.STACK_NAME: n.stack,
        Env.DB_STRATEGY: str(site.strategy), Env.RPO_SECONDS: str(n.rpo_seconds),
        Env.ALERT_TOPIC_ARNS: json.dumps(site.alerts.topics), Env.STANDBY_KMS_KEY_ARN: site.kms_key_arn,
        Env.DMS_TASK_ARN: site.standby_db.dms_task_arn, Env.STATE_TABLE_NAME: n.table,
        Env.FAILOVER_MODE: "orchestrated", Env.PRIMARY_HEALTH_URL: site.primary.url(),
        Env.STANDBY_HEALTH_URL: site.standby.url(), Env.PROBE_TIMEOUT_SECONDS: "2",
        Env.CONSECUTIVE_FAILURES: "3", Env.PROBE_WINDOW_SECONDS: "240",
        Env.HEALTH_ALARM_NAME: n.health_alarm, Env.GATE_ALARM_NAME: n.gate_alarm,
        Env.STEP_BUDGETS_SECONDS: json.dumps(DEFAULT_STEP_BUDGETS_SECONDS),
        Env.PROMOTION_SECONDS: "600",
        Env.PRIMARY_DB_ARN: (site.standby_db.primary_arn
                             or f"arn:aws:rds:{primary}:{site.account}:db:{n.primary_id}"),
        Env.STANDBY_DB_IDENTIFIER: n.standby_id,
        Env.GLOBAL_CLUSTER_IDENTIFIER: site.standby_db.global_cluster_id,
        Env.RESTORE_INSTANCE_CLASS: n.instance_class if not spec(site.strategy).runs_standby else "",
        Env.WARM_URLS: json.dumps([site.standby.url("/warm")]),
        Env.WARM_FUNCTIONS: json.dumps([n.warm_function]),
        # As the program renders it in phase reverse-replicating (instance strategies).
        Env.REVERSE_REPLICA_IDENTIFIER: (f"{n.primary_id}-reverse"
                                         if spec(site.strategy).standby is not Standby.CLUSTER
                                         and site.strategy != Strategy.DMS else ""),
    }
    out = {str(k): v for k, v in env.items()}
    FailoverEnv.parse(out)
    return out


def failover_site(builder: SiteBuilder, strategy: str, *, names: Names = Names(),
                  primary_status: int = 503, lag_seconds: float | None = None,
                  copy_age: dt.timedelta = dt.timedelta(minutes=20),
                  alarm_state: str = "ALARM") -> FailoverSite:
    """Everything the failover orchestrator needs, in the emulated account (see the module
    docstring).

    Args:
        strategy: a :class:`contract.strategies.Strategy` value.
        primary_status: HTTP status the primary's endpoint answers (503: unhealthy).
        lag_seconds: replication lag seeded (see :func:`standby_for`).
        copy_age: age of the backup copy a strategy without a standby restores from.
        alarm_state: state of the health-check alarm.
    """
    builder.state_table(names.table)
    alerts = builder.alert_topics(names.alert_topic, shared_queue_region=builder.standby_region)
    builder.health_check_alarm(names.health_alarm, health_check_id="hc-1", state=alarm_state)
    kms = builder.kms_key()
    standby_db = standby_for(builder, strategy, names=names, lag_seconds=lag_seconds,
                             kms_key_arn=kms, copy_age=copy_age)
    builder.function(names.warm_function)
    site = FailoverSite(strategy, LoopbackEndpoint("primary", primary_status).start(),
                        LoopbackEndpoint("standby").start(), {}, alerts, standby_db, kms, names,
                        (builder.primary_region, builder.standby_region), builder.account)
    site.env = failover_env(site)
    return site


@dataclass
class BackupSite:
    """What :func:`backup_site` built: the protected databases
    (``{"primaryArn", "standbyIdentifier"}``), the key, topics and queues, the environment."""

    databases: list[dict[str, Any]]
    kms_key_arn: str
    alerts: AlertTopics
    env: dict[str, str]


def backup_site(builder: SiteBuilder, n: int, *, standby: bool = True,
                strategy: str = Strategy.READ_REPLICA, stack: str = "bench", bucket: str = "bench-meta",
                name: str = "db-{i}", standby_name: str = "{db}-standby", cadence_minutes: int = 60,
                retention_hours: int = 24, keep_newest: int = 3, quota: int = 100,
                instance: dict[str, Any] | None = None,
                lag_seconds: float | None = 5.0) -> BackupSite:
    """``n`` primary databases (``name`` formatted with ``i``), each with a standby instance
    unless ``standby`` is False, a standby-Region KMS key, the metadata bucket, an alert topic
    per Region read through its own queue, and the backup orchestrator's environment.

    Args:
        instance: keyword arguments of :meth:`SiteBuilder.database` for every instance
            (default: ``db.t3.micro``, 20 GiB).
        lag_seconds: the ``AWS/RDS ReplicaLag`` seeded for each standby (moto emits none;
            stamped 30 s ago, since moto misses a datapoint stamped at a query's end), or
            None to seed nothing (replication state unknown).
    """
    kw = {"instance_class": "db.t3.micro", "storage_gib": 20, "username": "admin1",
          "backup_retention_days": None, **(instance or {})}
    dbs = []
    for i in range(n):
        ident = name.format(i=i)
        primary = builder.database(ident, **kw)
        sb = standby_name.format(db=ident) if standby else None
        if sb:
            builder.database(sb, region=builder.standby_region, **kw)
            if lag_seconds is not None:
                builder.seed_metric("AWS/RDS", "ReplicaLag", {"DBInstanceIdentifier": sb},
                                    lag_seconds, timestamp=dt.datetime.now(dt.UTC)
                                    - dt.timedelta(seconds=30))
        dbs.append({"primaryArn": primary.arn, "standbyIdentifier": sb})
    kms = builder.kms_key(description="")
    builder.bucket(bucket)
    alerts = builder.alert_topics("a")
    env = {str(k): v for k, v in {
        Env.PRIMARY_REGION: builder.primary_region, Env.STANDBY_REGION: builder.standby_region,
        Env.STACK_NAME: stack, Env.DB_STRATEGY: str(strategy), Env.RPO_SECONDS: "3600",
        Env.ALERT_TOPIC_ARNS: json.dumps(alerts.topics), Env.STANDBY_KMS_KEY_ARN: kms,
        Env.DMS_TASK_ARN: "", Env.PROTECTED_DATABASES: json.dumps(dbs),
        Env.METADATA_BUCKET: bucket, Env.CADENCE_MINUTES: str(cadence_minutes),
        Env.RETENTION_HOURS: str(retention_hours), Env.KEEP_NEWEST: str(keep_newest),
        Env.SNAPSHOT_QUOTA: str(quota)}.items()}
    BackupEnv.parse(env)
    return BackupSite(dbs, kms, alerts, env)
