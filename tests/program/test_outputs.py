"""The stack outputs contract: names, types and values other stacks read."""

from __future__ import annotations

import json
import math

import pulumi
import pytest

from components.budgets import planned_rpo, planned_rto
from components.common import policy_json
from components.settings import settings_from_raw
from contract.names import Role
from contract.outputs import OUTPUTS
from engine.config import stack_config
from tests.program.variants import FUNCTION, STRATEGIES, P, overrides, plan

#: The contract (contract.outputs): output name -> type(s). Changing it breaks StackReference
#: readers.
CONTRACT: dict[str, tuple[type, ...]] = {o.name: o.python for o in OUTPUTS}


def settings_for(strategy: str):
    cfg = stack_config("prod", config_overrides=overrides(strategy))
    prefix = f"{P}:"
    return settings_from_raw({k[len(prefix):]: v for k, v in cfg.items() if k.startswith(prefix)})


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_outputs_contract_names_and_types(strategy: str) -> None:
    out = plan(strategy).outputs
    assert set(out) == set(CONTRACT)
    for name, types in CONTRACT.items():
        assert isinstance(out[name], types), f"{name}: {out[name]!r} is not {types}"
        assert not isinstance(out[name], bool), name


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_outputs_contract_values(strategy: str) -> None:
    p = plan(strategy)
    out, s = p.outputs, settings_for(strategy)
    assert out["failoverFqdn"] == "shop.example.com"
    assert (out["primaryRegion"], out["standbyRegion"]) == ("us-east-1", "us-west-2")
    assert out["databaseStrategy"] == strategy
    assert out["alertTopicArns"] == {
        r: f"arn:aws:sns:{r}:123456789012:ecommerce-dr-prod-alerts"
        for r in ("us-east-1", "us-west-2")}
    fns = {f.role: f for f in p.by_type(FUNCTION)}
    for key, role in (("failoverOrchestratorArn", Role.FAILOVER_ORCHESTRATOR),
                      ("backupOrchestratorArn", Role.BACKUP_ORCHESTRATOR)):
        assert out[key] == (f"arn:aws:lambda:us-west-2:123456789012:function:"
                            f"{fns[role].inputs['name']}")
    (bucket,) = p.by_role(Role.METADATA_BUCKET)
    assert out["metadataBucketName"] == bucket.inputs["bucket"]
    (table,) = p.by_role(Role.STATE_TABLE)
    assert out["failoverStateTableName"] == table.inputs["name"]
    (gate,) = p.by_role(Role.GATE_ALARM)
    assert out["failoverGateAlarmName"] == gate.inputs["name"]
    (health,) = p.by_role(Role.HEALTH_ALARM)
    assert out["healthAlarmName"] == health.inputs["name"]
    assert (out["rtoBudgetSeconds"], out["rpoBudgetSeconds"]) == (4 * 3600, 3600)
    assert out["plannedRtoSeconds"] == math.ceil(planned_rto(s).total_seconds)
    assert out["plannedRpoSeconds"] == math.ceil(planned_rpo(s).total_seconds)
    dashboards = {d.inputs["dashboardName"] for d in
                  p.by_type("aws:cloudwatch/dashboard:Dashboard")}
    assert set(out["dashboardNames"]) == {"rto", "rpo"}
    assert set(out["dashboardNames"].values()) == dashboards
    endpoint = out["standbyDatabaseEndpoint"]
    if strategy == "snapshot-restore":
        assert endpoint is None
    else:
        assert endpoint.startswith("shop-standby.") and ".us-west-2.rds.amazonaws.com:" in endpoint


def test_planned_figures_are_the_model_of_the_config() -> None:
    out = plan().outputs
    # read-replica prod: 90 s detection + 330 s steps + 600 s promotion + 60 s TTL
    assert out["plannedRtoSeconds"] == 1140
    assert out["plannedRpoSeconds"] == 900   # replicationLagAlarmSeconds


@pulumi.runtime.test
def test_policy_json_resolves_outputs_inside_the_document():
    arn = pulumi.Output.from_input("arn:aws:dynamodb:us-west-2:123456789012:table/t")
    doc = policy_json([{"Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": [arn]}])

    def check(text: str) -> None:
        d = json.loads(text)
        assert d["Version"] == "2012-10-17"
        assert d["Statement"][0]["Resource"] == ["arn:aws:dynamodb:us-west-2:123456789012:table/t"]

    return doc.apply(check)
