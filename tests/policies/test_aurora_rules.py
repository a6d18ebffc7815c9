"""The Aurora rules (policies/rules/aurora.py) and the aurora-global RTO/RPO terms: each case
changes one thing in a valid Aurora Global Database stack and asserts the exact violation; a
passing case sits next to every failing one."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from pulumi_policy import PolicyResourceOptions
from pulumi_policy.policy import PolicyCustomTimeouts

from contract.env import Env
from contract.names import ROLE_TAG, Role
from engine.pack import Resource
from policies.rules import aurora, recovery
from tests.policies.helpers import (
    PRIMARY,
    STANDBY,
    STEP_BUDGETS,
    UNKNOWN,
    dr_stack,
    provider,
    run_resource,
    run_stack,
    urn,
)

GLOBAL = "aws:rds/globalCluster:GlobalCluster"
CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
PARAMS = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
KEY = "aws:kms/key:Key"
SOURCE = "arn:aws:rds:us-east-1:123456789012:cluster:shop-aurora"
PINS = ["globalClusterIdentifier", "replicationSourceIdentifier"]
CLUSTER_PROPS: dict[str, Any] = {
    "clusterIdentifier": "shop-aurora-usw2", "engine": "aurora-postgresql",
    "globalClusterIdentifier": "shop-global", "storageEncrypted": True, "kmsKeyId": UNKNOWN,
    "deletionProtection": True, "backupRetentionPeriod": 7, "skipFinalSnapshot": False,
    "finalSnapshotIdentifier": "shop-aurora-usw2-final",
    "tags": {ROLE_TAG: str(Role.STANDBY_DATABASE)}}


def _opts(protect: bool = False, ignore: list[str] | None = None) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, ignore or [], None, [], PolicyCustomTimeouts(0, 0, 0),
                                 [], None)


# --- aurora-cluster-durable ---------------------------------------------------------------

@pytest.mark.parametrize(("change", "message"), [
    ({}, None),
    ({"storageEncrypted": False},
     "Aurora cluster must have storage encryption enabled (storageEncrypted: true)."),
    ({"deletionProtection": None}, "Aurora cluster must have deletionProtection enabled."),
    ({"backupRetentionPeriod": 0}, "Aurora cluster must retain automated backups for at least "
                                   "1 day(s) (backupRetentionPeriod), got 0."),
    ({"skipFinalSnapshot": True}, "Aurora cluster must take a final snapshot when deleted "
                                  "(skipFinalSnapshot false, with a finalSnapshotIdentifier)."),
])
def test_cluster_durable(change: dict[str, Any], message: str | None) -> None:
    props = {k: v for k, v in {**CLUSTER_PROPS, **change}.items() if v is not None}
    out = run_resource(aurora.cluster_durable(), CLUSTER, props)
    assert out.violations == ([] if message is None else [message])


# --- aurora-global-database-protected ------------------------------------------------------

def _global_args(props: dict[str, Any], opts: PolicyResourceOptions) -> Any:
    from pulumi_policy import PolicyProviderResource, ResourceValidationArgs
    from pulumi_policy.proxy import unknown_checking_proxy

    prov = PolicyProviderResource("pulumi:providers:aws", unknown_checking_proxy({"region": PRIMARY}),
                                  urn("pulumi:providers:aws", PRIMARY), PRIMARY)
    return ResourceValidationArgs(GLOBAL, unknown_checking_proxy(props), urn(GLOBAL, "g"), "g",
                                  opts, prov, None)


@pytest.mark.parametrize(("props", "opts", "messages"), [
    ({"deletionProtection": True, "sourceDbClusterIdentifier": SOURCE},
     _opts(True, ["sourceDbClusterIdentifier"]), []),
    ({"deletionProtection": False, "sourceDbClusterIdentifier": SOURCE},
     _opts(True, ["sourceDbClusterIdentifier"]),
     ["Aurora global database must have deletionProtection enabled."]),
    ({"deletionProtection": True, "sourceDbClusterIdentifier": SOURCE},
     _opts(False, ["sourceDbClusterIdentifier"]),
     ["Aurora global database must be declared with protect: true; no deploy may delete the "
      "database that holds the data."]),
    ({"deletionProtection": True, "sourceDbClusterIdentifier": "shop-aurora"},
     _opts(True, ["sourceDbClusterIdentifier"]),
     ["Aurora global database must name its source cluster by ARN "
      "(arn:aws:rds:<region>:<account>:cluster:<id>), got 'shop-aurora'."]),
    ({"deletionProtection": True, "sourceDbClusterIdentifier": SOURCE}, _opts(True),
     ["Aurora global database must ignore changes to sourceDbClusterIdentifier: AWS moves the "
      "writer at failover, and a refresh after a failover or switchover would detach or replace "
      "it (hashicorp/terraform-provider-aws#28746)."]),
])
def test_global_database_protected(props: dict[str, Any], opts: PolicyResourceOptions,
                                   messages: list[str]) -> None:
    got: list[str] = []
    aurora.global_database_protected().validate(  # type: ignore[attr-defined]
        _global_args(props, opts), lambda m, urn=None: got.append(m))
    assert got == messages


# --- aurora-secondary-cluster --------------------------------------------------------------

def aurora_stack(*, cluster: dict[str, Any] | None = None, key_region: str = STANDBY,
                 cluster_region: str = STANDBY, instance: bool = True, protect: bool = True,
                 ignore: list[str] | None = None, secondary_rpo: bool = False,
                 source: str = SOURCE, depend_on_global: bool = True) -> list[Resource]:
    key = Resource(urn=urn(KEY, "standby-key"), type=KEY, name="standby-key",
                   inputs={"enableKeyRotation": True}, provider=provider(key_region))
    glob = Resource(urn=urn(GLOBAL, "global"), type=GLOBAL, name="global",
                    inputs={"globalClusterIdentifier": "shop-global", "deletionProtection": True,
                            "sourceDbClusterIdentifier": source},
                    provider=provider(PRIMARY),
                    options={"protect": True, "ignoreChanges": ["sourceDbClusterIdentifier"]})
    params = Resource(urn=urn(PARAMS, "secondary-params"), type=PARAMS, name="secondary-params",
                      inputs={"family": "aurora-postgresql16", "parameters": [
                          {"name": "rds.global_db_rpo", "value": "20"}] if secondary_rpo else []},
                      provider=provider(cluster_region))
    props = copy.deepcopy(cluster if cluster is not None else CLUSTER_PROPS)
    c = Resource(urn=urn(CLUSTER, "secondary"), type=CLUSTER, name="secondary", inputs=props,
                 provider=provider(cluster_region),
                 options={"protect": protect, "ignoreChanges": PINS if ignore is None else ignore})
    c.property_dependencies = {"kmsKeyId": [key.urn], "dbClusterParameterGroupName": [params.urn],
                               **({"globalClusterIdentifier": [glob.urn]} if depend_on_global else {})}
    out = [key, glob, params, c]
    if instance:
        i = Resource(urn=urn(INSTANCE, "secondary-1"), type=INSTANCE, name="secondary-1",
                     inputs={"instanceClass": "db.r6g.large", "clusterIdentifier": UNKNOWN},
                     provider=provider(cluster_region))
        i.property_dependencies = {"clusterIdentifier": [c.urn]}
        out.append(i)
    return out


def secondary(**kw: Any) -> list[str]:
    return run_stack(aurora.secondary_cluster(), aurora_stack(**kw)).messages


def test_a_well_formed_secondary_passes() -> None:
    assert secondary() == []
    # ...also found by identifier when the dependency is not recorded
    assert secondary(depend_on_global=False) == []


@pytest.mark.parametrize(("kw", "message"), [
    ({"cluster": {**CLUSTER_PROPS, "globalClusterIdentifier": "other-global"},
      "depend_on_global": False},
     "Aurora secondary cluster must join a global database this stack declares "
     "(globalClusterIdentifier of an aws.rds.GlobalCluster); none matches."),
    ({"cluster_region": PRIMARY, "key_region": PRIMARY},
     "Aurora secondary cluster is in us-east-1, the primary cluster's Region; a standby for a "
     "Region failure must be in another Region."),
    ({"key_region": PRIMARY},
     "Aurora secondary cluster's KMS key is in us-east-1, but the cluster is in us-west-2; the "
     "key must live in the cluster's Region."),
    ({"instance": False},
     "Aurora secondary cluster has no aws.rds.ClusterInstance: a headless secondary cannot be "
     "promoted until an instance is added."),
    ({"protect": False},
     "Aurora secondary cluster must be declared with protect: true; after a failover it is the "
     "primary, and no deploy may delete it."),
    ({"ignore": ["globalClusterIdentifier"]},
     "Aurora secondary cluster must ignore changes to replicationSourceIdentifier: AWS changes "
     "them at failover, switchover and rejoin, and a refresh after a failover or switchover "
     "would detach or replace it (hashicorp/terraform-provider-aws#28746)."),
    ({"secondary_rpo": True},
     "Aurora secondary cluster's parameter group sets rds.global_db_rpo; with two Regions keep "
     "its default there, or after a failover the new primary may pause commits (set it on the "
     "primary's group)."),
])
def test_secondary_violations(kw: dict[str, Any], message: str) -> None:
    assert secondary(**kw) == [message]


def test_a_secondary_without_a_key_is_refused() -> None:
    props = {k: v for k, v in CLUSTER_PROPS.items() if k != "kmsKeyId"}
    stack = aurora_stack(cluster=props)
    stack[3].property_dependencies.pop("kmsKeyId")
    assert run_stack(aurora.secondary_cluster(), stack).messages == [
        "Aurora secondary cluster must set kmsKeyId to a KMS key in its own Region (us-west-2); "
        "an encrypted global database cannot add it otherwise."]


def test_a_standalone_cluster_is_not_a_secondary() -> None:
    props = {k: v for k, v in CLUSTER_PROPS.items() if k != "globalClusterIdentifier"}
    stack = aurora_stack(cluster=props, depend_on_global=False, instance=False, protect=False)
    assert run_stack(aurora.secondary_cluster(), stack).messages == []


# --- the RTO/RPO of the tier --------------------------------------------------------------

def _aurora_dr_stack(*, managed_rpo: str | None = "20", alarm: dict[str, Any] | None = None
                     ) -> list[Resource]:
    """The helpers' valid DR stack switched to aurora-global: the orchestrator's strategy,
    the RPO-lag alarm (milliseconds) and, when ``managed_rpo``, the primary's parameter group."""
    variables = {Env.PRIMARY_REGION: PRIMARY, Env.STANDBY_REGION: STANDBY,
                 Env.DB_STRATEGY: "aurora-global",
                 Env.STEP_BUDGETS_SECONDS: json.dumps(STEP_BUDGETS),
                 Env.PROMOTION_SECONDS: "300", Env.RPO_SECONDS: "3600",
                 Env.CONSECUTIVE_FAILURES: "3", Env.PROBE_TIMEOUT_SECONDS: "5",
                 Env.ALERT_TOPIC_ARNS: UNKNOWN}
    lag = {"metricName": "AuroraGlobalDBRPOLag", "threshold": 10_000, **(alarm or {})}
    stack = dr_stack(**{"failover-orchestrator": {"environment": {"variables": variables}},
                        "replication-alarm": lag, "standby-database": None})
    if managed_rpo is not None:
        stack.append(Resource(
            urn=urn(PARAMS, "managed-rpo"), type=PARAMS, name="managed-rpo",
            inputs={"family": "aurora-postgresql16",
                    "parameters": [{"name": "rds.global_db_rpo", "value": managed_rpo}],
                    "tags": {ROLE_TAG: str(Role.MANAGED_RPO_PARAMETERS)}},
            provider=provider(PRIMARY)))
    return stack


