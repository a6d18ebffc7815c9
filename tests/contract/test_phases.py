"""The failover phase, the write switch and the phase variables of the failover orchestrator's
environment: values, the cycle, the operator's commands, and environments that parse but
cannot work in their phase."""

from __future__ import annotations

import pytest

from contract import names
from contract.env import Env, FailoverEnv
from contract.identifiers import is_db_identifier
from contract.phases import (
    Phase,
    WriteSwitch,
    after_failback_commands,
    after_failback_config,
    config_set_command,
    default_reverse_replica_identifier,
    fresh_standby_identifier,
    phase_commands,
)
from tests.contract.test_env_models import FAILOVER, STANDBY, refusal

REVERSE = {Env.FAILOVER_PHASE: "reverse-replicating", Env.REVERSE_REPLICA_IDENTIFIER: "shop-standby-reverse"}
REVERSE_TASK = "arn:aws:dms:us-west-2:123456789012:task:ecommerce-dr-prod-rcdc"


def test_phase_values_and_cycle() -> None:
    assert [str(p) for p in Phase] == ["normal", "failed-over", "reverse-replicating"]
    assert [p.next for p in Phase] == [Phase.FAILED_OVER, Phase.REVERSE_REPLICATING, Phase.NORMAL]
    assert [p.keeps_standby for p in Phase] == [True, True, False]
    assert [p.traffic_on_standby for p in Phase] == [False, True, True]
    # one definition: contract.phases
    assert not hasattr(names, "Phase") and not hasattr(names, "WriteSwitch")


def test_write_switch_contract() -> None:
    assert names.write_switch_parameter("prod") == "/ecommerce-dr/prod/writes"
    assert [str(v) for v in WriteSwitch] == ["open", "paused"]


def test_operator_commands() -> None:
    assert config_set_command("prod", "failover.phase", "failed-over") == (
        "pulumi config set --stack prod --path ecommerce-dr:failover.phase failed-over")
    assert phase_commands("prod", Phase.REVERSE_REPLICATING) == [
        "pulumi config set --stack prod --path ecommerce-dr:failover.phase reverse-replicating",
        "pulumi up --stack prod"]
    cfg = after_failback_config(primary_region="us-east-1", account="123456789012",
                                reverse_replica="shop-standby-reverse", standby="shop-standby-2")
    assert cfg == {"failover.phase": "normal",
                   "database.primaryInstanceArn":
                       "arn:aws:rds:us-east-1:123456789012:db:shop-standby-reverse",
                   "database.standbyIdentifier": "shop-standby-2"}
    assert after_failback_commands("prod", cfg)[-1] == "pulumi up --stack prod"
    assert len(after_failback_commands("prod", cfg)) == 4


@pytest.mark.parametrize(("current", "fresh"), [
    ("shop-standby", "shop-standby-2"), ("shop-standby-2", "shop-standby-3"),
    ("shop-standby-9", "shop-standby-10"), ("a" * 63, "a" * 61 + "-2"),
    ("a" * 59 + "-b-99", "a" * 59 + "-100")])
def test_fresh_standby_identifier_differs_and_is_valid(current: str, fresh: str) -> None:
    assert fresh_standby_identifier(current) == fresh
    assert fresh != current and is_db_identifier(fresh)


def test_default_reverse_replica_identifier() -> None:
    assert default_reverse_replica_identifier("shop-standby") == "shop-standby-reverse"


def test_phase_defaults_to_normal_and_must_be_a_phase() -> None:
    env = FailoverEnv.parse(FAILOVER)
    assert (env.failover_phase, env.reverse_replica_identifier) == (Phase.NORMAL, "")
    assert "FAILOVER_PHASE: Input should be 'normal', 'failed-over' or 'reverse-replicating'" in (
        refusal(FailoverEnv, FAILOVER, FAILOVER_PHASE="failed_over"))
    assert FailoverEnv.allowed(Env.FAILOVER_PHASE) == "one of normal, failed-over, reverse-replicating"
    assert "REVERSE_DMS_TASK_ARN" not in {str(n) for n in FailoverEnv.names()}


def test_reverse_replica_identifier_is_a_db_identifier_other_than_the_primary() -> None:
    env = FailoverEnv.parse({**FAILOVER, **REVERSE})
    assert env.reverse_replica_identifier == "shop-standby-reverse"
    # "" = look for a hand-made read replica of the promoted standby
    assert FailoverEnv.parse({**FAILOVER, **REVERSE, Env.REVERSE_REPLICA_IDENTIFIER: ""}
                             ).reverse_replica_identifier == ""
    assert ("REVERSE_REPLICA_IDENTIFIER 'Shop-Primary' is the primary's identifier" in
            refusal(FailoverEnv, {**FAILOVER, **REVERSE}, REVERSE_REPLICA_IDENTIFIER="Shop-Primary"))
    assert "REVERSE_REPLICA_IDENTIFIER must be the reverse replica's DB identifier" in refusal(
        FailoverEnv, {**FAILOVER, **REVERSE}, REVERSE_REPLICA_IDENTIFIER="shop--reverse")


def test_dms_reverse_task_arn_in_the_standby_region_or_identifier() -> None:
    dms = {**FAILOVER, **REVERSE, Env.DB_STRATEGY: "dms",
           Env.DMS_TASK_ARN: "arn:aws:dms:us-west-2:123456789012:task:ecommerce-dr-prod-cdc"}
    for ok in (REVERSE_TASK, "ecommerce-dr-prod-reverse-cdc"):
        assert FailoverEnv.parse({**dms, Env.REVERSE_REPLICA_IDENTIFIER: ok}
                                 ).reverse_replica_identifier == ok
    assert (f"REVERSE_REPLICA_IDENTIFIER must be a DMS task ARN in STANDBY_REGION ({STANDBY})" in
            refusal(FailoverEnv, dms,
                    REVERSE_REPLICA_IDENTIFIER=REVERSE_TASK.replace("us-west-2", "us-east-1")))
    assert "must be the reverse CDC task's ARN or identifier" in refusal(
        FailoverEnv, dms, REVERSE_REPLICA_IDENTIFIER="not an id!")


def test_a_dms_failback_config_names_the_new_source_secret_shell_quoted() -> None:
    secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0a1b-AbCdEf"
    cfg = after_failback_config(primary_region="us-east-1", account="123456789012",
                                reverse_replica="shop-standby-reverse", standby="shop-standby-2",
                                source_secret=secret)
    assert cfg["database.dms.sourceSecretArn"] == secret
    assert after_failback_commands("prod", cfg)[-2] == (
        "pulumi config set --stack prod --path ecommerce-dr:database.dms.sourceSecretArn "
        f"'{secret}'")
    plain = after_failback_config(primary_region="us-east-1", account="123456789012",
                                  reverse_replica="r", standby="s")
    assert "database.dms.sourceSecretArn" not in plain


def test_readme_runbook_gives_the_commands_the_orchestrator_prints() -> None:
    from engine.paths import ROOT

    readme = (ROOT / "README.md").read_text()
    cfg = after_failback_config(primary_region="us-east-1", account="123456789012",
                                reverse_replica="shop-standby-reverse",
                                standby=fresh_standby_identifier("shop-standby"))
    for commands in (phase_commands("prod", Phase.FAILED_OVER),
                     phase_commands("prod", Phase.REVERSE_REPLICATING),
                     after_failback_commands("prod", cfg)):
        assert "\n   ".join(commands) in readme, commands
