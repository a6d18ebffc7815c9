"""Benchmark of the policy pack: preview wall time, and evaluation time by stack size.

``measure() -> list[dict]`` returns rows for :mod:`bench.run` (keys ``benchmark``,
``metric``, ``value``, ``unit``, ``spread`` = (min, max), plus case keys):

* the offline preview of the prod stack (record the plan under mocks, start the pack, evaluate
  over gRPC): wall time, median of several runs after a warm-up, in-process (no interpreter
  start-up), and its parts;
* policy evaluation over gRPC (Configure, Analyze per resource, AnalyzeStack) for 1,000 and
  10,000 synthetic resources on an already started pack, with the time per resource and the
  10k/1k ratio, which is about 10 when evaluation grows linearly.

Synthetic resources are copies of a 12-resource unit shaped like the program's (bucket and its
three companions, a replica and its KMS key, a failover record pair, an alarm, a topic, a
Lambda role and its policy) with property dependencies as the engine records them, plus one
DR core (orchestrator, health check, schedules) so the RTO/RPO policy does its full work.

``python -m cli bench --only policy`` prints them.
"""

from __future__ import annotations

import json
from typing import Any

from bench.table import timed
from contract.deploy_safety import INSTANCE_REPLACING, RETAIN_TAG, RETAIN_VALUE
from contract.env import Env
from contract.names import ROLE_TAG, Role
from contract.phases import Phase
from contract.strategies import Strategy
from engine.mocks import UNKNOWN
from engine.pack import PackProcess, Resource, resources_from_plan

SOURCE_ARN = "arn:aws:rds:us-east-1:123456789012:db:shop-primary"
UNIT_SIZE = 12


def _urn(type_: str, name: str) -> str:
    return f"urn:pulumi:bench::ecommerce-dr::{type_}::{name}"


class _Stack:
    """Synthetic resources in registration order, with providers and property dependencies
    as the engine records them."""

    def __init__(self) -> None:
        self.providers = {r: Resource(urn=_urn("pulumi:providers:aws", r),
                                      type="pulumi:providers:aws", name=r, inputs={"region": r})
                          for r in ("us-east-1", "us-west-2")}
        self.out: list[Resource] = []

    def add(self, type_: str, name: str, inputs: dict[str, Any], region: str = "us-west-2",
            deps: dict[str, Resource] | None = None,
            options: dict[str, Any] | None = None) -> Resource:
        r = Resource(urn=_urn(type_, name), type=type_, name=name, inputs=inputs,
                     provider=self.providers[region], options=options or {})
        for prop, target in (deps or {}).items():
            r.property_dependencies[prop] = [target.urn]
            r.dependencies.append(target.urn)
        self.out.append(r)
        return r


def _tags(role: Role) -> dict[str, str]:
    return {ROLE_TAG: str(role), "app": "shop"}


