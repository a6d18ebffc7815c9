"""Apply functions for EventBridge buses, rules and targets."""

from __future__ import annotations

from typing import Any

from drill.apply.common import Applied, ApplyContext, ApplyFn, Skip, applied
from drill.apply.inputs import autoname, known, name_of
from engine.plan import PlannedResource


def event_bus(r: PlannedResource, i: dict[str, Any], region: str, ctx: ApplyContext) -> Applied:
    """CreateEventBus."""
    name = name_of(r, i)
    arn = ctx.client("events", region).create_event_bus(Name=name)["EventBusArn"]
    return applied(r, i, region, id=name, arn=arn, physical_name=name)


def event_rule(r: PlannedResource, i: dict[str, Any], region: str, ctx: ApplyContext) -> Applied:
    """PutRule (schedule or pattern; disabled when planned so)."""
    name = name_of(r, i)
    kw: dict[str, Any] = {"Name": name, "State": known(i, "state", "ENABLED")}
    for prop, key in (("scheduleExpression", "ScheduleExpression"),
                      ("eventPattern", "EventPattern"), ("eventBusName", "EventBusName"),
                      ("roleArn", "RoleArn"), ("description", "Description")):
        if known(i, prop):
            kw[key] = i[prop]
    if known(i, "isEnabled") is False:
        kw["State"] = "DISABLED"
    arn = ctx.client("events", region).put_rule(**kw)["RuleArn"]
    return applied(r, i, region, id=name, arn=arn, physical_name=name)


def event_target(r: PlannedResource, i: dict[str, Any], region: str, ctx: ApplyContext) -> Applied:
    """PutTargets. Raises Skip when the rule or target ARN is unknown."""
    rule, arn = known(i, "rule"), known(i, "arn")
    if not rule or not arn:
        raise Skip("rule or target arn unknown and not resolvable")
    target: dict[str, Any] = {"Id": known(i, "targetId") or autoname(r.name, r.urn)[:64],
                              "Arn": arn}
    for prop, key in (("roleArn", "RoleArn"), ("input", "Input")):
        if known(i, prop):
            target[key] = i[prop]
    kw: dict[str, Any] = {"Rule": rule, "Targets": [target]}
    if known(i, "eventBusName"):
        kw["EventBusName"] = i["eventBusName"]
    ctx.client("events", region).put_targets(**kw)
    return applied(r, i, region, id=f"{rule}-{target['Id']}", arn=arn)


APPLIERS: dict[str, ApplyFn] = {
    "aws:cloudwatch/eventBus:EventBus": event_bus,
    "aws:cloudwatch/eventRule:EventRule": event_rule,
    "aws:cloudwatch/eventTarget:EventTarget": event_target,
}
