"""The aurora-global tier under mocks: resources, Regions, providers, options, IAM, outputs,
and no detach or replace when a refresh after a failover or switchover reads what AWS changed.

All variants are recorded in one subprocess (``preview=False``, so outputs resolve): the stack
file ``Pulumi.aurora.yaml`` (Aurora PostgreSQL, managed RPO 20 s), an Aurora MySQL 3.03 variant
(two lag alarms, no managed RPO) and a two-instance variant in other Regions.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from components.standby.aurora_global import CLUSTER_IGNORED, GLOBAL_IGNORED
from contract.names import Role
from engine.paths import ROOT
from engine.plan import Plan, PlannedResource, PlanRequest, record_plans
from tests.program.variants import FUNCTION, ROLE_POLICY, policy_doc

P = "ecommerce-dr"
CFG = yaml.safe_load((ROOT / "Pulumi.aurora.yaml").read_text())["config"]
DB = CFG[f"{P}:database"]
PRIMARY_ARN = DB["primaryClusterArn"]
SECONDARY_ARN = "arn:aws:rds:us-west-2:123456789012:cluster:shop-aurora-usw2"
GLOBAL_ARN = "arn:aws:rds::123456789012:global-cluster:shop-global"
GLOBAL = "aws:rds/globalCluster:GlobalCluster"
CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
PARAMS = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
MYSQL = {f"{P}:database": {**DB, "aurora": {
    **{k: v for k, v in DB["aurora"].items() if k != "managedRpoSeconds"},
    "engine": "aurora-mysql", "engineVersion": "8.0.mysql_aurora.3.03.1"}}}
EU = {f"{P}:primaryRegion": "eu-west-1", f"{P}:standbyRegion": "eu-central-1",
      f"{P}:database": {**DB, "primaryClusterArn": "arn:aws:rds:eu-west-1:123456789012:cluster:shop",
                        "primaryKmsKeyArn": None,
                        "aurora": {"engineVersion": "15.8", "instanceCount": 2}}}
VARIANTS = {"aurora": None, "mysql": MYSQL, "eu": EU}


#: The module's tests run on one xdist worker, so its module-scoped fixtures are built once.
pytestmark = pytest.mark.xdist_group("tests/program/test_aurora_global.py")


@pytest.fixture(scope="module")
def plans() -> dict[str, Plan]:
    cleaned = {k: None if v is None else _drop_none(v) for k, v in VARIANTS.items()}
    results = record_plans([PlanRequest("aurora", preview=False, config_overrides=o)
                            for o in cleaned.values()])
    for r in results:
        if isinstance(r, Exception):
            raise r
    return dict(zip(VARIANTS, results, strict=True))  # type: ignore[arg-type]


def _drop_none(overrides: dict[str, Any]) -> dict[str, Any]:
    return {k: ({x: y for x, y in v.items() if y is not None} if isinstance(v, dict) else v)
            for k, v in overrides.items()}


def one(plan: Plan, type_: str) -> PlannedResource:
    (r,) = plan.by_type(type_)
    return r


def provider_region(plan: Plan, r: PlannedResource) -> str | None:
    return plan.get(r.provider).inputs.get("region") if r.provider else None


# --- resources, Regions, providers ---------------------------------------------------------------

def test_global_cluster_is_built_around_the_existing_primary(plans: dict[str, Plan]) -> None:
    p = plans["aurora"]
    g = one(p, GLOBAL)
    assert g.inputs["sourceDbClusterIdentifier"] == PRIMARY_ARN, g.urn
    assert g.inputs["globalClusterIdentifier"] == "shop-global"
    assert g.inputs["deletionProtection"] is True and g.inputs["forceDestroy"] is False
    # engine and version come from the source cluster, so an upgrade is no diff
    assert "engine" not in g.inputs and "engineVersion" not in g.inputs
    assert (g.region, provider_region(p, g)) == ("us-east-1", "us-east-1")
    assert g.role == Role.GLOBAL_DATABASE


def test_secondary_cluster_in_the_standby_region(plans: dict[str, Plan]) -> None:
    p = plans["aurora"]
    c, g = one(p, CLUSTER), one(p, GLOBAL)
    (key,) = p.by_role(Role.STANDBY_KMS_KEY)
    i = c.inputs
    assert c.region == "us-west-2" and key.region == "us-west-2", c.urn
    assert c.property_dependencies["globalClusterIdentifier"] == [g.urn]
    assert i["globalClusterIdentifier"] == "shop-global"
    assert c.property_dependencies["kmsKeyId"] == [key.urn]   # a key in its own Region
    assert (i["engine"], i["engineVersion"]) == ("aurora-postgresql", "16.4")
    assert i["clusterIdentifier"] == "shop-aurora-usw2"
    assert i["storageEncrypted"] is True and i["deletionProtection"] is True
    assert i["backupRetentionPeriod"] == 7 and i["copyTagsToSnapshot"] is True
    assert i["skipFinalSnapshot"] is False
    assert i["finalSnapshotIdentifier"] == "shop-aurora-usw2-final"
    assert "masterUsername" not in i and "masterPassword" not in i  # a secondary has neither
    assert c.role == Role.STANDBY_DATABASE


def test_instances_class_and_count_from_config(plans: dict[str, Plan]) -> None:
    (one_instance,) = plans["aurora"].by_type(INSTANCE)
    assert one_instance.inputs["instanceClass"] == "db.r6g.large"
    assert one_instance.inputs["identifier"] == "shop-aurora-usw2-1"
    assert one_instance.inputs["publiclyAccessible"] is False
    eu = plans["eu"]
    instances = eu.by_type(INSTANCE)
    cluster = one(eu, CLUSTER)
    # sorted: the two are registered concurrently under mocks, in either order
    assert sorted(r.inputs["identifier"] for r in instances) == ["shop-standby-1", "shop-standby-2"]
    assert all(r.region == "eu-central-1" for r in instances)
    assert all(r.property_dependencies["clusterIdentifier"] == [cluster.urn] for r in instances)
    assert one(eu, GLOBAL).region == "eu-west-1" and cluster.region == "eu-central-1"


def test_parameter_groups_managed_rpo_for_the_primary_default_on_the_secondary(
        plans: dict[str, Plan]) -> None:
    p = plans["aurora"]
    groups = {r.region: r for r in p.by_type(PARAMS)}
    primary, secondary = groups["us-east-1"], groups["us-west-2"]
    assert primary.inputs["family"] == secondary.inputs["family"] == "aurora-postgresql16"
    assert [(x["name"], x["value"]) for x in primary.inputs["parameters"]] == [
        ("rds.global_db_rpo", "20")]
    assert primary.role == Role.MANAGED_RPO_PARAMETERS
    # the secondary keeps the default (a failover would otherwise pause commits) ...
    assert not secondary.inputs.get("parameters")
    assert one(p, CLUSTER).property_dependencies["dbClusterParameterGroupName"] == [secondary.urn]
    # ... and the operator's later setting there is not reverted
    assert secondary.options["ignoreChanges"] == ["parameters"]
    # no managed RPO, no group for the primary
    assert [r.region for r in plans["mysql"].by_type(PARAMS)] == ["us-west-2"]
    assert one(plans["mysql"], PARAMS).inputs["family"] == "aurora-mysql8.0"


def _lag_alarms(plan: Plan) -> dict[str, dict[str, Any]]:
    return {a.inputs["metricName"]: a.inputs for a in plan.by_role(Role.REPLICATION_ALARM)}


def test_rpo_lag_alarm_in_milliseconds_that_can_fire(plans: dict[str, Plan]) -> None:
    (a,) = plans["aurora"].by_role(Role.REPLICATION_ALARM)
    i = a.inputs
    assert (i["namespace"], i["metricName"], i["dimensions"]) == (
        "AWS/RDS", "AuroraGlobalDBRPOLag", {"DBClusterIdentifier": "shop-aurora-usw2"})
    assert i["threshold"] == 10_000           # replicationLagAlarmSeconds 10, in milliseconds
    assert i["treatMissingData"] == "breaching" and i["alarmActions"]
    assert i["comparisonOperator"] == "GreaterThanThreshold" and a.region == "us-west-2"


def test_old_aurora_mysql_watches_replication_lag_too(plans: dict[str, Plan]) -> None:
    alarms = _lag_alarms(plans["mysql"])
    assert set(alarms) == {"AuroraGlobalDBRPOLag", "AuroraGlobalDBReplicationLag"}
    # the one Aurora publishes before 3.04 breaches on missing data; the other cannot
    assert alarms["AuroraGlobalDBReplicationLag"]["treatMissingData"] == "breaching"
    assert alarms["AuroraGlobalDBRPOLag"]["treatMissingData"] == "notBreaching"
    assert {a["threshold"] for a in alarms.values()} == {10_000}


def test_high_resolution_gate_alarm_and_its_period_reach_the_orchestrator(
        plans: dict[str, Plan]) -> None:
    p = plans["aurora"]
    (gate,) = p.by_role(Role.GATE_ALARM)
    assert gate.inputs["period"] == 10 and gate.inputs["evaluationPeriods"] == 1
    (fn,) = p.by_role(Role.FAILOVER_ORCHESTRATOR)
    env = fn.inputs["environment"]["variables"]
    assert env["GATE_PERIOD_SECONDS"] == "10"
    assert env["PRIMARY_DB_ARN"] == PRIMARY_ARN
    assert env["STANDBY_DB_IDENTIFIER"] == "shop-aurora-usw2"
    assert env["GLOBAL_CLUSTER_IDENTIFIER"] == "shop-global"
    assert env["DB_STRATEGY"] == "aurora-global"
    (backup,) = p.by_role(Role.BACKUP_ORCHESTRATOR)
    protected = json.loads(backup.inputs["environment"]["variables"]["PROTECTED_DATABASES"])
    assert protected == [{"primaryArn": PRIMARY_ARN, "standbyIdentifier": "shop-aurora-usw2"}]


def test_outputs(plans: dict[str, Plan]) -> None:
    out = plans["aurora"].outputs
    assert out["databaseStrategy"] == "aurora-global"
    assert out["globalWriterEndpoint"].startswith("shop-global.global-")
    assert out["globalWriterEndpoint"].endswith(".global.rds.amazonaws.com")
    assert out["standbyDatabaseEndpoint"].startswith("shop-aurora-usw2.cluster-ro-")
    assert out["standbyDatabaseEndpoint"].endswith(":5432")
    assert out["standbyDatabaseIdentifier"] == "shop-aurora-usw2"
    assert (out["plannedRtoSeconds"], out["plannedRpoSeconds"]) == (515, 20)
    assert plans["mysql"].outputs["plannedRpoSeconds"] == 10


# --- IAM --------------------------------------------------------------------------------------

def _statements(plan: Plan, function: str) -> dict[str, dict[str, Any]]:
    (pol,) = [x for x in plan.by_type(ROLE_POLICY) if f"{function}-function" in x.name]
    return {s["Sid"]: s for s in policy_doc(pol)["Statement"]}


def test_failover_orchestrator_may_fail_over_and_switch_over_this_global_database_only(
        plans: dict[str, Plan]) -> None:
    st = _statements(plans["aurora"], "failover")
    fo = st["FailOverAndSwitchOver"]
    assert fo["Action"] == ["rds:FailoverGlobalCluster", "rds:SwitchoverGlobalCluster"]
    assert fo["Resource"] == [GLOBAL_ARN, PRIMARY_ARN, SECONDARY_ARN]
    assert st["ReadGlobalDatabase"]["Action"] == ["rds:DescribeGlobalClusters",
                                                  "rds:DescribeDBClusters"]
    assert not any("PromoteReadReplica" in json.dumps(s) for s in st.values())


def test_backup_orchestrator_snapshots_clusters_and_prunes_only_its_own(
        plans: dict[str, Plan]) -> None:
    st = _statements(plans["aurora"], "backup")
    snaps = {r: f"arn:aws:rds:{r}:123456789012:cluster-snapshot:*" for r in ("us-east-1", "us-west-2")}
    assert st["SnapshotClusterPrimaries"]["Action"] == ["rds:CreateDBClusterSnapshot",
                                                        "rds:AddTagsToResource"]
    assert st["SnapshotClusterPrimaries"]["Resource"] == [PRIMARY_ARN, snaps["us-east-1"]]
    assert st["CopyClusterToStandby"]["Action"] == ["rds:CopyDBClusterSnapshot",
                                                    "rds:AddTagsToResource"]
    prune = st["PruneOwnClusterSnapshotsOnly"]
    assert prune["Action"] == ["rds:DeleteDBClusterSnapshot"]
    assert prune["Condition"] == {"StringEquals": {
        "rds:cluster-snapshot-tag/managed-by": "ecommerce-dr/aurora"}}
    # no instance primaries: no DB snapshot statements
    assert "SnapshotPrimaries" not in st and "PruneOwnSnapshotsOnly" not in st
    assert st["SnapshotStandbyCluster"]["Resource"] == [SECONDARY_ARN, snaps["us-west-2"]]


# --- options: a refresh after failover or switchover detaches and replaces nothing ------------

def test_clusters_are_protected_and_kept_and_pinned(plans: dict[str, Plan]) -> None:
    p = plans["aurora"]
    for r in (one(p, GLOBAL), one(p, CLUSTER)):
        assert r.options["protect"] is True and r.options["retainOnDelete"] is True, r.urn
    assert one(p, GLOBAL).options["ignoreChanges"] == GLOBAL_IGNORED
    assert one(p, CLUSTER).options["ignoreChanges"] == CLUSTER_IGNORED
    assert {"sourceDbClusterIdentifier"} <= set(GLOBAL_IGNORED)
    assert {"globalClusterIdentifier", "replicationSourceIdentifier"} <= set(CLUSTER_IGNORED)
    # instances hold no data (the cluster volume does): replaceable, so not protected
    assert one(p, INSTANCE).options == {"ignoreChanges": ["engineVersion"]}
    # and resources without options record none
    assert {json.dumps(f.options) for f in p.by_type(FUNCTION)} == {"{}"}


#: What a refresh reads from AWS after a managed failover to the secondary (or a switchover):
#: the global cluster's writer - the provider's source cluster - is the secondary; the old
#: primary rejoined as a secondary; Aurora upgraded the minor version with the global database;
#: the promoted cluster reports the master user it inherited. While the old primary is away the
#: secondary's membership may read back empty.
def _refreshed_global(inputs: dict[str, Any]) -> dict[str, Any]:
    return {**inputs, "sourceDbClusterIdentifier": SECONDARY_ARN, "engine": "aurora-postgresql",
            "engineVersion": "16.6"}


def _refreshed_cluster(inputs: dict[str, Any]) -> dict[str, Any]:
    return {**inputs, "globalClusterIdentifier": "", "replicationSourceIdentifier": PRIMARY_ARN,
            "engineVersion": "16.6", "masterUsername": "postgres", "databaseName": "shop"}


#: Arguments whose change replaces the resource (ForceNew in the provider's schema):
#: a diff on any of them after a refresh would mean "delete the cluster and make a new one".
REPLACE_ON = {GLOBAL: {"sourceDbClusterIdentifier", "globalClusterIdentifier", "engine",
                       "databaseName", "storageEncrypted"},
              CLUSTER: {"clusterIdentifier", "engine", "kmsKeyId", "storageEncrypted",
                        "databaseName", "masterUsername", "globalClusterIdentifier"}}


def diff_after_refresh(program: dict[str, Any], refreshed: dict[str, Any],
                       ignored: list[str]) -> set[str]:
    """The properties a ``pulumi up`` after the refresh would change, as the engine computes
    them: an ignored property takes the refreshed value; the rest are the program's."""
    planned = {**program, **{k: refreshed[k] for k in ignored if k in refreshed}}
    planned = {k: v for k, v in planned.items() if k != "tags" and v not in (None, "", [])}
    state = {k: v for k, v in refreshed.items() if k != "tags" and v not in (None, "", [])}
    return {k for k in set(planned) | set(state) if planned.get(k) != state.get(k)
            and not (k not in program and k in state)}  # outputs the program never set


@pytest.mark.parametrize(("type_", "refresh", "ignored"), [
    (GLOBAL, _refreshed_global, GLOBAL_IGNORED),
    (CLUSTER, _refreshed_cluster, CLUSTER_IGNORED),
])
def test_refresh_after_failover_shows_no_diff(plans: dict[str, Plan], type_: str, refresh: Any,
                                              ignored: list[str]) -> None:
    r = one(plans["aurora"], type_)
    program = dict(r.inputs)
    assert r.options["ignoreChanges"] == ignored
    assert diff_after_refresh(program, refresh(program), ignored) == set()
    # ...while without the pins the same refresh changes a replacing argument (the test bites)
    unpinned = diff_after_refresh(program, refresh(program), [])
    assert unpinned & REPLACE_ON[type_], unpinned
