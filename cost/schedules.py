"""Runs a month of an EventBridge schedule expression.

``rate(N minute|minutes|hour|hours|day|days)`` is supported exactly (730-hour month).
``cron(...)`` expressions are not evaluated: :func:`runs_per_month` raises, and the cost
model lists what depends on them as unpriced rather than guess. Source of the syntax:
Amazon EventBridge User Guide, "Schedule expressions for rules"
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html).
"""

from __future__ import annotations

import re

from cost.usage import HOURS_PER_MONTH

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_MINUTES = {"minute": 1, "minutes": 1, "hour": 60, "hours": 60, "day": 1440, "days": 1440}


def interval_minutes(expression: str) -> float:
    """Minutes between runs of a ``rate(...)`` expression.

    Raises:
        ValueError: not a ``rate(...)`` expression with a positive value (``cron(...)`` included).
    """
    m = _RATE.match(expression.strip())
    if not m or int(m.group(1)) <= 0:
        raise ValueError(f"schedule {expression!r}: only rate(N minutes|hours|days) is priced")
    return int(m.group(1)) * _MINUTES[m.group(2)]


def runs_per_month(expression: str) -> float:
    """Runs a month (730 h) of a ``rate(...)`` expression, e.g. ``rate(1 minute)`` -> 43,800.

    Raises:
        ValueError: see :func:`interval_minutes`.
    """
    return HOURS_PER_MONTH * 60 / interval_minutes(expression)
