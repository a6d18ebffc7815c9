"""The database strategies: one enum and one spec per strategy, written once.

A strategy is how the standby database is kept in step with the primary and what a failover
does to it. Everything that differs between strategies and is not code lives in its
:class:`StrategySpec`; the code that differs lives in one program builder
(:attr:`StrategySpec.program_builder`) and one handler module
(:attr:`StrategySpec.handler_module`), which the program and the failover orchestrator load
by name from this table. Adding a strategy means: a member and a spec here, one program
builder, one handler strategy module, a drill bridge where the emulator lacks the API, and
tests.

Sources of the tiers: AWS Whitepaper "Disaster Recovery of Workloads on AWS", "Disaster
recovery options in the cloud"
(https://docs.aws.amazon.com/whitepapers/latest/disaster-recovery-workloads-on-aws/disaster-recovery-options-in-the-cloud.html).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from rto_rpo.figures import (
    AURORA_GLOBAL_FAILOVER_SECONDS,
    DMS_CUTOVER_SECONDS,
    READ_REPLICA_PROMOTION_SECONDS,
    SNAPSHOT_RESTORE_SECONDS,
)


class Strategy(StrEnum):
    """``database.strategy`` values (and the orchestrators' ``DB_STRATEGY``)."""

    READ_REPLICA = "read-replica"
    DMS = "dms"
    SNAPSHOT_RESTORE = "snapshot-restore"
    AURORA_GLOBAL = "aurora-global"


class RpoRule(StrEnum):
    """How a strategy's worst-case RPO is bounded (see :func:`rto_rpo.model.estimate_rpo`)."""

    #: the replication alarm's threshold: data older than it pages on-call.
    REPLICATION_ALARM = "replication-alarm"
    #: the backup cadence plus the cross-Region copy time of the newest snapshot.
    CADENCE_PLUS_COPY = "cadence-plus-copy"
    #: the managed RPO (Aurora PostgreSQL ``rds.global_db_rpo``: the primary blocks commits
    #: when every secondary is further behind) when it is set, else the replication alarm's
    #: threshold.
    MANAGED_OR_ALARM = "managed-rpo-or-alarm"


class Standby(StrEnum):
    """What runs in the standby Region before a failover."""

    INSTANCE = "instance"   # an RDS DB instance (replica or DMS target)
    NONE = "none"           # nothing: the failover restores one
    CLUSTER = "cluster"     # an Aurora cluster


@dataclass(frozen=True)
class MetricRef:
    """A CloudWatch metric the strategy's replication is watched by.

    Attributes:
        namespace: e.g. ``"AWS/RDS"``.
        name: e.g. ``"ReplicaLag"``.
        unit: ``"seconds"`` or ``"milliseconds"``, as the service publishes it (an alarm's
            threshold is in this unit: :meth:`per_second`).
    """

    namespace: str
    name: str
    unit: str = "seconds"

    @property
    def per_second(self) -> int:
        """How many of this metric's units make one second (1, or 1000 for milliseconds)."""
        return 1000 if self.unit == "milliseconds" else 1


@dataclass(frozen=True)
class StrategySpec:
    """What a strategy is.

    Attributes:
        strategy: the config value.
        tier: the AWS DR tier it gives (``warm standby``, ``pilot light``).
        summary: one line for docs and reports.
        standby: what runs in the standby Region before a failover.
        replication_metrics: metrics that show the replication lag (empty when nothing
            replicates); the program alarms on each, the pack looks for those alarms.
        promotion_seconds: modelled seconds from the orchestrator's request until the standby
            takes writes (an AWS-side figure from :mod:`rto_rpo.figures`, whose docstring gives
            its source).
        promotion_request: the AWS API call that promotes, as ``service:Action`` (the drill
            counts it, and crashes right after it in ``crash-and-resume``).
        rpo_rule: how the worst-case RPO is bounded.
        program_builder: module of the program's builder (``components.standby.<x>``).
        handler_module: module of the failover orchestrator's readiness, promotion and
            reverse-replication check (``handlers.failover.strategies.<x>``).
    """

    strategy: Strategy
    tier: str
    summary: str
    standby: Standby
    replication_metrics: tuple[MetricRef, ...]
    promotion_seconds: int
    promotion_request: str
    rpo_rule: RpoRule
    program_builder: str
    handler_module: str

    @property
    def runs_standby(self) -> bool:
        """Whether a standby database runs (and can be snapshotted) before a failover."""
        return self.standby is not Standby.NONE

    @property
    def replication_metric_names(self) -> frozenset[str]:
        return frozenset(m.name for m in self.replication_metrics)

    @property
    def replicates(self) -> bool:
        """Whether a replication alarm bounds the RPO (alone, or when no managed RPO is set)."""
        return self.rpo_rule in (RpoRule.REPLICATION_ALARM, RpoRule.MANAGED_OR_ALARM)


#: Aurora Global Database lag metrics, milliseconds, published in secondary Regions only, per
#: secondary cluster (``DBClusterIdentifier``): ``AuroraGlobalDBRPOLag`` (user transactions) for
#: Aurora PostgreSQL and Aurora MySQL 3.04+/2.12+, ``AuroraGlobalDBReplicationLag`` for older
#: Aurora MySQL (Amazon Aurora User Guide, "Using switchover or failover in Amazon Aurora
#: Global Database",
#: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html).
#: Which of them a stack watches depends on its engine version: :func:`contract.aurora.lag_metrics`.
AURORA_RPO_LAG = MetricRef("AWS/RDS", "AuroraGlobalDBRPOLag", "milliseconds")
AURORA_REPLICATION_LAG = MetricRef("AWS/RDS", "AuroraGlobalDBReplicationLag", "milliseconds")


SPECS: Final[dict[Strategy, StrategySpec]] = {s.strategy: s for s in (
    StrategySpec(
        Strategy.READ_REPLICA, "warm standby",
        "a cross-Region RDS read replica, promoted at failover",
        Standby.INSTANCE, (MetricRef("AWS/RDS", "ReplicaLag"),),
        READ_REPLICA_PROMOTION_SECONDS, "rds:PromoteReadReplica", RpoRule.REPLICATION_ALARM,
        "components.standby.read_replica", "handlers.failover.strategies.read_replica"),
    StrategySpec(
        Strategy.DMS, "warm standby",
        "DMS change data capture into a standalone instance; the task is stopped at failover",
        Standby.INSTANCE,
        (MetricRef("AWS/DMS", "CDCLatencySource"), MetricRef("AWS/DMS", "CDCLatencyTarget")),
        DMS_CUTOVER_SECONDS, "dms:StopReplicationTask", RpoRule.REPLICATION_ALARM,
        "components.standby.dms", "handlers.failover.strategies.dms"),
    StrategySpec(
        Strategy.SNAPSHOT_RESTORE, "pilot light",
        "nothing runs; failover restores the newest cross-Region snapshot copy",
        Standby.NONE, (), SNAPSHOT_RESTORE_SECONDS, "rds:RestoreDBInstanceFromDBSnapshot",
        RpoRule.CADENCE_PLUS_COPY,
        "components.standby.snapshot_restore", "handlers.failover.strategies.snapshot_restore"),
    StrategySpec(
        Strategy.AURORA_GLOBAL, "warm standby",
        "an Aurora Global Database secondary cluster; managed failover at failover, switchover "
        "to fail back", Standby.CLUSTER, (AURORA_RPO_LAG, AURORA_REPLICATION_LAG),
        AURORA_GLOBAL_FAILOVER_SECONDS, "rds:FailoverGlobalCluster", RpoRule.MANAGED_OR_ALARM,
        "components.standby.aurora_global", "handlers.failover.strategies.aurora_global"),
)}

#: The strategy names in table order, for messages and loops.
STRATEGIES: Final[tuple[str, ...]] = tuple(str(s) for s in SPECS)

#: Modelled promotion seconds per strategy (the policy pack's setting default).
DEFAULT_PROMOTION_SECONDS: Final[dict[str, int]] = {
    str(s): spec.promotion_seconds for s, spec in SPECS.items()}


def spec(strategy: str) -> StrategySpec:
    """The spec of ``strategy``.

    Raises:
        ValueError: not a strategy; the message lists the allowed values.
    """
    try:
        return SPECS[Strategy(strategy)]
    except ValueError:
        raise ValueError(f"unknown strategy {strategy!r}; allowed: {', '.join(STRATEGIES)}") from None
