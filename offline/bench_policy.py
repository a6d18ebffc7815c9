"""Benchmark of the policy pack: offline preview wall time, and evaluation time by stack size.

``measure() -> list[dict]`` returns rows for ``offline.bench`` (keys ``benchmark``,
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

Usage: ``python -m offline.bench_policy`` prints the table.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from contract.env import Env
from contract.names import ROLE_TAG, Role
from offline.analyzer import PackProcess, Resource, resources_from_plan

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SOURCE_ARN = "arn:aws:rds:us-east-1:123456789012:db:shop-primary"
UNIT_SIZE = 12


def _timed(fn: Callable[[], Any], repeat: int, warmup: int = 1) -> tuple[float, float, float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), min(samples), max(samples)


def _urn(type_: str, name: str) -> str:
    return f"urn:pulumi:bench::ecommerce-dr::{type_}::{name}"


def synthetic_resources(n: int) -> list[Resource]:
    """``n`` resources: one DR core, then copies of a 12-resource unit (truncated to ``n``)."""
    prov = {r: Resource(urn=_urn("pulumi:providers:aws", r), type="pulumi:providers:aws", name=r,
                        inputs={"region": r}) for r in ("us-east-1", "us-west-2")}
    out: list[Resource] = []

    def add(type_: str, name: str, inputs: dict[str, Any], region: str = "us-west-2",
            deps: dict[str, Resource] | None = None) -> Resource:
        r = Resource(urn=_urn(type_, name), type=type_, name=name, inputs=inputs,
                     provider=prov[region])
        for prop, target in (deps or {}).items():
            r.property_dependencies[prop] = [target.urn]
            r.dependencies.append(target.urn)
        out.append(r)
        return r

    def tags(role: Role) -> dict[str, str]:
        return {ROLE_TAG: str(role), "app": "shop"}

    steps = {"verify_failure": 30, "check_readiness": 30, "promote": 120, "move_traffic": 30,
             "warm": 60, "verify_recovery": 60}
    add("aws:lambda/function:Function", "failover", {"tags": tags(Role.FAILOVER_ORCHESTRATOR),
        "role": UNKNOWN, "environment": {"variables": {
            Env.PRIMARY_REGION: "us-east-1", Env.STANDBY_REGION: "us-west-2",
            Env.DB_STRATEGY: "read-replica", Env.STEP_BUDGETS_SECONDS: json.dumps(steps),
            Env.CONSECUTIVE_FAILURES: "3", Env.PROBE_TIMEOUT_SECONDS: "5",
            Env.PROMOTION_SECONDS: "600"}}})
    add("aws:lambda/function:Function", "backup-orchestrator", {
        "tags": tags(Role.BACKUP_ORCHESTRATOR), "role": UNKNOWN, "environment": {"variables": {
            Env.CADENCE_MINUTES: "60", Env.RETENTION_HOURS: "24", Env.KEEP_NEWEST: "3",
            Env.DB_STRATEGY: "read-replica", Env.PROTECTED_DATABASES: json.dumps(
                [{"primaryArn": SOURCE_ARN, "standbyIdentifier": "shop-standby"}])}}})
    add("aws:cloudwatch/metricAlarm:MetricAlarm", "gate", {
        "tags": tags(Role.GATE_ALARM), "namespace": "EcommerceDR/Gate",
        "metricName": "FailoverGateEngaged", "period": 60, "evaluationPeriods": 1,
        "comparisonOperator": "GreaterThanOrEqualToThreshold", "alarmActions": [UNKNOWN]})
    add("aws:route53/healthCheck:HealthCheck", "endpoint", {
        "tags": tags(Role.ENDPOINT_HEALTH_CHECK), "type": "HTTPS", "requestInterval": 10,
        "failureThreshold": 3}, "us-east-1")
    add("aws:cloudwatch/metricAlarm:MetricAlarm", "health", {
        "tags": tags(Role.HEALTH_ALARM), "namespace": "AWS/Route53",
        "metricName": "HealthCheckStatus", "period": 60, "evaluationPeriods": 1}, "us-east-1")
    add("aws:cloudwatch/eventRule:EventRule", "watchdog", {
        "tags": tags(Role.WATCHDOG_SCHEDULE), "scheduleExpression": "rate(1 minute)"})
    add("aws:cloudwatch/eventRule:EventRule", "backup", {
        "tags": tags(Role.BACKUP_SCHEDULE), "scheduleExpression": "rate(1 hour)"})
    i = 0
    while len(out) + UNIT_SIZE <= n:
        i += 1
        b = add("aws:s3/bucket:Bucket", f"bucket-{i}", {"bucket": f"bench-{i}", "tags": {"app": "shop"}})
        add("aws:s3/bucketVersioning:BucketVersioning", f"ver-{i}", {
            "bucket": UNKNOWN, "versioningConfiguration": {"status": "Enabled"}}, deps={"bucket": b})
        add("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            f"sse-{i}", {"bucket": UNKNOWN, "rules": [{"applyServerSideEncryptionByDefault":
                                                       {"sseAlgorithm": "aws:kms"}}]},
            deps={"bucket": b})
        add("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", f"pab-{i}", {
            "bucket": UNKNOWN, "blockPublicAcls": True, "blockPublicPolicy": True,
            "ignorePublicAcls": True, "restrictPublicBuckets": True}, deps={"bucket": b})
        key = add("aws:kms/key:Key", f"key-{i}", {"enableKeyRotation": True})
        add("aws:rds/instance:Instance", f"replica-{i}", {
            "replicateSourceDb": SOURCE_ARN, "kmsKeyId": UNKNOWN, "storageEncrypted": True,
            "deletionProtection": True, "backupRetentionPeriod": 7,
            "instanceClass": "db.r6g.large"}, deps={"kmsKeyId": key})
        for kind in ("PRIMARY", "SECONDARY"):
            add("aws:route53/record:Record", f"{kind.lower()}-{i}", {
                "zoneId": "Z1", "name": f"shop{i}.example.com", "type": "CNAME", "ttl": 60,
                "setIdentifier": f"{kind.lower()}-{i}", "failoverRoutingPolicies": [{"type": kind}],
                **({"healthCheckId": UNKNOWN} if kind == "PRIMARY" else {})}, "us-east-1")
        add("aws:cloudwatch/metricAlarm:MetricAlarm", f"lag-{i}", {
            "namespace": "AWS/RDS", "metricName": "ReplicaLag", "threshold": 900, "period": 60,
            "evaluationPeriods": 1, "comparisonOperator": "GreaterThanThreshold",
            "alarmActions": [UNKNOWN]})
        add("aws:sns/topic:Topic", f"topic-{i}", {"kmsMasterKeyId": "alias/aws/sns"})
        role = add("aws:iam/role:Role", f"role-{i}", {"assumeRolePolicy": json.dumps({
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                           "Principal": {"Service": "lambda.amazonaws.com"}}]})})
        add("aws:iam/rolePolicy:RolePolicy", f"policy-{i}", {"role": UNKNOWN, "policy": json.dumps({
            "Statement": [{"Effect": "Allow", "Action": ["rds:DescribeDBInstances"],
                           "Resource": "*"}]})}, deps={"role": role})
    while len(out) < n:  # whole units only, then compliant topics to reach n exactly
        add("aws:sns/topic:Topic", f"pad-{len(out)}", {"kmsMasterKeyId": "alias/aws/sns"})
    return out[:n]


def _evaluate(pack: PackProcess, resources: list[Resource]) -> int:
    report = pack.evaluate(resources)
    return len(report.mandatory)


def measure(sizes: tuple[int, ...] = (1000, 10000), preview_repeat: int = 5,
            eval_repeat: int = 3) -> list[dict[str, Any]]:
    """Rows for ``offline.bench`` (see the module docstring)."""
    from offline.plan import record_plan
    from offline.preview import evaluate_plan

    rows: list[dict[str, Any]] = []

    def preview() -> None:
        result = evaluate_plan(record_plan("prod"))
        assert result.exit_code == 0, "prod must pass its own policy pack"

    med, lo, hi = _timed(preview, preview_repeat)
    rows.append({"benchmark": "offline preview", "stack": "prod", "runs": preview_repeat,
                 "metric": "wall time (record + pack start + gRPC evaluation)", "value": med,
                 "unit": "s", "spread": (lo, hi)})
    plan = record_plan("prod")
    med, lo, hi = _timed(lambda: record_plan("prod"), preview_repeat)
    rows.append({"benchmark": "offline preview", "stack": "prod", "runs": preview_repeat,
                 "metric": "part: program under mocks", "value": med, "unit": "s",
                 "spread": (lo, hi)})
    med, lo, hi = _timed(lambda: PackProcess().__enter__().stop(), preview_repeat)
    rows.append({"benchmark": "offline preview", "stack": "prod", "runs": preview_repeat,
                 "metric": "part: pack start (port printed, channel ready)", "value": med,
                 "unit": "s", "spread": (lo, hi)})
    prod = resources_from_plan(plan)
    with PackProcess() as pack:
        med, lo, hi = _timed(lambda: _evaluate(pack, prod), preview_repeat)
        rows.append({"benchmark": "offline preview", "stack": "prod", "resources": len(prod),
                     "runs": preview_repeat, "metric": "part: gRPC evaluation", "value": med,
                     "unit": "s", "spread": (lo, hi)})
        per: dict[int, float] = {}
        for n in sizes:
            resources = synthetic_resources(n)
            assert _evaluate(pack, resources) == 0, "synthetic resources must be compliant"
            med, lo, hi = _timed(lambda r=resources: _evaluate(pack, r), eval_repeat, warmup=0)
            per[n] = med
            rows.append({"benchmark": "policy evaluation", "resources": n, "runs": eval_repeat,
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


def main() -> int:
    from rich.console import Console
    from rich.table import Table

    rows = measure()
    table = Table(title="Policy pack benchmark")
    for col in ("Benchmark", "Case", "Metric", "Median", "Spread", "Unit"):
        table.add_column(col)
    for r in rows:
        case = ", ".join(f"{k}={v}" for k, v in r.items()
                         if k not in {"benchmark", "metric", "value", "unit", "spread"})
        spread = f"{r['spread'][0]:.3g}-{r['spread'][1]:.3g}" if r.get("spread") else ""
        table.add_row(r["benchmark"], case, r["metric"], f"{r['value']:.3g}", spread, r["unit"])
    console = Console()
    (console if console.is_terminal else Console(width=160)).print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
