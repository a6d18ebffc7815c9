"""Lambda entry point of the failover orchestrator (python3.12 runtime).

``handler(event, context)`` accepts three events (:mod:`handlers.failover.events`):

* EventBridge ``Scheduled Event`` -> watchdog tick (:mod:`handlers.failover.watchdog`);
* forwarded ``CloudWatch Alarm State Change`` of HEALTH_ALARM_NAME -> ALARM starts (or
  resumes) a failover, which verifies the failure first; OK / INSUFFICIENT_DATA -> no-op
  (``ignored``). One from another account (not PRIMARY_DB_ARN's), another Region than
  us-east-1 or another source is refused (``MalformedEventError``); a replayed one or one
  sent more than PROBE_WINDOW_SECONDS from now is ``ignored`` with a logged ``reason``;
* ``{"action": "failover" | "status" | "failback", "reason": str, "force": bool}``: ``reason``
  at most 1,000 characters (:data:`~handlers.failover.events.MAX_REASON_CHARS`), ``force``
  JSON true/false only; anything else is a ``MalformedEventError``.

It returns a JSON-able dict ``{"status": ..., "failover_id": ..., "steps": [...], ...}``.
Statuses: ``completed``, ``in-progress``, ``step-failed``, ``not-ready``,
``false-positive``, ``locked``, ``lock-lost``, ``already-failed-over``, ``standby-is-old-writer``
(:mod:`handlers.failover.old_writer`), ``unarmed``, ``healthy``,
``probe-failed``, ``ignored``, ``report`` (:mod:`handlers.failover.status`), and the
failback's (:mod:`handlers.failover.failback`): ``failed-back``, ``failback-refused``,
``failback-in-progress`` (also a failover's answer while a failback runs),
``failback-step-failed``, ``failback-aborted``.
The state table's items are the typed records of :mod:`handlers.failover.records`.

A malformed or foreign event raises :class:`~handlers.shared.errors.MalformedEventError`
before any AWS client is built. Settings come from the environment
(:mod:`handlers.failover.settings`; :class:`~handlers.shared.errors.SettingsError`). Clients
come from :func:`handlers.shared.aws.default_clients` (AWS_ENDPOINT_URL honoured by botocore);
primary-Region clients fail fast, as that Region may be down (so do us-east-1 clients when that
is a third Region: see :func:`default_clients`).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from contract.names import Metric
from handlers.failover import clock
from handlers.failover.events import (
    MAX_REASON_CHARS,
    AlarmEvent,
    ManualEvent,
    ScheduledEvent,
    check_alarm_source,
    check_tick_source,
    ignore_reason,
    parse_event,
    stack_account,
    watchdog_rule_arn,
)
from handlers.failover.failback import failback, supersede
from handlers.failover.observability import count, logger, metrics, tracer
from handlers.failover.runner import run_failover
from handlers.failover.settings import FailoverSettings, get_settings
from handlers.failover.state import StateStore
from handlers.failover.status import report
from handlers.failover.watchdog import tick
from handlers.shared import aws
from handlers.shared.alerts import clip_text
from handlers.shared.aws import ClientFactory
from handlers.shared.errors import MalformedEventError
from rto_rpo.figures import HEALTH_CHECK_METRIC_REGION


def default_clients(settings: FailoverSettings) -> ClientFactory:
    """Clients from :mod:`handlers.shared.aws`: fast-fail ones for the primary Region, and for
    us-east-1 (HEALTH_CHECK_METRIC_REGION, where only the health alarm is read) when it is
    neither of the stack's Regions; retrying clients (RETRY_CONFIG) in the standby Region,
    where the work is."""
    fast = {settings.primary_region, HEALTH_CHECK_METRIC_REGION} - {settings.standby_region}
    return aws.default_clients(fast_fail_regions=fast)


def _screen_alarm(event: AlarmEvent, s: FailoverSettings) -> dict[str, Any] | None:
    """The answer to an alarm event that must not start a failover (``ignored``: replayed,
    stale, or a state other than ALARM), or None; before any AWS client is built.

    Raises:
        MalformedEventError: another alarm, or a foreign event (see
            :func:`handlers.failover.events.check_alarm_source`).
    """
    if event.detail.alarm_name != s.health_alarm_name:
        raise MalformedEventError(f"alarm {event.detail.alarm_name!r} is not the health-check "
                                  f"alarm {s.health_alarm_name!r} this orchestrator follows")
    check_alarm_source(event, account=stack_account(s.primary_db_arn))
    state = event.detail.state.value
    ignored = ignore_reason(event, now=clock.now(), window_seconds=s.probe_window_seconds)
    if ignored is not None:
        logger.warning("alarm event ignored", extra={"reason": ignored, "event_id": event.id})
        return {"status": "ignored", "reason": ignored, "alarm_state": state, "steps": []}
    if state != "ALARM":
        return {"status": "ignored", "alarm_state": state, "steps": []}
    return None


def handle(event: Any, context: Any, *, clients: ClientFactory | None = None,
           settings: FailoverSettings | None = None) -> dict[str, Any]:
    """Route ``event``; see the module docstring. ``clients`` / ``settings`` override the
    defaults (tests, drill, benchmark).

    Raises:
        MalformedEventError: the event has the wrong shape, or is an alarm or a scheduled
            event this stack's health alarm or watchdog rule cannot have sent (no AWS call
            made).
        SettingsError: the environment is invalid (no AWS call made).
    """
    parsed = parse_event(event)
    s = settings or get_settings()
    if isinstance(parsed, AlarmEvent):
        screened = _screen_alarm(parsed, s)
        if screened is not None:
            return screened
    if isinstance(parsed, ScheduledEvent):
        check_tick_source(parsed, rule_arn=watchdog_rule_arn(s.primary_db_arn, s.standby_region,
                                                             s.stack_name))
        ignored = ignore_reason(parsed, now=clock.now(), window_seconds=s.probe_window_seconds)
        if ignored is not None:
            logger.warning("watchdog tick ignored", extra={"reason": ignored, "event_id": parsed.id})
            return {"status": "ignored", "reason": ignored, "steps": []}
    factory = clients or default_clients(s)
    store = StateStore(factory("dynamodb", s.standby_region), s.state_table_name)
    owner = str(getattr(context, "aws_request_id", "") or "local")

    def remaining() -> float:
        return context.get_remaining_time_in_millis() / 1000.0

    if isinstance(parsed, ManualEvent):
        logger.info("operator invocation", extra={"action": parsed.action,
                                                  "reason": parsed.reason, "force": parsed.force})
        if parsed.action == "status":
            return report(s, factory, store)
        if parsed.action == "failback":
            return failback(s, factory, store, reason=parsed.reason, owner=owner,
                            remaining_seconds=remaining)
        if parsed.force:  # the operator's way out of a failback stuck by a second failure
            superseded = supersede(s, factory, store, reason=parsed.reason, owner=owner)
            if superseded is not None:
                return superseded
        return run_failover(s, factory, store, trigger="manual", reason=parsed.reason,
                            force=parsed.force, owner=owner, remaining_seconds=remaining)
    if isinstance(parsed, AlarmEvent):
        state = parsed.detail.state.value
        if not store.watchdog().armed:
            logger.warning("health alarm fired but automation is not armed: no failover")
            count(Metric.FAILOVER_UNARMED)
            return {"status": "unarmed", "alarm_state": state, "steps": []}
        # An alarm's reason is CloudWatch's text (up to 1,023 characters): kept to the
        # operator's bound, as it is stored and alerted the same way.
        reason = clip_text(f"alarm {parsed.detail.alarm_name}: {parsed.detail.state.reason}",
                           MAX_REASON_CHARS)
        return run_failover(s, factory, store, trigger="alarm", reason=reason,
                            force=False, owner=owner, remaining_seconds=remaining)
    return tick(s, factory, store, owner=owner, remaining_seconds=remaining,
                event_id=parsed.id)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The Lambda handler. See :func:`handle`."""
    correlation = event.get("id") if isinstance(event, dict) else None
    logger.set_correlation_id(str(correlation or getattr(context, "aws_request_id", "")))
    result = handle(event, context)
    metrics.set_default_dimensions(Stack=get_settings().stack_name)
    return result
