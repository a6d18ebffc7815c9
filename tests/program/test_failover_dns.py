"""Failover DNS: the endpoint health check, the gate, the failover records, their alarms."""

from __future__ import annotations

import pytest

from contract.names import GATE_METRIC, GATE_NAMESPACE, Role
from tests.program.variants import BASE, CUSTOM, MODES, RECORD, P, plan

SITE = BASE[f"{P}:site"]
HC = BASE[f"{P}:healthCheck"]


def one(p, role):
    rs = p.by_role(role)
    assert len(rs) == 1, f"{role}: {[r.urn for r in rs]}"
    return rs[0]


def test_health_check_probes_the_primary_endpoint_own_fqdn() -> None:
    hc = one(plan(), Role.ENDPOINT_HEALTH_CHECK).inputs
    assert hc["fqdn"] == SITE["primaryEndpointFqdn"] == "shop-use1.example.com"
    assert hc["fqdn"] != SITE["failoverFqdn"]
    assert (hc["type"], hc["port"], hc["resourcePath"]) == ("HTTPS", HC["port"], HC["path"])
    assert (hc["requestInterval"], hc["failureThreshold"]) == (HC["intervalSeconds"],
                                                               HC["failureThreshold"])


def test_health_check_follows_configured_path_interval_and_threshold() -> None:
    p = plan(**CUSTOM)
    hc = one(p, Role.ENDPOINT_HEALTH_CHECK).inputs
    assert (hc["resourcePath"], hc["port"], hc["requestInterval"], hc["failureThreshold"]) == (
        "/ready", 8443, 30, 5)


def test_health_alarm_watches_the_endpoint_check_in_us_east_1() -> None:
    p = plan()
    check, alarm = one(p, Role.ENDPOINT_HEALTH_CHECK), one(p, Role.HEALTH_ALARM)
    a = alarm.inputs
    assert alarm.region == "us-east-1"
    assert (a["namespace"], a["metricName"], a["period"], a["evaluationPeriods"]) == (
        "AWS/Route53", "HealthCheckStatus", 60, 1)
    assert (a["comparisonOperator"], a["threshold"]) == ("LessThanThreshold", 1)
    assert set(a["dimensions"]) == {"HealthCheckId"}
    assert alarm.property_dependencies["dimensions"] == [check.urn]
    assert a["alarmActions"] == ["arn:aws:sns:us-east-1:123456789012:ecommerce-dr-prod-alerts"]


def test_gate_alarm_is_a_latch_in_the_standby_region() -> None:
    g = one(plan(), Role.GATE_ALARM)
    a = g.inputs
    assert g.region == "us-west-2"
    assert (a["namespace"], a["metricName"], a["dimensions"]) == (
        GATE_NAMESPACE, GATE_METRIC, {"Stack": "prod"})
    assert (a["threshold"], a["comparisonOperator"], a["treatMissingData"]) == (
        1, "GreaterThanOrEqualToThreshold", "ignore")


def test_gate_health_check_follows_the_gate_alarm() -> None:
    p = plan()
    gate, alarm = one(p, Role.GATE_HEALTH_CHECK).inputs, one(p, Role.GATE_ALARM).inputs
    assert gate["type"] == "CLOUDWATCH_METRIC"
    assert gate["cloudwatchAlarmName"] == alarm["name"] == "ecommerce-dr-prod-failover-gate"
    assert gate["cloudwatchAlarmRegion"] == "us-west-2"
    assert gate["insufficientDataHealthStatus"] == "LastKnownStatus"


@pytest.mark.parametrize("mode", MODES)
def test_failover_records(mode: str) -> None:
    p = plan(mode=mode)
    records = {r.inputs["failoverRoutingPolicies"][0]["type"]: r for r in p.by_type(RECORD)}
    assert set(records) == {"PRIMARY", "SECONDARY"}
    prim, sec = records["PRIMARY"].inputs, records["SECONDARY"].inputs
    assert prim["setIdentifier"] != sec["setIdentifier"]
    for rec, target in ((prim, SITE["primaryEndpointFqdn"]), (sec, SITE["standbyEndpointFqdn"])):
        assert (rec["name"], rec["type"], rec["records"], rec["ttl"], rec["zoneId"]) == (
            SITE["failoverFqdn"], "CNAME", [target], 60, SITE["hostedZoneId"])
    follows = records["PRIMARY"].property_dependencies["healthCheckId"]
    expected = Role.GATE_HEALTH_CHECK if mode == "orchestrated" else Role.COMBINED_HEALTH_CHECK
    assert follows == [one(p, expected).urn]
    assert "healthCheckId" not in sec


def test_automatic_mode_combines_gate_and_endpoint_with_and() -> None:
    p = plan(mode="automatic")
    combined = one(p, Role.COMBINED_HEALTH_CHECK)
    assert combined.inputs["type"] == "CALCULATED"
    assert combined.inputs["childHealthThreshold"] == 2
    assert len(combined.inputs["childHealthchecks"]) == 2
    assert sorted(combined.property_dependencies["childHealthchecks"]) == sorted(
        [one(p, Role.GATE_HEALTH_CHECK).urn, one(p, Role.ENDPOINT_HEALTH_CHECK).urn])


def test_ttl_follows_config() -> None:
    p = plan(**CUSTOM)
    assert {r.inputs["ttl"] for r in p.by_type(RECORD)} == {120}
