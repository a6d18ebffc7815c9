"""Settings from the environment, and event validation (no AWS call on a bad event)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from handlers.backup.events import parse_event, period_start, scheduled_event
from handlers.backup.settings import BackupSettings, SettingsError, get_settings
from handlers.shared.errors import MalformedEventError

ARN = "arn:aws:rds:us-east-1:123456789012:db:shop"
ENV = {
    "PRIMARY_REGION": "us-east-1", "STANDBY_REGION": "us-west-2", "STACK_NAME": "prod",
    "DB_STRATEGY": "read-replica", "RPO_SECONDS": "3600",
    "ALERT_TOPIC_ARNS": json.dumps({"us-west-2": "arn:aws:sns:us-west-2:123456789012:a"}),
    "STANDBY_KMS_KEY_ARN": "arn:aws:kms:us-west-2:123456789012:key/k", "DMS_TASK_ARN": "",
    "PROTECTED_DATABASES": json.dumps([{"primaryArn": ARN, "standbyIdentifier": "shop-r"}]),
    "METADATA_BUCKET": "meta", "CADENCE_MINUTES": "30", "RETENTION_HOURS": "24",
    "KEEP_NEWEST": "3", "SNAPSHOT_QUOTA": "100",
}


def test_settings_parse_every_variable() -> None:
    s = BackupSettings.parse(ENV)
    assert (s.primary_region, s.standby_region, s.cadence_minutes, s.keep_newest) == (
        "us-east-1", "us-west-2", 30, 3)
    assert s.alert_topic_arns == {"us-west-2": "arn:aws:sns:us-west-2:123456789012:a"}
    [db] = s.protected_databases
    assert (db.identifier, db.region, db.standby_identifier) == ("shop", "us-east-1", "shop-r")


@pytest.mark.parametrize(("change", "message"), [
    ({"PRIMARY_REGION": None}, "PRIMARY_REGION"),
    ({"PROTECTED_DATABASES": "not json"}, "PROTECTED_DATABASES"),
    ({"PROTECTED_DATABASES": "[]"}, "PROTECTED_DATABASES"),
    ({"PROTECTED_DATABASES": json.dumps([{"primaryArn": "shop"}])}, "primaryArn must look like"),
    ({"PROTECTED_DATABASES": json.dumps(
        [{"primaryArn": ARN.replace("us-east-1", "eu-west-1")}])}, "must be in PRIMARY_REGION"),
    ({"DB_STRATEGY": "magic"}, "DB_STRATEGY"),
    ({"DB_STRATEGY": "dms"}, "DMS_TASK_ARN is required"),
    ({"KEEP_NEWEST": "0"}, "KEEP_NEWEST"),
    ({"STANDBY_REGION": "us-east-1"}, "must differ"),
    ({"ALERT_TOPIC_ARNS": "[1]"}, "ALERT_TOPIC_ARNS"),
])
def test_bad_settings_name_the_variable(change: dict, message: str) -> None:
    env = {k: v for k, v in {**ENV, **change}.items() if v is not None}
    with pytest.raises(SettingsError, match=message):
        BackupSettings.parse(env)


def test_settings_are_cached_until_cleared(monkeypatch, fresh_settings) -> None:
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    assert get_settings().cadence_minutes == 30
    monkeypatch.setenv("CADENCE_MINUTES", "15")
    assert get_settings().cadence_minutes == 30        # parsed once per cold start
    fresh_settings()
    assert get_settings().cadence_minutes == 15


def test_period_is_event_time_floored_to_cadence() -> None:
    t = datetime(2026, 3, 1, 10, 59, 59, tzinfo=UTC)
    assert period_start(t, 60) == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert period_start(t, 15) == datetime(2026, 3, 1, 10, 45, tzinfo=UTC)
    assert period_start(datetime(2026, 3, 1, 11, 0, 2, tzinfo=UTC), 60) == datetime(
        2026, 3, 1, 11, 0, tzinfo=UTC)


def test_scheduled_event_parses() -> None:
    ev = parse_event(scheduled_event(datetime(2026, 3, 1, 10, 0, 7, tzinfo=UTC)))
    assert ev.time == datetime(2026, 3, 1, 10, 0, 7, tzinfo=UTC)
    assert ev.detail_type == "Scheduled Event"


GOOD = scheduled_event(datetime(2026, 3, 1, 10, 0, tzinfo=UTC))


@pytest.mark.parametrize(("event", "message"), [
    (None, "got NoneType"),
    ("hello", "got str"),
    ({}, "time"),
    ({k: v for k, v in GOOD.items() if k != "time"}, "time"),
    ({**GOOD, "time": "yesterday"}, "time"),
    ({**GOOD, "resources": "not-a-list"}, "resources"),
    ({**GOOD, "time": "2026-03-01T10:00:00"}, "time zone"),
])
def test_malformed_events_are_rejected_clearly(event, message: str) -> None:
    with pytest.raises(MalformedEventError, match=message) as info:
        parse_event(event)
    assert "EventBridge event needs" in str(info.value) or "time zone" in str(info.value) \
        or "expected an EventBridge event" in str(info.value)


@pytest.mark.parametrize(("databases", "message"), [
    ([{"primaryArn": ARN + "-"}], "primaryArn must look like"),
    ([{"primaryArn": ARN.replace(":shop", ":sh--op")}], "primaryArn must look like"),
    ([{"primaryArn": ARN, "standbyIdentifier": "shop-r-"}], "standbyIdentifier must be"),
    ([{"primaryArn": ARN, "standbyIdentifier": "shop--r"}], "standbyIdentifier must be"),
    ([{"primaryArn": ARN, "standbyIdentifier": "s" * 64}], "standbyIdentifier must be"),
    ([{"primaryArn": ARN}, {"primaryArn": ARN.replace(":shop", ":SHOP")}],
     "duplicate database identifiers"),
])
def test_db_identifiers_follow_the_rds_naming_rule(databases: list, message: str) -> None:
    env = {**ENV, "PROTECTED_DATABASES": json.dumps(databases)}
    with pytest.raises(SettingsError, match=message):
        BackupSettings.parse(env)


def test_identifiers_are_lowercased_as_rds_stores_them() -> None:
    env = {**ENV, "PROTECTED_DATABASES": json.dumps([
        {"primaryArn": ARN.replace(":shop", ":Shop"), "standbyIdentifier": "Shop-R"}])}
    [db] = BackupSettings.parse(env).protected_databases
    assert (db.identifier, db.standby) == ("shop", "shop-r")
