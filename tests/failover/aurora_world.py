"""A moto world for the aurora-global failover orchestrator: an Aurora Global Database (the
primary cluster in us-east-1, a secondary in us-west-2), the state table, alert topics read
through SQS, the health alarm and HTTP health endpoints on 127.0.0.1.

Emulator gaps, worked around here (test code only) and named where used:

* moto 5.2.5 has no FailoverGlobalCluster / SwitchoverGlobalCluster and leaves the source
  cluster of CreateGlobalCluster ``IsWriter`` false: :func:`emulator.bridges.aurora_global`
  bridges them (the same bridge a drill uses);
* moto never emits ``AuroraGlobalDBRPOLag`` / ``AuroraGlobalDBReplicationLag``: seeded with
  PutMetricData (:meth:`AuroraWorld.seed_lag`), milliseconds as AWS publishes them;
* moto records a source cluster's ``GlobalClusterIdentifier`` as the global cluster's ARN
  where AWS gives the identifier; the handler compares either form;
* moto's DescribeGlobalClusters returns every global cluster whatever the
  ``GlobalClusterIdentifier`` filter (the handler filters again), lists no
  ``SynchronizationStatus``, and its members' ``Readers`` are filled only on the writer;
* moto's RemoveFromGlobalCluster finds the global cluster only when called in us-east-1 (a
  test detaches a member in moto's backend instead, and says so).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3

from contract.aurora import lag_metrics
from contract.env import Env
from contract.strategies import Strategy
from emulator.bridges import AuroraGlobalBridge, aurora_global
from emulator.clients import RecordingClients, session_clients
from emulator.endpoints import LoopbackEndpoint
from emulator.orchestrators import FailoverSite, StandbyDb, failover_env
from emulator.site import AlertTopics, Database, SiteBuilder
from handlers.failover.settings import FailoverSettings, load_settings
from handlers.failover.state import StateStore
from tests.failover.world import (
    NAMES,
    PRIMARY,
    PRIMARY_ID,
    STANDBY,
    STANDBY_ID,
    TABLE,
    recording_clients,
)

GLOBAL_ID = "shop-global"
#: The Aurora lag metrics (milliseconds).
RPO_LAG, REPLICATION_LAG = "AuroraGlobalDBRPOLag", "AuroraGlobalDBReplicationLag"


@dataclass
class AuroraWorld:
    """What :func:`aurora_world` built; ``bridge`` is the moto bridge in force."""

    bridge: AuroraGlobalBridge
    primary_cluster: Database
    standby_cluster: Database
    primary: LoopbackEndpoint
    standby: LoopbackEndpoint
    env: dict[str, str]
    alerts: AlertTopics
    builder: SiteBuilder
    clients: RecordingClients

    @property
    def settings(self) -> FailoverSettings:
        return load_settings(self.env)

    def store(self) -> StateStore:
        return StateStore(boto3.client("dynamodb", region_name=STANDBY), TABLE)

    def seed_lag(self, seconds: float, *, cluster: str = STANDBY_ID, region: str = STANDBY,
                 metric: str = RPO_LAG) -> None:
        """One lag datapoint of ``cluster`` in ``region``, in milliseconds (moto gap)."""
        boto3.client("cloudwatch", region_name=region).put_metric_data(
            Namespace="AWS/RDS", MetricData=[{
                "MetricName": metric, "Value": seconds * 1000, "Unit": "Milliseconds",
                "Dimensions": [{"Name": "DBClusterIdentifier", "Value": cluster}]}])

    def global_cluster(self) -> dict[str, Any]:
        rds = boto3.client("rds", region_name=STANDBY)
        (g,) = [x for x in rds.describe_global_clusters()["GlobalClusters"]
                if x["GlobalClusterIdentifier"] == GLOBAL_ID]
        return dict(g)

    def writer(self) -> str:
        (arn,) = [m["DBClusterArn"] for m in self.global_cluster()["GlobalClusterMembers"]
                  if m["IsWriter"]]
        return str(arn)

    def messages(self) -> list[dict[str, Any]]:
        """Alert bodies delivered to the standby-Region queue since the last call."""
        return self.alerts.received(self.builder.clients)

    def close(self) -> None:
        self.primary.stop_answering()
        self.standby.stop_answering()


@contextmanager
def aurora_world(*, lag_seconds: float | None = 0.4, engine: str = "aurora-postgresql",
                 engine_version: str = "16.4", primary_status: int = 503,
                 bridge: AuroraGlobalBridge | None = None) -> Iterator[AuroraWorld]:
    """The world, inside an active ``mock_aws`` (the bridge is in force for the block).
    ``lag_seconds`` None seeds no lag datapoint."""
    with aurora_global(bridge) as b:
        site = SiteBuilder(session_clients(), primary_region=PRIMARY, standby_region=STANDBY)
        site.state_table(TABLE)
        alerts = site.alert_topics(NAMES.alert_topic, shared_queue_region=STANDBY)
        site.health_check_alarm(NAMES.health_alarm, health_check_id="hc-1", state="ALARM")
        kms = site.kms_key()
        primary_cluster = site.aurora_cluster(PRIMARY_ID, engine=engine,
                                              engine_version=engine_version,
                                              kms_key_arn=site.kms_key(region=PRIMARY))
        site.global_database(GLOBAL_ID, source=primary_cluster)
        standby_cluster = site.aurora_cluster(STANDBY_ID, region=STANDBY, engine=engine,
                                              engine_version=engine_version, kms_key_arn=kms,
                                              global_cluster=GLOBAL_ID)
        primary = LoopbackEndpoint("primary", primary_status).start()
        standby = LoopbackEndpoint("standby").start()
        standby_db = StandbyDb(Strategy.AURORA_GLOBAL, STANDBY_ID, global_cluster_id=GLOBAL_ID,
                               primary_arn=primary_cluster.arn)
        env = failover_env(FailoverSite(str(Strategy.AURORA_GLOBAL), primary, standby, {}, alerts,
                                        standby_db, kms, NAMES, (PRIMARY, STANDBY), site.account))
        env.update({Env.PROMOTION_SECONDS: "300", Env.GATE_PERIOD_SECONDS: "10",
                    Env.WARM_FUNCTIONS: "[]"})
        world = AuroraWorld(b, primary_cluster, standby_cluster, primary, standby, env, alerts,
                            site, recording_clients())
        if lag_seconds is not None:
            world.seed_lag(lag_seconds,
                           metric=lag_metrics(engine, engine_version).authoritative.name)
        try:
            yield world
        finally:
            world.close()
