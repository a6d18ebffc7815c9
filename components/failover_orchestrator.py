"""The failover orchestrator: ``handlers/failover`` deployed in the standby Region.

Declares, all in the standby Region unless noted:

* the state-and-lock DynamoDB table (hash key ``pk``, PITR, encrypted with the standby key);
* the function (python3.12, 900 s timeout, the Region's Powertools layer) with a
  least-privilege role and every env var of the contract (``contract.env.Env``, failover
  and common keys); values known at deploy time are plain strings, so the policy pack can read
  them during preview;
* **two independent triggers**:

  1. the health-check alarm (us-east-1, where Route 53 metrics live) forwarded by a rule on
     us-east-1's default bus to an event bus in the standby Region (a rule cannot target a
     resource in another Region directly; cross-Region delivery goes bus-to-bus with an IAM
     role - Amazon EventBridge User Guide, "Sending and receiving events between AWS
     Regions", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html),
     where a rule invokes the function;
  2. a watchdog schedule (every ``failover.watchdogRateMinutes``, default 1) in the standby
     Region: the function probes the primary endpoint itself, so detection still works while
     us-east-1's own services are impaired;

* an alarm on the function's errors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.common import (
    FAILOVER_SERVICE_DIMENSION,
    assume_role_policy,
    child,
    policy_json,
    tags,
)
from components.lambda_function import (
    FunctionSpec,
    OrchestratorArgs,
    error_alarm,
    metric_statements,
    orchestrator_function,
)
from components.naming import Suffix
from components.settings import DrSettings
from contract.env import Env, FailoverEnv
from contract.names import GATE_NAMESPACE, METRIC_NAMESPACE, STOP_TASK_ACTION, Metric, Role
from contract.strategies import Standby, Strategy

HANDLER = "handlers.failover.app.handler"
ALARM_STATE_CHANGE = "CloudWatch Alarm State Change"


def rate_expression(minutes: int) -> str:
    """EventBridge rate expression: ``rate(1 minute)`` or ``rate(N minutes)``."""
    return "rate(1 minute)" if minutes == 1 else f"rate({minutes} minutes)"


def health_url(fqdn: str, port: int, path: str) -> str:
    """``https://<fqdn>[:<port>]<path>``; the port is omitted when it is 443."""
    return f"https://{fqdn}{'' if port == 443 else f':{port}'}{path}"


@dataclass
class FailoverOrchestratorArgs(OrchestratorArgs):
    """Inputs of :class:`FailoverOrchestrator`: those of
    :class:`components.lambda_function.OrchestratorArgs`, and

    Attributes:
        health_alarm_name, health_alarm_arn: the us-east-1 endpoint alarm.
        gate_alarm_name, gate_alarm_arn: the standby-Region gate alarm.
        reverse_replica_identifier: REVERSE_REPLICA_IDENTIFIER
            (:func:`components.database.reverse_identifier`).
        extra_statements: further IAM statements (the write switch's).
    """

    health_alarm_name: str
    health_alarm_arn: str
    gate_alarm_name: str
    gate_alarm_arn: str
    reverse_replica_identifier: str = ""
    extra_statements: list[dict[str, Any]] = field(default_factory=list)


