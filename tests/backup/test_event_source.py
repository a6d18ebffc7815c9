"""The backup runs only on the scheduled event of its own rule, at about the time it was
sent: any other event (an EC2 state change, an alarm, another rule's schedule, another
account or Region) and any event time far from now is refused before any AWS call, since
snapshot names and run records derive from the event's time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import handlers.backup.app as app
from contract.names import backup_schedule_rule_name
from handlers.backup.events import check_source, schedule_rule_arn, scheduled_event
from handlers.backup.settings import BackupSettings
from handlers.shared.errors import MalformedEventError
from tests.backup.test_settings_events import ENV
from tests.backup.world import context, unreachable_aws

ACCOUNT = "123456789012"
RULE = f"arn:aws:events:us-west-2:{ACCOUNT}:rule/ecommerce-dr-prod-backup-schedule"
NOW = datetime(2026, 12, 1, 10, 7, 30, tzinfo=UTC)
SETTINGS = BackupSettings.parse(ENV)  # cadence 30 min, stack prod, standby us-west-2


def ours(time: datetime = NOW, **top: Any) -> dict[str, Any]:
    return {**scheduled_event(time, settings=SETTINGS), **top}


#: Real event shapes (EC2: Amazon EC2 User Guide, "EC2 instance state-change events";
#: CloudWatch: Amazon CloudWatch User Guide, "Alarm events and EventBridge").
EC2_STATE_CHANGE = {
    "version": "0", "id": "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
    "account": ACCOUNT, "time": "2026-12-01T10:07:00Z", "region": "us-west-2",
    "resources": [f"arn:aws:ec2:us-west-2:{ACCOUNT}:instance/i-abcd1111"],
    "detail": {"instance-id": "i-abcd1111", "state": "pending"}}
ALARM = {
    "version": "0", "id": "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
    "detail-type": "CloudWatch Alarm State Change", "source": "aws.cloudwatch",
    "account": ACCOUNT, "time": "2026-12-01T10:07:00Z", "region": "us-west-2",
    "resources": [f"arn:aws:cloudwatch:us-west-2:{ACCOUNT}:alarm:ServerCpuTooHigh"],
    "detail": {"alarmName": "ServerCpuTooHigh", "state": {"value": "ALARM"}}}


def test_the_rule_is_the_programs_backup_schedule() -> None:
    assert backup_schedule_rule_name("prod") == "ecommerce-dr-prod-backup-schedule"
    assert schedule_rule_arn(SETTINGS) == RULE
    check_source(ours(), SETTINGS, now=NOW)  # accepted


@pytest.mark.parametrize(("event", "message"), [
    (EC2_STATE_CHANGE, "not the backup schedule: detail-type 'EC2 Instance State-change "
                       "Notification' from aws.ec2; the backup runs only on 'Scheduled Event'"),
    (ALARM, "not the backup schedule: detail-type 'CloudWatch Alarm State Change' from "
            "aws.cloudwatch"),
    (ours(source="my.app"), "not the backup schedule: detail-type 'Scheduled Event' from my.app"),
    (ours(resources=[RULE.replace("backup-schedule", "watchdog")]),
     f"not the backup schedule: resources {[RULE.replace('backup-schedule', 'watchdog')]} do "
     f"not name its rule {RULE}"),
    (ours(resources=[]), f"not the backup schedule: resources [] do not name its rule {RULE}"),
    (ours(account="999999999999"),
     "foreign event: account 999999999999 is not this stack's (123456789012, the account of "
     "PROTECTED_DATABASES)"),
    (ours(region="eu-west-1"),
     "foreign event: region eu-west-1; the backup schedule is in STANDBY_REGION us-west-2"),
])
def test_any_other_event_is_refused(event: dict[str, Any], message: str) -> None:
    with pytest.raises(MalformedEventError) as err:
        check_source(event, SETTINGS, now=NOW)
    assert message in str(err.value)


@pytest.mark.parametrize(("time", "words"), [
    (datetime(2017, 12, 22, 18, 43, 48, tzinfo=UTC), "ago"),
    (datetime(2099, 1, 1, tzinfo=UTC), "ahead of this function's clock"),
    (NOW - timedelta(minutes=30, seconds=1), "ago"),
    (NOW + timedelta(minutes=30, seconds=1), "ahead of this function's clock"),
])
def test_an_event_time_more_than_one_cadence_from_now_is_refused(time: datetime,
                                                                  words: str) -> None:
    with pytest.raises(MalformedEventError) as err:
        check_source(ours(time), SETTINGS, now=NOW)
    assert f"event time {time.isoformat()} is" in str(err.value)
    assert words in str(err.value)
    assert ("more than one cadence (CADENCE_MINUTES 30 = 1800 s) from now: snapshot names "
            "and run records derive from it") in str(err.value)


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(minutes=30),
                                    -timedelta(minutes=30), timedelta(seconds=-59)])
def test_an_event_within_one_cadence_is_accepted(offset: timedelta) -> None:
    check_source(ours(NOW + offset), SETTINGS, now=NOW)


@pytest.mark.parametrize("event", [EC2_STATE_CHANGE, ALARM,
                                   scheduled_event(datetime(2017, 12, 22, tzinfo=UTC)),
                                   scheduled_event(datetime.now(UTC))])  # default: no rule
@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_the_handler_refuses_them_with_no_aws_call(monkeypatch, fresh_settings, event) -> None:
    recorder = unreachable_aws(monkeypatch)
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(MalformedEventError):
        app.handler(event, context())
    assert recorder.log == [] and recorder.attempts == []


@pytest.mark.parametrize("variant", ["default", "EU", "STANDBY_US_EAST_1"])
def test_the_program_declares_the_rule_the_handler_accepts(variant: str) -> None:
    """The program's backup schedule rule is the one schedule_rule_arn names: same name,
    same Region (the handler's STANDBY_REGION), the account of its PROTECTED_DATABASES
    (checked over the program's recorded plans)."""
    from contract.names import Role
    from tests.program import variants
    p = variants.plan(**({} if variant == "default" else getattr(variants, variant)))
    (fn,) = p.by_role(Role.BACKUP_ORCHESTRATOR)
    settings = BackupSettings.parse(fn.inputs["environment"]["variables"])
    rules = [r for r in p.by_role(Role.BACKUP_SCHEDULE) if r.type == variants.RULE]
    assert [(r.inputs["name"], r.region) for r in rules] == [
        (backup_schedule_rule_name("prod"), settings.standby_region)]
    assert schedule_rule_arn(settings) == (
        f"arn:aws:events:{settings.standby_region}:{ACCOUNT}:rule/"
        f"{backup_schedule_rule_name('prod')}")
