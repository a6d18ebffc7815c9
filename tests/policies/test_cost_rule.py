"""dr-monthly-cost-within-budget: exact messages, a passing case next to each failing one, as
direct validate calls on a built DR stack whose every line is priced."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy import EnforcementLevel

import cost
from engine.pack import Resource, policy_resources
from policies.rules.cost import monthly_cost_within_budget
from policies.rules.cost_plan import planned_resources
from tests.policies.helpers import STANDBY, UNKNOWN, dr_stack, provider, run_stack, urn, valid

RULE = monthly_cost_within_budget()
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"


def priced_stack(**edits: dict[str, Any] | None) -> list[Resource]:
    """:func:`dr_stack` with what the cost model needs to price every line: the backup
    orchestrator's Regions, the run-record bucket's lifecycle, and no snapshot (an unpriced type)."""
    _, backup = valid("backup-orchestrator")
    backup["environment"]["variables"].update(PRIMARY_REGION="us-east-1", STANDBY_REGION=STANDBY)
    edits = {"snapshot": None, "backup-orchestrator": {"environment": backup["environment"]},
             **edits}
    lifecycle = Resource(urn=urn(LIFECYCLE, "bucket-lifecycle"), type=LIFECYCLE,
                         name="bucket-lifecycle", provider=provider(STANDBY), inputs={
                             "bucket": "prod-dr-metadata",
                             "rules": [{"id": "expire", "status": "Enabled",
                                        "expiration": {"days": 35}}]})
    return [*dr_stack(**edits), lifecycle]


def total(resources: list[Resource], overrides: dict[str, Any] | None = None) -> float:
    o = overrides or {}
    est = cost.estimate(planned_resources(policy_resources(resources)),
                        prices=cost.load_prices(o), usage=cost.load_usage(o))
    return est.total_usd


# The valid stack's standby: db.r6g.large postgres in us-west-2, 730 h x $0.225 + 100 GiB gp2
# x $0.115 (usage default size) + 4 GiB/day x 30.4167 days x $0.02 replication transfer.
REPLICA_USD = 730 * 0.225 + 100 * 0.115 + 4 * 730 / 24 * 0.02
# Each manual-snapshot series: 24 held (24 h / 60 min) of 81 GiB mean data + 2 GiB/day x 23 h.
SERIES_USD = (80 + 2 / 2 + 2 * 23 / 24) * 0.095
TOP = ("standby-database (stack) $178.18; manual snapshots of the primary (us-east-1) (stack) "
       "$7.88; cross-Region snapshot copies (us-west-2) (stack) $7.88; manual snapshots of the "
       "standby (us-west-2) (stack) $7.88; backup-orchestrator (stack) $3.34")


def test_the_stack_is_fully_priced_and_the_replica_dominates() -> None:
    est = cost.estimate(planned_resources(policy_resources(priced_stack())))
    assert est.complete and est.unknown_inputs == []
    assert est.line(resource="standby-database").monthly_usd == pytest.approx(REPLICA_USD)
    assert est.line(resource="manual snapshots of the primary (us-east-1)").monthly_usd == \
        pytest.approx(SERIES_USD)
    assert round(est.total_usd, 2) == 211.50


def test_is_advisory_by_default() -> None:
    assert RULE.enforcement_level is EnforcementLevel.ADVISORY


def test_without_a_budget_it_is_not_applicable_and_gives_the_figure() -> None:
    out = run_stack(RULE, priced_stack())
    assert out.violations == []
    assert out.not_applicable == ("not checked without a budget (set maxMonthlyUsd); the "
                                  "modelled monthly cost is $211.50/month")


def test_within_budget_passes() -> None:
    out = run_stack(RULE, priced_stack(), {"maxMonthlyUsd": 250})
    assert out.violations == [] and out.not_applicable is None


def test_over_budget_names_total_budget_and_costliest_lines() -> None:
    out = run_stack(RULE, priced_stack(), {"maxMonthlyUsd": 200})
    assert out.messages == [
        "Modelled monthly cost is $211.50/month, over the budget of $200.00/month (maxMonthlyUsd) "
        f"by $11.50. Costliest lines: {TOP}. Choose a cheaper strategy or instance class, or "
        "raise maxMonthlyUsd."]
    assert out.violations[0][1] is None          # a stack violation, not a resource's


def test_a_multi_az_standby_breaks_the_budget_the_single_az_one_meets() -> None:
    assert run_stack(RULE, priced_stack(), {"maxMonthlyUsd": 250}).violations == []
    out = run_stack(RULE, priced_stack(**{"standby-database": {"multiAz": True}}),
                    {"maxMonthlyUsd": 250})
    # two copies: + 730 h x $0.225 + 100 GiB x $0.115
    assert total(priced_stack(**{"standby-database": {"multiAz": True}})) == pytest.approx(
        total(priced_stack()) + 730 * 0.225 + 100 * 0.115)
    assert out.messages[0].startswith(
        "Modelled monthly cost is $387.25/month, over the budget of $250.00/month "
        "(maxMonthlyUsd) by $137.25. Costliest lines: standby-database (stack) $353.93; ")


def test_the_top_lines_setting_limits_the_list() -> None:
    out = run_stack(RULE, priced_stack(), {"maxMonthlyUsd": 200, "topLines": 1})
    assert "Costliest lines: standby-database (stack) $178.18. Choose" in out.messages[0]


@pytest.mark.parametrize(("edits", "lower_bound"), [
    # keep the snapshot: no pricing function for it
    pytest.param({"snapshot": {}}, "$211.50/month (a lower bound: 1 unpriced line(s) count "
                 "nothing: snapshot (no pricing function for aws:rds/snapshot:Snapshot))",
                 id="an-unpriced-line"),
    # the health check's line (priced as a 30 s check: $1.50, not $2.50) is left out of the
    # lower bound: $211.50 - $2.50
    pytest.param({"endpoint-hc": {"requestInterval": UNKNOWN}}, "$209.00/month (a lower bound: "
                 "lines whose figure assumed a default for an input unknown during preview are "
                 "left out: endpoint-hc.requestInterval)", id="an-input-unknown-during-preview"),
])
def test_an_unpriced_or_unknown_line_makes_a_named_lower_bound_never_a_silent_pass(
        edits: dict[str, dict[str, Any]], lower_bound: str) -> None:
    out = run_stack(RULE, priced_stack(**edits), {"maxMonthlyUsd": 250})
    assert out.violations == []
    assert out.not_applicable == (
        "the modelled monthly cost can't be decided against the budget of $250.00/month: it is "
        f"at least {lower_bound}")


def test_a_lower_bound_over_budget_is_a_violation() -> None:
    out = run_stack(RULE, priced_stack(snapshot={}), {"maxMonthlyUsd": 200})
    assert out.messages == [
        "Modelled monthly cost is at least $211.50/month (a lower bound: 1 unpriced line(s) count "
        "nothing: snapshot (no pricing function for aws:rds/snapshot:Snapshot)), over the budget "
        f"of $200.00/month (maxMonthlyUsd) by $11.50. Costliest lines: {TOP}. Choose a cheaper "
        "strategy or instance class, or raise maxMonthlyUsd."]


def test_an_unknown_input_on_a_free_resource_changes_nothing() -> None:
    # role ARN and KMS key id are unknown in preview; no figure depends on them
    out = run_stack(RULE, priced_stack(**{"lambda-role": {"assumeRolePolicy": UNKNOWN}}),
                    {"maxMonthlyUsd": 250})
    assert out.violations == [] and out.not_applicable is None


def test_cost_overrides_inline_reprice_the_stack() -> None:
    overrides = {"prices": {"rds/instance/postgres/db.r6g.large": {"regions": {"us-west-2": {
        "usd": 0.10, "standing": "user", "source": "contract", "title": "our EDP price",
        "recorded": "2026-12-01"}}}}, "usage": {"route53": {"queries_per_month": 0}}}
    # 730 h x ($0.225 - $0.10) cheaper standby, and no DNS query line ($0.40)
    assert total(priced_stack(), overrides) == pytest.approx(
        total(priced_stack()) - 730 * 0.125 - 0.40)
    cfg = {"maxMonthlyUsd": 200, "costOverrides": overrides}
    assert run_stack(RULE, priced_stack(), cfg).violations == []
    assert run_stack(RULE, priced_stack(), {"maxMonthlyUsd": 200}).violations != []


def test_invalid_cost_overrides_in_config_are_a_violation_naming_the_key() -> None:
    out = run_stack(RULE, priced_stack(), {"maxMonthlyUsd": 250, "costOverrides": {
        "usage": {"database": {"data_gib": -1}}}})
    assert out.messages == ["Policy config costOverrides is invalid: usage.database.data_gib: "
                            "Input should be greater than 0."]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"maxMonthlyUsd": -5}, "setting 'maxMonthlyUsd' must be >= 0, got -5"),
    ({"maxMonthlyUsd": "100"}, "setting 'maxMonthlyUsd' must be of type number, got '100'"),
    ({"budget": 100}, "unknown setting 'budget'"),
    ({"topLines": 0}, "setting 'topLines' must be >= 1"),
    ({"costOverrides": {"usage": {"database": {"size": 1}}}},
     "setting 'costOverrides': usage.database.size: Extra inputs are not permitted"),
])
def test_bad_settings_fail_when_the_pack_is_built(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match="dr-monthly-cost-within-budget") as e:
        monthly_cost_within_budget(**overrides)
    assert message in str(e.value)


def test_a_budget_set_when_the_pack_is_built_applies() -> None:
    assert run_stack(monthly_cost_within_budget(maxMonthlyUsd=200), priced_stack()).violations
    assert run_stack(monthly_cost_within_budget(maxMonthlyUsd=250), priced_stack()).violations == []