DEFAULTS = {s.name: s.default for s in recovery.OBJECTIVE_SETTINGS}


def _rpo(stack: list[Resource]) -> Any:
    from engine.pack import policy_resources

    return recovery.objectives(policy_resources(stack), DEFAULTS)


def test_rpo_is_the_managed_rpo_when_declared() -> None:
    found = _rpo(_aurora_dr_stack())
    assert found.missing == []
    assert [(t.name, t.seconds) for t in found.rpo.terms] == [
        ("managed RPO (rds.global_db_rpo)", 20.0)]
    assert [t.seconds for t in found.rto.terms if t.name.startswith("promotion")] == [300.0]


def test_rpo_is_the_alarm_threshold_in_seconds_otherwise() -> None:
    found = _rpo(_aurora_dr_stack(managed_rpo=None))
    assert [(t.name, t.seconds) for t in found.rpo.terms] == [
        ("replication alarm threshold (AuroraGlobalDBRPOLag/AuroraGlobalDBReplicationLag)", 10.0)]


def test_a_managed_rpo_outside_what_aurora_accepts_is_a_violation() -> None:
    found = _rpo(_aurora_dr_stack(managed_rpo="5"))
    assert found.missing == [(
        "rds.global_db_rpo is '5'; Aurora accepts an integer 20-2147483647, seconds, so this "
        "parameter group cannot bound the RPO.", urn(PARAMS, "managed-rpo"))]
    # ...and the RPO falls back to the alarm threshold
    assert [t.seconds for t in found.rpo.terms] == [10.0]


def test_an_rpo_lag_alarm_that_cannot_fire_is_a_violation_even_with_a_managed_rpo() -> None:
    found = _rpo(_aurora_dr_stack(alarm={"actionsEnabled": False}))
    assert found.rpo is None
    assert found.missing == [(
        "Replication alarm has actionsEnabled false, so it notifies no one when the lag passes "
        "its threshold; the RPO it bounds goes unwatched.", urn(
            "aws:cloudwatch/metricAlarm:MetricAlarm", "replication-alarm"))]
