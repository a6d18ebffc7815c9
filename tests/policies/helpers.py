"""Builders for policy tests: valid inputs per resource type, a valid DR stack, and runners
that call a policy's ``validate`` directly and return what it reported.

As in AWSGuard's tests: a helper builds valid arguments for a type, each test changes one
property and asserts the exact violation.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    Policy,
    PolicyProviderResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.policy import PolicyCustomTimeouts, _NotApplicableError
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from contract.deploy_safety import INSTANCE_REPLACING, RETAIN_TAG, RETAIN_VALUE
from contract.env import Env
from contract.names import ROLE_TAG, Role
from engine.pack import Resource, policy_resources

UNKNOWN = UNKNOWN_STRING_VALUE
PRIMARY, STANDBY = "us-east-1", "us-west-2"
SOURCE_ARN = "arn:aws:rds:us-east-1:123456789012:db:shop-primary"
STEP_BUDGETS = {"verify_failure": 30, "check_readiness": 30, "promote": 120,
                "move_traffic": 30, "warm": 60, "verify_recovery": 60}


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:prod::ecommerce-dr::{type_}::{name}"


#: URNs the rule tests give their resources.
ALARM_URN = urn("aws:cloudwatch/metricAlarm:MetricAlarm", "health-alarm")
BACKUP_ORCH_URN = urn("aws:lambda/function:Function", "backup-orchestrator")
BACKUP_URN = urn("aws:cloudwatch/eventRule:EventRule", "backup-schedule")
BUCKET_URN = urn("aws:s3/bucket:Bucket", "bucket")
DB_URN = urn("aws:rds/instance:Instance", "standby-database")
GATE_URN = urn("aws:cloudwatch/metricAlarm:MetricAlarm", "gate-alarm")
HC_URN = urn("aws:route53/healthCheck:HealthCheck", "endpoint-hc")
LAG_URN = urn("aws:cloudwatch/metricAlarm:MetricAlarm", "replication-alarm")
ORCH_URN = urn("aws:lambda/function:Function", "failover-orchestrator")
POLICY_URN = urn("aws:iam/rolePolicy:RolePolicy", "role-policy")
PRIMARY_URN = urn("aws:route53/record:Record", "primary-record")
ROLE_URN = urn("aws:iam/role:Role", "lambda-role")
SECONDARY_URN = urn("aws:route53/record:Record", "secondary-record")
VERSIONING_URN = urn("aws:s3/bucketVersioning:BucketVersioning", "bucket-versioning")
WATCHDOG_URN = urn("aws:cloudwatch/eventRule:EventRule", "watchdog-schedule")


def provider(region: str) -> Resource:
    return Resource(urn=urn("pulumi:providers:aws", region), type="pulumi:providers:aws",
                    name=region, inputs={"region": region})


def tagged(r: Role | str, **props: Any) -> dict[str, Any]:
    return {**props, "tags": {ROLE_TAG: str(r), "app": "shop"}}


def retained(props: dict[str, Any]) -> dict[str, Any]:
    """``props`` with the retain tag the program sets with ``retainOnDelete``."""
    props["tags"][RETAIN_TAG] = RETAIN_VALUE
    return props


#: Valid inputs per type (and Region), the way the program declares them.
VALID: dict[str, tuple[str, dict[str, Any]]] = {
    "endpoint-hc": ("aws:route53/healthCheck:HealthCheck", tagged(
        Role.ENDPOINT_HEALTH_CHECK, type="HTTPS", fqdn="shop-use1.example.com", port=443,
        resourcePath="/health", requestInterval=10, failureThreshold=3)),
    "health-alarm": ("aws:cloudwatch/metricAlarm:MetricAlarm", tagged(
        Role.HEALTH_ALARM, namespace="AWS/Route53", metricName="HealthCheckStatus", period=60,
        evaluationPeriods=1, threshold=1, comparisonOperator="LessThanThreshold")),
    "primary-record": ("aws:route53/record:Record", {
        "zoneId": "Z1", "name": "shop.example.com", "type": "CNAME", "ttl": 60,
        "records": ["shop-use1.example.com"], "setIdentifier": "prod-primary-us-east-1",
        "failoverRoutingPolicies": [{"type": "PRIMARY"}], "healthCheckId": UNKNOWN}),
    "secondary-record": ("aws:route53/record:Record", {
        "zoneId": "Z1", "name": "shop.example.com", "type": "CNAME", "ttl": 60,
        "records": ["shop-usw2.example.com"], "setIdentifier": "prod-secondary-us-west-2",
        "failoverRoutingPolicies": [{"type": "SECONDARY"}]}),
    "failover-orchestrator": ("aws:lambda/function:Function", tagged(
        Role.FAILOVER_ORCHESTRATOR, role=UNKNOWN, runtime="python3.12", environment={
            "variables": {Env.PRIMARY_REGION: PRIMARY, Env.STANDBY_REGION: STANDBY,
                          Env.DB_STRATEGY: "read-replica",
                          Env.STEP_BUDGETS_SECONDS: json.dumps(STEP_BUDGETS),
                          Env.PROMOTION_SECONDS: "600", Env.RPO_SECONDS: "3600",
                          Env.CONSECUTIVE_FAILURES: "3", Env.PROBE_TIMEOUT_SECONDS: "5",
                          Env.ALERT_TOPIC_ARNS: UNKNOWN, Env.FAILOVER_PHASE: "normal",
                          Env.REVERSE_REPLICA_IDENTIFIER: ""}})),
    "backup-orchestrator": ("aws:lambda/function:Function", tagged(
        Role.BACKUP_ORCHESTRATOR, role=UNKNOWN, runtime="python3.12", environment={
            "variables": {Env.CADENCE_MINUTES: "60", Env.RETENTION_HOURS: "24",
                          Env.KEEP_NEWEST: "3", Env.SNAPSHOT_QUOTA: "100",
                          Env.DB_STRATEGY: "read-replica",
                          Env.PROTECTED_DATABASES: json.dumps(
                              [{"primaryArn": SOURCE_ARN, "standbyIdentifier": "shop-standby"}])}})),
    "watchdog-schedule": ("aws:cloudwatch/eventRule:EventRule", tagged(
        Role.WATCHDOG_SCHEDULE, scheduleExpression="rate(1 minute)")),
    "backup-schedule": ("aws:cloudwatch/eventRule:EventRule", tagged(
        Role.BACKUP_SCHEDULE, scheduleExpression="rate(1 hour)")),
    "replication-alarm": ("aws:cloudwatch/metricAlarm:MetricAlarm", tagged(
        Role.REPLICATION_ALARM, namespace="AWS/RDS", metricName="ReplicaLag", threshold=900,
        period=60, evaluationPeriods=1, comparisonOperator="GreaterThanThreshold",
        alarmActions=[UNKNOWN])),
    "gate-alarm": ("aws:cloudwatch/metricAlarm:MetricAlarm", tagged(
        Role.GATE_ALARM, namespace="EcommerceDR/Gate", metricName="FailoverGateEngaged",
        period=60, evaluationPeriods=1, threshold=1,
        comparisonOperator="GreaterThanOrEqualToThreshold", alarmActions=[UNKNOWN])),
    "standby-kms-key": ("aws:kms/key:Key", tagged(Role.STANDBY_KMS_KEY, enableKeyRotation=True)),
    "standby-database": ("aws:rds/instance:Instance", retained(tagged(
        Role.STANDBY_DATABASE, replicateSourceDb=SOURCE_ARN, instanceClass="db.r6g.large",
        kmsKeyId=UNKNOWN, storageEncrypted=True, deletionProtection=True,
        backupRetentionPeriod=7))),
    "snapshot": ("aws:rds/snapshot:Snapshot", {"dbInstanceIdentifier": "shop-primary",
                                               "dbSnapshotIdentifier": "s1",
                                               "sharedAccounts": ["210987654321"],
                                               "tags": {RETAIN_TAG: RETAIN_VALUE}}),
    "bucket": ("aws:s3/bucket:Bucket", tagged(Role.METADATA_BUCKET, bucket="prod-dr-metadata")),
    "bucket-sse": ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                   {"bucket": UNKNOWN, "rules": [{"applyServerSideEncryptionByDefault":
                                                  {"sseAlgorithm": "aws:kms"}}]}),
    "bucket-versioning": ("aws:s3/bucketVersioning:BucketVersioning",
                          {"bucket": UNKNOWN, "versioningConfiguration": {"status": "Enabled"}}),
    "bucket-pab": ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                   {"bucket": UNKNOWN, "blockPublicAcls": True, "blockPublicPolicy": True,
                    "ignorePublicAcls": True, "restrictPublicBuckets": True}),
    "topic": ("aws:sns/topic:Topic", tagged(Role.ALERT_TOPIC, kmsMasterKeyId="alias/aws/sns")),
    "lambda-role": ("aws:iam/role:Role", {"assumeRolePolicy": json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "lambda.amazonaws.com"}}]})}),
    "role-policy": ("aws:iam/rolePolicy:RolePolicy", {"role": UNKNOWN, "policy": json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["rds:PromoteReadReplica", "rds:DescribeDBInstances"],
             "Resource": "*"}]})}),
}

#: Resource options of the valid resources that have any (as the program sets them).
OPTIONS: dict[str, dict[str, Any]] = {
    "standby-database": {"protect": True, "ignoreChanges": list(INSTANCE_REPLACING)}}

#: Region of each valid resource (Route 53 and its metric alarm live in us-east-1).
REGION = {"endpoint-hc": PRIMARY, "health-alarm": PRIMARY, "primary-record": PRIMARY,
          "secondary-record": PRIMARY, "snapshot": PRIMARY}


def valid(key: str) -> tuple[str, dict[str, Any]]:
    type_, props = VALID[key]
    return type_, copy.deepcopy(props)


# --- resource policies ---------------------------------------------------------------------

@dataclass
class Outcome:
    violations: list[str] = field(default_factory=list)
    not_applicable: str | None = None


def resource_args(type_: str, props: dict[str, Any], *, region: str | None = STANDBY,
                  name: str = "r", config: dict[str, Any] | None = None) -> ResourceValidationArgs:
    prov = None if region is None else PolicyProviderResource(
        "pulumi:providers:aws", unknown_checking_proxy({"region": region}),
        urn("pulumi:providers:aws", region), region)
    opts = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)
    return ResourceValidationArgs(type_, unknown_checking_proxy(copy.deepcopy(props)),
                                  urn(type_, name), name, opts, prov, config)


def run_resource(policy: Policy, type_: str, props: dict[str, Any], **kw: Any) -> Outcome:
    """Call ``policy.validate`` directly; return the messages and any not-applicable reason."""
    out = Outcome()
    try:
        policy.validate(resource_args(type_, props, **kw),  # type: ignore[attr-defined]
                        lambda message, urn=None: out.violations.append(message))
    except _NotApplicableError as e:
        out.not_applicable = e.reason
    return out


def edited(props: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``props`` with ``changes`` applied in place (a value of None deletes the property)."""
    for k, v in changes.items():
        if v is None:
            props.pop(k, None)
        else:
            props[k] = v
    return props


