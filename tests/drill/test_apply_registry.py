"""The plan applier's registry (resource type -> apply function, one module per service area)
and the contract-driven fill of orchestrator environments."""

from __future__ import annotations

import dataclasses
import json
import pkgutil
from typing import Any

import pytest

import drill.apply
from contract.env import BackupEnv, Env, FailoverEnv
from contract.names import Role
from drill.apply import AREAS, REGISTRY, ApplyContext, apply_plan
from drill.apply.common import Applied, Deployment, Skip
from drill.apply.env import fill, fill_environment, fill_rule
from emulator.site import ExistingSite
from engine.mocks import UNKNOWN
from engine.plan import PlannedResource

TASK = "aws:dms/replicationTask:ReplicationTask"


def test_registry_maps_every_type_the_drill_applies_once() -> None:
    by_area = {m.__name__.rsplit(".", 1)[1]: set(m.APPLIERS) for m in AREAS}
    # every module of the package that is not a shared helper is an area of the registry
    assert set(by_area) == {m.name for m in pkgutil.iter_modules(drill.apply.__path__)} - {
        "common", "env", "inputs", "resolve"}
    assert sum(len(t) for t in by_area.values()) == len(REGISTRY) == 35
    assert by_area["aurora"] == {"aws:rds/globalCluster:GlobalCluster", "aws:rds/cluster:Cluster",
                                 "aws:rds/clusterInstance:ClusterInstance",
                                 "aws:rds/clusterParameterGroup:ClusterParameterGroup"}
    assert by_area["routing"] == {"aws:route53/healthCheck:HealthCheck", "aws:route53/record:Record"}
    assert by_area["compute"] == {"aws:lambda/function:Function", "aws:lambda/permission:Permission"}
    assert {t.split(":")[1].split("/")[0] for t in by_area["storage"]} == {"s3"}
    assert by_area["parameters"] == {"aws:ssm/parameter:Parameter"}
    assert all(REGISTRY[t] is fn for m in AREAS for t, fn in m.APPLIERS.items())


class _Site:
    """The one attribute of the site a fill rule reads."""

    primary_db_arn = "arn:aws:rds:us-east-1:123456789012:db:shop-primary"


def _ctx(*applied: Applied) -> ApplyContext:
    d = Deployment(applied={a.urn: a for a in applied})
    return ApplyContext(client=lambda s, r: pytest.fail("no AWS call expected"), site=_Site(),  # type: ignore[arg-type]
                        deployment=d, env_substitute=lambda k, v: None,
                        primary_region="us-east-1", standby_region="us-west-2")


def _a(urn: str, role: Role | None, region: str = "us-west-2", type_: str = "t", **kw: Any) -> Applied:
    return Applied(urn=urn, type=type_, name=urn, region=region, role=str(role) if role else None,
                   id=kw.get("id", urn), arn=kw.get("arn", f"arn:{urn}"),
                   physical_name=kw.get("physical_name", f"{urn}-phys"))


def test_fill_takes_each_value_from_the_resource_its_contract_rule_names() -> None:
    ctx = _ctx(_a("table", Role.STATE_TABLE), _a("topic-e", Role.ALERT_TOPIC, "us-east-1"),
               _a("topic-w", Role.ALERT_TOPIC), _a("key", Role.STANDBY_KMS_KEY),
               _a("task", None, type_=TASK))
    fo = str(Role.FAILOVER_ORCHESTRATOR)
    assert fill(ctx, urn="fn", role=fo, name=Env.STATE_TABLE_NAME) == "table-phys"
    assert json.loads(fill(ctx, urn="fn", role=fo, name=Env.ALERT_TOPIC_ARNS)) == {
        "us-east-1": "arn:topic-e", "us-west-2": "arn:topic-w"}
    assert fill(ctx, urn="fn", role=fo, name=Env.STANDBY_KMS_KEY_ARN) == "arn:key"
    assert fill(ctx, urn="fn", role=fo, name=Env.DMS_TASK_ARN) == "arn:task"
    assert fill(ctx, urn="fn", role=fo, name=Env.PRIMARY_DB_ARN) == _Site.primary_db_arn
    assert [r["from"] for r in ctx.deployment.resolved] == [
        f"contract: {n}" for n in (Env.STATE_TABLE_NAME, Env.ALERT_TOPIC_ARNS,
                                   Env.STANDBY_KMS_KEY_ARN, Env.DMS_TASK_ARN, Env.PRIMARY_DB_ARN)]


def test_fill_environment_keeps_known_values_and_skips_what_it_cannot_fill() -> None:
    ctx = _ctx(_a("bucket", Role.METADATA_BUCKET))
    bo = str(Role.BACKUP_ORCHESTRATOR)
    out = fill_environment(ctx, urn="fn", role=bo, variables={
        Env.METADATA_BUCKET: UNKNOWN, Env.CADENCE_MINUTES: "60"})
    assert out == {Env.METADATA_BUCKET: "bucket-phys", Env.CADENCE_MINUTES: "60"}
    with pytest.raises(Skip, match="PRIMARY_HEALTH_URL unknown under mocks and the drill has no rule"):
        fill(ctx, urn="fn", role=str(Role.FAILOVER_ORCHESTRATOR), name=Env.PRIMARY_HEALTH_URL)
    with pytest.raises(Skip, match=r"STATE_TABLE_NAME: expected one applied resource .* found 0"):
        fill(ctx, urn="fn", role=str(Role.FAILOVER_ORCHESTRATOR), name=Env.STATE_TABLE_NAME)


def test_every_fill_rule_names_something_the_drill_can_resolve() -> None:
    applied_fields = {f.name for f in dataclasses.fields(Applied)}
    site_fields = {f.name for f in dataclasses.fields(ExistingSite)} | {"primary_db_arn"}
    rules = {(m.__name__, n): m.fill_rule(n) for m in (FailoverEnv, BackupEnv) for n in m.names()}
    found = {k: r for k, r in rules.items() if r is not None}
    assert len(found) >= 9
    for (model, name), r in found.items():
        assert r.attribute in applied_fields, (model, name)
        assert r.site is None or r.site in site_fields, (model, name)
        assert r.resource_type is None or r.resource_type in REGISTRY, (model, name)
        assert fill_rule(str(Role.FAILOVER_ORCHESTRATOR if model == "FailoverEnv"
                             else Role.BACKUP_ORCHESTRATOR), name) == r


def _planned(urn: str, type_: str, *, custom: bool = True) -> PlannedResource:
    return PlannedResource(urn=urn, type=type_, name=urn, custom=custom, parent=None,
                           provider=None, region="us-west-2", inputs={})


def test_apply_plan_records_what_it_skips_and_what_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(r: PlannedResource, i: dict[str, Any], region: str, ctx: ApplyContext) -> Applied:
        raise RuntimeError("emulator said no")

    monkeypatch.setitem(REGISTRY, "aws:sqs/queue:Queue", broken)
    ctx = _ctx()
    d = apply_plan([_planned("prov", "pulumi:providers:aws"), _planned("comp", "x:y:Z", custom=False),
                    _planned("odd", "aws:ec2/vpc:Vpc"), _planned("q", "aws:sqs/queue:Queue")], ctx)
    assert d.applied == {}
    assert d.skipped == [{"urn": "odd", "type": "aws:ec2/vpc:Vpc",
                          "reason": "not needed by the drill: no applier for this type"}]
    assert d.failed == [{"urn": "q", "type": "aws:sqs/queue:Queue",
                         "error": "RuntimeError: emulator said no"}]
    assert set(d.seconds_by_type) == {"aws:sqs/queue:Queue"}
