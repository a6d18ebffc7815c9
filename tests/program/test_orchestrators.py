"""The failover and backup orchestrators: functions, env, triggers, least-privilege IAM."""

from __future__ import annotations

import json

import pytest

from contract.env import BackupEnv, CommonEnv, Env, FailoverEnv
from contract.names import Role
from engine.plan import UNKNOWN
from handlers.backup.settings import BackupSettings
from handlers.failover.settings import load_settings as load_failover_settings
from tests.program.test_phases import in_phase
from tests.program.variants import (
    BUS,
    CUSTOM,
    FUNCTION,
    ROLE_POLICY,
    RULE,
    STANDBY_US_EAST_1,
    STRATEGIES,
    TARGET,
    all_variants,
    plan,
    policy_doc,
)

LAYER = ("arn:aws:lambda:us-west-2:017000801446:layer:"
         "AWSLambdaPowertoolsPythonV3-python312-x86_64:27")
#: Actions AWS offers no resource-level permission for; "*" resources are allowed for them only.
#: dms:DescribeEndpoints (read only): endpoint ARNs end with an id DMS draws at creation.
RESOURCE_STAR_OK = {"cloudwatch:PutMetricData", "cloudwatch:GetMetricStatistics",
                    "cloudwatch:GetMetricData", "cloudwatch:ListMetrics",
                    "xray:PutTraceSegments", "xray:PutTelemetryRecords", "dms:DescribeEndpoints"}

#: The strategies whose standby is an RDS DB instance (or none).
INSTANCE_STRATEGIES = [s for s in STRATEGIES if s != "aurora-global"]


def env_of(p, role):
    (fn,) = p.by_role(role)
    return fn.inputs["environment"]["variables"]


def test_env_groups_cover_the_whole_contract() -> None:
    assert set(FailoverEnv.names()) | set(BackupEnv.names()) == set(Env)
    assert set(FailoverEnv.names()) & set(BackupEnv.names()) == set(CommonEnv.names())


@pytest.mark.parametrize(("strategy", "mode"), all_variants())
def test_failover_function_env_parses_with_the_handler_settings(strategy: str, mode: str) -> None:
    p = plan(strategy, mode)
    env = env_of(p, Role.FAILOVER_ORCHESTRATOR)
    assert {k for k in env if not k.startswith("POWERTOOLS_")} == {str(k) for k in FailoverEnv.names()}
    s = load_failover_settings(env)
    assert (s.db_strategy, s.failover_mode, s.standby_region) == (strategy, mode, "us-west-2")
    assert s.primary_health_url == "https://shop-use1.example.com/health"
    assert s.state_table_name == p.outputs["failoverStateTableName"]
    assert s.gate_alarm_name == p.outputs["failoverGateAlarmName"]
    assert s.alert_topic_arns == p.outputs["alertTopicArns"]
    assert s.probe_window_seconds == 4 * 60   # rate 1 min x (K=3 + 1)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_backup_function_env_parses_with_the_handler_settings(strategy: str) -> None:
    p = plan(strategy)
    env = env_of(p, Role.BACKUP_ORCHESTRATOR)
    assert {k for k in env if not k.startswith("POWERTOOLS_")} == {str(k) for k in BackupEnv.names()}
    s = BackupSettings.parse(env)
    assert s.metadata_bucket == p.outputs["metadataBucketName"]
    assert (s.cadence_minutes, s.retention_hours, s.keep_newest, s.snapshot_quota) == (
        60, 24, 3, 100)
    (db,) = s.protected_databases
    kind = "cluster" if strategy == "aurora-global" else "db"
    assert db.primary_arn == f"arn:aws:rds:us-east-1:123456789012:{kind}:shop-primary"
    assert db.is_cluster == (strategy == "aurora-global")
    assert db.standby_identifier == (None if strategy == "snapshot-restore" else "shop-standby")


