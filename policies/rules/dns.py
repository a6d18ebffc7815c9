"""Route 53 rules: health-check timing, failover records, what health checks probe, and where
health-check alarms live.

AWS figures (see :mod:`rto_rpo.figures` for sources): request interval 10 or 30 s;
failure threshold 1-10; ``AWS/Route53 HealthCheckStatus`` exists only in us-east-1; a
non-alias PRIMARY failover record needs a health check; PRIMARY and SECONDARY records of one
name need distinct set identifiers. An endpoint health check with an ``IPAddress`` probes that
address and uses the domain name only for the Host header and SNI; without one it resolves
``FullyQualifiedDomainName`` (Amazon Route 53 API Reference, "HealthCheckConfig",
https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html). DNS names
compare without case and trailing dot (:func:`contract.identifiers.same_dns_name`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pulumi_policy import Policy, ReportViolation, ResourceValidationArgs, StackValidationArgs

from contract.identifiers import dns_name_key
from policies.resource_types import HEALTH_CHECK, METRIC_ALARM, RECORD
from policies.rules.common import Unknown, by_type, is_set, number, region, value
from policies.rules.declare import Setting, resource_rule, stack_rule, undecided_in_preview
from rto_rpo.figures import (
    DEFAULT_FAILURE_THRESHOLD,
    DEFAULT_REQUEST_INTERVAL_SECONDS,
    FAILURE_THRESHOLD_MAX,
    FAILURE_THRESHOLD_MIN,
    HEALTH_CHECK_INTERVALS_SECONDS,
    HEALTH_CHECK_METRIC_REGION,
)

#: Health-check types that probe an endpoint on a request interval.
ENDPOINT_CHECK_TYPES = frozenset({"HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP"})


#: Settings of ``route53-health-check-timing``.
TIMING_SETTINGS = [
    Setting("allowedIntervalsSeconds", "array", list(HEALTH_CHECK_INTERVALS_SECONDS),
            "Route 53 request intervals allowed, in seconds (AWS offers 10 and 30).",
            {"items": {"type": "integer", "enum": list(HEALTH_CHECK_INTERVALS_SECONDS)}}),
    Setting("minFailureThreshold", "integer", FAILURE_THRESHOLD_MIN,
            "Lowest failure threshold allowed.", {"minimum": FAILURE_THRESHOLD_MIN}),
    Setting("maxFailureThreshold", "integer", FAILURE_THRESHOLD_MAX,
            "Highest failure threshold allowed.", {"maximum": FAILURE_THRESHOLD_MAX}),
]


@resource_rule("route53-health-check-timing", [HEALTH_CHECK],
               "Checks whether Route 53 endpoint health checks use a "
               f"{' or '.join(str(i) for i in HEALTH_CHECK_INTERVALS_SECONDS)} s request "
               f"interval and a failure threshold of {FAILURE_THRESHOLD_MIN}-"
               f"{FAILURE_THRESHOLD_MAX}.",
               settings=TIMING_SETTINGS)
def health_check_timing(args: ResourceValidationArgs, report: ReportViolation, cfg: dict[str, Any]) -> None:
    """``route53-health-check-timing``: request interval 10 or 30 s, failure threshold in range."""
    kind = value(args.props, "type")
    if kind not in ENDPOINT_CHECK_TYPES:
        args.not_applicable(f"health check of type {kind} has no request interval")
    interval = number(args.props, "requestInterval", default=DEFAULT_REQUEST_INTERVAL_SECONDS)
    threshold = number(args.props, "failureThreshold", default=DEFAULT_FAILURE_THRESHOLD)
    allowed = [float(i) for i in cfg["allowedIntervalsSeconds"]]
    if interval not in allowed:
        report(f"Route 53 health check requestInterval must be one of "
               f"{', '.join(f'{a:g}' for a in allowed)} seconds, got {interval:g}.")
    lo, hi = cfg["minFailureThreshold"], cfg["maxFailureThreshold"]
    if threshold is None or not lo <= threshold <= hi:
        report(f"Route 53 health check failureThreshold must be between {lo} and {hi}, "
               f"got {threshold:g}.")


@resource_rule("route53-failover-primary-health-check", [RECORD],
               "Checks whether each Route 53 failover record has a set identifier and each non-alias "
               "PRIMARY record has a health check.")
def primary_record_health_check(args: ResourceValidationArgs,
                                report: ReportViolation, cfg: dict[str, Any]) -> None:
    """``route53-failover-primary-health-check``: a non-alias PRIMARY record has a health check."""
    policies = value(args.props, "failoverRoutingPolicies", default=[])
    types = {p.get("type") for p in policies if isinstance(p, dict)}
    if not types:
        args.not_applicable("not a failover record")
    if not is_set(args.props, "setIdentifier"):
        report("Route 53 failover record must have a setIdentifier.")
    if "PRIMARY" in types and not is_set(args.props, "aliases") \
            and not is_set(args.props, "healthCheckId"):
        report("Route 53 PRIMARY failover record must have a healthCheckId; without one "
               "Route 53 treats the primary as always healthy and never fails over.")


@stack_rule("route53-failover-distinct-set-identifiers",
            "Checks whether each failover record name has exactly one PRIMARY and one SECONDARY "
            "record with distinct set identifiers.")
def failover_set_identifiers(args: StackValidationArgs, report: ReportViolation, cfg: dict[str, Any]) -> None:
    """``route53-failover-distinct-set-identifiers``: PRIMARY/SECONDARY pairs are well formed."""
    undecided: list[str] = []
    for (zone, name, rtype), records in _failover_groups(args.resources).items():
        _check_pair(f"{name} ({rtype})", zone, records, report, undecided)
    undecided_in_preview(undecided)


def _check_pair(label: str, zone: str, records: list[Any], report: ReportViolation,
                undecided: list[str]) -> None:
    """Report what is wrong with the failover records of one name (``label``) in ``zone``."""
    ids, kinds, computed = _pair_inputs(records, undecided)
    for sid, urns in ids.items():
        for urn in urns if len(urns) > 1 else []:
            report(f"Failover records for {label} share setIdentifier {sid!r}; each record of a "
                   "failover pair needs its own.", urn)
    for kind, urns in kinds.items():
        for urn in urns if len(urns) > 1 else []:
            report(f"{label} has {len(urns)} {kind} failover records; a failover pair has "
                   "exactly one PRIMARY and one SECONDARY.", urn)
    if set(kinds) != {"PRIMARY", "SECONDARY"} and not computed:
        for r in records:
            report(f"{label} in zone {zone} has failover record(s) {sorted(kinds)} but needs one "
                   "PRIMARY and one SECONDARY.", r.urn)


def _failover_groups(resources: Any) -> dict[tuple[str, str, str], list[Any]]:
    """Failover records by ``(zoneId, name without the trailing dot, type)``."""
    groups: dict[tuple[str, str, str], list[Any]] = defaultdict(list)
    for r in by_type(resources, RECORD):
        if is_set(r.props, "failoverRoutingPolicies"):
            key = (_known_str(r.props, "zoneId"), _known_str(r.props, "name").rstrip("."),
                   _known_str(r.props, "type"))
            groups[key].append(r)
    return groups


def _pair_inputs(records: list[Any], undecided: list[str]
                 ) -> tuple[dict[str, list[str]], dict[str, list[str]], bool]:
    """URNs by set identifier, URNs by failover type, and whether a type is computed; computed
    inputs are added to ``undecided`` as ``"<urn>: <path>"``."""
    ids: dict[str, list[str]] = defaultdict(list)
    kinds: dict[str, list[str]] = defaultdict(list)
    computed = False
    for r in records:
        sid = _known_str(r.props, "setIdentifier")
        if sid == "<computed>":
            undecided.append(f"{r.urn}: setIdentifier")
        else:
            ids[sid].append(r.urn)
        try:
            count = len(value(r.props, "failoverRoutingPolicies", default=[]) or [])
            types = [value(r.props, "failoverRoutingPolicies", i, "type") for i in range(count)]
        except Unknown as e:
            undecided.append(f"{r.urn}: {e.path}")
            computed = True
            continue
        for t in types:
            kinds[str(t)].append(r.urn)
    return ids, kinds, computed


def _known_str(props: Any, key: str) -> str:
    """A string input for grouping; a computed value groups under ``<computed>``."""
    try:
        return str(value(props, key, default=""))
    except Unknown:
        return "<computed>"


@stack_rule("route53-health-check-not-on-failover-name",
            "Checks whether Route 53 endpoint health checks probe a name other than the failover "
            "records' name (a check on the failover name never fails over).")
def health_check_not_on_failover_name(args: StackValidationArgs,
                                      report: ReportViolation, cfg: dict[str, Any]) -> None:
    """``route53-health-check-not-on-failover-name``: no endpoint health check probes the name
    of a failover record pair.

    Such a check resolves the failover name, so it follows whichever Region answers: while
    the primary is down it probes the standby, reports healthy and never triggers a failover.
    Checks that probe a fixed ``ipAddress`` and checks without an endpoint (calculated,
    CloudWatch-metric) are out of scope. An unknown input that could decide the verdict makes
    the rule not applicable, naming it, after the known violations are reported.
    """
    computed_names: list[str] = []
    computed_checks: list[str] = []
    names, records = _failover_names(args.resources, computed_names)
    probed = _probed_names(args.resources, computed_checks)
    # An unknown only matters if there is something to compare it with.
    undecided = (computed_checks if records else []) + (
        computed_names if probed or computed_checks else [])
    for hc, fqdn in probed:
        if dns_name_key(fqdn) in names:
            report(f"Route 53 health check probes {fqdn}, the name of the failover records: "
                   "it follows whichever Region answers, so it never sees the primary fail "
                   "and never triggers a failover. Probe the primary Region's own endpoint "
                   "name instead.", hc.urn)
    undecided_in_preview(undecided)


def _failover_names(resources: Any, undecided: list[str]) -> tuple[set[str], bool]:
    """The failover records' names as DNS compares them, and whether any failover record
    exists; a computed name goes to ``undecided`` as ``"<urn>: name"``."""
    names: set[str] = set()
    found = False
    for r in by_type(resources, RECORD):
        if not is_set(r.props, "failoverRoutingPolicies"):
            continue
        found = True
        try:
            name = value(r.props, "name")
        except Unknown:
            undecided.append(f"{r.urn}: name")
            continue
        if isinstance(name, str) and name:
            names.add(dns_name_key(name))
    return names, found


def _probed_names(resources: Any, undecided: list[str]) -> list[tuple[Any, str]]:
    """``(health check, fqdn)`` of each endpoint check that resolves a name; a computed type,
    fqdn or ipAddress goes to ``undecided`` as ``"<urn>: <path>"``."""
    out: list[tuple[Any, str]] = []
    for hc in by_type(resources, HEALTH_CHECK):
        try:
            # With an ipAddress, Route 53 probes that address whatever the fqdn says.
            if value(hc.props, "type") not in ENDPOINT_CHECK_TYPES or value(hc.props, "ipAddress"):
                continue
            fqdn = value(hc.props, "fqdn")
        except Unknown as e:
            undecided.append(f"{hc.urn}: {e.path}")
            continue
        if isinstance(fqdn, str) and fqdn:
            out.append((hc, fqdn))
    return out


@resource_rule("cloudwatch-health-check-alarm-region", [METRIC_ALARM],
               "Checks whether alarms on Route 53 HealthCheckStatus are created in us-east-1, the "
               "only Region that has the metric.",
               settings=[Setting("region", "string", HEALTH_CHECK_METRIC_REGION,
                                 "The only Region that publishes AWS/Route53 HealthCheckStatus.")])
def health_alarm_region(args: ResourceValidationArgs, report: ReportViolation, cfg: dict[str, Any]) -> None:
    """``cloudwatch-health-check-alarm-region``: HealthCheckStatus alarms live in us-east-1."""
    if (value(args.props, "namespace") != "AWS/Route53"
            or value(args.props, "metricName") != "HealthCheckStatus"):
        args.not_applicable("not an alarm on AWS/Route53 HealthCheckStatus")
    where = region(args.props, args.provider)
    if where != cfg["region"]:
        report(f"CloudWatch alarm on AWS/Route53 HealthCheckStatus must be created in "
               f"{cfg['region']} (the metric exists only there), got {where or 'the default provider'}; "
               "elsewhere it stays INSUFFICIENT_DATA and never fires.")


def policies() -> list[Policy]:
    return [health_check_timing(), primary_record_health_check(), failover_set_identifiers(),
            health_check_not_on_failover_name(), health_alarm_region()]
