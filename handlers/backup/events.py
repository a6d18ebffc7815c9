"""The scheduled event that starts a run, and the period it belongs to.

The backup schedule is an EventBridge rule; its event is parsed with Powertools Parser's
``EventBridgeModel`` (fields ``version, id, source, account, time, region, resources,
detail-type, detail``) before anything else runs, so a malformed event costs no AWS call.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import ValidationError

_REQUIRED = "version, id, source, account, time (ISO 8601 UTC), region, resources, detail-type, detail"


class InvalidEventError(ValueError):
    """The event is not an EventBridge (scheduled) event; the message says what is wrong."""


def parse_event(event: Any) -> EventBridgeModel:
    """Validate ``event`` as an EventBridge event.

    Raises:
        InvalidEventError: not a JSON object, or a field is missing/invalid.
    """
    if not isinstance(event, dict):
        raise InvalidEventError(f"expected an EventBridge event object with {_REQUIRED}; "
                                f"got {type(event).__name__}")
    try:
        model = parse(event=event, model=EventBridgeModel)
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc']) or 'event'}: {err['msg']}"
                             for err in e.errors())
        raise InvalidEventError(f"malformed scheduled event ({problems}); an EventBridge event "
                                f"needs {_REQUIRED}") from None
    except Exception as e:  # Powertools wraps some failures in its own error types
        raise InvalidEventError(f"malformed scheduled event: {e}; an EventBridge event needs "
                                f"{_REQUIRED}") from None
    if model.time.tzinfo is None:
        raise InvalidEventError("event time must carry a time zone (EventBridge sends UTC, "
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
                    rule_arn: str = "arn:aws:events:us-west-2:123456789012:rule/backup") -> dict:
    """An EventBridge "Scheduled Event" for ``time`` (for tests and the drill)."""
    return {
        "version": "0", "id": event_id, "detail-type": "Scheduled Event",
        "source": "aws.events", "account": account,
        "time": time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region, "resources": [rule_arn], "detail": {},
    }

