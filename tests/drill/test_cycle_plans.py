"""The cycle's phase configs: the orchestrator's config commands parsed, dotted keys set over
the stack file without losing the object's other keys."""

from __future__ import annotations

import pytest

from drill.cycle.plans import overrides, settings_from_commands
from drill.options import DrillError

CONFIG = {"ecommerce-dr:failover": {"mode": "orchestrated", "consecutiveFailures": 3},
          "ecommerce-dr:database": {"strategy": "read-replica", "standbyIdentifier": "shop-standby"},
          "ecommerce-dr:rpoMinutes": 60}


def test_config_commands_of_a_phase_hint() -> None:
    commands = ["pulumi config set --path ecommerce-dr:failover.phase normal",
                "pulumi config set --stack prod --path ecommerce-dr:database.primaryInstanceArn "
                "arn:aws:rds:us-east-1:123456789012:db:shop-standby-reverse",
                "pulumi config set --path ecommerce-dr:database.standbyIdentifier shop-standby-2",
                "pulumi up --stack prod"]
    assert settings_from_commands(commands) == {
        "failover.phase": "normal",
        "database.primaryInstanceArn": "arn:aws:rds:us-east-1:123456789012:db:shop-standby-reverse",
        "database.standbyIdentifier": "shop-standby-2"}


def test_a_quoted_value_is_read_as_the_shell_passes_it() -> None:
    from contract.phases import config_set_command

    secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0a1b-AbCdEf"
    command = config_set_command("prod", "database.dms.sourceSecretArn", secret)
    assert "'" in command
    assert settings_from_commands([command]) == {"database.dms.sourceSecretArn": secret}


def test_dotted_keys_are_set_inside_their_object() -> None:
    out = overrides(CONFIG, {}, {"failover.phase": "failed-over", "rpoMinutes": "30"})
    assert out["ecommerce-dr:failover"] == {"mode": "orchestrated", "consecutiveFailures": 3,
                                            "phase": "failed-over"}
    assert out["ecommerce-dr:rpoMinutes"] == "30"
    assert "phase" not in CONFIG["ecommerce-dr:failover"]     # the stack file is not changed


def test_the_drills_own_overrides_are_kept_and_built_on() -> None:
    base = {"ecommerce-dr:database": {"strategy": "dms", "standbyIdentifier": "shop-target"}}
    out = overrides(CONFIG, base, {"database.standbyIdentifier": "shop-target-2"})
    assert out["ecommerce-dr:database"] == {"strategy": "dms", "standbyIdentifier": "shop-target-2"}
    assert base["ecommerce-dr:database"]["standbyIdentifier"] == "shop-target"


def test_a_key_under_a_scalar_is_refused() -> None:
    with pytest.raises(DrillError, match="rpoMinutes is not an object"):
        overrides(CONFIG, {}, {"rpoMinutes.x": "1"})
