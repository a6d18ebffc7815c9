"""Program, policy and drill agree: the policy's RTO/RPO on the recorded plan equals the
program's ``plannedRtoSeconds`` / ``plannedRpoSeconds`` outputs (both from :mod:`rto_rpo.model`).

Recorded with ``preview=False`` so the outputs resolve; one subprocess records all variants.
The promotion variants sit below and above the modelled read-replica default (600 s): both
sides take max(modelled, configured). The dms, snapshot-restore and automatic-mode variants
cover the other RPO and detection shapes; the Aurora stack (``Pulumi.aurora.yaml``) the
managed RPO, the high-resolution gate and the Aurora failover figure, and its Aurora MySQL
variant (no managed RPO, engine below 3.04) an RPO from a threshold in milliseconds.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from contract.strategies import DEFAULT_PROMOTION_SECONDS
from engine.pack import policy_resources, resources_from_plan
from engine.plan import Plan, PlanRequest, record_plans
from policies.rules import recovery, security
from tests.policies.helpers import run_stack

ROOT = Path(__file__).resolve().parents[2]
DEFAULTS = {s.name: s.default for s in recovery.OBJECTIVE_SETTINGS}
FAILOVER_KEY, DATABASE_KEY = "ecommerce-dr:failover", "ecommerce-dr:database"
CONFIG = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())["config"]
AURORA = yaml.safe_load((ROOT / "Pulumi.aurora.yaml").read_text())["config"]
AURORA_MYSQL = {DATABASE_KEY: {**AURORA[DATABASE_KEY], "aurora": {
    **{k: v for k, v in AURORA[DATABASE_KEY]["aurora"].items() if k != "managedRpoSeconds"},
    "engine": "aurora-mysql", "engineVersion": "8.0.mysql_aurora.3.03.1"}}}
DMS_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-dms-source"
#: variant -> config overrides (fully qualified keys)
VARIANTS: dict[str, dict[str, object] | None] = {
    "prod": None,
    "promotion-300": {FAILOVER_KEY: {**CONFIG[FAILOVER_KEY], "promotionSeconds": 300}},
    "promotion-900": {FAILOVER_KEY: {**CONFIG[FAILOVER_KEY], "promotionSeconds": 900}},
    "dms": {DATABASE_KEY: {**CONFIG[DATABASE_KEY], "strategy": "dms",
                           "dms": {"sourceSecretArn": DMS_SECRET}}},
    "snapshot-restore": {DATABASE_KEY: {**CONFIG[DATABASE_KEY], "strategy": "snapshot-restore"},
                         "ecommerce-dr:rpoMinutes": 120},
    "automatic": {FAILOVER_KEY: {**CONFIG[FAILOVER_KEY], "mode": "automatic"}},
    "aurora": None,
    "aurora-mysql": AURORA_MYSQL,
}


def _stack(variant: str) -> str:
    return "aurora" if variant.startswith("aurora") else "prod"


#: The module's tests run on one xdist worker, so its module-scoped fixtures are built once.
pytestmark = pytest.mark.xdist_group("tests/policies/test_program_agreement.py")


@pytest.fixture(scope="module")
def plans() -> dict[str, Plan]:
    requests = [PlanRequest(_stack(v), preview=False, config_overrides=o) for v, o in VARIANTS.items()]
    results = record_plans(requests)
    for r in results:
        if isinstance(r, Exception):
            raise r
    return dict(zip(VARIANTS, results, strict=True))  # type: ignore[arg-type]


def _policy(plan: Plan) -> recovery.Objectives:
    return recovery.objectives(policy_resources(resources_from_plan(plan)), DEFAULTS)


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_policy_rto_and_rpo_equal_the_program_outputs(plans: dict[str, Plan], variant: str) -> None:
    plan = plans[variant]
    found = _policy(plan)
    assert found.missing == [] and found.unknown == []
    assert found.rto is not None and found.rpo is not None
    assert math.ceil(found.rto.total_seconds) == plan.outputs["plannedRtoSeconds"]
    assert math.ceil(found.rpo.total_seconds) == plan.outputs["plannedRpoSeconds"]
    # ...and the program's own IAM passes the (stricter) wildcard rule in every variant
    iam = run_stack(security.no_wildcard_actions(), resources_from_plan(plan))
    assert iam.violations == [] and iam.not_applicable is None


def test_variants_differ_where_they_should(plans: dict[str, Plan]) -> None:
    rto = {v: p.outputs["plannedRtoSeconds"] for v, p in plans.items()}
    rpo = {v: p.outputs["plannedRpoSeconds"] for v, p in plans.items()}
    assert rto == {"prod": 1140, "promotion-300": 1140, "promotion-900": 1440, "dms": 840,
                   "snapshot-restore": 4140, "automatic": 1140, "aurora": 515,
                   "aurora-mysql": 515}
    assert rpo == {"prod": 900, "promotion-300": 900, "promotion-900": 900, "dms": 900,
                   "snapshot-restore": 5400, "automatic": 900, "aurora": 20,
                   "aurora-mysql": 10}


def test_aurora_rto_term_by_term(plans: dict[str, Plan]) -> None:
    # 80 detection (10 s x 2 + 60 s alarm) + 65 steps + 300 Aurora managed failover (modelled)
    # + 10 high-resolution gate + 60 TTL
    rto = _policy(plans["aurora"]).rto
    assert rto is not None
    assert [(t.name, t.seconds) for t in rto.terms] == [
        ("detection (health check + alarm)", 80), ("step verify_failure", 20),
        ("step check_readiness", 10), ("step promote", 10), ("step move_traffic", 5),
        ("step warm", 5), ("step verify_recovery", 15), ("promotion (aurora-global)", 300),
        ("traffic shift (gate alarm evaluation)", 10), ("DNS TTL", 60)]
    assert DEFAULT_PROMOTION_SECONDS["aurora-global"] == 300


def test_aurora_rpo_is_the_managed_rpo_else_the_alarm_threshold_in_seconds(
        plans: dict[str, Plan]) -> None:
    managed, alarm = _policy(plans["aurora"]).rpo, _policy(plans["aurora-mysql"]).rpo
    assert managed is not None and alarm is not None
    assert [(t.name, t.seconds) for t in managed.terms] == [("managed RPO (rds.global_db_rpo)", 20)]
    # The alarm is on AuroraGlobalDBReplicationLag at 10000 ms: 10 s of data.
    assert [t.seconds for t in alarm.terms] == [10]
    assert "AuroraGlobalDBReplicationLag" in alarm.terms[0].name


def test_prod_rto_is_the_programs_planned_figure(plans: dict[str, Plan]) -> None:
    # 90 detection + 330 steps + 600 promotion + 60 gate alarm evaluation + 60 TTL
    assert plans["prod"].outputs["plannedRtoSeconds"] == 1140
    rto = _policy(plans["prod"]).rto
    assert rto is not None and [t.seconds for t in rto.terms if "traffic shift" in t.name] == [60]


def test_promotion_is_the_larger_of_modelled_and_configured(plans: dict[str, Plan]) -> None:
    modelled = DEFAULT_PROMOTION_SECONDS["read-replica"]
    assert modelled == 600
    below, above = _policy(plans["promotion-300"]).rto, _policy(plans["promotion-900"]).rto
    assert below is not None and above is not None
    assert [t.seconds for t in below.terms if t.name.startswith("promotion")] == [600]
    assert [t.seconds for t in above.terms if t.name.startswith("promotion")] == [900]
    assert plans["promotion-300"].outputs["plannedRtoSeconds"] == 1140
    assert plans["promotion-900"].outputs["plannedRtoSeconds"] == 1440
