"""The emulator's site builder, orchestrator sites and bridges, under moto's in-process mock:
what each builds is read back through the AWS APIs and checked by value."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from contract.env import BackupEnv, Env, FailoverEnv
from contract.names import MANAGED_BY_TAG, managed_by_value
from contract.strategies import STRATEGIES
from emulator.bridges import BridgeLog, promote_read_replica
from emulator.clients import session_clients
from emulator.endpoints import LoopbackEndpoint
from emulator.in_process import mocked_aws
from emulator.orchestrators import backup_site, failover_site
from emulator.site import SiteBuilder, existing_site

PRIMARY, STANDBY = "us-east-1", "us-west-2"


@pytest.fixture
def builder() -> Iterator[SiteBuilder]:
    with mocked_aws():
        yield SiteBuilder(session_clients())


def _client(service: str, region: str) -> Any:
    return boto3.client(service, region_name=region)


def _standby_of(strategy: str, site: Any) -> dict[str, Any]:
    if strategy == "aurora-global":
        return _client("rds", STANDBY).describe_db_clusters(
            DBClusterIdentifier=site.standby_db.identifier)["DBClusters"][0]
    if strategy == "snapshot-restore":
        snap = _client("rds", STANDBY).describe_db_snapshots(
            DBSnapshotIdentifier=site.standby_db.copy_id)["DBSnapshots"][0]
        return {t["Key"]: t["Value"] for t in snap["TagList"]}
    return _client("rds", STANDBY).describe_db_instances(
        DBInstanceIdentifier=site.standby_db.identifier)["DBInstances"][0]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_failover_site_builds_the_standby_of_each_strategy_and_a_valid_environment(
        builder: SiteBuilder, strategy: str) -> None:
    site = failover_site(builder, strategy)
    try:
        env = FailoverEnv.parse(site.env)
        assert str(env.db_strategy) == strategy
        assert json.loads(site.env[Env.ALERT_TOPIC_ARNS]).keys() == {PRIMARY, STANDBY}
        standby = _standby_of(strategy, site)
        if strategy == "read-replica":
            assert standby["ReadReplicaSourceDBInstanceIdentifier"].endswith(":db:shop-primary")
            assert env.restore_instance_class == ""
        elif strategy == "aurora-global":
            assert standby["GlobalClusterIdentifier"] == env.global_cluster_identifier == "shop-global"
            assert env.primary_db_arn == "arn:aws:rds:us-east-1:123456789012:cluster:shop-primary"
            (member,) = standby["DBClusterMembers"]
            assert member["DBInstanceIdentifier"] == "shop-standby-1"
            (glob,) = _client("rds", STANDBY).describe_global_clusters()["GlobalClusters"]
            assert [m["DBClusterArn"] for m in glob["GlobalClusterMembers"]] == [
                env.primary_db_arn, standby["DBClusterArn"]]
        elif strategy == "dms":
            task = _client("dms", STANDBY).describe_replication_tasks()["ReplicationTasks"][0]
            assert (task["ReplicationTaskArn"], task["Status"]) == (env.dms_task_arn, "running")
            assert "ReadReplicaSourceDBInstanceIdentifier" not in standby
        else:
            assert standby[MANAGED_BY_TAG] == managed_by_value("prod")
            assert standby["dr:kind"] == "copy" and standby["dr:database"] == "shop-primary"
            assert env.restore_instance_class == "db.r6g.large"
        alarm = _client("cloudwatch", PRIMARY).describe_alarms(
            AlarmNames=[env.health_alarm_name])["MetricAlarms"][0]
        assert alarm["StateValue"] == "ALARM"
    finally:
        site.close()


def test_failover_site_alerts_reach_the_one_standby_queue(builder: SiteBuilder) -> None:
    site = failover_site(builder, "read-replica")
    try:
        for region, topic in site.alerts.topics.items():
            _client("sns", region).publish(TopicArn=topic, Message=json.dumps({"from": region}))
        got = _client("sqs", STANDBY).receive_message(QueueUrl=site.queue_url,
                                                      MaxNumberOfMessages=10)["Messages"]
        assert sorted(json.loads(m["Body"])["from"] for m in got) == [PRIMARY, STANDBY]
    finally:
        site.close()


def test_backup_site_lists_every_database_with_its_standby(builder: SiteBuilder) -> None:
    site = backup_site(builder, 3, keep_newest=2, quota=50)
    env = BackupEnv.parse(site.env)
    assert [(d.identifier, d.standby) for d in env.protected_databases] == [
        ("db-0", "db-0-standby"), ("db-1", "db-1-standby"), ("db-2", "db-2-standby")]
    assert (env.keep_newest, env.snapshot_quota, env.metadata_bucket) == (2, 50, "bench-meta")
    assert set(site.alerts.queues) == {PRIMARY, STANDBY}   # a queue per Region
    standby_ids = {d["DBInstanceIdentifier"] for d in _client("rds", STANDBY).describe_db_instances()
                   ["DBInstances"]}
    assert standby_ids == {"db-0-standby", "db-1-standby", "db-2-standby"}


def test_existing_site_checks_the_primary_arn_against_the_config(builder: SiteBuilder) -> None:
    with pytest.raises(RuntimeError, match="differs from database.primaryInstanceArn"):
        existing_site(builder, primary_identifier="shop-primary", instance_class="db.r6g.large",
                      backup_retention_days=7, failover_fqdn="shop.example.com",
                      expected_primary_arn="arn:aws:rds:us-east-1:111111111111:db:shop-primary",
                      configured_zone_id="Z1")


def test_existing_site_stands_up_zone_primary_and_endpoints(builder: SiteBuilder) -> None:
    arn = "arn:aws:rds:us-east-1:123456789012:db:shop-primary"
    site = existing_site(builder, primary_identifier="shop-primary", instance_class="db.r6g.large",
                         backup_retention_days=7, failover_fqdn="shop.example.com",
                         expected_primary_arn=arn, configured_zone_id="Z1")
    try:
        zone = _client("route53", PRIMARY).get_hosted_zone(Id=site.hosted_zone_id)["HostedZone"]
        assert zone["Name"] == "example.com."
        db = _client("rds", PRIMARY).describe_db_instances(DBInstanceIdentifier="shop-primary")
        assert db["DBInstances"][0]["StorageEncrypted"] is True
        with urllib.request.urlopen(site.primary.url(), timeout=2) as r:
            assert r.status == 200
    finally:
        site.stop()


def _replica_pair(builder: SiteBuilder) -> None:
    primary = builder.database("shop-primary")
    builder.read_replica("shop-standby", source=primary)


def test_promote_read_replica_bridge_detaches_the_replica(builder: SiteBuilder) -> None:
    _replica_pair(builder)
    log, promoted = BridgeLog(), []
    with promote_read_replica(log, on_promote=promoted.append):
        _client("rds", STANDBY).promote_read_replica(DBInstanceIdentifier="shop-standby")
    standby = _client("rds", STANDBY).describe_db_instances(
        DBInstanceIdentifier="shop-standby")["DBInstances"][0]
    assert "ReadReplicaSourceDBInstanceIdentifier" not in standby
    primary = _client("rds", PRIMARY).describe_db_instances(
        DBInstanceIdentifier="shop-primary")["DBInstances"][0]
    assert primary["ReadReplicaDBInstanceIdentifiers"] == []
    assert promoted == ["shop-standby"] and log.counts["promote-read-replica"] == 1


def test_without_the_bridge_moto_leaves_the_promoted_replica_attached(builder: SiteBuilder) -> None:
    _replica_pair(builder)
    _client("rds", STANDBY).promote_read_replica(DBInstanceIdentifier="shop-standby")
    standby = _client("rds", STANDBY).describe_db_instances(
        DBInstanceIdentifier="shop-standby")["DBInstances"][0]
    assert standby["ReadReplicaSourceDBInstanceIdentifier"].endswith(":db:shop-primary")


def test_the_promote_bridge_put_back_after_its_block_acts_as_moto(builder: SiteBuilder) -> None:
    """A test's monkeypatch undone after the bridge's block puts the bridge's method back:
    it must not detach replicas (nor count promotions) outside its block."""
    from moto.rds.models import RDSBackend
    _replica_pair(builder)
    promoted: list[str] = []
    with promote_read_replica(on_promote=promoted.append):
        saved = RDSBackend.promote_read_replica
    moto_own = RDSBackend.promote_read_replica
    RDSBackend.promote_read_replica = saved  # type: ignore[method-assign]
    try:
        _client("rds", STANDBY).promote_read_replica(DBInstanceIdentifier="shop-standby")
    finally:
        RDSBackend.promote_read_replica = moto_own  # type: ignore[method-assign]
    standby = _client("rds", STANDBY).describe_db_instances(
        DBInstanceIdentifier="shop-standby")["DBInstances"][0]
    assert standby["ReadReplicaSourceDBInstanceIdentifier"].endswith(":db:shop-primary")
    assert promoted == []


def test_loopback_endpoint_answers_its_status_then_refuses_then_resumes() -> None:
    ep = LoopbackEndpoint("primary", status=503).start()
    try:
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(ep.url(), timeout=2)
        assert e.value.code == 503
        ep.stop_answering()
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(ep.url(), timeout=2)
        ep.status = 200
        ep.resume()
        with urllib.request.urlopen(ep.url("/warm"), timeout=2) as r:
            assert r.status == 200
        assert dict(ep.hits) == {"/health": 1, "/warm": 1} and ep.requests == 2
    finally:
        ep.stop_answering()
