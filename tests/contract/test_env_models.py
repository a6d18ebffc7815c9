"""The orchestrators' environment models refuse environments that parse but cannot work.

Each case is one variable changed in an otherwise valid environment, parsed the way the
handlers parse it at cold start (``.parse``) and read the way the policy pack reads a planned
function (``.read``); a valid environment parses next to each refusal.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from contract.env import BackupEnv, Env, FailoverEnv, SettingsError

ACCOUNT = "123456789012"
PRIMARY, STANDBY = "us-east-1", "us-west-2"
PRIMARY_ARN = f"arn:aws:rds:{PRIMARY}:{ACCOUNT}:db:shop-primary"
TOPICS = {r: f"arn:aws:sns:{r}:{ACCOUNT}:ecommerce-dr-prod-alerts" for r in (PRIMARY, STANDBY)}
COMMON: dict[str, str] = {
    Env.PRIMARY_REGION: PRIMARY, Env.STANDBY_REGION: STANDBY, Env.STACK_NAME: "prod",
    Env.DB_STRATEGY: "read-replica", Env.RPO_SECONDS: "3600",
    Env.ALERT_TOPIC_ARNS: json.dumps(TOPICS),
    Env.STANDBY_KMS_KEY_ARN: f"arn:aws:kms:{STANDBY}:{ACCOUNT}:key/0a1b2c3d",
    Env.DMS_TASK_ARN: "",
}
FAILOVER: dict[str, str] = {
    **COMMON, Env.STATE_TABLE_NAME: "ecommerce-dr-prod-failover-state",
    Env.PRIMARY_HEALTH_URL: "https://shop-use1.example.com/health",
    Env.STANDBY_HEALTH_URL: "https://shop-usw2.example.com/health",
    Env.PROBE_TIMEOUT_SECONDS: "5", Env.CONSECUTIVE_FAILURES: "3", Env.PROBE_WINDOW_SECONDS: "240",
    Env.HEALTH_ALARM_NAME: "ecommerce-dr-prod-primary-endpoint-unhealthy",
    Env.STEP_BUDGETS_SECONDS: json.dumps({"verify_failure": 30, "check_readiness": 30,
                                          "promote": 120, "move_traffic": 30, "warm": 60,
                                          "verify_recovery": 60}),
    Env.PROMOTION_SECONDS: "600", Env.PRIMARY_DB_ARN: PRIMARY_ARN,
    Env.STANDBY_DB_IDENTIFIER: "shop-standby",
}
BACKUP: dict[str, str] = {
    **COMMON, Env.PROTECTED_DATABASES: json.dumps([{"primaryArn": PRIMARY_ARN,
                                                    "standbyIdentifier": "shop-standby"}]),
    Env.METADATA_BUCKET: "ecommerce-dr-prod-rp-123456789012-us-west-2", Env.CADENCE_MINUTES: "60",
    Env.RETENTION_HOURS: "24", Env.KEEP_NEWEST: "3", Env.SNAPSHOT_QUOTA: "100",
}
MODELS = [pytest.param(FailoverEnv, FAILOVER, id="failover"),
          pytest.param(BackupEnv, BACKUP, id="backup")]


def refusal(model: Any, base: dict[str, str], **changes: str) -> str:
    """The cold-start error of ``base`` with ``changes``."""
    with pytest.raises(SettingsError) as e:
        model.parse({**base, **changes})
    return str(e.value)


@pytest.mark.parametrize(("model", "base"), MODELS)
def test_valid_environment_parses(model: Any, base: dict[str, str]) -> None:
    env = model.parse(base)
    assert env.alert_topic_arns == TOPICS
    assert model.read(base).ok


def test_optional_json_variables_may_be_omitted() -> None:
    # WARM_URLS / WARM_FUNCTIONS default to empty lists, not to the text "[]".
    assert Env.WARM_URLS not in FAILOVER and Env.WARM_FUNCTIONS not in FAILOVER
    env = FailoverEnv.parse(FAILOVER)
    assert (env.warm_urls, env.warm_functions) == ([], [])


@pytest.mark.parametrize(("model", "base"), MODELS)
@pytest.mark.parametrize(("topics", "problem"), [
    ({}, "must name at least one SNS topic"),
    ({"us-eats-1": f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts", STANDBY: TOPICS[STANDBY]},
     "'us-eats-1' is not an AWS Region"),
    ({PRIMARY: f"arn:aws:sns:{STANDBY}:{ACCOUNT}:alerts", STANDBY: TOPICS[STANDBY]},
     f"the topic for {PRIMARY} must be an SNS topic in {PRIMARY}, got "
     f"'arn:aws:sns:{STANDBY}:{ACCOUNT}:alerts'"),
    ({STANDBY: f"arn:aws:sqs:{STANDBY}:{ACCOUNT}:alerts"},
     f"the topic for {STANDBY} must be an SNS topic in {STANDBY}"),
    ({STANDBY: ""}, f"the topic for {STANDBY} is empty"),
])
def test_alert_topic_map_that_cannot_deliver_is_refused(model: Any, base: dict[str, str],
                                                        topics: dict[str, str],
                                                        problem: str) -> None:
    message = refusal(model, base, **{Env.ALERT_TOPIC_ARNS: json.dumps(topics)})
    assert f"{Env.ALERT_TOPIC_ARNS}: " in message and problem in message, message
    # The policy pack reads the same rule, as an invalid variable.
    assert problem in model.read({**base, Env.ALERT_TOPIC_ARNS: json.dumps(topics)}).invalid[
        Env.ALERT_TOPIC_ARNS]


@pytest.mark.parametrize(("model", "base"), MODELS)
def test_one_topic_is_enough(model: Any, base: dict[str, str]) -> None:
    only_standby = json.dumps({STANDBY: TOPICS[STANDBY]})
    assert model.parse({**base, Env.ALERT_TOPIC_ARNS: only_standby}).alert_topic_arns == {
        STANDBY: TOPICS[STANDBY]}


@pytest.mark.parametrize(("model", "base"), MODELS)
@pytest.mark.parametrize("name", [Env.PRIMARY_REGION, Env.STANDBY_REGION])
def test_misspelt_region_code_is_refused(model: Any, base: dict[str, str], name: Env) -> None:
    message = refusal(model, base, **{name: "us-wets-2"})
    assert f"\n  {name}: 'us-wets-2' is not an AWS Region; allowed: af-south-1, " in message


def test_primary_db_arn_in_another_region_than_primary_region_is_refused() -> None:
    other = f"arn:aws:rds:{STANDBY}:{ACCOUNT}:db:shop-primary"
    assert (f"{Env.PRIMARY_DB_ARN} is in {STANDBY}, but {Env.PRIMARY_REGION} is {PRIMARY}"
            in refusal(FailoverEnv, FAILOVER, **{Env.PRIMARY_DB_ARN: other}))
    # Both Regions reversed together is a valid environment.
    reversed_env = {**FAILOVER, Env.PRIMARY_REGION: STANDBY, Env.STANDBY_REGION: PRIMARY,
                    Env.PRIMARY_DB_ARN: other,
                    Env.STANDBY_KMS_KEY_ARN: f"arn:aws:kms:{PRIMARY}:{ACCOUNT}:key/0a1b2c3d"}
    assert FailoverEnv.parse(reversed_env).primary_db_arn == other


@pytest.mark.parametrize(("model", "base"), MODELS)
def test_standby_kms_key_in_another_region_is_refused(model: Any, base: dict[str, str]) -> None:
    key = f"arn:aws:kms:{PRIMARY}:{ACCOUNT}:key/0a1b2c3d"
    assert (f"{Env.STANDBY_KMS_KEY_ARN} is in {PRIMARY}, but {Env.STANDBY_REGION} is {STANDBY}"
            in refusal(model, base, **{Env.STANDBY_KMS_KEY_ARN: key}))


def test_cross_variable_rules_wait_for_known_values_in_the_policy_pack() -> None:
    # During preview the key ARN is unknown: the Region rule is not decided, not failed.
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    reading = FailoverEnv.read({**FAILOVER, Env.STANDBY_KMS_KEY_ARN: unknown},
                               is_unknown=lambda v: v == unknown)
    assert reading.unknown == [str(Env.STANDBY_KMS_KEY_ARN)] and reading.invalid == {}


# --- aurora-global: a cluster standby -------------------------------------------------------

CLUSTER_ARN = f"arn:aws:rds:{PRIMARY}:{ACCOUNT}:cluster:shop-aurora"
AURORA: dict[str, str] = {**FAILOVER, Env.DB_STRATEGY: "aurora-global",
                          Env.PRIMARY_DB_ARN: CLUSTER_ARN,
                          Env.GLOBAL_CLUSTER_IDENTIFIER: "shop-global",
                          Env.STANDBY_DB_IDENTIFIER: "shop-aurora-usw2"}


def test_aurora_environment_parses_with_a_cluster_arn() -> None:
    env = FailoverEnv.parse(AURORA)
    assert (env.primary_db_identifier, env.global_cluster_identifier) == ("shop-aurora",
                                                                          "shop-global")
    assert env.gate_period_seconds == 60   # the default when the variable is absent


@pytest.mark.parametrize(("changes", "problem"), [
    ({Env.PRIMARY_DB_ARN: PRIMARY_ARN},
     f"{Env.PRIMARY_DB_ARN} must be an Aurora DB cluster ARN (arn:aws:rds:<region>:<account>:"
     f"cluster:<id>) when {Env.DB_STRATEGY} is aurora-global, got {PRIMARY_ARN!r}"),
    ({Env.GLOBAL_CLUSTER_IDENTIFIER: ""},
     f"{Env.GLOBAL_CLUSTER_IDENTIFIER} must be the global database's identifier"),
    ({Env.GATE_PERIOD_SECONDS: "20"},
     f"{Env.GATE_PERIOD_SECONDS}: must be one of 10, 30, 60 seconds"),
])
def test_aurora_environment_that_cannot_fail_over_is_refused(changes: dict[str, str],
                                                              problem: str) -> None:
    assert problem in refusal(FailoverEnv, AURORA, **changes)


def test_an_instance_strategy_refuses_a_cluster_arn() -> None:
    message = refusal(FailoverEnv, FAILOVER, **{Env.PRIMARY_DB_ARN: CLUSTER_ARN})
    assert (f"{Env.PRIMARY_DB_ARN} must be an RDS DB instance ARN (arn:aws:rds:<region>:"
            f"<account>:db:<id>) when {Env.DB_STRATEGY} is read-replica") in message


def test_backup_protects_a_cluster_primary() -> None:
    env = BackupEnv.parse({**BACKUP, Env.DB_STRATEGY: "aurora-global", Env.PROTECTED_DATABASES:
                           json.dumps([{"primaryArn": CLUSTER_ARN,
                                        "standbyIdentifier": "shop-aurora-usw2"}])})
    (db,) = env.protected_databases
    assert (db.identifier, db.is_cluster, db.standby) == ("shop-aurora", True, "shop-aurora-usw2")
    bad = json.dumps([{"primaryArn": f"arn:aws:rds:{PRIMARY}:{ACCOUNT}:global-cluster:g"}])
    assert "primaryArn must look like" in refusal(BackupEnv, BACKUP,
                                                  **{Env.PROTECTED_DATABASES: bad})
