"""Aurora Global Database facts the program, the handlers and the pack share, written once.

* Engines and engine versions: ``aurora-postgresql`` versions look like ``16.4``; Aurora MySQL
  versions like ``8.0.mysql_aurora.3.05.2`` (Amazon Aurora User Guide, "Aurora MySQL version
  numbers and special versions",
  https://docs.aws.amazon.com/AmazonRDS/latest/AuroraMySQLReleaseNotes/AuroraMySQL.Updates.Versions.html).
* Which lag metric tells the RPO (:func:`lag_metrics`): ``AuroraGlobalDBRPOLag`` "for all
  versions of Aurora PostgreSQL-based global databases, and for Aurora MySQL-based global
  databases starting with engine versions 3.04.0 and higher or 2.12.0 and higher"; "for lower
  minor versions of Aurora MySQL ..., view the ``AuroraGlobalDBReplicationLag`` metric
  instead"; both in milliseconds, in secondary Regions only (Amazon Aurora User Guide, "Using
  switchover or failover in Amazon Aurora Global Database",
  https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html).
* Managed RPO: the DB cluster parameter ``rds.global_db_rpo`` (Aurora PostgreSQL only), 20 s to
  2,147,483,647 s (same page, "Managing RPOs for Aurora PostgreSQL-based global databases").
* The snapshot Aurora takes of the old primary's volume before it rejoins after a managed
  failover: ``rds:unplanned-global-failover-<name of old primary DB cluster>-<timestamp>``, "a
  system snapshot that's subject to the backup retention period configured on the old primary
  cluster. To preserve this snapshot outside of the retention period, you can copy it to save it
  as a manual snapshot" (same page, "Performing managed failovers").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from contract.strategies import AURORA_REPLICATION_LAG, AURORA_RPO_LAG, MetricRef

POSTGRESQL: Final = "aurora-postgresql"
MYSQL: Final = "aurora-mysql"
ENGINES: Final[tuple[str, ...]] = (POSTGRESQL, MYSQL)

#: The cluster parameter of the managed RPO (Aurora PostgreSQL).
MANAGED_RPO_PARAMETER: Final = "rds.global_db_rpo"
#: The dimension the lag metrics carry: the secondary cluster's identifier.
LAG_DIMENSION: Final = "DBClusterIdentifier"
#: The identifier prefix of the snapshot Aurora takes of the old primary after a failover.
UNPLANNED_FAILOVER_SNAPSHOT_PREFIX: Final = "rds:unplanned-global-failover-"

_POSTGRES_VERSION = re.compile(r"^(?P<major>\d{1,2})\.(?P<minor>\d{1,3})(\.\d{1,3})?$")
_MYSQL_VERSION = re.compile(
    r"^(?P<mysql>8\.0|5\.7)\.mysql_aurora\.(?P<major>\d)\.(?P<minor>\d{2})\.(?P<patch>\d{1,2})$")


@dataclass(frozen=True)
class LagMetrics:
    """The lag metrics of one engine version.

    Attributes:
        authoritative: the metric that bounds the RPO for this version; no datapoint of it
            means replication is not known to run (not ready; its alarm breaches).
        others: further metrics declared for it whose absence is expected for this version
            (``AuroraGlobalDBRPOLag`` before Aurora MySQL 3.04 / 2.12): alarmed on, missing
            data not breaching.
    """

    authoritative: MetricRef
    others: tuple[MetricRef, ...] = ()

    @property
    def all(self) -> tuple[MetricRef, ...]:
        return (self.authoritative, *self.others)


def version_problem(engine: str, version: str) -> str | None:
    """What is wrong with ``version`` for ``engine``, or None.

    Returns:
        a sentence naming the expected form, e.g. ``"must look like 16.4"``.
    """
    if engine == POSTGRESQL:
        return None if _POSTGRES_VERSION.match(version) else (
            f"must be an Aurora PostgreSQL version like 16.4 (got {version!r})")
    if engine == MYSQL:
        return None if _MYSQL_VERSION.match(version) else (
            f"must be an Aurora MySQL version like 8.0.mysql_aurora.3.05.2 (got {version!r})")
    return f"unknown engine {engine!r}; allowed: {', '.join(ENGINES)}"


def rpo_lag_published(engine: str, version: str) -> bool:
    """Whether Aurora publishes ``AuroraGlobalDBRPOLag`` for this engine version (see the
    module docstring): every Aurora PostgreSQL, Aurora MySQL 3.04+ and 2.12+. An unparsable
    MySQL version counts as older (the conservative answer: watch both)."""
    if engine == POSTGRESQL:
        return True
    m = _MYSQL_VERSION.match(version)
    if m is None:
        return False
    major, minor = int(m["major"]), int(m["minor"])
    return (major == 3 and minor >= 4) or (major == 2 and minor >= 12) or major > 3


def lag_metrics(engine: str, version: str) -> LagMetrics:
    """The lag metrics to watch for ``engine`` at ``version`` (see :class:`LagMetrics`)."""
    if rpo_lag_published(engine, version):
        return LagMetrics(AURORA_RPO_LAG)
    return LagMetrics(AURORA_REPLICATION_LAG, (AURORA_RPO_LAG,))


def parameter_group_family(engine: str, version: str) -> str:
    """The DB cluster parameter group family: ``aurora-postgresql16``, ``aurora-mysql8.0``.

    Raises:
        ValueError: ``version`` is not a version of ``engine`` (:func:`version_problem`).
    """
    problem = version_problem(engine, version)
    if problem:
        raise ValueError(problem)
    if engine == POSTGRESQL:
        return f"{POSTGRESQL}{version.split('.')[0]}"
    return f"{MYSQL}{version.split('.mysql_aurora.')[0]}"


def unplanned_failover_snapshot_prefix(old_primary_cluster: str) -> str:
    """``rds:unplanned-global-failover-<cluster>-``: what the snapshot of the old primary's
    volume is named before ``<timestamp>`` (cluster ids compared in lowercase)."""
    return f"{UNPLANNED_FAILOVER_SNAPSHOT_PREFIX}{old_primary_cluster.lower()}-"
