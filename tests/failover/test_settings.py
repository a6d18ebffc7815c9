"""Settings come only from the contract's env vars; bad values name the variable."""

from __future__ import annotations

import json

import pytest

from contract.env import Env
from handlers.failover.settings import SettingsError, get_settings, load_settings


@pytest.fixture
def env(static_env: dict[str, str]) -> dict[str, str]:
    return dict(static_env)


def test_parses_json_and_numbers(env: dict[str, str]) -> None:
    s = load_settings(env)
    assert s.alert_topic_arns == {"us-east-1": "arn:t"}
    assert s.step_budgets_seconds["promote"] == 120
    assert s.probe_timeout_seconds == 2.0
    assert s.primary_db_identifier == "shop-primary"
    assert s.primary_health_url.startswith("http://127.0.0.1:")


@pytest.mark.parametrize(("key", "value", "message"), [
    (Env.DB_STRATEGY, "aurora", Env.DB_STRATEGY.value),
    (Env.ALERT_TOPIC_ARNS, "{not json", Env.ALERT_TOPIC_ARNS.value),
    (Env.STEP_BUDGETS_SECONDS, json.dumps({"teleport": 5}), "unknown step(s) ['teleport']"),
    (Env.PRIMARY_HEALTH_URL, "ftp://x/health", "http:// or https://"),
    (Env.CONSECUTIVE_FAILURES, "0", Env.CONSECUTIVE_FAILURES.value),
])
def test_bad_value_names_the_variable(env: dict[str, str], key: Env, value: str,
                                      message: str) -> None:
    with pytest.raises(SettingsError) as err:
        load_settings({**env, key.value: value})
    assert message in str(err.value)


def test_missing_variable_is_named(env: dict[str, str]) -> None:
    broken = {k: v for k, v in env.items() if k != Env.STATE_TABLE_NAME}
    with pytest.raises(SettingsError, match="STATE_TABLE_NAME"):
        load_settings(broken)


def test_dms_needs_task_arn(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match="DMS_TASK_ARN is required"):
        load_settings({**env, Env.DB_STRATEGY.value: "dms"})


def test_get_settings_reads_environment_once(env: dict[str, str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    first = get_settings()
    monkeypatch.setenv(Env.STACK_NAME.value, "other")
    assert get_settings() is first
    get_settings.cache_clear()
    assert get_settings().stack_name == "other"
    get_settings.cache_clear()
