"""Shared rule helpers: schedule periods, preview-safe reads, and the benchmark's inputs."""

from __future__ import annotations

import pytest
from pulumi_policy.proxy import unknown_checking_proxy

from bench.policy import synthetic_resources
from policies.rules import all_policies
from policies.rules.common import Unknown, is_set, schedule_period_seconds, value
from tests.policies.helpers import UNKNOWN, run_stack


@pytest.mark.parametrize(("expr", "seconds"), [
    ("rate(1 minute)", 60), ("rate(5 minutes)", 300), ("rate(1 hour)", 3600),
    ("rate(2 hours)", 7200), ("rate(1 day)", 86400),
    ("cron(0 * * * ? *)", 3600), ("cron(*/10 * * * ? *)", 600), ("cron(0/15 * * * ? *)", 900),
    ("cron(0 0,12 * * ? *)", 43200), ("cron(30 9-17 * * ? *)", 57600), ("cron(0 3 * * ? *)", 86400),
])
def test_schedule_period(expr: str, seconds: int) -> None:
    assert schedule_period_seconds(expr) == seconds


@pytest.mark.parametrize("expr", ["rate(0 minutes)", "rate(1 fortnight)", "cron(0 3 ? * MON *)",
                                  "cron(0 3 1 * ? *)", "cron(61 * * * ? *)", "at(2026-01-01T00:00:00)"])
def test_schedule_without_bounded_period(expr: str) -> None:
    assert schedule_period_seconds(expr) is None


def test_value_reads_through_the_proxy_and_names_unknown_paths() -> None:
    props = unknown_checking_proxy({"a": {"b": [1, UNKNOWN]}, "c": UNKNOWN})
    assert value(props, "a", "b", 0) == 1
    assert value(props, "missing", default=7) == 7
    with pytest.raises(Unknown) as e:
        value(props, "a", "b", 1)
    assert e.value.path == "a.b.1"
    assert is_set(props, "c") and not is_set(props, "missing")


def test_synthetic_benchmark_resources_are_compliant() -> None:
    resources = synthetic_resources(120)
    assert len(resources) == 120
    for policy in all_policies():
        if policy.__class__.__name__ == "StackValidationPolicy":
            out = run_stack(policy, resources)
            assert out.violations == [], policy.name
            if policy.name != "dr-monthly-cost-within-budget":   # applies once a budget is set
                assert out.not_applicable is None, policy.name
