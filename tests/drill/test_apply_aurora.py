"""The Aurora appliers on moto: the global database around the site's primary cluster, a
secondary cluster in the standby Region whose references (global database, KMS key,
parameter group) hold mock ids under preview and are taken from what was applied."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws

from drill.apply import ApplyContext, Deployment, apply_plan
from drill.apply.aurora import CLUSTER, CLUSTER_INSTANCE, GLOBAL_CLUSTER, PARAMETER_GROUP
from emulator.bridges import aurora_global
from emulator.clients import session_clients
from emulator.site import SiteBuilder
from engine.mocks import UNKNOWN
from engine.plan import PlannedResource

MOCK_ID = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"   # what the mocks give every id under preview
KEY = "aws:kms/key:Key"


def _r(name: str, type_: str, region: str, inputs: dict[str, Any],
       deps: dict[str, list[str]] | None = None) -> PlannedResource:
    return PlannedResource(urn=name, type=type_, name=name, custom=True, parent=None,
                           provider=None, region=region, inputs=inputs,
                           property_dependencies=deps or {})


def _plan(primary_arn: str) -> list[PlannedResource]:
    tags = {"dr:role": "standby-database"}
    return [
        _r("key", KEY, "us-west-2", {"description": "standby"}),
        _r("global", GLOBAL_CLUSTER, "us-east-1", {
            "sourceDbClusterIdentifier": primary_arn, "globalClusterIdentifier": "shop-global",
            "deletionProtection": True}),
        _r("params", PARAMETER_GROUP, "us-west-2", {
            "family": "aurora-postgresql16", "name": "shop-secondary", "description": "d"}),
        _r("rpo", PARAMETER_GROUP, "us-east-1", {
            "family": "aurora-postgresql16", "name": "shop-managed-rpo", "description": "d",
            "parameters": [{"name": "rds.global_db_rpo", "value": "20", "applyMethod": "immediate"}]}),
        _r("secondary", CLUSTER, "us-west-2", {
            "clusterIdentifier": "shop-aurora-usw2", "engine": "aurora-postgresql",
            "engineVersion": "16.4", "storageEncrypted": True, "backupRetentionPeriod": 7,
            "kmsKeyId": MOCK_ID, "globalClusterIdentifier": MOCK_ID,
            "dbClusterParameterGroupName": "shop-secondary", "deletionProtection": True,
            "tags": tags},
           {"kmsKeyId": ["key"], "globalClusterIdentifier": ["global"],
            "dbClusterParameterGroupName": ["params"]}),
        _r("instance", CLUSTER_INSTANCE, "us-west-2", {
            "identifier": "shop-aurora-usw2-1", "clusterIdentifier": MOCK_ID,
            "instanceClass": "db.r6g.large", "engine": "aurora-postgresql", "promotionTier": 0},
           {"clusterIdentifier": ["secondary"]}),
    ]


@pytest.fixture
def applied() -> Any:
    with mock_aws(), aurora_global():
        site = SiteBuilder(session_clients())
        primary = site.aurora_cluster("shop-aurora", kms_key_arn=site.kms_key(region="us-east-1"))
        ctx = ApplyContext(client=session_clients(), site=None, deployment=Deployment(),  # type: ignore[arg-type]
                           env_substitute=lambda k, v: None, primary_region="us-east-1",
                           standby_region="us-west-2")
        d = apply_plan(_plan(primary.arn), ctx)
        yield d, primary


def test_the_secondary_joins_the_global_database_with_the_applied_key(applied: Any) -> None:
    d, primary = applied
    assert d.failed == [] and d.skipped == []
    rds = boto3.client("rds", region_name="us-west-2")
    (c,) = rds.describe_db_clusters(DBClusterIdentifier="shop-aurora-usw2")["DBClusters"]
    assert c["KmsKeyId"] == d.applied["key"].arn
    assert c["DBClusterParameterGroup"] == "shop-secondary"
    (g,) = [x for x in rds.describe_global_clusters()["GlobalClusters"]
            if x["GlobalClusterIdentifier"] == "shop-global"]
    members = {m["DBClusterArn"]: m["IsWriter"] for m in g["GlobalClusterMembers"]}
    assert members == {primary.arn: True, c["DBClusterArn"]: False}
    subs = {x["property"]: x["value"] for x in d.substituted}
    assert subs["globalClusterIdentifier"] == "shop-global"
    assert subs["clusterIdentifier"] == "shop-aurora-usw2"
    assert subs.get("kmsKeyId", d.applied["key"].arn) == d.applied["key"].arn
    (inst,) = rds.describe_db_instances(DBInstanceIdentifier="shop-aurora-usw2-1")["DBInstances"]
    assert inst["DBClusterIdentifier"] == "shop-aurora-usw2"


def test_the_managed_rpo_parameter_group_holds_its_parameter(applied: Any) -> None:
    rds = boto3.client("rds", region_name="us-east-1")
    params = rds.describe_db_cluster_parameters(
        DBClusterParameterGroupName="shop-managed-rpo")["Parameters"]
    assert {p["ParameterName"]: p["ParameterValue"] for p in params} == {"rds.global_db_rpo": "20"}


def test_a_global_database_without_a_known_source_is_skipped_with_the_reason() -> None:
    with mock_aws():
        ctx = ApplyContext(client=session_clients(), site=None, deployment=Deployment(),  # type: ignore[arg-type]
                           env_substitute=lambda k, v: None, primary_region="us-east-1",
                           standby_region="us-west-2")
        d = apply_plan([_r("global", GLOBAL_CLUSTER, "us-east-1", {
            "sourceDbClusterIdentifier": UNKNOWN, "globalClusterIdentifier": "g"})], ctx)
    assert d.applied == {} and d.failed == []
    assert [s["reason"].split(":")[0] for s in d.skipped] == ["sourceDbClusterIdentifier unknown"]
