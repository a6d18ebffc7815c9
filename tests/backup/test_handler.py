"""The Lambda entry point: env settings, Powertools wrappers, malformed events."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import handlers.backup.app as app
from emulator.clients import RecordingClients
from handlers.backup.events import scheduled_event
from handlers.shared.errors import MalformedEventError
from tests.backup.world import PRIMARY, STANDBY, World, context, recording_clients, unreachable_aws


@pytest.fixture
def handler_env(world: World, monkeypatch, fresh_settings) -> RecordingClients:
    for k, v in world.env.items():
        monkeypatch.setenv(k, v)
    recorder = recording_clients()
    monkeypatch.setattr(app, "default_clients", lambda settings: recorder)
    return recorder


def schedule(world: World, time: datetime | None = None) -> dict:
    """The world's own backup schedule firing at ``time`` (default: now)."""
    return scheduled_event(time or datetime.now(UTC), settings=world.settings())


def test_handler_runs_and_returns_summary(world: World, handler_env: RecordingClients) -> None:
    sent = datetime.now(UTC)
    out = app.handler(schedule(world, sent), context())
    assert out["status"] == "complete", out["errors"]
    assert out["run_id"] == "req-1"
    period = sent.replace(minute=0, second=0, microsecond=0)   # CADENCE_MINUTES 60
    assert out["period"] == period.isoformat()
    assert out["metadata_key"] == f"runs/{period:%Y%m%d%H%M}/req-1.json"
    assert len(out["created"]) == 4 and len(out["copied"]) == 2
    assert isinstance(out["recovery_point_age_seconds"], float)
    import json
    json.dumps(out)                                  # JSON-able as documented
    assert {r for r, *_ in handler_env.log} == {PRIMARY, STANDBY}


def test_handle_without_context_works(world: World, handler_env: RecordingClients) -> None:
    # Called directly (scripts, tests), the run needs no Lambda context; Lambda's handler
    # always gets one.
    out = app.handle(schedule(world), None)
    assert out["status"] == "complete" and out["run_id"]


def test_handler_uses_shared_retrying_clients_by_default(world: World, monkeypatch,
                                                         fresh_settings) -> None:
    for k, v in world.env.items():
        monkeypatch.setenv(k, v)
    from handlers.shared import aws
    out = app.handler(schedule(world), context())
    assert out["status"] == "complete", out["errors"]
    rds = aws.client("rds", STANDBY)
    assert rds.meta.config.retries == aws.RETRY_CONFIG.retries


@pytest.mark.parametrize("event", [
    None, {}, {"time": "2026-03-01T10:00:00Z"}, {"detail-type": "Scheduled Event"},
    [scheduled_event(datetime(2026, 3, 1, tzinfo=UTC))],
])
@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_malformed_event_fails_cleanly_with_no_aws_call(monkeypatch, event) -> None:
    recorder = unreachable_aws(monkeypatch)
    with pytest.raises(MalformedEventError, match="EventBridge event"):
        app.handler(event, context())
    assert recorder.log == [] and recorder.attempts == []


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_invalid_environment_fails_naming_the_variable(monkeypatch, fresh_settings) -> None:
    from handlers.backup.settings import SettingsError
    recorder = unreachable_aws(monkeypatch)
    for k in ("PRIMARY_REGION", "PROTECTED_DATABASES", "METADATA_BUCKET"):
        monkeypatch.delenv(k, raising=False)
    with pytest.raises(SettingsError, match="PROTECTED_DATABASES"):
        app.handler(scheduled_event(datetime(2026, 3, 1, tzinfo=UTC)), context())
    assert recorder.log == []


def _cold_start(monkeypatch, env: dict[str, str]):
    from handlers.backup.settings import SettingsError
    from tests.backup.test_settings_events import ENV
    recorder = unreachable_aws(monkeypatch)
    for k, v in {**ENV, **env}.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(SettingsError) as err:
        app.handler(scheduled_event(datetime.now(UTC)), context())
    assert recorder.log == [] and recorder.attempts == []
    return err.value


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_a_misspelt_region_code_fails_at_cold_start(monkeypatch, fresh_settings) -> None:
    err = _cold_start(monkeypatch, {"STANDBY_REGION": "us-wset-2"})
    assert "STANDBY_REGION" in str(err) and "'us-wset-2' is not an AWS Region" in str(err)


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
@pytest.mark.parametrize("topics", ["{}", '{"us-wset-2": "arn:aws:sns:us-west-2:123456789012:a"}'])
def test_alert_topics_that_reach_no_region_fail_at_cold_start(monkeypatch, fresh_settings,
                                                              topics: str) -> None:
    err = _cold_start(monkeypatch, {"ALERT_TOPIC_ARNS": topics})
    assert "ALERT_TOPIC_ARNS" in str(err)