def failover_env(s: DrSettings, common: dict[str, pulumi.Input[str]], *, state_table: str,
                 health_alarm_name: str, gate_alarm_name: str,
                 reverse_replica_identifier: str = "") -> dict[str, pulumi.Input[str]]:
    """The function's environment: every variable of :class:`contract.env.FailoverEnv`.

    Raises:
        ValueError: a variable is missing or invalid (see ``FailoverEnv.render``).
    """
    hc = s.health_check
    env: dict[str, pulumi.Input[str]] = {
        **common,
        Env.STATE_TABLE_NAME: state_table,
        Env.FAILOVER_MODE: s.failover.mode,
        Env.PRIMARY_HEALTH_URL: health_url(s.site.primary_endpoint_fqdn, hc.port, hc.path),
        Env.STANDBY_HEALTH_URL: health_url(s.site.standby_endpoint_fqdn, hc.port, hc.path),
        Env.PROBE_TIMEOUT_SECONDS: float(s.failover.probe_timeout_seconds),
        Env.CONSECUTIVE_FAILURES: s.failover.consecutive_failures,
        Env.PROBE_WINDOW_SECONDS: s.failover.probe_window * 60,
        Env.HEALTH_ALARM_NAME: health_alarm_name,
        Env.GATE_ALARM_NAME: gate_alarm_name,
        Env.GATE_PERIOD_SECONDS: s.failover.gate_alarm_period_seconds,
        Env.STEP_BUDGETS_SECONDS: s.failover.step_budgets_seconds,
        Env.PROMOTION_SECONDS: s.promotion_seconds,
        # The stack's own targets travel with the orchestrator, so the policy pack holds
        # the stack to the stricter of them and the pack's configured targets.
        Env.RTO_SECONDS: s.rto_seconds,
        Env.PRIMARY_DB_ARN: s.database.primary_arn,
        Env.STANDBY_DB_IDENTIFIER: s.database.standby_id,
        Env.GLOBAL_CLUSTER_IDENTIFIER: s.database.global_cluster_id,
        Env.RESTORE_INSTANCE_CLASS: (s.database.instance_class
                                     if s.database.spec.standby is Standby.NONE else ""),
        Env.WARM_URLS: s.failover.warm_urls,
        Env.WARM_FUNCTIONS: s.failover.warm_functions,
        Env.FAILOVER_PHASE: str(s.phase),
        Env.REVERSE_REPLICA_IDENTIFIER: reverse_replica_identifier,
    }
    return FailoverEnv.render(env)


def failover_statements(a: FailoverOrchestratorArgs, state_table: str) -> list[dict[str, Any]]:
    """The function's IAM statements: its state table, the standby key, the DR alarms, its
    metrics, the alert topics and their keys, the strategy's database statements and the warm
    functions."""
    p, n = a.providers, a.naming
    statements: list[dict[str, Any]] = [
        {"Sid": "StateAndLock", "Effect": "Allow",
         "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem", "dynamodb:Query"],
         "Resource": [n.table_arn(p.standby_region, state_table)]},
        n.key_statement("StandbyKey", ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey",
                                       "kms:DescribeKey"],
                        [(p.standby_region, a.standby_key_alias)]),
        {"Sid": "ReadDrAlarms", "Effect": "Allow", "Action": ["cloudwatch:DescribeAlarms"],
         "Resource": [a.health_alarm_arn, a.gate_alarm_arn]},
        *metric_statements(METRIC_NAMESPACE, GATE_NAMESPACE),
        {"Sid": "Alert", "Effect": "Allow", "Action": ["sns:Publish"],
         "Resource": [n.topic_arn(region) for region in a.alert_topic_arns]},
        n.key_statement("EncryptAlerts", ["kms:GenerateDataKey", "kms:Decrypt"],
                        a.alert_key_aliases),
        *a.database_statements,
        *a.extra_statements,
    ]
    if a.reverse_replica_identifier and not a.settings.database.is_cluster:
        statements += reverse_statements(a)
    warm = a.settings.failover.warm_functions
    if warm:
        statements.append({
            "Sid": "WarmFunctions", "Effect": "Allow", "Action": ["lambda:InvokeFunction"],
            "Resource": [f if f.startswith("arn:") else n.function_arn(p.standby_region, f)
                         for f in warm]})
    return statements


def reverse_statements(a: FailoverOrchestratorArgs) -> list[dict[str, Any]]:
    """The failback promotes the reverse replica; dms: it reads the reverse task and stops
    it, by its ARN (its endpoints are read under the strategy's own ReadCdcEndpoints grant,
    :mod:`components.standby.dms`)."""
    p, n, rid = a.providers, a.naming, a.reverse_replica_identifier
    if a.settings.database.strategy == Strategy.DMS:
        return [{"Sid": "ReverseCdcTask", "Effect": "Allow",
                 "Action": ["dms:DescribeReplicationTasks", STOP_TASK_ACTION],
                 "Resource": [rid]}]
    return [{"Sid": "PromoteReverseReplica", "Effect": "Allow",
             "Action": ["rds:PromoteReadReplica"],
             "Resource": [n.db_arn(p.primary_region, rid)]}]


