"""What the cycle's steps read from outside: a database instance or an Aurora cluster as RDS
and PostgreSQL show it (:func:`instance`, :func:`cluster`), and what an event cost customers
(:func:`planned_event`, :func:`unplanned_event`), counted from the customers' records and
the databases themselves."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from dataplane.customers import Ack, Failure
from dataplane.loss import count_loss, outage
from dataplane.schema import order_ids
from dataplane.server import PostgresServer
from drill.clock import DrillClock
from drill.cycle.state import Event, Instance
from drill.data.loss import split


def instance(rds: Any, identifier: str, region: str, server: PostgresServer | None) -> Instance:
    """``identifier`` in ``rds``'s Region (``DescribeDBInstances``) and the server behind it."""
    try:
        db = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") != "DBInstanceNotFound":
            raise
        db = {}
    return Instance(identifier, region, db.get("DbiResourceId"),
                    db.get("ReadReplicaSourceDBInstanceIdentifier"), db.get("DBInstanceStatus"),
                    *_server_facts(server))


def _server_facts(server: PostgresServer | None) -> tuple[str | None, int | None, bool | None]:
    running = server is not None and server.running
    return (server.name if server else None, len(order_ids(server)) if running else None,
            server.is_in_recovery() if running else None)


def cluster(rds: Any, identifier: str, region: str, server: PostgresServer | None, *,
            global_id: str) -> Instance:
    """The Aurora cluster ``identifier`` in ``rds``'s Region (``DescribeDBClusters``: its
    ``DbClusterResourceId``, new for a re-created cluster) and the server behind it; its
    ``replica_source`` is the writer of the global database ``global_id`` when the cluster is a
    secondary member of it (None: it is the writer, or not a member)."""
    found = rds.describe_db_clusters(
        Filters=[{"Name": "db-cluster-id", "Values": [identifier]}])["DBClusters"]
    c = found[0] if found else {}
    members = next((g["GlobalClusterMembers"] for g in rds.describe_global_clusters()["GlobalClusters"]
                    if g["GlobalClusterIdentifier"] == global_id), [])
    me = next((m for m in members if m["DBClusterArn"] == c.get("DBClusterArn")), None)
    writer = next((m["DBClusterArn"] for m in members if m.get("IsWriter")), None)
    source = writer if me is not None and not me.get("IsWriter") else None
    return Instance(identifier, region, c.get("DbClusterResourceId"), source, c.get("Status"),
                    *_server_facts(server))


def _pause(clock: DrillClock, acks: list[Ack], failures: list[Failure], *, since: float,
           new_region: str) -> dict[str, Any]:
    o = outage(acks, failures, failure_at=since, new_region=new_region)
    return {**split(clock, o.first_failure_at, o.recovered_at), "failed_orders": o.failed_orders,
            "basis": "measured on the emulator; skipped waits on the drill's clock are modelled"}


def planned_event(clock: DrillClock, acks: list[Ack], failures: list[Failure], *,
                  started_at: float, old_region: str, new_writer: PostgresServer,
                  status: str | None, rpo_seconds: float) -> Event:
    """The planned failback: every order the old writer's Region acknowledged must be on the
    new writer (``new_writer``, read now); the write pause runs from the first refused order
    after ``started_at`` to the new writer's first acknowledgement."""
    have = order_ids(new_writer)
    at_risk = [a for a in acks if a.region == old_region]
    lost = [a.order_id for a in at_risk if a.order_id not in have]
    return Event("planned failback", status, len(lost), lost, len(at_risk),
                 _pause(clock, acks, failures, since=started_at, new_region=new_writer.region),
                 rpo_seconds, 0.0 if not lost else None)


def unplanned_event(kind: str, clock: DrillClock, acks: list[Ack], failures: list[Failure], *,
                    failure_at: float, since: float, old_region: str, new_writer: PostgresServer,
                    status: str | None, rpo_seconds: float) -> Event:
    """An unplanned failover at ``failure_at``: the orders the old writer's Region acknowledged
    after ``since`` (when it became the writer) that the new writer lacks."""
    window = [a for a in acks if a.at >= since]
    report = count_loss(window, [f for f in failures if f.at >= since], failure_at=failure_at,
                        old_region=old_region, new_region=new_writer.region,
                        new_writer_ids=order_ids(new_writer))
    return Event(kind, status, report.orders_lost, list(report.lost_order_ids),
                 report.acknowledged_by_old_primary,
                 _pause(clock, acks, failures, since=failure_at, new_region=new_writer.region),
                 rpo_seconds, round(report.data_loss_window_seconds, 3))
