"""EventBridge rules: scheduled rules, and the health-alarm forwarder that sends events to
the standby Region's event bus.

Prices (Amazon EventBridge pricing, https://aws.amazon.com/eventbridge/pricing/): events sent
to an event bus in another Region are charged as custom events, $1.00 per million, by the
sending Region. A schedule's events are AWS service events, taken as free (an estimate, see
the table). Matching events on the receiving bus costs nothing more.
"""

from __future__ import annotations

import re
from typing import Any

from contract.names import Role
from cost.context import Context, Unpriceable
from cost.plan import known, role
from cost.registry import NoCharge, Priced, prices
from cost.schedules import runs_per_month

_BUS_ARN = re.compile(r"^arn:aws[a-z-]*:events:([a-z0-9-]+):\d{12}:event-bus/")


def _sends_to_other_region(ctx: Context, rule: Any) -> bool:
    if role(rule) == Role.ALARM_FORWARDER:
        return True
    name = known(rule, "name")
    for t in ctx.plan.of_type("aws:cloudwatch/eventTarget:EventTarget"):
        m = _BUS_ARN.match(str(known(t, "arn", "")))
        if known(t, "rule") == name and m and m.group(1) != rule.region:
            return True
    return False


@prices("aws:cloudwatch/eventRule:EventRule")
def rule(r: Any, ctx: Context) -> Priced | NoCharge:
    """USD/month of a rule: a schedule's events (free, estimated) or the events a forwarder
    sends to another Region (``usage.failover.alarm_state_changes_per_month``)."""
    expr = known(r, "scheduleExpression")
    if expr is not None:
        try:
            runs = runs_per_month(expr)
        except ValueError as e:
            raise Unpriceable(str(e)) from None
        return Priced([ctx.charge(f"scheduled events, {expr}", "eventbridge/scheduled-rule-events",
                                  r.region, runs, source="plan")])
    if _sends_to_other_region(ctx, r):
        n = ctx.usage.failover.alarm_state_changes_per_month
        return Priced([ctx.charge("events sent to another Region's bus", "eventbridge/custom-events",
                                  r.region, n, source="usage",
                                  note="usage.failover.alarm_state_changes_per_month")])
    return NoCharge("matching events is free; events forwarded from another Region are "
                    "priced on the rule that sends them")