class FailoverOrchestrator(pulumi.ComponentResource):
    """State table, function, role, the two triggers and the error alarm.

    Outputs:
        function_arn: ``Output[str]``.
        function_name: str (fixed).
        state_table_name: str (fixed).
        error_alarm_name: str.
        watchdog_rule_name: str.
        alarm_bus_name: str, the standby-Region bus receiving forwarded alarm events.
    """

    def __init__(self, name: str, args: FailoverOrchestratorArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ecommerce-dr:failover_orchestrator:FailoverOrchestrator", name, None,
                         opts)
        self._args = args
        self._providers_standby = args.providers.standby
        self.state_table_name = self._state_table(name)
        self.function_name = args.naming.name(Suffix.FAILOVER_FUNCTION)
        fn = self._function(name)
        self.function_arn = fn.arn
        self.watchdog_rule_name = self._watchdog(name, fn)
        self.alarm_bus_name = self._alarm_trigger(name, fn)
        self.error_alarm_name, self.reported_error_alarm_name = self._error_alarms(name)
        self.register_outputs({"functionArn": fn.arn, "stateTableName": self.state_table_name,
                               "watchdogRuleName": self.watchdog_rule_name})

    def _state_table(self, name: str) -> str:
        """The state-and-lock table (PITR, encrypted with the standby key); its name."""
        a = self._args
        table_name = a.naming.name(Suffix.STATE_TABLE)
        aws.dynamodb.Table(
            f"{name}-state",
            name=table_name,
            billing_mode="PAY_PER_REQUEST",
            hash_key="pk",
            attributes=[{"name": "pk", "type": "S"}],
            point_in_time_recovery={"enabled": True},
            server_side_encryption={"enabled": True, "kms_key_arn": a.standby_key_arn},
            deletion_protection_enabled=True,
            tags=tags(a.settings, Role.STATE_TABLE),
            opts=child(self, self._providers_standby))
        return table_name

    def _function(self, name: str) -> aws.lambda_.Function:
        """The function with its role, log group and every variable of the contract."""
        a = self._args
        s, p = a.settings, a.providers
        env = failover_env(s, a.common_env, state_table=self.state_table_name,
                           health_alarm_name=a.health_alarm_name,
                           gate_alarm_name=a.gate_alarm_name,
                           reverse_replica_identifier=a.reverse_replica_identifier)
        deployed = orchestrator_function(
            self, f"{name}-function",
            FunctionSpec(function_name=self.function_name, handler=HANDLER,
                         description="DR failover orchestrator: verify, promote, move traffic "
                                     "(failover gate), warm, verify",
                         environment=env, statements=failover_statements(a, self.state_table_name),
                         tags=tags(s, Role.FAILOVER_ORCHESTRATOR)),
            p.standby, p.standby_region, a.naming.account, a.naming.partition)
        return deployed.function

    def _watchdog(self, name: str, fn: aws.lambda_.Function) -> str:
        """Trigger 2: the watchdog schedule, entirely in the standby Region; its rule name."""
        a = self._args
        rule_name = a.naming.name(Suffix.WATCHDOG_RULE)
        watchdog = aws.cloudwatch.EventRule(
            f"{name}-watchdog",
            name=rule_name,
            description="Watchdog: the failover orchestrator probes the primary endpoint",
            schedule_expression=rate_expression(a.settings.failover.watchdog_rate_minutes),
            tags=tags(a.settings, Role.WATCHDOG_SCHEDULE), opts=child(self, self._providers_standby))
        self._invoke_from(f"{name}-watchdog", watchdog, fn)
        return rule_name

    def _alarm_trigger(self, name: str, fn: aws.lambda_.Function) -> str | None:
        """Trigger 1: the us-east-1 health alarm's state changes, forwarded to a bus in the
        standby Region (or invoking the function directly when that Region is us-east-1).
        Returns the forwarding bus's name, or None."""
        a = self._args
        s, p, n = a.settings, a.providers, a.naming
        pattern = json.dumps({"source": ["aws.cloudwatch"], "detail-type": [ALARM_STATE_CHANGE],
                              "detail": {"alarmName": [a.health_alarm_name]}})
        forwarder = aws.cloudwatch.EventRule(
            f"{name}-alarm-forwarder",
            name=n.name(Suffix.ALARM_FORWARDER_RULE),
            description="Forwards the Route 53 health-check alarm to the failover orchestrator",
            event_pattern=pattern,
            tags=tags(s, Role.ALARM_FORWARDER), opts=child(self, p.health_metrics))
        if p.health_metrics_region == p.standby_region:
            # Same Region: no forwarding needed, the rule invokes the function directly.
            self._invoke_from(f"{name}-alarm-forwarder", forwarder, fn, provider=p.health_metrics)
            return None
        bus = self._forward_to_standby_bus(name, forwarder)
        on_bus = aws.cloudwatch.EventRule(
            f"{name}-forwarded-alarm",
            name=n.name(Suffix.FORWARDED_ALARM_RULE),
            description="Invokes the failover orchestrator on the forwarded health alarm",
            event_bus_name=bus.name, event_pattern=pattern, tags=tags(s),
            opts=child(self, self._providers_standby))
        self._invoke_from(f"{name}-forwarded-alarm", on_bus, fn, event_bus_name=bus.name)
        return n.name(Suffix.ALARM_BUS)

    def _forward_to_standby_bus(self, name: str, forwarder: aws.cloudwatch.EventRule
                                ) -> aws.cloudwatch.EventBus:
        """The standby Region's bus and the role and target that put ``forwarder``'s events on
        it (a rule cannot target a resource in another Region; bus-to-bus can)."""
        a = self._args
        s, p, n = a.settings, a.providers, a.naming
        bus_name = n.name(Suffix.ALARM_BUS)
        bus = aws.cloudwatch.EventBus(
            f"{name}-alarm-bus", name=bus_name, tags=tags(s),
            opts=child(self, self._providers_standby))
        forward_role = aws.iam.Role(
            f"{name}-alarm-forwarder-role",
            assume_role_policy=assume_role_policy("events.amazonaws.com"),
            description="EventBridge forwards the health alarm to the standby Region's bus",
            tags=tags(s), opts=child(self, p.health_metrics))
        aws.iam.RolePolicy(
            f"{name}-alarm-forwarder-policy", role=forward_role.id,
            policy=policy_json([{"Sid": "PutToStandbyBus", "Effect": "Allow",
                                 "Action": ["events:PutEvents"],
                                 "Resource": [n.event_bus_arn(p.standby_region, bus_name)]}]),
            opts=child(self, p.health_metrics))
        aws.cloudwatch.EventTarget(
            f"{name}-alarm-forwarder-target", rule=forwarder.name, arn=bus.arn,
            role_arn=forward_role.arn, opts=child(self, p.health_metrics))
        return bus

    def _error_alarms(self, name: str) -> tuple[str, str]:
        """The alarm on the function's errors, and the one on the errors it caught and
        reported (it fails cleanly, so Lambda sees no error); their names."""
        a = self._args
        s, p, n = a.settings, a.providers, a.naming
        topic = a.alert_topic_arns[p.standby_region]
        errors, reported = n.name(Suffix.FAILOVER_ERRORS), n.name(Suffix.FAILOVER_REPORTED_ERRORS)
        error_alarm(self, f"{name}-errors", errors, self.function_name,
                    topic, self._providers_standby, tags(s), "The failover orchestrator")
        aws.cloudwatch.MetricAlarm(
            f"{name}-reported-errors", name=reported,
            alarm_description="The failover orchestrator reported an error it handled; see its "
                              "logs and the state table.",
            namespace=METRIC_NAMESPACE, metric_name=str(Metric.ORCHESTRATOR_ERROR),
            dimensions={"Stack": pulumi.get_stack(), "service": FAILOVER_SERVICE_DIMENSION},
            statistic="Sum", period=300, evaluation_periods=1,
            comparison_operator="GreaterThanOrEqualToThreshold", threshold=1,
            treat_missing_data="notBreaching", alarm_actions=[topic], ok_actions=[topic],
            tags=tags(s), opts=child(self, self._providers_standby))
        return errors, reported

    def _invoke_from(self, name: str, rule: aws.cloudwatch.EventRule,
                     fn: aws.lambda_.Function, *, provider: aws.Provider | None = None,
                     event_bus_name: pulumi.Input[str] | None = None) -> None:
        """Target ``fn`` from ``rule`` and let EventBridge (that rule only) invoke it."""
        p = self._providers_standby if provider is None else provider
        aws.lambda_.Permission(
            f"{name}-invoke", action="lambda:InvokeFunction", function=fn.name,
            principal="events.amazonaws.com", source_arn=rule.arn,
            opts=child(self, self._providers_standby))
        aws.cloudwatch.EventTarget(
            f"{name}-target", rule=rule.name, arn=fn.arn, event_bus_name=event_bus_name,
            opts=child(self, p))
