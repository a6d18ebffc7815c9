"""RTO/RPO monitoring: the recovery-point-age alarm and two CloudWatch dashboards.

* Recovery-point age (``EcommerceDR RecoveryPointAgeSeconds``, dimension ``Stack``, published
  by the backup orchestrator) above the RPO raises an alarm; missing data counts as breaching
  (no figure means backups stopped).
* Dashboard **RTO**: detection (Route 53 health-check status in us-east-1, watchdog probe
  failures, the gate), failover steps (duration per step against its budget) and failover
  duration against the planned RTO and the target.
* Dashboard **RPO**: recovery-point age against the RPO, replication lag (the strategy's own
  metrics and ours) against its alarm threshold, backup successes and failures.

Both dashboards live in the standby Region (they must be readable while the primary is down).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.common import FAILOVER_SERVICE_DIMENSION, Naming, Providers, child, tags
from components.naming import Suffix
from components.settings import FAILOVER_STEPS, DrSettings
from contract.names import GATE_METRIC, GATE_NAMESPACE, METRIC_NAMESPACE, Metric, Role


@dataclass
class MonitoringArgs:
    """Inputs of :class:`Monitoring`.

    Attributes:
        settings: validated settings.
        providers: Region providers.
        naming: physical names.
        alert_topic_arns: Region -> topic ARN.
        endpoint_health_check_id: the primary endpoint's Route 53 health check.
        replication_alarm_metrics: (namespace, metric, dimensions) of the strategy's lag
            metrics (empty for snapshot-restore).
        planned_rto_seconds, planned_rpo_seconds: from components.budgets.
    """

    settings: DrSettings
    providers: Providers
    naming: Naming
    alert_topic_arns: dict[str, pulumi.Input[str]]
    endpoint_health_check_id: pulumi.Input[str]
    replication_alarm_metrics: list[tuple[str, str, dict[str, str]]]
    planned_rto_seconds: float
    planned_rpo_seconds: float


def _metric_widget(title: str, region: str, metrics: list[list[Any]], *, stat: str = "Maximum",
                   period: int = 60, lines: Sequence[tuple[str, float]] = (),
                   x: int = 0, y: int = 0, width: int = 12) -> dict[str, Any]:
    props: dict[str, Any] = {"title": title, "region": region, "metrics": metrics,
                             "stat": stat, "period": period, "view": "timeSeries"}
    if lines:
        props["annotations"] = {"horizontal": [{"label": label, "value": value}
                                               for label, value in lines]}
    return {"type": "metric", "x": x, "y": y, "width": width, "height": 6, "properties": props}


def rto_dashboard_body(s: DrSettings, stack: str, health_check_id: str, health_region: str,
                       standby_region: str, planned_rto_seconds: float) -> str:
    """RTO dashboard JSON: detection, failover steps, failover duration."""
    dims = ["Stack", stack]
    counts = [*dims, "service", FAILOVER_SERVICE_DIMENSION]   # Powertools EMF counts
    widgets = [
        _metric_widget("Detection: primary endpoint health check (1 = healthy)", health_region,
                       [["AWS/Route53", "HealthCheckStatus", "HealthCheckId", health_check_id]],
                       stat="Minimum", x=0, y=0),
        _metric_widget("Detection: watchdog probe failures / failover gate", standby_region,
                       [[METRIC_NAMESPACE, str(Metric.PRIMARY_PROBE_FAILED), *counts],
                        [GATE_NAMESPACE, GATE_METRIC, *dims],
                        [METRIC_NAMESPACE, str(Metric.FALSE_POSITIVE), *counts]],
                       stat="Sum", x=12, y=0),
        _metric_widget("Failover steps: duration per step (s)", standby_region,
                       [[METRIC_NAMESPACE, str(Metric.STEP_DURATION), *dims, "Step", step]
                        for step in FAILOVER_STEPS],
                       lines=[(f"budget {k}", float(v))
                              for k, v in s.failover.step_budgets_seconds.items()],
                       x=0, y=6),
        _metric_widget("Failover duration (s)", standby_region,
                       [[METRIC_NAMESPACE, str(Metric.FAILOVER_DURATION), *dims]],
                       lines=[("planned RTO", planned_rto_seconds), ("RTO target", s.rto_seconds)],
                       x=12, y=6),
    ]
    return json.dumps({"widgets": widgets}, sort_keys=True)


def rpo_dashboard_body(s: DrSettings, stack: str, standby_region: str, planned_rpo_seconds: float,
                       replication_metrics: list[tuple[str, str, dict[str, str]]]) -> str:
    """RPO dashboard JSON: recovery-point age, replication lag, backup success."""
    dims = ["Stack", stack]
    lag: list[list[Any]] = [[METRIC_NAMESPACE, str(Metric.REPLICATION_LAG), *dims]]
    for namespace, metric, d in replication_metrics:
        lag.append([namespace, metric, *[x for kv in d.items() for x in kv]])
    widgets = [
        _metric_widget("Recovery-point age (s)", standby_region,
                       [[METRIC_NAMESPACE, str(Metric.RECOVERY_POINT_AGE), *dims]],
                       lines=[("RPO target", s.rpo_seconds), ("planned RPO", planned_rpo_seconds)],
                       x=0, y=0),
        _metric_widget(f"Replication lag (s), {s.database.strategy}", standby_region, lag,
                       lines=[("lag alarm", s.replication_lag_alarm_seconds)], x=12, y=0),
        _metric_widget("Backup runs", standby_region,
                       [[METRIC_NAMESPACE, str(Metric.BACKUP_SUCCESS), *dims],
                        [METRIC_NAMESPACE, str(Metric.BACKUP_FAILURE), *dims]],
                       stat="Sum", period=max(300, s.backup.cadence_minutes * 60), x=0, y=6,
                       width=24),
    ]
    return json.dumps({"widgets": widgets}, sort_keys=True)


class Monitoring(pulumi.ComponentResource):
    """The recovery-point-age alarm and the RTO and RPO dashboards.

    Outputs:
        dashboard_names: ``{"rto": str, "rpo": str}``.
        recovery_point_alarm_name: str.
    """

    def __init__(self, name: str, args: MonitoringArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ecommerce-dr:monitoring:Monitoring", name, None, opts)
        s, p, n = args.settings, args.providers, args.naming
        stack = pulumi.get_stack()
        topic = args.alert_topic_arns[p.standby_region]

        self.recovery_point_alarm_name = n.name(Suffix.RECOVERY_POINT_ALARM)
        aws.cloudwatch.MetricAlarm(
            f"{name}-recovery-point-age", name=self.recovery_point_alarm_name,
            alarm_description=f"Newest usable recovery point is older than the RPO "
                              f"({s.rpo_seconds} s), or no figure is being published.",
            namespace=METRIC_NAMESPACE, metric_name=str(Metric.RECOVERY_POINT_AGE),
            dimensions={"Stack": stack}, statistic="Maximum", period=300, evaluation_periods=1,
            comparison_operator="GreaterThanThreshold", threshold=s.rpo_seconds,
            treat_missing_data="breaching", alarm_actions=[topic], ok_actions=[topic],
            tags=tags(s, Role.RECOVERY_POINT_ALARM), opts=child(self, p.standby))

        self.dashboard_names = {"rto": n.name(Suffix.RTO_DASHBOARD), "rpo": n.name(Suffix.RPO_DASHBOARD)}
        aws.cloudwatch.Dashboard(
            f"{name}-rto", dashboard_name=self.dashboard_names["rto"],
            dashboard_body=pulumi.Output.from_input(args.endpoint_health_check_id).apply(
                lambda hc: rto_dashboard_body(s, stack, hc, p.health_metrics_region,
                                              p.standby_region, args.planned_rto_seconds)),
            opts=child(self, p.standby))
        aws.cloudwatch.Dashboard(
            f"{name}-rpo", dashboard_name=self.dashboard_names["rpo"],
            dashboard_body=rpo_dashboard_body(s, stack, p.standby_region,
                                              args.planned_rpo_seconds,
                                              args.replication_alarm_metrics),
            opts=child(self, p.standby))
        self.register_outputs({"dashboardNames": self.dashboard_names,
                               "recoveryPointAlarmName": self.recovery_point_alarm_name})
