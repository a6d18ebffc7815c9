"""Failover DNS: the primary endpoint's health check, the data-plane failover gate, and the
PRIMARY/SECONDARY failover records.

How traffic moves, with no Route 53 API call on the failover path (the Route 53 control plane
runs only in us-east-1 - Amazon Route 53 Developer Guide, "Creating disaster recovery
mechanisms using Amazon Route 53",
https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/disaster-recovery-resiliency.html -
and was impaired for hours in the December 2021 us-east-1 event while DNS answers and health
checkers, the data plane, kept working: "Summary of the AWS Service Event in the Northern
Virginia (US-EAST-1) Region", https://aws.amazon.com/message/12721/):

* An HTTPS health check probes the primary Region's *own* FQDN (never the shared failover
  name, which would check whichever Region answers).
* The **gate** is a CloudWatch alarm in the standby Region on ``EcommerceDR/Gate
  FailoverGateEngaged`` (dimension ``Stack``). A CLOUDWATCH_METRIC health check follows it.
  The orchestrator engages the gate by publishing 1: the alarm fires, the gate check turns
  unhealthy, the PRIMARY record stops answering and Route 53 serves the SECONDARY.
* Latch: ``treat_missing_data = "ignore"`` keeps the alarm's last state when no data arrives
  (Amazon CloudWatch User Guide, "Configuring how CloudWatch alarms treat missing data",
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data),
  and ``insufficient_data_health_status = "LastKnownStatus"`` keeps the check's last status
  while the alarm has no data: healthy for a new check (traffic on the primary before the
  first data point), unhealthy after a failover even if a deploy re-creates the alarm
  (Route 53 Developer Guide, "Values that you specify when you create or update health
  checks", "Monitor a CloudWatch alarm",
  https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html;
  Amazon Route 53 API Reference, "HealthCheckConfig", InsufficientDataHealthStatus: "For new
  health checks that have no last known status, the default status for the health check is
  healthy", https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html).
  Failback is a human decision: publish 0.
* ``orchestrated`` mode: the PRIMARY record follows the gate only; the orchestrator decides.
  ``automatic`` mode: it follows a CALCULATED check, gate AND endpoint (threshold 2 of 2), so
  Route 53 also fails over by itself when the endpoint check fails.
* The endpoint check's ``HealthCheckStatus`` metric exists only in us-east-1, so its alarm
  lives there (rto_rpo.figures.HEALTH_CHECK_METRIC_REGION).

Route 53 resources are global; they use the us-east-1 provider (where that API lives).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.common import Naming, Providers, child, tags
from components.naming import Suffix
from components.settings import DrSettings
from contract.names import (
    GATE_ALARM_EVALUATION_PERIODS,
    GATE_METRIC,
    GATE_NAMESPACE,
    Role,
)
from rto_rpo.figures import HEALTH_CHECK_METRIC_PERIOD_SECONDS


@dataclass
class FailoverDnsArgs:
    """Inputs of :class:`FailoverDns`.

    Attributes:
        settings: validated settings (site, healthCheck, dns, failover.mode).
        providers: Region providers.
        naming: physical names (alarm names are fixed so they are known during preview).
        alert_topic_arns: Region -> alert topic ARN; alarms notify the topic of their Region.
    """

    settings: DrSettings
    providers: Providers
    naming: Naming
    alert_topic_arns: dict[str, pulumi.Input[str]]


#: The gate health check's status while its alarm has no data (see the module doc).
GATE_INSUFFICIENT_DATA = "LastKnownStatus"


class FailoverDns(pulumi.ComponentResource):
    """Health checks, the failover gate and the failover records.

    Outputs:
        endpoint_health_check_id, gate_health_check_id: Route 53 health-check ids.
        combined_health_check_id: the CALCULATED check id (automatic mode), else None.
        health_alarm_name: us-east-1 alarm on the endpoint check (str, known at preview).
        health_alarm_arn: its ARN (str).
        gate_alarm_name: standby-Region gate alarm (str).
        gate_alarm_arn: its ARN (str).
    """

    def __init__(self, name: str, args: FailoverDnsArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ecommerce-dr:failover_dns:FailoverDns", name, None, opts)
        self._args = args
        n, p = args.naming, args.providers
        self.health_alarm_name = n.name(Suffix.HEALTH_ALARM)
        self.health_alarm_arn = n.alarm_arn(p.health_metrics_region, self.health_alarm_name)
        self.gate_alarm_name = n.name(Suffix.GATE_ALARM)
        self.gate_alarm_arn = n.alarm_arn(p.standby_region, self.gate_alarm_name)
        endpoint = self._endpoint_check(name)
        gate = self._gate(name)
        primary_check = self._primary_check(name, gate, endpoint)
        self._records(name, primary_check)
        self.endpoint_health_check_id = endpoint.id
        self.gate_health_check_id = gate.id
        self.register_outputs({
            "endpointHealthCheckId": endpoint.id, "gateHealthCheckId": gate.id,
            "healthAlarmName": self.health_alarm_name, "gateAlarmName": self.gate_alarm_name})

    def _endpoint_check(self, name: str) -> aws.route53.HealthCheck:
        """The HTTPS check of the primary Region's own endpoint and its us-east-1 alarm."""
        s, p, n = self._args.settings, self._args.providers, self._args.naming
        endpoint = aws.route53.HealthCheck(
            f"{name}-primary-endpoint",
            type="HTTPS",
            fqdn=s.site.primary_endpoint_fqdn,
            port=s.health_check.port,
            resource_path=s.health_check.path,
            request_interval=s.health_check.interval_seconds,
            failure_threshold=s.health_check.failure_threshold,
            enable_sni=True,
            measure_latency=True,
            reference_name=n.reference_name("primary"),
            tags=tags(s, Role.ENDPOINT_HEALTH_CHECK, Name=n.name(Suffix.PRIMARY_ENDPOINT_TAG)),
            opts=child(self, p.health_metrics))   # Route 53's API lives in us-east-1
        health_topic = self._args.alert_topic_arns[p.health_metrics_region]
        aws.cloudwatch.MetricAlarm(
            f"{name}-primary-endpoint-alarm",
            name=self.health_alarm_name,
            alarm_description=f"Route 53 health check of {s.site.primary_endpoint_fqdn} is "
                              "failing; forwarded to the failover orchestrator in "
                              f"{p.standby_region}.",
            namespace="AWS/Route53",
            metric_name="HealthCheckStatus",
            dimensions={"HealthCheckId": endpoint.id},
            statistic="Minimum",
            period=HEALTH_CHECK_METRIC_PERIOD_SECONDS,
            evaluation_periods=1,
            comparison_operator="LessThanThreshold", threshold=1, treat_missing_data="missing",
            alarm_actions=[health_topic], ok_actions=[health_topic],
            tags=tags(s, Role.HEALTH_ALARM),
            opts=child(self, p.health_metrics))
        return endpoint

    def _gate(self, name: str) -> aws.route53.HealthCheck:
        """The gate: the standby-Region alarm on the gate metric and the CLOUDWATCH_METRIC
        health check following it."""
        s, p, n = self._args.settings, self._args.providers, self._args.naming
        standby_topic = self._args.alert_topic_arns[p.standby_region]
        gate_alarm = aws.cloudwatch.MetricAlarm(
            f"{name}-gate-alarm",
            name=self.gate_alarm_name,
            alarm_description="Failover gate: ALARM sends traffic to the standby Region. "
                              "Engaged by the failover orchestrator; latches (missing data "
                              "keeps the last state). Publish 0 to fail back.",
            namespace=GATE_NAMESPACE,
            metric_name=GATE_METRIC,
            dimensions={"Stack": pulumi.get_stack()},
            statistic="Maximum",
            # 10 or 30 s only with a high-resolution gate metric, which the orchestrator then
            # publishes (contract.names.gate_storage_resolution, GATE_PERIOD_SECONDS).
            period=s.failover.gate_alarm_period_seconds,
            evaluation_periods=GATE_ALARM_EVALUATION_PERIODS,
            comparison_operator="GreaterThanOrEqualToThreshold", threshold=1,
            treat_missing_data="ignore",
            alarm_actions=[standby_topic], ok_actions=[standby_topic],
            tags=tags(s, Role.GATE_ALARM),
            opts=child(self, p.standby))
        return aws.route53.HealthCheck(
            f"{name}-gate",
            type="CLOUDWATCH_METRIC",
            cloudwatch_alarm_name=gate_alarm.name,
            cloudwatch_alarm_region=p.standby_region,
            # A new or re-created gate alarm starts in INSUFFICIENT_DATA. LastKnownStatus keeps
            # the check's last status then: healthy for a new check (traffic on the primary),
            # unhealthy after a failover (traffic stays on the standby), so no deploy can
            # release the gate; only the failback's OK (gate metric 0) does. One value in
            # every phase: this check lives in us-east-1 (Route 53's API), often the primary
            # Region, where nothing may change after a failover.
            insufficient_data_health_status=GATE_INSUFFICIENT_DATA,
            reference_name=n.reference_name("gate"),
            tags=tags(s, Role.GATE_HEALTH_CHECK, Name=n.name(Suffix.GATE_ALARM)),
            opts=child(self, p.health_metrics))

    def _primary_check(self, name: str, gate: aws.route53.HealthCheck,
                       endpoint: aws.route53.HealthCheck) -> aws.route53.HealthCheck:
        """What the PRIMARY record follows: the gate (``orchestrated``), or a CALCULATED check
        of gate AND endpoint (``automatic``)."""
        s, n = self._args.settings, self._args.naming
        self.combined_health_check_id: pulumi.Output[str] | None = None
        if s.failover.mode != "automatic":
            return gate
        combined = aws.route53.HealthCheck(
            f"{name}-gate-and-endpoint",
            type="CALCULATED",
            child_healthchecks=[gate.id, endpoint.id],
            child_health_threshold=2,
            reference_name=n.reference_name("combined"),
            tags=tags(s, Role.COMBINED_HEALTH_CHECK, Name=n.name(Suffix.COMBINED_CHECK_TAG)),
            opts=child(self, self._args.providers.health_metrics))
        self.combined_health_check_id = combined.id
        return combined

    def _records(self, name: str, primary_check: aws.route53.HealthCheck) -> None:
        """The failover pair: PRIMARY answers while ``primary_check`` passes, SECONDARY (no
        check of its own) otherwise."""
        s, p, n = self._args.settings, self._args.providers, self._args.naming
        for kind, fqdn, region, check_id in (
                ("primary", s.site.primary_endpoint_fqdn, p.primary_region, primary_check.id),
                ("secondary", s.site.standby_endpoint_fqdn, p.standby_region, None)):
            aws.route53.Record(
                f"{name}-{kind}",
                zone_id=s.site.hosted_zone_id,
                name=s.site.failover_fqdn,
                type="CNAME",
                ttl=s.dns.ttl_seconds,
                records=[fqdn],
                set_identifier=n.set_identifier(kind, region),
                failover_routing_policies=[{"type": kind.upper()}],
                health_check_id=check_id,
                opts=child(self, p.health_metrics))
