"""The scheduled event that starts a run, and the period it belongs to.

The backup schedule is an EventBridge rule; its event is parsed with Powertools Parser's
``EventBridgeModel`` (fields ``version, id, source, account, time, region, resources,
detail-type, detail``) before anything else runs, so a malformed event costs no AWS call:
:func:`parse_event` raises :class:`~handlers.shared.errors.MalformedEventError`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel

from handlers.shared.errors import MalformedEventError
from handlers.shared.events import parse_model

_REQUIRED = "version, id, source, account, time (ISO 8601 UTC), region, resources, detail-type, detail"


def parse_event(event: Any) -> EventBridgeModel:
    """Validate ``event`` as an EventBridge event.

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
                    rule_arn: str = "arn:aws:events:us-west-2:123456789012:rule/backup") -> dict[str, Any]:
    """An EventBridge "Scheduled Event" for ``time`` (for tests and the drill)."""
    return {
        "version": "0", "id": event_id, "detail-type": "Scheduled Event",
        "source": "aws.events", "account": account,
        "time": time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region, "resources": [rule_arn], "detail": {},
    }
