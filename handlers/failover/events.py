"""The three events the orchestrator accepts, as pydantic models (Powertools Parser).

* Watchdog: an EventBridge scheduled event (``"detail-type": "Scheduled Event"``).
* Alarm: the health-check alarm's ``"CloudWatch Alarm State Change"`` event, forwarded from
  the primary Region's default bus to the standby Region's bus.
* Manual: ``{"action": "failover" | "status" | "failback", "reason": str, "force": bool}``;
  ``reason`` is required for ``failover`` and ``failback``; ``force`` is JSON ``true`` or
  ``false`` only (default false): ``"yes"``, ``"true"``, ``1`` or ``"off"`` are refused, as a
  coerced string must never promote a standby.

:func:`parse_event` raises :class:`~handlers.shared.errors.MalformedEventError` for anything
else, before any AWS call is made.
"""

from __future__ import annotations

from typing import Any, Literal

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from handlers.shared.errors import MalformedEventError
from handlers.shared.events import parse_model

SCHEDULED = "Scheduled Event"
ALARM_STATE_CHANGE = "CloudWatch Alarm State Change"
ACTIONS = ("failover", "status", "failback")


class ScheduledEvent(EventBridgeModel):
    """Watchdog tick from the EventBridge schedule rule."""

    detail_type: Literal["Scheduled Event"] = Field(alias="detail-type")


class AlarmState(BaseModel):
    value: Literal["OK", "ALARM", "INSUFFICIENT_DATA"]
    reason: str = ""
    timestamp: str = ""


class AlarmDetail(BaseModel):
    alarm_name: str = Field(alias="alarmName", min_length=1)
    state: AlarmState
    previous_state: AlarmState | None = Field(None, alias="previousState")


class AlarmEvent(EventBridgeModel):
    """``CloudWatch Alarm State Change`` for the health-check alarm."""

    detail_type: Literal["CloudWatch Alarm State Change"] = Field(alias="detail-type")
    detail: AlarmDetail


class ManualEvent(BaseModel):
    """An operator's invocation."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["failover", "status", "failback"]
    reason: str = ""
    force: StrictBool = False

    @field_validator("force", mode="before")
    @classmethod
    def _force(cls, v: Any) -> bool:
        # StrictBool alone would say only "Input should be a valid boolean".
        if not isinstance(v, bool):
            raise ValueError(f"must be JSON true or false, got {v!r}")
        return v

    @model_validator(mode="after")
    def _reason(self) -> ManualEvent:
        if self.action != "status" and not self.reason.strip():
            raise ValueError(f"'reason' is required for action {self.action!r}")
        return self


Event = ScheduledEvent | AlarmEvent | ManualEvent

_SHAPES = ("an EventBridge 'Scheduled Event', a forwarded 'CloudWatch Alarm State Change' "
           "event, or {\"action\": \"failover\"|\"status\"|\"failback\", \"reason\": str, "
           "\"force\": bool}")


def parse_event(event: Any) -> Event:
    """Validate ``event`` into one of the accepted models.

    Raises:
        MalformedEventError: wrong type or shape, unknown ``detail-type`` or action, missing
            fields. The message names the problem and the accepted shapes.
    """
    if not isinstance(event, dict):
        raise MalformedEventError(f"event must be a JSON object, got {type(event).__name__}; "
                                  f"expected {_SHAPES}")
    model: type[BaseModel]
    if "detail-type" in event:
        kind = event["detail-type"]
        if kind == SCHEDULED:
            model = ScheduledEvent
        elif kind == ALARM_STATE_CHANGE:
            model = AlarmEvent
        else:
            raise MalformedEventError(f"unsupported detail-type {kind!r}; allowed: "
                                      f"{SCHEDULED!r}, {ALARM_STATE_CHANGE!r}")
    elif "action" in event:
        model = ManualEvent
    else:
        raise MalformedEventError(f"unrecognised event with keys {sorted(event)}; "
                                  f"expected {_SHAPES}")
    name = model.__name__
    return parse_model(event, model,  # type: ignore[return-value]
                       message=lambda problems: f"malformed {name}: {problems}")
