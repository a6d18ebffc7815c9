"""Replication lag read from PostgreSQL, shaped as the CloudWatch metrics AWS publishes.

* ``AWS/RDS ReplicaLag`` (seconds): "the amount of time a read replica DB instance lags
  behind the source DB instance". Source: Amazon RDS User Guide, "Amazon CloudWatch metrics
  for Amazon RDS" (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html).
* ``AWS/DMS CDCLatencySource`` / ``CDCLatencyTarget`` (seconds): the gap between the last
  event captured from the source and now, and between the oldest event waiting to commit on
  the target and now. Source: AWS DMS User Guide, "Monitoring AWS DMS tasks", replication
  task metrics (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Monitoring.html).

How each is read here (all on the servers' shared clock, 127.0.0.1):

* ``ReplicaLag`` = the primary's ``pg_stat_replication.replay_lag`` for the standby: how long
  WAL the primary flushed took until the standby confirmed replaying it. PostgreSQL shows
  NULL once an idle standby has caught up; whenever nothing is left to replay the value is
  0.0 (the raw column stays in :attr:`LagSample.postgres_replay_lag_seconds`).
  When the stream is *stalled* (WAL waiting, but no feedback from the standby for longer
  than :data:`STALL_AFTER_SECONDS`) the last ``replay_lag`` is stale, so the value is the age
  of the last feedback if that is larger: a frozen link shows a growing lag, as on RDS.
* ``CDCLatencySource`` = now minus the send time of the newest message the subscription's
  apply worker received from the source (``pg_stat_subscription.last_msg_send_time``), or
  0.0 when the source's slot has nothing pending (an idle source sends only keepalives).
* ``CDCLatencyTarget`` = the source's ``replay_lag`` for the subscription's walsender (time
  from a change being written to the target confirming it applied), with the same idle and
  stall rules as ``ReplicaLag``.

"No data" is ``seconds is None`` (never 0): no standby connected, subscription disabled,
source unreachable. RDS reports -1 for an inactive MySQL/MariaDB replica; a caller
publishing to CloudWatch decides whether to publish nothing or that sentinel.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Final

import psycopg

from dataplane.server import PostgresServer

#: Feedback older than this (seconds) with WAL still pending means the stream is stalled.
#: Standbys report every second (``wal_receiver_status_interval = 1s``, see SERVER_SETTINGS).
STALL_AFTER_SECONDS: Final[float] = 3.0


@dataclass(frozen=True)
class LagSample:
    """One reading of a replication-lag metric.

    Attributes:
        namespace: CloudWatch namespace it stands for (``"AWS/RDS"``, ``"AWS/DMS"``).
        metric: ``"ReplicaLag"``, ``"CDCLatencySource"`` or ``"CDCLatencyTarget"``.
        seconds: the lag in seconds (>= 0.0), or ``None``: no data.
        bytes_behind: WAL bytes the replica has not yet confirmed, or ``None``: unknown.
        state: ``"streaming"``, ``"caught-up"``, ``"stalled"``, ``"not-connected"``,
            ``"source-unreachable"``, ``"disabled"`` or PostgreSQL's walsender state.
        sampled_at: wall-clock time of the reading (``time.time()``, seconds since the epoch).
        postgres_replay_lag_seconds: the raw ``replay_lag`` PostgreSQL showed (``None`` = NULL).
    """

    namespace: str
    metric: str
    seconds: float | None
    bytes_behind: int | None
    state: str
    sampled_at: float
    postgres_replay_lag_seconds: float | None = None

    @property
    def has_data(self) -> bool:
        """Whether there is a value to publish (``seconds`` is not ``None``)."""
        return self.seconds is not None


_WALSENDER_SQL: Final[str] = """
SELECT state,
       EXTRACT(epoch FROM replay_lag)::float8,
       pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint,
       EXTRACT(epoch FROM clock_timestamp() - reply_time)::float8
  FROM pg_stat_replication
 WHERE application_name = %s
 ORDER BY backend_start DESC
 LIMIT 1"""


def walsender_lag(source: PostgresServer, application_name: str, *, namespace: str = "AWS/RDS",
                  metric: str = "ReplicaLag") -> LagSample:
    """The replay lag of the replica connected to ``source`` as ``application_name``.

    Args:
        source: the primary (physical) or publisher (logical).
        application_name: the standby's server name, or the subscription's name.
        namespace, metric: what the sample stands for.

    Returns:
        A sample; ``seconds is None`` when the source is unreachable or the replica is not
        connected.
    """
    now = time.time()
    try:
        rows = source.query(_WALSENDER_SQL, (application_name,))
    except (psycopg.Error, OSError, RuntimeError):
        return LagSample(namespace, metric, None, None, "source-unreachable", now)
    if not rows:
        return LagSample(namespace, metric, None, None, "not-connected", now)
    state, replay_lag, behind, feedback_age = rows[0]
    behind = int(behind) if behind is not None else None
    seconds, shown = _seconds(replay_lag, behind, feedback_age)
    return LagSample(namespace, metric, seconds, behind, shown or state, now, replay_lag)


def _seconds(replay_lag: float | None, behind: int | None,
             feedback_age: float | None) -> tuple[float | None, str | None]:
    pending = behind is not None and behind > 0
    if pending and feedback_age is not None and feedback_age > STALL_AFTER_SECONDS:
        return max(replay_lag or 0.0, feedback_age), "stalled"
    if behind == 0:
        return 0.0, "caught-up"  # PostgreSQL may still show the last sample for a while
    if replay_lag is not None:
        return max(0.0, replay_lag), None
    return None, None  # behind, but PostgreSQL has no lag sample yet


def physical_lag(primary: PostgresServer, standby_name: str) -> LagSample:
    """``AWS/RDS ReplicaLag`` of physical standby ``standby_name`` (see module docstring)."""
    return walsender_lag(primary, standby_name, namespace="AWS/RDS", metric="ReplicaLag")


_SUBSCRIPTION_SQL: Final[str] = """
SELECT s.subenabled, st.pid,
       EXTRACT(epoch FROM clock_timestamp() - st.last_msg_send_time)::float8
  FROM pg_subscription s
  LEFT JOIN pg_stat_subscription st ON st.subid = s.oid AND st.relid IS NULL
 WHERE s.subname = %s"""

_SLOT_SQL: Final[str] = """
SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint
  FROM pg_replication_slots WHERE slot_name = %s"""


def logical_lag(source: PostgresServer, target: PostgresServer, subscription: str,
                *, slot: str | None = None) -> tuple[LagSample, LagSample]:
    """``AWS/DMS CDCLatencySource`` and ``CDCLatencyTarget`` of ``subscription`` on ``target``.

    Args:
        source: the publisher (may be down: the source latency is then read from the target).
        target: the subscriber.
        subscription: the subscription's name (also its walsender's ``application_name``).
        slot: its replication slot on ``source`` (defaults to the subscription's name).

    Returns:
        ``(source_latency, target_latency)``, each possibly without data.
    """
    now = time.time()
    behind = _slot_behind(source, slot or subscription)
    src = _source_latency(target, subscription, behind, now)
    tgt = walsender_lag(source, subscription, namespace="AWS/DMS", metric="CDCLatencyTarget")
    if src.state == "disabled":
        tgt = LagSample("AWS/DMS", "CDCLatencyTarget", None, behind, "disabled", tgt.sampled_at)
    return src, tgt


def _slot_behind(source: PostgresServer, slot: str) -> int | None:
    try:
        rows = source.query(_SLOT_SQL, (slot,))
    except (psycopg.Error, OSError, RuntimeError):
        return None
    return int(rows[0][0]) if rows and rows[0][0] is not None else None


def _source_latency(target: PostgresServer, subscription: str, behind: int | None, now: float) -> LagSample:
    metric = ("AWS/DMS", "CDCLatencySource")
    try:
        rows = target.query(_SUBSCRIPTION_SQL, (subscription,))
    except (psycopg.Error, OSError, RuntimeError):
        return LagSample(*metric, None, behind, "target-unreachable", now)
    if not rows:
        return LagSample(*metric, None, behind, "not-connected", now)
    enabled, pid, age = rows[0]
    if not enabled:
        return LagSample(*metric, None, behind, "disabled", now)
    if pid is None or age is None:
        return LagSample(*metric, None, behind, "not-connected", now)
    if behind == 0:
        return LagSample(*metric, 0.0, 0, "caught-up", now)
    return LagSample(*metric, max(0.0, float(age)), behind, "streaming", now)
