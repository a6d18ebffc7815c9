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

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3

from contract.aurora import lag_metrics
from contract.env import Env
from emulator.bridges import AuroraGlobalBridge, aurora_global
from emulator.site import Database, SiteBuilder
from handlers.failover.settings import FailoverSettings, load_settings
from handlers.failover.state import StateStore
from tests.failover.world import (
    HEALTH_ALARM,
    HEALTH_REGION,
    PRIMARY,
    PRIMARY_ID,
    STANDBY,
    STANDBY_ID,
    TABLE,
    Clients,
    HealthServer,
    _env,
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
    primary: HealthServer
    standby: HealthServer
    env: dict[str, str]
    queue_url: str
    clients: Clients

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
        """Alert bodies delivered to the test queue (raw delivery), in arrival order."""
        sqs = boto3.client("sqs", region_name=STANDBY)
        out = []
        while True:
            got = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10)
            if not got.get("Messages"):
                return out
            for m in got["Messages"]:
                out.append(json.loads(m["Body"]))
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"])

    def close(self) -> None:
        self.primary.close()
        self.standby.close()


def _alerts() -> tuple[dict[str, str], str]:
    """An alert topic per Region, both delivered raw to one standby-Region queue."""
    sqs = boto3.client("sqs", region_name=STANDBY)
    queue_url = sqs.create_queue(QueueName="alerts")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    topics = {}
    for region in (PRIMARY, STANDBY):
        sns = boto3.client("sns", region_name=region)
        topics[region] = sns.create_topic(Name="ecommerce-dr-alerts")["TopicArn"]
        sns.subscribe(TopicArn=topics[region], Protocol="sqs", Endpoint=queue_arn,
                      Attributes={"RawMessageDelivery": "true"})
    return topics, queue_url


@contextmanager
def aurora_world(*, lag_seconds: float | None = 0.4, engine: str = "aurora-postgresql",
                 engine_version: str = "16.4", primary_status: int = 503,
                 bridge: AuroraGlobalBridge | None = None) -> Iterator[AuroraWorld]:
    """The world, inside an active ``mock_aws`` (the bridge is in force for the block).
    ``lag_seconds`` None seeds no lag datapoint."""
    with aurora_global(bridge) as b:
        site = SiteBuilder(lambda s, r: boto3.client(s, region_name=r))
        boto3.client("dynamodb", region_name=STANDBY).create_table(
            TableName=TABLE, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")
        topics, queue_url = _alerts()
        site.health_check_alarm(HEALTH_ALARM, health_check_id="hc-1", state="ALARM",
                                region=HEALTH_REGION)
        kms = site.kms_key()
        primary_cluster = site.aurora_cluster(PRIMARY_ID, engine=engine,
                                              engine_version=engine_version,
                                              kms_key_arn=site.kms_key(region=PRIMARY))
        site.global_database(GLOBAL_ID, source=primary_cluster)
        standby_cluster = site.aurora_cluster(STANDBY_ID, region=STANDBY, engine=engine,
                                              engine_version=engine_version, kms_key_arn=kms,
                                              global_cluster=GLOBAL_ID)
        primary, standby = HealthServer(primary_status), HealthServer(200)
        env = {str(k): v for k, v in _env("aurora-global", primary, standby, topics, "",
                                          kms).items()}
        env.update({Env.PRIMARY_DB_ARN: primary_cluster.arn, Env.GLOBAL_CLUSTER_IDENTIFIER: GLOBAL_ID,
                    Env.PROMOTION_SECONDS: "300", Env.GATE_PERIOD_SECONDS: "10",
                    Env.WARM_FUNCTIONS: "[]"})
        world = AuroraWorld(b, primary_cluster, standby_cluster, primary, standby, env,
                            queue_url, Clients())
        if lag_seconds is not None:
            world.seed_lag(lag_seconds,
                           metric=lag_metrics(engine, engine_version).authoritative.name)
        try:
            yield world
        finally:
            world.close()
