"""Apply functions for Route 53 health checks and records (Route 53 is global; its control
plane is in us-east-1). Records in the site's configured zone go to the emulator's copy of
that zone."""

from __future__ import annotations

from typing import Any

from drill.apply.common import Applied, ApplyContext, ApplyFn, Skip, applied
from drill.apply.inputs import autoname, aws_tags, known
from engine.plan import PlannedResource

#: Planned health-check input -> (Route 53 HealthCheckConfig key, conversion).
_HEALTH_CHECK_FIELDS: tuple[tuple[str, str, type], ...] = (
    ("fqdn", "FullyQualifiedDomainName", str), ("port", "Port", int),
    ("resourcePath", "ResourcePath", str), ("requestInterval", "RequestInterval", int),
    ("failureThreshold", "FailureThreshold", int), ("invertHealthcheck", "Inverted", bool),
    ("enableSni", "EnableSNI", bool), ("childHealthThreshold", "HealthThreshold", int),
    ("insufficientDataHealthStatus", "InsufficientDataHealthStatus", str),
)


def health_check(r: PlannedResource, i: dict[str, Any], region: str, ctx: ApplyContext) -> Applied:
    """CreateHealthCheck (and its tags), in us-east-1."""
    cfg: dict[str, Any] = {"Type": i["type"]}
    for prop, key, conv in _HEALTH_CHECK_FIELDS:
        v = known(i, prop)
        if v is not None:
            cfg[key] = conv(v)
    if known(i, "cloudwatchAlarmName"):
        cfg["AlarmIdentifier"] = {"Region": i.get("cloudwatchAlarmRegion", region),
                                  "Name": i["cloudwatchAlarmName"]}
    if known(i, "childHealthchecks"):
        cfg["ChildHealthChecks"] = list(i["childHealthchecks"])
    r53 = ctx.client("route53", "us-east-1")
    hc = r53.create_health_check(CallerReference=autoname(r.name, r.urn),
                                 HealthCheckConfig=cfg)["HealthCheck"]
    if tags := aws_tags(i):
        r53.change_tags_for_resource(ResourceType="healthcheck", ResourceId=hc["Id"], AddTags=tags)
    return applied(r, i, "us-east-1", id=hc["Id"], arn=f"arn:aws:route53:::healthcheck/{hc['Id']}")


def _zone(r: PlannedResource, i: dict[str, Any], ctx: ApplyContext) -> str:
    zone = known(i, "zoneId")
    if zone == ctx.site.configured_zone_id:
        zone = ctx.site.hosted_zone_id
        ctx.deployment.substituted.append(
            {"urn": r.urn, "property": "zoneId",
             "value": f"{ctx.site.configured_zone_id} -> {zone} (the emulator's id of the "
                      "site's existing zone)"})
    if not zone:
        raise Skip("zoneId unknown and not resolvable")
    return str(zone)


def _record_set(i: dict[str, Any]) -> dict[str, Any]:
    rrset: dict[str, Any] = {"Name": i["name"], "Type": i["type"]}
    if known(i, "ttl") is not None:
        rrset["TTL"] = int(i["ttl"])
    if known(i, "records"):
        rrset["ResourceRecords"] = [{"Value": v} for v in i["records"]]
    if known(i, "setIdentifier"):
        rrset["SetIdentifier"] = i["setIdentifier"]
    policies = known(i, "failoverRoutingPolicies") or []
    if policies:
        rrset["Failover"] = policies[0]["type"]
    if known(i, "healthCheckId"):
        rrset["HealthCheckId"] = i["healthCheckId"]
    aliases = known(i, "aliases") or []
    if aliases:
        a = aliases[0]
        rrset["AliasTarget"] = {"HostedZoneId": a["zoneId"], "DNSName": a["name"],
                                "EvaluateTargetHealth": bool(a.get("evaluateTargetHealth"))}
    return rrset


def record(r: PlannedResource, i: dict[str, Any], region: str, ctx: ApplyContext) -> Applied:
    """UPSERT of the record set, in the emulator's copy of the site's zone. Raises Skip when
    the zone is unknown."""
    zone = _zone(r, i, ctx)
    rrset = _record_set(i)
    ctx.client("route53", "us-east-1").change_resource_record_sets(
        HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "UPSERT",
                                                     "ResourceRecordSet": rrset}]})
    rid = f"{zone}_{i['name']}_{i['type']}_{rrset.get('SetIdentifier', '')}"
    return applied(r, i, "us-east-1", id=rid)


APPLIERS: dict[str, ApplyFn] = {
    "aws:route53/healthCheck:HealthCheck": health_check,
    "aws:route53/record:Record": record,
}
