"""The three events the orchestrator accepts, as pydantic models (Powertools Parser).

* Watchdog: an EventBridge scheduled event (``"detail-type": "Scheduled Event"``) from the
  stack's watchdog rule (:func:`check_tick_source`; a replayed or stale one is ignored:
  :func:`ignore_reason`).
* Alarm: the health-check alarm's ``"CloudWatch Alarm State Change"`` event (shape: the
  sample in the Amazon CloudWatch User Guide, "Alarm events and EventBridge",
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html),
  forwarded from us-east-1's default bus to the standby Region's bus. Who sent it and when is
  checked by :func:`check_alarm_source` (a foreign one is refused) and
  :func:`ignore_reason` (a replayed or stale one is ignored).
* Manual: ``{"action": "failover" | "status" | "failback", "reason": str, "force": bool}``;
  ``reason`` is required for ``failover`` and ``failback``, at most :data:`MAX_REASON_CHARS`
  characters (it is stored in the state record and sent in every alert); ``force`` is JSON ``true`` or
  ``false`` only (default false): ``"yes"``, ``"true"``, ``1`` or ``"off"`` are refused, as a
  coerced string must never promote a standby.

:func:`parse_event` raises :class:`~handlers.shared.errors.MalformedEventError` for anything
else, before any AWS call is made.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from contract.names import watchdog_rule_name
from handlers.shared.errors import MalformedEventError
from handlers.shared.events import parse_model
from rto_rpo.figures import HEALTH_CHECK_METRIC_REGION

#: Longest operator ``reason``, characters. A reason is a line for the timeline and the
#: pager, not a document: 1,000 characters leaves the state record far below DynamoDB's
#: 400 KB item limit (Amazon DynamoDB Developer Guide, "Service, account, and table quotas
#: in Amazon DynamoDB", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html)
#: and every alert far below SNS's 256 KB message limit; about 300 KB once left a completed
#: failover with no alert, about 1 MB a raw DynamoDB error before any step.
MAX_REASON_CHARS = 1000

SCHEDULED = "Scheduled Event"
ALARM_STATE_CHANGE = "CloudWatch Alarm State Change"
ACTIONS = ("failover", "status", "failback")


class ScheduledEvent(EventBridgeModel):
    """Watchdog tick from the EventBridge schedule rule."""

    detail_type: Literal["Scheduled Event"] = Field(alias="detail-type")


def _encodable(v: str) -> str:
    """``v`` when it is text that UTF-8 can carry (stored in DynamoDB, sent in every alert);
    JSON may still hold a lone surrogate such as ``"\\ud800"``, which cannot be.

    Raises:
        ValueError: it cannot (pydantic reports it as a validation error of the field).
    """
    try:
        v.encode("utf-8")
    except UnicodeEncodeError as e:
        raise ValueError(f"must be valid Unicode text: {e.reason} at position {e.start}") from e
    return v


class AlarmState(BaseModel):
    value: Literal["OK", "ALARM", "INSUFFICIENT_DATA"]
    reason: str = ""
    timestamp: str = ""

    _text = field_validator("reason", "timestamp")(_encodable)


class AlarmDetail(BaseModel):
    alarm_name: str = Field(alias="alarmName", min_length=1)
    state: AlarmState
    previous_state: AlarmState | None = Field(None, alias="previousState")

    _text = field_validator("alarm_name")(_encodable)


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

    @field_validator("reason")
    @classmethod
    def _reason_length(cls, v: str) -> str:
        _encodable(v)
        if len(v) > MAX_REASON_CHARS:
            raise ValueError(f"at most {MAX_REASON_CHARS} characters, got {len(v)}; the full "
                             "story belongs in the incident record, the reason is its one line")
        return v

    @model_validator(mode="after")
    def _reason(self) -> ManualEvent:
        if self.action != "status" and not self.reason.strip():
            raise ValueError(f"'reason' is required for action {self.action!r}")
        if self.force and self.action != "failover":
            # A failback has no check to override: its refusals are what keep it lossless.
            raise ValueError(f"'force' applies to action 'failover' only, not {self.action!r}")
        return self


Event = ScheduledEvent | AlarmEvent | ManualEvent

#: ``source`` of CloudWatch's own events; sources beginning with ``aws.`` are reserved for
#: AWS services, so a PutEvents caller cannot send one (Amazon EventBridge API Reference,
#: "PutEventsRequestEntry", Source).
ALARM_SOURCE = "aws.cloudwatch"


def stack_account(primary_db_arn: str) -> str:
    """The stack's AWS account: the account field of PRIMARY_DB_ARN (the stack deploys into
    the account that owns the primary database)."""
    return primary_db_arn.split(":")[4]


def check_alarm_source(event: AlarmEvent, *, account: str) -> None:
    """Refuse an alarm event that this stack's health alarm cannot have sent.

    The alarm lives in ``account`` (the stack's) and in us-east-1
    (:data:`rto_rpo.figures.HEALTH_CHECK_METRIC_REGION`); a forwarded event keeps the
    ``account`` and ``region`` of its origin.

    Raises:
        MalformedEventError: ``"foreign alarm event: ..."`` naming the field, its value and
            what was expected (wrong ``source``, ``account`` or ``region``).
    """
    if event.source != ALARM_SOURCE:
        raise MalformedEventError(f"foreign alarm event: source {event.source!r}, not "
                                  f"{ALARM_SOURCE}")
    if event.account != account:
        raise MalformedEventError(f"foreign alarm event: account {event.account} is not this "
                                  f"stack's account {account} (the account of PRIMARY_DB_ARN)")
    if event.region != HEALTH_CHECK_METRIC_REGION:
        raise MalformedEventError(
            f"foreign alarm event: region {event.region}; the health-check alarm is in "
            f"{HEALTH_CHECK_METRIC_REGION}, the only Region with AWS/Route53 HealthCheckStatus")


#: ``source`` of EventBridge's own scheduled events (reserved for AWS, as :data:`ALARM_SOURCE`).
SCHEDULE_SOURCE = "aws.events"


def watchdog_rule_arn(primary_db_arn: str, standby_region: str, stack: str) -> str:
    """``arn:<partition>:events:<STANDBY_REGION>:<account>:rule/ecommerce-dr-<stack>-watchdog``
    (partition and account of PRIMARY_DB_ARN): the rule whose ticks this handler takes."""
    partition = primary_db_arn.split(":")[1]
    return (f"arn:{partition}:events:{standby_region}:{stack_account(primary_db_arn)}:"
            f"rule/{watchdog_rule_name(stack)}")


def check_tick_source(event: ScheduledEvent, *, rule_arn: str) -> None:
    """Refuse a scheduled event that this stack's watchdog rule ``rule_arn`` cannot have sent.

    Raises:
        MalformedEventError: ``"foreign scheduled event: ..."`` naming the field, its value and
            what was expected (``source``, ``account``, ``region`` or ``resources``).
    """
    _, _, _, region, account, _ = rule_arn.split(":", 5)
    expected = (("source", event.source, SCHEDULE_SOURCE), ("account", event.account, account),
                ("region", event.region, region))
    for field, got, want in expected:
        if got != want:
            raise MalformedEventError(f"foreign scheduled event: {field} {got!r}, not {want!r} "
                                      f"(the watchdog rule {rule_arn})")
    if rule_arn not in event.resources:
        raise MalformedEventError(f"foreign scheduled event: resources {event.resources} do not "
                                  f"name the watchdog rule {rule_arn}")


def ignore_reason(event: EventBridgeModel, *, now: float, window_seconds: float) -> str | None:
    """Why a well-formed alarm event or watchdog tick from this stack must not start (or count
    towards) a failover, or None.

    * Replayed: EventBridge adds ``replay-name`` to an event replayed from an archive
      (Amazon EventBridge User Guide, "Archiving and replaying events in Amazon EventBridge",
      https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-archive.html): it reports
      a past state, never a current failure.
    * Stale: its ``time`` is more than ``window_seconds`` (PROBE_WINDOW_SECONDS) from ``now``
      (epoch seconds, this function's clock), either way: the watchdog's own probes, which
      count only failures inside that window, decide then. A backlog of late ticks (Lambda
      retries an asynchronous invocation for hours) would otherwise probe K times within
      seconds and fail over on K failures that are not K schedule periods apart.

    Raises:
        MalformedEventError: ``time`` carries no time zone.
    """
    if event.replay_name is not None:
        return (f"replayed event (replay {event.replay_name}): a replay never starts or counts "
                "towards a failover")
    if event.time.tzinfo is None:
        raise MalformedEventError("event time must carry a time zone (EventBridge sends UTC, "
                                  "e.g. 2026-01-01T10:00:00Z)")
    age = now - event.time.astimezone(UTC).timestamp()
    if abs(age) > window_seconds:
        when = f"{age:.0f} s ago" if age > 0 else f"{-age:.0f} s ahead of this function's clock"
        return (f"stale event: sent {when}, more than PROBE_WINDOW_SECONDS "
                f"({window_seconds:g} s); event time {event.time.astimezone(UTC).isoformat()}, "
                f"now {datetime.fromtimestamp(now, UTC).isoformat(timespec='seconds')}")
    return None

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
