"""The aurora-global stack's failback scenario end to end (the failover, the old primary
rejoining, the switchover back; its own steps in ``drill/steps/failback.py``, which the full
cycle does not run): real plan, real handlers, real PostgreSQL, report read by value."""

from __future__ import annotations

from typing import Any

import pytest

from tests.drill.shared import DrillRun, bridge


@pytest.fixture
def failback(drill_aurora_failback: DrillRun) -> dict[str, Any]:
    return drill_aurora_failback.report


def test_failback_passes_every_check(failback: dict[str, Any]) -> None:
    assert failback["verdict"] == "pass", failback["failures"]
    assert all(c["passed"] for c in failback["checks"])
    names = {c["name"].split(" (")[0] for c in failback["checks"]}
    assert {"the failback completed", "the switchover lost no acknowledged order",
            "after the failback, the failover name resolves to the primary",
            "standby cluster exists, available and the writer of the global database",
            "exactly one promotion request"} <= names


def test_the_failover_loses_only_what_had_not_crossed_and_the_switchover_nothing(
        failback: dict[str, Any]) -> None:
    data = failback["data"]
    lost = data["orders"]["lost"]
    assert lost > 0 and data["data_loss_window_seconds"] <= 20   # the managed RPO
    fb = data["failback"]
    assert fb["orders"]["lost"] == 0 and fb["orders"]["acknowledged"] > 0
    assert fb["orders"]["by_region"].get("us-east-1", 0) > 0
    assert fb["failover"]["orders_lost"] == lost
    assert fb["write_pause"]["measured_seconds"] is not None
    assert fb["final_writer"].endswith("(us-east-1)")


def test_the_bridges_and_the_orchestrator_did_one_failover_and_one_switchover(
        failback: dict[str, Any]) -> None:
    for name in ("aurora-global-failover", "aurora-global-switchover", "pg-global-failover"):
        assert bridge(failback, name)["acted"] == 1, name
    # Twice each: in moto and in PostgreSQL (the rejoin), the swap and the old writer's rejoin.
    assert bridge(failback, "aurora-region-recovers")["acted"] == 2
    assert bridge(failback, "pg-global-switchover")["acted"] == 2
    calls = failback["api_calls"]
    text = str(calls)
    assert "FailoverGlobalCluster" in text and "SwitchoverGlobalCluster" in text
    statuses = [i["status"] for i in failback["invocations"]]
    assert statuses.count("failed-back") == 1
    fbstep = next(s for s in failback["timeline"] if s["step"] == "aurora-failback")
    recovered = fbstep["detail"]["region_recovers"]
    assert recovered["unplanned_failover_snapshot"].startswith(
        "rds:unplanned-global-failover-shop-aurora-")
    assert recovered["orders_only_on_old_volume"] >= failback["data"]["orders"]["lost"]
    (kept,) = fbstep["detail"]["failover_snapshot_preserved"]["copies"]
    assert kept.startswith("shop-aurora-dr-preserved-")
    assert fbstep["detail"]["standby_shop_after_failback"]["error"] == "writes paused (write switch)"

