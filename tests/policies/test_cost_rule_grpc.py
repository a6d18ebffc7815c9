"""dr-monthly-cost-within-budget in the real pack over the analyzer gRPC protocol: advisory
unless configured mandatory, and on the recorded prod plan it prices what the program's own
``estimatedMonthlyCostUsd`` output prices."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.pack import PackProcess, resources_from_plan
from tests.cost.recorded import prod_preview_plan

RULE = "dr-monthly-cost-within-budget"


#: The module's tests run on one xdist worker, so its module-scoped fixtures are built once.
pytestmark = pytest.mark.xdist_group("tests/policies/test_cost_rule_grpc.py")


@pytest.fixture(scope="module")
def pack() -> Iterator[PackProcess]:
    with PackProcess() as p:
        yield p


@pytest.fixture(scope="module")
def prod():
    return prod_preview_plan()


def test_pack_lists_the_rule_as_advisory_without_a_budget(pack: PackProcess) -> None:
    info = {p["name"]: p for p in pack.policies()}[RULE]
    assert info["enforcementLevel"] == "advisory" and info["type"] == "stack"
    assert info["configSchema"]["maxMonthlyUsd"]["default"] is None
    assert info["configSchema"]["maxMonthlyUsd"]["type"] == ["number", "null"]
    assert info["configSchema"]["topLines"]["default"] == 5


def test_prod_over_budget_is_advisory_and_priced_as_the_program_prices_itself(
        pack: PackProcess, prod) -> None:
    usd = prod.outputs["estimatedMonthlyCostUsd"]
    report = pack.evaluate(resources_from_plan(prod), {RULE: {"maxMonthlyUsd": 100}})
    (v,) = [v for v in report.violations if v.policy == RULE]
    assert v.level == "advisory" and report.mandatory == []
    description, body = v.message.split("\n", 1)   # the SDK puts the description first
    assert description.startswith("Checks whether the stack's modelled monthly cost")
    assert body.startswith(f"Modelled monthly cost is ${usd:,.2f}/month, over the budget "
                                f"of $100.00/month (maxMonthlyUsd) by ${usd - 100:,.2f}. "
                                "Costliest lines: standby-database-replica (standby-database) $")
    assert usd == 222.08


def test_enforcement_level_mandatory_when_configured(pack: PackProcess, prod) -> None:
    report = pack.evaluate(resources_from_plan(prod),
                           {RULE: {"maxMonthlyUsd": 100, "enforcementLevel": "mandatory"}})
    assert [(v.policy, v.level) for v in report.mandatory] == [(RULE, "mandatory")]


def test_prod_within_budget_passes(pack: PackProcess, prod) -> None:
    report = pack.evaluate(resources_from_plan(prod),
                           {RULE: {"maxMonthlyUsd": 250, "enforcementLevel": "mandatory"}})
    assert [v for v in report.violations if v.policy == RULE] == []
    assert [n for n in report.not_applicable if n.policy == RULE] == []