def _dr_core(st: _Stack) -> None:
    """Orchestrators, gate, health check and alarm, schedules: the RTO/RPO rule's inputs."""
    steps = {"verify_failure": 30, "check_readiness": 30, "promote": 120, "move_traffic": 30,
             "warm": 60, "verify_recovery": 60}
    st.add("aws:lambda/function:Function", "failover", {
        "tags": _tags(Role.FAILOVER_ORCHESTRATOR), "role": UNKNOWN, "environment": {"variables": {
            Env.PRIMARY_REGION: "us-east-1", Env.STANDBY_REGION: "us-west-2",
            Env.DB_STRATEGY: str(Strategy.READ_REPLICA), Env.STEP_BUDGETS_SECONDS: json.dumps(steps),
            Env.CONSECUTIVE_FAILURES: "3", Env.PROBE_TIMEOUT_SECONDS: "5",
            Env.PROMOTION_SECONDS: "600", Env.FAILOVER_PHASE: str(Phase.NORMAL)}}})
    st.add("aws:lambda/function:Function", "backup-orchestrator", {
        "tags": _tags(Role.BACKUP_ORCHESTRATOR), "role": UNKNOWN, "environment": {"variables": {
            Env.CADENCE_MINUTES: "60", Env.RETENTION_HOURS: "24", Env.KEEP_NEWEST: "3",
            Env.DB_STRATEGY: str(Strategy.READ_REPLICA), Env.PROTECTED_DATABASES: json.dumps(
                [{"primaryArn": SOURCE_ARN, "standbyIdentifier": "shop-standby"}])}}})
    st.add("aws:cloudwatch/metricAlarm:MetricAlarm", "gate", {
        "tags": _tags(Role.GATE_ALARM), "namespace": "EcommerceDR/Gate",
        "metricName": "FailoverGateEngaged", "period": 60, "evaluationPeriods": 1,
        "comparisonOperator": "GreaterThanOrEqualToThreshold", "alarmActions": [UNKNOWN]})
    st.add("aws:route53/healthCheck:HealthCheck", "endpoint", {
        "tags": _tags(Role.ENDPOINT_HEALTH_CHECK), "type": "HTTPS", "requestInterval": 10,
        "failureThreshold": 3}, "us-east-1")
    st.add("aws:cloudwatch/metricAlarm:MetricAlarm", "health", {
        "tags": _tags(Role.HEALTH_ALARM), "namespace": "AWS/Route53",
        "metricName": "HealthCheckStatus", "period": 60, "evaluationPeriods": 1}, "us-east-1")
    st.add("aws:cloudwatch/eventRule:EventRule", "watchdog", {
        "tags": _tags(Role.WATCHDOG_SCHEDULE), "scheduleExpression": "rate(1 minute)"})
    st.add("aws:cloudwatch/eventRule:EventRule", "backup", {
        "tags": _tags(Role.BACKUP_SCHEDULE), "scheduleExpression": "rate(1 hour)"})


def _storage_unit(st: _Stack, i: int) -> None:
    """A bucket and its three companions, a KMS key and the replica it encrypts."""
    b = st.add("aws:s3/bucket:Bucket", f"bucket-{i}", {"bucket": f"bench-{i}", "tags": {"app": "shop"}})
    st.add("aws:s3/bucketVersioning:BucketVersioning", f"ver-{i}", {
        "bucket": UNKNOWN, "versioningConfiguration": {"status": "Enabled"}}, deps={"bucket": b})
    st.add("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
           f"sse-{i}", {"bucket": UNKNOWN, "rules": [{"applyServerSideEncryptionByDefault":
                                                      {"sseAlgorithm": "aws:kms"}}]},
           deps={"bucket": b})
    st.add("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", f"pab-{i}", {
        "bucket": UNKNOWN, "blockPublicAcls": True, "blockPublicPolicy": True,
        "ignorePublicAcls": True, "restrictPublicBuckets": True}, deps={"bucket": b})
    key = st.add("aws:kms/key:Key", f"key-{i}", {"enableKeyRotation": True})
    st.add("aws:rds/instance:Instance", f"replica-{i}", {
        "replicateSourceDb": SOURCE_ARN, "kmsKeyId": UNKNOWN, "storageEncrypted": True,
        "deletionProtection": True, "backupRetentionPeriod": 7,
        "instanceClass": "db.r6g.large", "tags": {RETAIN_TAG: RETAIN_VALUE}},
        deps={"kmsKeyId": key},
        options={"ignoreChanges": list(INSTANCE_REPLACING), "protect": True})


def _routing_unit(st: _Stack, i: int) -> None:
    """A failover record pair, a lag alarm, a topic, a Lambda role and its policy."""
    for kind in ("PRIMARY", "SECONDARY"):
        st.add("aws:route53/record:Record", f"{kind.lower()}-{i}", {
            "zoneId": "Z1", "name": f"shop{i}.example.com", "type": "CNAME", "ttl": 60,
            "setIdentifier": f"{kind.lower()}-{i}", "failoverRoutingPolicies": [{"type": kind}],
            **({"healthCheckId": UNKNOWN} if kind == "PRIMARY" else {})}, "us-east-1")
    st.add("aws:cloudwatch/metricAlarm:MetricAlarm", f"lag-{i}", {
        "namespace": "AWS/RDS", "metricName": "ReplicaLag", "threshold": 900, "period": 60,
        "evaluationPeriods": 1, "comparisonOperator": "GreaterThanThreshold",
        "alarmActions": [UNKNOWN]})
    st.add("aws:sns/topic:Topic", f"topic-{i}", {"kmsMasterKeyId": "alias/aws/sns"})
    role = st.add("aws:iam/role:Role", f"role-{i}", {"assumeRolePolicy": json.dumps({
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                       "Principal": {"Service": "lambda.amazonaws.com"}}]})})
    st.add("aws:iam/rolePolicy:RolePolicy", f"policy-{i}", {"role": UNKNOWN, "policy": json.dumps({
        "Statement": [{"Effect": "Allow", "Action": ["rds:DescribeDBInstances"],
                       "Resource": "*"}]})}, deps={"role": role})


