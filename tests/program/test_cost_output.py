"""The program prices itself: ``estimatedMonthlyCostUsd`` is :func:`cost.estimate` over what
the engine receives.

Two views: the recorded plans (the recorder's monitor keeps each RegisterResource request as
it goes over the wire, and resolves the stack outputs the program computed from its own
observation), and the observer itself under mocks in this process.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

import cost
from components.cost_estimate import DeclaredResources, estimated_monthly_cost_usd
from cost.plan import UNKNOWN
from tests.program.variants import STRATEGIES, plan

OUTPUT = "estimatedMonthlyCostUsd"


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_output_is_the_estimate_of_the_recorded_plan(strategy: str) -> None:
    p = plan(strategy)
    est = cost.estimate(p.resources)
    assert est.complete, [(ln.resource, ln.reason) for ln in est.unpriced]
    assert p.outputs[OUTPUT] == round(est.total_usd, 2)
    assert p.outputs[OUTPUT] > 0


@pytest.mark.parametrize("strategy", ["read-replica", "snapshot-restore"])
def test_output_is_known_during_preview_and_the_same(strategy: str) -> None:
    preview = plan(strategy, preview=True)
    assert preview.outputs[OUTPUT] == round(cost.estimate(preview.resources).total_usd, 2)
    assert preview.outputs[OUTPUT] == plan(strategy).outputs[OUTPUT]


def test_tiers_cost_what_they_run() -> None:
    out = {s: plan(s).outputs[OUTPUT] for s in STRATEGIES}
    # pilot light runs no standby instance; DMS runs a replication instance and a target
    assert out["snapshot-restore"] < out["read-replica"] < out["dms"]


# --- the observer under mocks, in this process -------------------------------------------------

class EchoMocks(pulumi.runtime.Mocks):
    """Resources echo their inputs; ids are the logical name (unknown during preview)."""

    def __init__(self, preview: bool) -> None:
        self.preview = preview

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return ("" if self.preview else f"{args.name}-id"), dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


@pytest.fixture
def preview_mocks() -> None:
    pulumi.runtime.set_mocks(EchoMocks(preview=True), project="ecommerce-dr", stack="prod",
                             preview=True)


class Probe(pulumi.ComponentResource):
    def __init__(self, name: str, provider: aws.Provider) -> None:
        super().__init__("ecommerce-dr:test:Probe", name, None,
                         pulumi.ResourceOptions(providers=[provider]))
        # no explicit provider: inherited from the component, as the SDK resolves it
        self.check = aws.route53.HealthCheck(
            "probe-check", type="HTTPS", fqdn="shop-use1.example.com", port=443,
            request_interval=10, failure_threshold=3, opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({})


def _metric(name: str) -> dict[str, Any]:
    return {"metric_name": name, "namespace": "AWS/Lambda", "period": 10, "stat": "Sum"}


def _declare(declared: DeclaredResources) -> Probe:
    east = aws.Provider("east", region="us-east-1")
    west = aws.Provider("west", region="us-west-2")
    probe = Probe("probe", east)
    aws.cloudwatch.MetricAlarm(   # plain dicts with Python names inside an input type
        "error-rate", comparison_operator="GreaterThanThreshold", evaluation_periods=1,
        threshold=0.05, alarm_actions=[probe.check.id], metric_queries=[
            {"id": "e", "return_data": False, "metric": _metric("Errors")},
            {"id": "i", "return_data": False, "metric": _metric("Invocations")},
            {"id": "rate", "expression": "e / i", "return_data": True}],
        opts=pulumi.ResourceOptions(provider=west))
    aws.kms.Key("key", description=pulumi.Output.secret("secret description"),
                enable_key_rotation=True, opts=pulumi.ResourceOptions(provider=west))
    return probe


@pulumi.runtime.test
def test_observer_sees_engine_names_parents_regions_and_unknowns(preview_mocks: None):
    declared = DeclaredResources.observe()
    _declare(declared)

    async def check() -> None:
        seen = {r.name: r for r in await declared.resources()}
        assert list(seen) == ["east", "west", "probe", "probe-check", "error-rate", "key"]
        check_ = seen["probe-check"]
        assert check_.inputs == {"type": "HTTPS", "fqdn": "shop-use1.example.com", "port": 443,
                                 "requestInterval": 10, "failureThreshold": 3}
        assert check_.parent == seen["probe"].urn and check_.region == "us-east-1"
        assert (seen["probe"].custom, seen["probe"].region) == (False, None)
        assert seen["probe"].parent.endswith("::pulumi:pulumi:Stack::ecommerce-dr-prod")
        assert seen["east"].region == "us-east-1" and seen["east"].custom
        engine_metric = {"metricName": "Errors", "namespace": "AWS/Lambda", "period": 10,
                         "stat": "Sum"}
        alarm = seen["error-rate"]
        assert alarm.region == "us-west-2"
        assert alarm.inputs["metricQueries"][0] == {"id": "e", "returnData": False,
                                                    "metric": engine_metric}
        # the health check's id is unknown during preview: the engine's sentinel
        assert alarm.inputs["alarmActions"] == [UNKNOWN]
        assert seen["key"].inputs == {"description": "secret description", "enableKeyRotation": True}

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_output_prices_the_observed_resources(preview_mocks: None):
    declared = DeclaredResources.observe()
    _declare(declared)
    total = estimated_monthly_cost_usd(declared)

    def check(usd: float) -> None:
        # health check: $0.50 basic + HTTPS $1.00 + fast interval $1.00; the alarm evaluates
        # 2 metrics at a 10 s period: 2 x $0.30 high resolution; KMS key $1.00 a month plus
        # usage.kms.requests_per_key_month (10,000) at $0.03 per 10,000
        assert usd == round(0.50 + 1.00 + 1.00 + 2 * 0.30 + 1.00 + 0.03, 2)

    return total.apply(check)


@pulumi.runtime.test
def test_a_resource_declared_before_observing_is_not_priced(preview_mocks: None):
    aws.kms.Key("early", opts=pulumi.ResourceOptions(provider=aws.Provider("p", region="us-west-2")))
    declared = DeclaredResources.observe()
    aws.kms.Key("late", opts=pulumi.ResourceOptions(provider=aws.Provider("q", region="us-west-2")))

    async def check() -> None:
        assert [r.name for r in await declared.resources()] == ["q", "late"]

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_a_resource_s_own_region_overrides_its_provider_s(preview_mocks: None):
    declared = DeclaredResources.observe()
    west = aws.Provider("west", region="us-west-2")
    aws.kms.Key("in-east", region="us-east-1", opts=pulumi.ResourceOptions(provider=west))
    aws.kms.Key("in-west", opts=pulumi.ResourceOptions(provider=west))

    async def check() -> None:
        regions = {r.name: r.region for r in await declared.resources()}
        assert regions == {"west": "us-west-2", "in-east": "us-east-1", "in-west": "us-west-2"}

    return pulumi.Output.from_input(check())