def run_valid(policy: Policy, key: str, **changes: Any) -> Outcome:
    """Run ``policy`` on the valid inputs of ``key`` with ``changes`` applied (None deletes)."""
    return run_valid_in(REGION.get(key, STANDBY), policy, key, **changes)


def run_valid_in(provider_region: str, policy: Policy, key: str, /, **changes: Any) -> Outcome:
    """:func:`run_valid` with the resource's provider in ``provider_region``."""
    type_, props = valid(key)
    return run_resource(policy, type_, edited(props, changes), region=provider_region)


# --- stack policies ------------------------------------------------------------------------

@dataclass
class StackOutcome:
    violations: list[tuple[str, str | None]] = field(default_factory=list)
    not_applicable: str | None = None

    @property
    def messages(self) -> list[str]:
        return [m for m, _ in self.violations]


def dr_stack(**edits: dict[str, Any] | None) -> list[Resource]:
    """A valid DR stack as analyzer resources, one per :data:`VALID` key.

    ``edits`` maps a key to property changes (a value of None deletes the property), or to
    None to leave that resource out. Companion resources depend on their bucket, the role
    policy on its role and the replica's kmsKeyId on the standby key, as the engine records.
    """
    providers = {r: provider(r) for r in (PRIMARY, STANDBY)}
    out: dict[str, Resource] = {}
    for key, (type_, props) in VALID.items():
        if key in edits and edits[key] is None:
            continue
        props = edited(copy.deepcopy(props), edits.get(key) or {})
        out[key] = Resource(urn=urn(type_, key), type=type_, name=key, inputs=props,
                            provider=providers[REGION.get(key, STANDBY)],
                            options=copy.deepcopy(OPTIONS.get(key, {})))
    deps = {"bucket-sse": ("bucket", "bucket"), "bucket-versioning": ("bucket", "bucket"),
            "bucket-pab": ("bucket", "bucket"), "role-policy": ("role", "lambda-role"),
            "standby-database": ("kmsKeyId", "standby-kms-key"),
            "failover-orchestrator": ("role", "lambda-role")}
    for key, (prop, target) in deps.items():
        if key in out and target in out:
            out[key].property_dependencies[prop] = [out[target].urn]
            out[key].dependencies.append(out[target].urn)
    return list(out.values())


def another(key: str, name: str, /, **changes: Any) -> Resource:
    """One more resource like :data:`VALID` ``key`` (same type and Region), named ``name``, with
    ``changes`` applied (None deletes): for stacks with several checks or alarms of a role."""
    type_, props = valid(key)
    return Resource(urn=urn(type_, name), type=type_, name=name, inputs=edited(props, changes),
                    provider=provider(REGION.get(key, STANDBY)))


def run_stack(policy: Policy, resources: list[Resource],
              config: dict[str, Any] | None = None) -> StackOutcome:
    out = StackOutcome()
    args = StackValidationArgs(policy_resources(resources), config)
    try:
        policy.validate(args, lambda message, urn=None: out.violations.append((message, urn)))  # type: ignore[attr-defined]
    except _NotApplicableError as e:
        out.not_applicable = e.reason
    return out