def test_keep_newest_default_reaches_the_backup_function() -> None:
    # The CUSTOM variant's backup section omits keepNewest: the documented default (3) must be
    # what the function runs with, as the handler parses it.
    assert "keepNewest" not in CUSTOM["backup"]
    env = env_of(plan(**CUSTOM), Role.BACKUP_ORCHESTRATOR)
    assert env[Env.KEEP_NEWEST] == "3"
    assert BackupSettings.parse(env).keep_newest == 3


def test_env_values_are_plain_strings_known_during_preview() -> None:
    p = plan(preview=True)
    env = env_of(p, Role.FAILOVER_ORCHESTRATOR)
    assert all(isinstance(v, str) for v in env.values())
    unknown = {k for k, v in env.items() if v == UNKNOWN}
    assert unknown == {"STANDBY_KMS_KEY_ARN"}   # a key's ARN holds a random id
    assert json.loads(env["STEP_BUDGETS_SECONDS"])["promote"] == 120
    assert json.loads(env["ALERT_TOPIC_ARNS"]) == {
        "us-east-1": "arn:aws:sns:us-east-1:123456789012:ecommerce-dr-prod-alerts",
        "us-west-2": "arn:aws:sns:us-west-2:123456789012:ecommerce-dr-prod-alerts"}
    assert {k for k, v in env_of(p, Role.BACKUP_ORCHESTRATOR).items() if v == UNKNOWN} == {
        "STANDBY_KMS_KEY_ARN"}


@pytest.mark.parametrize(("role", "handler"), [
    (Role.FAILOVER_ORCHESTRATOR, "handlers.failover.app.handler"),
    (Role.BACKUP_ORCHESTRATOR, "handlers.backup.app.handler")])
def test_function_shape(role: Role, handler: str) -> None:
    (fn,) = plan().by_role(role)
    i = fn.inputs
    assert fn.region == "us-west-2"
    assert (i["runtime"], i["handler"], i["timeout"]) == ("python3.12", handler, 900)
    assert i["layers"] == [LAYER]
    assert i["tracingConfig"] == {"mode": "Active"}
    assets = i["code"]["assets"]
    assert set(assets) == {"handlers", "contract", "rto_rpo"}


def test_watchdog_schedule_and_backup_schedule() -> None:
    p = plan()
    (watchdog,) = p.by_role(Role.WATCHDOG_SCHEDULE)
    (backup,) = p.by_role(Role.BACKUP_SCHEDULE)
    assert watchdog.inputs["scheduleExpression"] == "rate(1 minute)"
    assert backup.inputs["scheduleExpression"] == "rate(60 minutes)"
    p5 = plan(**CUSTOM)
    assert p5.by_role(Role.WATCHDOG_SCHEDULE)[0].inputs["scheduleExpression"] == "rate(5 minutes)"
    assert p5.by_role(Role.BACKUP_SCHEDULE)[0].inputs["scheduleExpression"] == "rate(15 minutes)"


def targets_of(p, rule) -> list:
    return [t for t in p.by_type(TARGET) if t.property_dependencies.get("rule") == [rule.urn]]


def test_schedules_invoke_their_functions() -> None:
    p = plan()
    for sched_role, fn_role in ((Role.WATCHDOG_SCHEDULE, Role.FAILOVER_ORCHESTRATOR),
                                (Role.BACKUP_SCHEDULE, Role.BACKUP_ORCHESTRATOR)):
        (rule,) = p.by_role(sched_role)
        (fn,) = p.by_role(fn_role)
        (target,) = targets_of(p, rule)
        assert target.property_dependencies["arn"] == [fn.urn]
        perms = [x for x in p.by_type("aws:lambda/permission:Permission")
                 if x.property_dependencies.get("sourceArn") == [rule.urn]]
        assert len(perms) == 1 and perms[0].inputs["principal"] == "events.amazonaws.com"


