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
    DMS_CUTOVER_SECONDS,
    READ_REPLICA_PROMOTION_SECONDS,
    SNAPSHOT_RESTORE_SECONDS,
)


class Strategy(StrEnum):
    """``database.strategy`` values (and the orchestrators' ``DB_STRATEGY``)."""

    READ_REPLICA = "read-replica"
    DMS = "dms"
    SNAPSHOT_RESTORE = "snapshot-restore"


class RpoRule(StrEnum):
    """How a strategy's worst-case RPO is bounded (see :func:`rto_rpo.model.estimate_rpo`)."""

    #: the replication alarm's threshold: data older than it pages on-call.
    REPLICATION_ALARM = "replication-alarm"
    #: the backup cadence plus the cross-Region copy time of the newest snapshot.
    CADENCE_PLUS_COPY = "cadence-plus-copy"


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
        unit: ``"seconds"`` or ``"milliseconds"``, as the service publishes it.
    """

    namespace: str
    name: str
    unit: str = "seconds"


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
