"""The scheduled event that starts a run, who may send it, and the period it belongs to.

The backup schedule is an EventBridge rule in the standby Region,
:func:`contract.names.backup_schedule_rule_name` (``ecommerce-dr-<stack>-backup-schedule``).
Its event is parsed with Powertools Parser's ``EventBridgeModel`` (fields ``version, id,
source, account, time, region, resources, detail-type, detail``) and checked by
:func:`check_source` before anything else runs, so a malformed or foreign event costs no AWS
call: both raise :class:`~handlers.shared.errors.MalformedEventError`.

Only that rule's ``Scheduled Event`` runs a backup: EventBridge sends it with
``"source": "aws.events"``, the rule's ARN in ``resources`` and the schedule's time in
``time`` (Amazon EventBridge User Guide, "Creating a rule that runs on a schedule in Amazon
EventBridge", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html).
Before this check an EC2 state change or an alarm event made full runs, named after
whatever their ``time`` said (2017, 2099).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel

from contract.names import backup_schedule_rule_name
from handlers.backup.settings import BackupSettings
from handlers.shared.errors import MalformedEventError
from handlers.shared.events import parse_model

_REQUIRED = "version, id, source, account, time (ISO 8601 UTC), region, resources, detail-type, detail"
#: What EventBridge sends for a schedule rule.
SCHEDULED = "Scheduled Event"
SCHEDULE_SOURCE = "aws.events"


def parse_event(event: Any) -> EventBridgeModel:
    """Validate ``event`` as an EventBridge event (its source is checked by
    :func:`check_source`).

    Raises:
        MalformedEventError: not a JSON object, or a field is missing/invalid.
    """
    if not isinstance(event, dict):
        raise MalformedEventError(f"expected an EventBridge event object with {_REQUIRED}; "
                                  f"got {type(event).__name__}")
    model = parse_model(event, EventBridgeModel, message=lambda problems: (
        f"malformed scheduled event ({problems}); an EventBridge event needs {_REQUIRED}"))
    if model.time.tzinfo is None:
        raise MalformedEventError("event time must carry a time zone (EventBridge sends UTC, "
                                  "e.g. 2026-01-01T10:00:00Z)")
    return model


def stack_accounts(settings: BackupSettings) -> list[str]:
    """The stack's AWS account(s): those of the PROTECTED_DATABASES ARNs (the orchestrator
    works in the account that owns them)."""
    return sorted({d.primary_arn.split(":")[4] for d in settings.protected_databases})


def schedule_rule_arn(settings: BackupSettings, account: str | None = None) -> str:
    """ARN of the backup schedule rule: ``arn:<partition>:events:<STANDBY_REGION>:<account>:
    rule/ecommerce-dr-<STACK_NAME>-backup-schedule`` (partition and, by default, account
    from the first PROTECTED_DATABASES ARN)."""
    first = settings.protected_databases[0].primary_arn.split(":")
    return (f"arn:{first[1]}:events:{settings.standby_region}:{account or first[4]}:"
            f"rule/{backup_schedule_rule_name(settings.stack_name)}")


def _check_time(time: datetime, settings: BackupSettings, now: datetime) -> None:
    cadence = settings.cadence_minutes * 60
    age = (now - time).total_seconds()
    if abs(age) > cadence:
        when = f"{age:.0f} s ago" if age > 0 else f"{-age:.0f} s ahead of this function's clock"
        raise MalformedEventError(
            f"event time {time.isoformat()} is {when} ({now.isoformat(timespec='seconds')}), "
            f"more than one cadence (CADENCE_MINUTES {settings.cadence_minutes} = {cadence} s) "
            "from now: snapshot names and run records derive from it")


def check_source(event: Mapping[str, Any] | EventBridgeModel, settings: BackupSettings, *,
                 now: datetime) -> EventBridgeModel:
    """``event`` parsed, when it is this stack's backup schedule firing about ``now``.

    Accepted: ``detail-type`` "Scheduled Event" from ``aws.events``, in STANDBY_REGION, from
    the stack's account (:func:`stack_accounts`), naming :func:`schedule_rule_arn` in
    ``resources``, with a ``time`` at most one cadence (CADENCE_MINUTES) from ``now`` (UTC).

    Raises:
        MalformedEventError: malformed; ``"not the backup schedule: ..."`` (another kind of
            event, or another rule); ``"foreign event: ..."`` (another account or Region);
            ``"event time ... more than one cadence ..."``. Each message names the value.
    """
    parsed = event if isinstance(event, EventBridgeModel) else parse_event(event)
    if parsed.detail_type != SCHEDULED or parsed.source != SCHEDULE_SOURCE:
        raise MalformedEventError(
            f"not the backup schedule: detail-type {parsed.detail_type!r} from "
            f"{parsed.source}; the backup runs only on {SCHEDULED!r} from {SCHEDULE_SOURCE}")
    accounts = stack_accounts(settings)
    if parsed.account not in accounts:
        raise MalformedEventError(
            f"foreign event: account {parsed.account} is not this stack's "
            f"({', '.join(accounts)}, the account of PROTECTED_DATABASES)")
    if parsed.region != settings.standby_region:
        raise MalformedEventError(
            f"foreign event: region {parsed.region}; the backup schedule is in STANDBY_REGION "
            f"{settings.standby_region}")
    rule = schedule_rule_arn(settings, parsed.account)
    if rule not in parsed.resources:
        raise MalformedEventError(f"not the backup schedule: resources {parsed.resources} do "
                                  f"not name its rule {rule}")
    _check_time(parsed.time.astimezone(UTC), settings, now.astimezone(UTC))
    return parsed


def period_start(time: datetime, cadence_minutes: int) -> datetime:
    """``time`` floored to the cadence, counted from the Unix epoch, in UTC.

    Two invocations whose event times fall in the same cadence window share a period and
    therefore the same snapshot identifiers (idempotency per scheduled period).
    """
    t = time.astimezone(UTC)
    step = cadence_minutes * 60
    seconds = int(t.timestamp()) // step * step
    return datetime.fromtimestamp(seconds, UTC)


def scheduled_event(time: datetime, *, account: str = "123456789012",
                    region: str = "us-west-2", event_id: str = "00000000-0000-0000-0000-000000000000",
                    rule_arn: str = "arn:aws:events:us-west-2:123456789012:rule/backup",
                    settings: BackupSettings | None = None) -> dict[str, Any]:
    """An EventBridge "Scheduled Event" for ``time`` (for tests and tools). With
    ``settings``, it is that stack's own schedule firing (account, STANDBY_REGION and
    :func:`schedule_rule_arn`), the only event :func:`check_source` accepts."""
    if settings is not None:
        region, rule_arn = settings.standby_region, schedule_rule_arn(settings)
        account = rule_arn.split(":")[4]
    return {
        "version": "0", "id": event_id, "detail-type": SCHEDULED,
        "source": SCHEDULE_SOURCE, "account": account,
        "time": time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region, "resources": [rule_arn], "detail": {},
    }