def test_health_alarm_is_forwarded_to_a_standby_bus_that_invokes_the_orchestrator() -> None:
    p = plan()
    (fwd,) = p.by_role(Role.ALARM_FORWARDER)
    (fn,) = p.by_role(Role.FAILOVER_ORCHESTRATOR)
    (bus,) = p.by_type(BUS)
    pattern = json.loads(fwd.inputs["eventPattern"])
    assert pattern["detail-type"] == ["CloudWatch Alarm State Change"]
    assert pattern["detail"]["alarmName"] == [p.outputs["healthAlarmName"]]
    assert fwd.region == "us-east-1" and bus.region == "us-west-2"
    (to_bus,) = targets_of(p, fwd)
    assert to_bus.region == "us-east-1"
    assert to_bus.property_dependencies["arn"] == [bus.urn]
    assert to_bus.property_dependencies["roleArn"], "cross-Region delivery needs a role"
    (on_bus,) = [r for r in p.by_type(RULE) if r.property_dependencies.get("eventBusName")]
    assert on_bus.region == "us-west-2" and json.loads(on_bus.inputs["eventPattern"]) == pattern
    (to_fn,) = targets_of(p, on_bus)
    assert to_fn.property_dependencies["arn"] == [fn.urn]


def test_alarm_rule_invokes_the_function_directly_when_the_standby_is_us_east_1() -> None:
    p = plan(**STANDBY_US_EAST_1)
    assert p.by_type(BUS) == []
    (fwd,) = p.by_role(Role.ALARM_FORWARDER)
    (fn,) = p.by_role(Role.FAILOVER_ORCHESTRATOR)
    (target,) = targets_of(p, fwd)
    assert target.property_dependencies["arn"] == [fn.urn]


@pytest.mark.parametrize(("strategy", "mode"), all_variants())
def test_iam_names_every_action_and_resource(strategy: str, mode: str) -> None:
    p = plan(strategy, mode)
    policies = p.by_type(ROLE_POLICY)
    assert len(policies) >= 3
    for pol in policies:
        for st in policy_doc(pol)["Statement"]:
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            assert actions, pol.urn
            for a in actions:
                assert "*" not in a, f"{pol.urn}: wildcard action {a}"
            resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
            if "*" in resources:
                assert set(actions) <= RESOURCE_STAR_OK, f"{pol.urn}: {actions} on '*'"


def test_iam_policies_are_known_during_preview_except_the_dms_secret_role() -> None:
    for strategy in ("read-replica", "snapshot-restore"):
        for pol in plan(strategy, preview=True).by_type(ROLE_POLICY):
            assert UNKNOWN not in pol.inputs["policy"], pol.urn


def test_orchestrator_iam_matches_the_strategy() -> None:
    def actions(p, name_part):
        (pol,) = [x for x in p.by_type(ROLE_POLICY) if name_part in x.name]
        return {a for st in policy_doc(pol)["Statement"] for a in st["Action"]}

    replica, dms, restore = plan("read-replica"), plan("dms"), plan("snapshot-restore")
    assert "rds:PromoteReadReplica" in actions(replica, "failover-function")
    assert "rds:PromoteReadReplica" not in actions(dms, "failover-function")
    assert "dms:StopReplicationTask" in actions(dms, "failover-function")
    assert "rds:RestoreDBInstanceFromDBSnapshot" in actions(restore, "failover-function")
    assert "rds:RestoreDBInstanceFromDBSnapshot" not in actions(replica, "failover-function")
    assert {"rds:CreateDBSnapshot", "rds:CopyDBSnapshot", "rds:DeleteDBSnapshot"} <= actions(
        replica, "backup-function")


def test_backup_may_delete_only_snapshots_it_tagged() -> None:
    (pol,) = [x for x in plan().by_type(ROLE_POLICY) if "backup-function" in x.name]
    (st,) = [s for s in policy_doc(pol)["Statement"] if "rds:DeleteDBSnapshot" in s["Action"]]
    assert st["Action"] == ["rds:DeleteDBSnapshot"]
    assert st["Condition"] == {"StringEquals": {"rds:snapshot-tag/managed-by": "ecommerce-dr/prod"}}