def synthetic_resources(n: int) -> list[Resource]:
    """``n`` resources: one DR core, then copies of a 12-resource unit (truncated to ``n``)."""
    st = _Stack()
    _dr_core(st)
    i = 0
    while len(st.out) + UNIT_SIZE <= n:
        i += 1
        _storage_unit(st, i)
        _routing_unit(st, i)
    while len(st.out) < n:  # whole units only, then compliant topics to reach n exactly
        st.add("aws:sns/topic:Topic", f"pad-{len(st.out)}", {"kmsMasterKeyId": "alias/aws/sns"})
    return st.out[:n]


def _evaluate(pack: PackProcess, resources: list[Resource]) -> int:
    report = pack.evaluate(resources)
    return len(report.mandatory)


def _preview_rows(repeat: int) -> list[dict[str, Any]]:
    """The prod preview: whole (in-process) and its parts, seconds."""
    from engine.plan import record_plan
    from preview.run import evaluate_plan

    def preview() -> None:
        result = evaluate_plan(record_plan("prod"))
        assert result.exit_code == 0, "prod must pass its own policy pack"

    base = {"benchmark": "offline preview", "stack": "prod", "runs": repeat, "unit": "s"}
    rows = []
    for metric, fn in (("wall time (record + pack start + gRPC evaluation)", preview),
                       ("part: program under mocks", lambda: record_plan("prod")),
                       ("part: pack start (port printed, channel ready)",
                        lambda: PackProcess().__enter__().stop())):
        med, lo, hi = timed(fn, repeat=repeat)
        rows.append({**base, "metric": metric, "value": med, "spread": (lo, hi)})
    prod = resources_from_plan(record_plan("prod"))
    with PackProcess() as pack:
        med, lo, hi = timed(lambda: _evaluate(pack, prod), repeat=repeat)
    rows.append({"benchmark": "offline preview", "stack": "prod", "resources": len(prod),
                 "runs": repeat, "metric": "part: gRPC evaluation", "value": med, "unit": "s",
                 "spread": (lo, hi)})
    return rows


def _evaluation_rows(sizes: tuple[int, ...], repeat: int) -> list[dict[str, Any]]:
    """Policy evaluation of synthetic stacks on one started pack: seconds, us per resource,
    and the largest/smallest time ratio."""
    rows: list[dict[str, Any]] = []
    per: dict[int, float] = {}
    with PackProcess() as pack:
        for n in sizes:
            resources = synthetic_resources(n)
            assert _evaluate(pack, resources) == 0, "synthetic resources must be compliant"
            med, lo, hi = timed(lambda r=resources: _evaluate(pack, r), repeat=repeat, warmup=0)
            per[n] = med
            rows.append({"benchmark": "policy evaluation", "resources": n, "runs": repeat,
                         "metric": "Configure + Analyze x N + AnalyzeStack", "value": med,
                         "unit": "s", "spread": (lo, hi)})
            rows.append({"benchmark": "policy evaluation", "resources": n,
                         "metric": "time per resource", "value": med / n * 1e6, "unit": "us"})
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        rows.append({"benchmark": "policy evaluation", "resources": f"{large} vs {small}",
                     "metric": "time ratio (linear = resource ratio)",
                     "value": per[large] / per[small], "unit": f"x (resources x{large // small})"})
    return rows


def measure(sizes: tuple[int, ...] = (1000, 10000), preview_repeat: int = 5,
            eval_repeat: int = 3) -> list[dict[str, Any]]:
    """Rows for :mod:`bench.run` (see the module docstring): seconds and microseconds."""
    return _preview_rows(preview_repeat) + _evaluation_rows(sizes, eval_repeat)
