"""Appliers for CloudWatch alarms, Route 53 health checks and records, EventBridge."""

from __future__ import annotations

from typing import Any

from .apply_common import (
    Applied,
    ApplierBase,
    Skip,
    autoname,
    is_unknown,
    tag_list,
    tag_map,
)


class RoutingAppliers(ApplierBase):
    """Mixin of :class:`offline.drill.applier.Applier`."""

    # -- CloudWatch, Route 53, EventBridge --------------------------------------------------
    def _metric_alarm(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        if self._known(i, "metricQueries"):
            raise Skip("metric-math alarms are not evaluated by the drill")
        name = self._name(r, i)
        kw: dict[str, Any] = {
            "AlarmName": name, "Namespace": i["namespace"], "MetricName": i["metricName"],
            "Dimensions": [{"Name": k, "Value": str(v)}
                           for k, v in (self._known(i, "dimensions", {}) or {}).items()],
            "Period": int(i.get("period", 60)), "EvaluationPeriods": int(i["evaluationPeriods"]),
            "Threshold": float(i.get("threshold", 0)),
            "ComparisonOperator": i["comparisonOperator"],
            "TreatMissingData": self._known(i, "treatMissingData", "missing"),
            "ActionsEnabled": bool(self._known(i, "actionsEnabled", True)),
            "Tags": tag_list(tag_map(i)),
        }
        if self._known(i, "extendedStatistic"):
            kw["ExtendedStatistic"] = i["extendedStatistic"]
        else:
            kw["Statistic"] = self._known(i, "statistic", "Maximum")
        if self._known(i, "datapointsToAlarm"):
            kw["DatapointsToAlarm"] = int(i["datapointsToAlarm"])
        for prop, key in (("alarmActions", "AlarmActions"), ("okActions", "OKActions"),
                          ("insufficientDataActions", "InsufficientDataActions")):
            acts = [a for a in (i.get(prop) or []) if not is_unknown(a)]
            if acts:
                kw[key] = acts
        if self._known(i, "alarmDescription"):
            kw["AlarmDescription"] = i["alarmDescription"]
        cw = self.client("cloudwatch", region)
        cw.put_metric_alarm(**kw)
        arn = cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["AlarmArn"]
        return self._applied(r, i, region, id=name, arn=arn, physical_name=name)

    def _health_check(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        # Route 53 is global; its control plane is in us-east-1.
        cfg: dict[str, Any] = {"Type": i["type"]}
        for prop, key, conv in (("fqdn", "FullyQualifiedDomainName", str), ("port", "Port", int),
                                ("resourcePath", "ResourcePath", str),
                                ("requestInterval", "RequestInterval", int),
                                ("failureThreshold", "FailureThreshold", int),
                                ("invertHealthcheck", "Inverted", bool),
                                ("enableSni", "EnableSNI", bool),
                                ("childHealthThreshold", "HealthThreshold", int),
                                ("insufficientDataHealthStatus", "InsufficientDataHealthStatus", str)):
            v = self._known(i, prop)
            if v is not None:
                cfg[key] = conv(v)
        if self._known(i, "cloudwatchAlarmName"):
            cfg["AlarmIdentifier"] = {"Region": i.get("cloudwatchAlarmRegion", region),
                                      "Name": i["cloudwatchAlarmName"]}
        if self._known(i, "childHealthchecks"):
            cfg["ChildHealthChecks"] = list(i["childHealthchecks"])
        r53 = self.client("route53", "us-east-1")
        hc = r53.create_health_check(CallerReference=autoname(r.name, r.urn),
                                     HealthCheckConfig=cfg)["HealthCheck"]
        if tag_map(i):
            r53.change_tags_for_resource(ResourceType="healthcheck", ResourceId=hc["Id"],
                                         AddTags=tag_list(tag_map(i)))
        return self._applied(r, i, "us-east-1", id=hc["Id"],
                             arn=f"arn:aws:route53:::healthcheck/{hc['Id']}")

    def _record(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        zone = self._known(i, "zoneId")
        if zone == self.site.configured_zone_id:
            zone = self.site.hosted_zone_id
            self.deployment.substituted.append(
                {"urn": r.urn, "property": "zoneId",
                 "value": f"{self.site.configured_zone_id} -> {zone} (the emulator's id of the "
                          "site's existing zone)"})
        if not zone:
            raise Skip("zoneId unknown and not resolvable")
        rrset: dict[str, Any] = {"Name": i["name"], "Type": i["type"]}
        if self._known(i, "ttl") is not None:
            rrset["TTL"] = int(i["ttl"])
        if self._known(i, "records"):
            rrset["ResourceRecords"] = [{"Value": v} for v in i["records"]]
        if self._known(i, "setIdentifier"):
            rrset["SetIdentifier"] = i["setIdentifier"]
        policies = self._known(i, "failoverRoutingPolicies") or []
        if policies:
            rrset["Failover"] = policies[0]["type"]
        if self._known(i, "healthCheckId"):
            rrset["HealthCheckId"] = i["healthCheckId"]
        aliases = self._known(i, "aliases") or []
        if aliases:
            a = aliases[0]
            rrset["AliasTarget"] = {"HostedZoneId": a["zoneId"], "DNSName": a["name"],
                                    "EvaluateTargetHealth": bool(a.get("evaluateTargetHealth"))}
        self.client("route53", "us-east-1").change_resource_record_sets(
            HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "UPSERT",
                                                         "ResourceRecordSet": rrset}]})
        rid = f"{zone}_{i['name']}_{i['type']}_{rrset.get('SetIdentifier', '')}"
        return self._applied(r, i, "us-east-1", id=rid)

    def _event_bus(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        name = self._name(r, i)
        arn = self.client("events", region).create_event_bus(Name=name)["EventBusArn"]
        return self._applied(r, i, region, id=name, arn=arn, physical_name=name)

    def _event_rule(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        name = self._name(r, i)
        kw: dict[str, Any] = {"Name": name, "State": self._known(i, "state", "ENABLED")}
        for prop, key in (("scheduleExpression", "ScheduleExpression"),
                          ("eventPattern", "EventPattern"), ("eventBusName", "EventBusName"),
                          ("roleArn", "RoleArn"), ("description", "Description")):
            if self._known(i, prop):
                kw[key] = i[prop]
        if self._known(i, "isEnabled") is False:
            kw["State"] = "DISABLED"
        arn = self.client("events", region).put_rule(**kw)["RuleArn"]
        return self._applied(r, i, region, id=name, arn=arn, physical_name=name)

    def _event_target(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        rule, arn = self._known(i, "rule"), self._known(i, "arn")
        if not rule or not arn:
            raise Skip("rule or target arn unknown and not resolvable")
        target: dict[str, Any] = {"Id": self._known(i, "targetId") or autoname(r.name, r.urn)[:64],
                                  "Arn": arn}
        for prop, key in (("roleArn", "RoleArn"), ("input", "Input")):
            if self._known(i, prop):
                target[key] = i[prop]
        kw: dict[str, Any] = {"Rule": rule, "Targets": [target]}
        if self._known(i, "eventBusName"):
            kw["EventBusName"] = i["eventBusName"]
        self.client("events", region).put_targets(**kw)
        return self._applied(r, i, region, id=f"{rule}-{target['Id']}", arn=arn)
