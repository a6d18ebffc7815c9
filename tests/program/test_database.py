"""The standby database per strategy, and the strategy seam."""

from __future__ import annotations

from components.database import builder_for
from contract.names import Role
from contract.strategies import STRATEGIES
from tests.program.variants import ALARM, BASE, CUSTOM, DB, DMS_SOURCE_SECRET, NETWORKED, P, plan

PRIMARY_ARN = BASE[f"{P}:database"]["primaryInstanceArn"]


def test_every_strategy_has_exactly_one_builder() -> None:
    assert [builder_for(s).strategy for s in STRATEGIES] == list(STRATEGIES)


def test_standby_kms_key_rotates_in_the_standby_region() -> None:
    (key,) = plan().by_role(Role.STANDBY_KMS_KEY)
    assert key.region == "us-west-2"
    assert key.inputs["enableKeyRotation"] is True


def test_read_replica() -> None:
    p = plan("read-replica")
    (db,) = p.by_role(Role.STANDBY_DATABASE)
    (key,) = p.by_role(Role.STANDBY_KMS_KEY)
    i = db.inputs
    assert i["replicateSourceDb"] == PRIMARY_ARN          # cross-Region source is an ARN
    assert i["identifier"] == "shop-standby"
    assert db.property_dependencies["kmsKeyId"] == [key.urn]
    assert i["storageEncrypted"] is True and i["deletionProtection"] is True
    assert i["backupRetentionPeriod"] >= 1
    (lag,) = p.by_role(Role.REPLICATION_ALARM)
    a = lag.inputs
    assert (a["namespace"], a["metricName"], a["dimensions"]) == (
        "AWS/RDS", "ReplicaLag", {"DBInstanceIdentifier": "shop-standby"})
    assert a["threshold"] == 900 == BASE[f"{P}:database"]["replicationLagAlarmSeconds"]
    assert lag.region == "us-west-2"


def test_replica_lag_threshold_defaults_to_a_quarter_of_the_rpo() -> None:
    p = plan(**CUSTOM)   # rpoMinutes 120, no replicationLagAlarmSeconds
    (lag,) = p.by_role(Role.REPLICATION_ALARM)
    assert lag.inputs["threshold"] == 120 * 60 // 4


def test_dms() -> None:
    p = plan("dms")
    (target,) = p.by_role(Role.STANDBY_DATABASE)
    t = target.inputs
    assert "replicateSourceDb" not in t
    assert t["manageMasterUserPassword"] is True and t["storageEncrypted"] is True
    assert t["deletionProtection"] is True and t["engine"] == "postgres"
    (task,) = p.by_type("aws:dms/replicationTask:ReplicationTask")
    assert task.inputs["migrationType"] == "full-load-and-cdc"
    endpoints = {e.inputs["endpointType"]: e for e in p.by_type("aws:dms/endpoint:Endpoint")}
    assert endpoints["source"].inputs["secretsManagerArn"] == DMS_SOURCE_SECRET
    assert task.property_dependencies["sourceEndpointArn"] == [endpoints["source"].urn]
    assert task.property_dependencies["targetEndpointArn"] == [endpoints["target"].urn]
    assert endpoints["target"].property_dependencies["secretsManagerArn"] == [target.urn]
    alarms = {a.inputs["metricName"]: a.inputs for a in p.by_role(Role.REPLICATION_ALARM)}
    assert set(alarms) == {"CDCLatencySource", "CDCLatencyTarget"}
    for a in alarms.values():
        assert a["namespace"] == "AWS/DMS"
        assert a["threshold"] == 900
        assert a["dimensions"]["ReplicationTaskIdentifier"] == "ecommerce-dr-prod-cdc"


def test_dms_task_arn_reaches_the_orchestrators() -> None:
    p = plan("dms")
    (task,) = p.by_type("aws:dms/replicationTask:ReplicationTask")
    arn = "arn:aws:dms:us-west-2:123456789012:task:ecommerce-dr-prod-cdc"
    for role in (Role.FAILOVER_ORCHESTRATOR, Role.BACKUP_ORCHESTRATOR):
        (fn,) = p.by_role(role)
        assert fn.inputs["environment"]["variables"]["DMS_TASK_ARN"] == arn
    assert task.inputs["resourceIdentifier"] == "ecommerce-dr-prod-cdc"


def test_snapshot_restore_runs_no_standby() -> None:
    p = plan("snapshot-restore")
    assert p.by_type(DB) == []
    assert p.by_role(Role.REPLICATION_ALARM) == []
    assert p.outputs["standbyDatabaseEndpoint"] is None
    assert p.outputs["standbyDatabaseIdentifier"] == "shop-standby"
    (fn,) = p.by_role(Role.FAILOVER_ORCHESTRATOR)
    assert fn.inputs["environment"]["variables"]["RESTORE_INSTANCE_CLASS"] == "db.r6g.large"
    names = {a.inputs["name"] for a in p.by_type(ALARM)}
    assert "ecommerce-dr-prod-replica-lag" not in names


def test_standby_networking_follows_config() -> None:
    p = plan(**NETWORKED)
    (standby,) = p.by_role(Role.STANDBY_DATABASE)
    assert standby.inputs["dbSubnetGroupName"] == "dr-private"
    assert standby.inputs["vpcSecurityGroupIds"] == ["sg-0123456789abcdef0"]
    (default,) = plan().by_role(Role.STANDBY_DATABASE)
    assert "dbSubnetGroupName" not in default.inputs
