"""The events AWS (and an operator) send the orchestrators, built the way the services send
them: EventBridge's "Scheduled Event", CloudWatch's "Alarm State Change" as EventBridge
delivers it, and an operator's request (failover, failback, status).

Shapes: "Amazon EventBridge events" / "Creating a rule that runs on a schedule", EventBridge
User Guide (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html),
and "Alarm events and EventBridge", CloudWatch User Guide
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from emulator import ACCOUNT_ID


def scheduled_event(*, region: str, rule_arn: str, time: dt.datetime | None = None,
                    account: str = ACCOUNT_ID) -> dict[str, Any]:
    """An EventBridge ``Scheduled Event`` from ``rule_arn`` at ``time`` (default now, UTC)."""
    when = (time or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event",
            "source": "aws.events", "account": account,
            "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "region": region,
            "resources": [rule_arn], "detail": {}}


def alarm_state_change(*, alarm_name: str, region: str, alarm_arn: str | None = None,
                       state: str = "ALARM", previous: str = "OK", reason: str = "emulated",
                       time: dt.datetime | None = None,
                       account: str = ACCOUNT_ID) -> dict[str, Any]:
    """A ``CloudWatch Alarm State Change`` event for ``alarm_name`` in ``region``, sent at
    ``time`` (default now, UTC); ``alarm_arn`` defaults to the alarm's ARN in ``account``."""
    when = (time or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    arn = alarm_arn or f"arn:aws:cloudwatch:{region}:{account}:alarm:{alarm_name}"
    return {"version": "0", "id": str(uuid.uuid4()),
            "detail-type": "CloudWatch Alarm State Change", "source": "aws.cloudwatch",
            "account": account, "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "region": region,
            "resources": [arn],
            "detail": {"alarmName": alarm_name,
                       "state": {"value": state, "reason": reason, "timestamp": stamp},
                       "previousState": {"value": previous, "reason": "", "timestamp": stamp},
                       "configuration": {"description": ""}}}


def operator_request(action: str = "failover", reason: str = "", *,
                     force: bool = False) -> dict[str, Any]:
    """An operator's request to the failover orchestrator: ``action`` ``failover``,
    ``failback`` or ``status``, with its ``reason`` and ``force``."""
    return {"action": action, "reason": reason, "force": force}


def manual_failover(reason: str, *, force: bool = False) -> dict[str, Any]:
    """The failover orchestrator's manual request (``{"action": "failover", ...}``)."""
    return operator_request("failover", reason, force=force)