def test_error_alarms_watch_each_function() -> None:
    p = plan()
    alarms = {a.inputs["dimensions"].get("FunctionName"): a.inputs
              for a in p.by_type("aws:cloudwatch/metricAlarm:MetricAlarm")
              if a.inputs["namespace"] == "AWS/Lambda"}
    assert set(alarms) == {f.inputs["name"] for f in p.by_type(FUNCTION)}
    for a in alarms.values():
        assert a["metricName"] == "Errors" and a["alarmActions"]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_failover_needs_no_route53_api_call(strategy: str) -> None:
    # Traffic moves through the gate's metric (data plane); the Route 53 API runs only in
    # us-east-1 and may be impaired exactly when failover is needed.
    (pol,) = [x for x in plan(strategy).by_type(ROLE_POLICY) if "failover-function" in x.name]
    actions = {a for st in policy_doc(pol)["Statement"] for a in st["Action"]}
    assert not {a for a in actions if a.startswith("route53")}
    assert "cloudwatch:PutMetricData" in actions


def _backup_statements(p):
    (pol,) = [x for x in p.by_type(ROLE_POLICY) if "backup-function" in x.name]
    return {st["Sid"]: st for st in policy_doc(pol)["Statement"]}


def test_backup_may_use_the_primary_key_for_encrypted_copies_when_configured() -> None:
    st = _backup_statements(plan())["PrimaryKeyForEncryptedCopies"]
    assert st["Resource"] == [
        "arn:aws:kms:us-east-1:123456789012:key/5f1c2e8a-7b3d-4c9e-a1f0-2d6b8e4c7a91"]
    assert st["Action"] == ["kms:CreateGrant", "kms:DescribeKey", "kms:Decrypt"]


def test_no_primary_key_grant_without_a_configured_key() -> None:
    from tests.program.variants import EU
    assert "PrimaryKeyForEncryptedCopies" not in _backup_statements(plan(**EU))


def _failover_statements(p):
    (pol,) = [x for x in p.by_type(ROLE_POLICY) if "failover-function" in x.name]
    return {st["Sid"]: st for st in policy_doc(pol)["Statement"]}


@pytest.mark.parametrize("strategy", INSTANCE_STRATEGIES)
def test_failback_may_list_primary_region_instances_to_find_the_reverse_replica(strategy) -> None:
    st = _failover_statements(plan(strategy))["DescribeDatabases"]
    assert st["Action"] == ["rds:DescribeDBInstances"]
    assert "arn:aws:rds:us-east-1:123456789012:db:*" in st["Resource"]


@pytest.mark.parametrize("phase", ["normal", "failed-over", "reverse-replicating"])
def test_dms_failover_role_reads_the_cdc_endpoints_in_every_phase(phase: str) -> None:
    # Readiness and status read what the forward task's source endpoint names after a failback.
    (pol,) = [x for x in in_phase(phase, "dms").by_type(ROLE_POLICY)
              if "failover-function" in x.name]
    statements = [st for st in policy_doc(pol)["Statement"]
                  if "dms:DescribeEndpoints" in st["Action"]]
    assert statements == [{"Sid": "ReadCdcEndpoints", "Effect": "Allow",
                           "Action": ["dms:DescribeEndpoints"], "Resource": ["*"]}]


def test_aurora_failback_reads_the_global_database_instead() -> None:
    # Its reverse replication is the old primary rejoined as a secondary (DescribeGlobalClusters).
    st = _failover_statements(plan("aurora-global"))
    assert "DescribeDatabases" not in st
    assert "rds:DescribeGlobalClusters" in st["ReadGlobalDatabase"]["Action"]


def test_restore_is_allowed_on_the_groups_it_uses_in_the_standby_region() -> None:
    st = _failover_statements(plan("snapshot-restore"))["RestoreStandby"]
    assert {f"arn:aws:rds:us-west-2:123456789012:{k}:*" for k in ("og", "pg", "subgrp")} <= set(
        st["Resource"])
