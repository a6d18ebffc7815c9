"""One orchestrator Lambda function with its log group, least-privilege role and error alarm.

Used by the failover and backup components (each its own function). The role's policy is the
caller's statements plus the function's own log group and X-Ray; every statement names its
actions (no ``*`` in any action) and its resources, except where AWS offers no resource-level
permission (``cloudwatch:PutMetricData`` - narrowed by a namespace condition -, CloudWatch
metric reads and X-Ray), which must be ``"*"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.common import (
    LAMBDA_RUNTIME,
    Naming,
    Providers,
    assume_role_policy,
    child,
    lambda_code,
    policy_json,
    powertools_layer_arn,
)
from components.naming import log_group_name as lambda_log_group
from components.settings import DrSettings
from contract.names import METRIC_NAMESPACE, ROLE_TAG
from rto_rpo.figures import LAMBDA_MAX_TIMEOUT_SECONDS

LOG_RETENTION_DAYS = 90


@dataclass
class OrchestratorArgs:
    """What both orchestrator components take (each ``XArgs`` adds its own).

    Attributes:
        settings: validated settings.
        providers: Region providers.
        naming: physical names.
        common_env: the env vars both orchestrators share (``COMMON_ENV`` keys).
        standby_key_arn: the standby KMS key (failover: state table; backup: snapshot
            copies and the metadata bucket).
        database_statements: the strategy's IAM statements for this orchestrator
            (components.database).
        alert_topic_arns: Region -> topic ARN.
        standby_key_alias: alias of the standby key (IAM statements name keys by alias).
        alert_key_aliases: ``(region, alias)`` of each alert topic's key (publishing to an
            encrypted topic needs kms:GenerateDataKey on it).
    """

    settings: DrSettings
    providers: Providers
    naming: Naming
    common_env: dict[str, pulumi.Input[str]]
    standby_key_arn: pulumi.Input[str]
    database_statements: list[dict[str, Any]]
    alert_topic_arns: dict[str, pulumi.Input[str]]
    standby_key_alias: str
    alert_key_aliases: list[tuple[str, str]]


@dataclass
class FunctionSpec:
    """What differs between the orchestrators.

    Attributes:
        function_name: physical name (fixed, so ARNs are known during preview).
        handler: module path of the handler, e.g. ``handlers.failover.app.handler``.
        description: one line.
        environment: env var -> value; plain strings stay known during preview.
        statements: IAM statements beyond logs and X-Ray.
        tags: resource tags (including ``dr:role``).
        timeout_seconds: at most 900, Lambda's longest timeout
            (rto_rpo.figures.LAMBDA_MAX_TIMEOUT_SECONDS); the failover orchestrator resumes
            across invocations when a promotion takes longer.
        memory_mb: memory size.
    """

    function_name: str
    handler: str
    description: str
    environment: dict[str, pulumi.Input[str]]
    statements: list[dict[str, Any]]
    tags: dict[str, str]
    timeout_seconds: int = LAMBDA_MAX_TIMEOUT_SECONDS
    memory_mb: int = 256


@dataclass
class DeployedFunction:
    function: aws.lambda_.Function
    role: aws.iam.Role
    log_group_name: str


def orchestrator_function(parent: pulumi.Resource, name: str, spec: FunctionSpec,
                          provider: aws.Provider, region: str, account: str,
                          partition: str = "aws") -> DeployedFunction:
    """Declare the log group, role, role policy and function as children of ``parent``."""
    # Only the function carries the dr:role tag: others find "the orchestrator" by it.
    support_tags = {k: v for k, v in spec.tags.items() if k != ROLE_TAG}
    log_group_name = lambda_log_group(spec.function_name)
    log_group = aws.cloudwatch.LogGroup(
        f"{name}-logs", name=log_group_name, retention_in_days=LOG_RETENTION_DAYS,
        tags=support_tags, opts=child(parent, provider))
    role = aws.iam.Role(
        f"{name}-role", assume_role_policy=assume_role_policy("lambda.amazonaws.com"),
        description=f"{spec.function_name}: least privilege, named actions on named resources",
        tags=support_tags, opts=child(parent, provider))
    log_arn = f"arn:{partition}:logs:{region}:{account}:log-group:{log_group_name}"
    statements = [
        *spec.statements,
        {"Sid": "OwnLogGroup", "Effect": "Allow",
         "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": [log_arn, f"{log_arn}:log-stream:*"]},
        {"Sid": "Tracing", "Effect": "Allow",   # X-Ray has no resource-level permissions
         "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": "*"},
    ]
    policy = aws.iam.RolePolicy(f"{name}-policy", role=role.id, policy=policy_json(statements),
                                opts=child(parent, provider))
    fn = aws.lambda_.Function(
        name,
        name=spec.function_name,
        description=spec.description,
        runtime=LAMBDA_RUNTIME,
        architectures=["x86_64"],
        handler=spec.handler,
        code=lambda_code(),
        role=role.arn,
        timeout=spec.timeout_seconds,
        memory_size=spec.memory_mb,
        layers=[powertools_layer_arn(region)],
        environment={"variables": {
            **spec.environment,
            "POWERTOOLS_SERVICE_NAME": spec.function_name,
            "POWERTOOLS_METRICS_NAMESPACE": METRIC_NAMESPACE,
        }},
        tracing_config={"mode": "Active"},
        logging_config={"log_format": "JSON", "log_group": log_group_name},
        tags=spec.tags,
        opts=child(parent, provider, depends_on=[log_group, policy]))
    return DeployedFunction(fn, role, log_group_name)


def error_alarm(parent: pulumi.Resource, name: str, alarm_name: str, function_name: str,
                topic_arn: pulumi.Input[str], provider: aws.Provider, tags: dict[str, str],
                what: str) -> aws.cloudwatch.MetricAlarm:
    """An alarm on ``AWS/Lambda Errors`` of one function: any error in 5 minutes."""
    return aws.cloudwatch.MetricAlarm(
        name, name=alarm_name,
        alarm_description=f"{what} failed (unhandled error or timeout); see its logs.",
        namespace="AWS/Lambda", metric_name="Errors", dimensions={"FunctionName": function_name},
        statistic="Sum", period=300, evaluation_periods=1, comparison_operator=
        "GreaterThanOrEqualToThreshold", threshold=1, treat_missing_data="notBreaching",
        alarm_actions=[topic_arn], ok_actions=[topic_arn], tags=tags,
        opts=child(parent, provider))


def metric_statements(*namespaces: str) -> list[dict[str, Any]]:
    """CloudWatch metric writes (to ``namespaces`` only) and reads; CloudWatch metrics have no
    resource-level permissions, so the resource is ``"*"`` and a condition narrows writes."""
    return [
        {"Sid": "PublishOwnMetrics", "Effect": "Allow", "Action": ["cloudwatch:PutMetricData"],
         "Resource": "*",
         "Condition": {"StringEquals": {"cloudwatch:namespace": list(namespaces)}}},
        {"Sid": "ReadMetrics", "Effect": "Allow",
         "Action": ["cloudwatch:GetMetricStatistics", "cloudwatch:GetMetricData",
                    "cloudwatch:ListMetrics"], "Resource": "*"},
    ]
