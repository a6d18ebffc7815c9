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


# -- environments that parse but cannot work: refused at cold start, before any client ----
def _cold_start(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> SettingsError:
    from handlers.failover import app
    from tests.failover.world import context, scheduled_event
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    requested: list[tuple[str, str]] = []
    monkeypatch.setattr(app, "default_clients",
                        lambda settings: requested.append(("factory", "")) or (lambda *a: None))
    get_settings.cache_clear()
    try:
        with pytest.raises(SettingsError) as err:
            app.handler(scheduled_event(), context())
    finally:
        get_settings.cache_clear()
    assert requested == []
    return err.value


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_a_misspelt_region_code_fails_at_cold_start(env: dict[str, str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    err = _cold_start(monkeypatch, {**env, Env.PRIMARY_REGION.value: "us-east1"})
    assert "PRIMARY_REGION" in str(err) and "'us-east1' is not an AWS Region" in str(err)


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
@pytest.mark.parametrize("topics", ["{}", json.dumps({"us-esat-1": "arn:t"})])
def test_alert_topics_that_reach_no_region_fail_at_cold_start(
        env: dict[str, str], monkeypatch: pytest.MonkeyPatch, topics: str) -> None:
    err = _cold_start(monkeypatch, {**env, Env.ALERT_TOPIC_ARNS.value: topics})
    assert "ALERT_TOPIC_ARNS" in str(err)


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_a_primary_db_arn_outside_the_primary_region_fails_at_cold_start(
        env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    arn = env[Env.PRIMARY_DB_ARN.value].replace(":us-east-1:", ":eu-west-1:")
    err = _cold_start(monkeypatch, {**env, Env.PRIMARY_DB_ARN.value: arn})
    assert "PRIMARY_DB_ARN" in str(err) and "eu-west-1" in str(err)
