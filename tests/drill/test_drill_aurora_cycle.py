"""The aurora-global stack's whole DR cycle end to end (scenario full-cycle: real plans of
every phase through the policy pack, real handlers, real PostgreSQL): the unplanned failover,
the failed-over deploy with the primary Region down, the old primary cluster rejoining, the
switchover back losing nothing, the normal deploy, a second failover. One drill run (the
shared ``aurora-full-cycle`` drill, :mod:`tests.drill.shared`); every test reads its report by
value."""

from __future__ import annotations

from typing import Any

import pytest

from drill.options import DrillError, DrillOptions
from tests.drill.cycle_events import labelled_events
from tests.drill.shared import DrillRun, bridge

AURORA_TYPES = ("aws:rds/globalCluster:GlobalCluster", "aws:rds/cluster:Cluster",
                "aws:rds/clusterInstance:ClusterInstance")


@pytest.fixture
def aurora_cycle(drill_aurora_full_cycle: DrillRun) -> dict[str, Any]:
    return drill_aurora_full_cycle.report


def _step(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s["detail"] for s in report["timeline"] if s["step"] == name)


def test_the_whole_aurora_cycle_passes(aurora_cycle: dict[str, Any]) -> None:
    r = aurora_cycle
    assert r["verdict"] == "pass", r["failures"]
    assert all(c["passed"] for c in r["checks"]), [c for c in r["checks"] if not c["passed"]]
    names = {c["name"].split(" (")[0] for c in r["checks"]}
    assert {"the planned failback completed and lost no order",
            "after the failback, the failover name resolves to the primary",
            "standby cluster exists, available and the writer of the global database",
            "exactly one promotion request",
            "no deploy of the cycle created, replaced or deleted a cluster, a cluster instance or "
            "the global database"} <= names
    assert {p: d["policy_exit_code"] for p, d in r["cycle"]["deploys"].items()} == {
        "failed-over": 0, "reverse-replicating": 0, "normal": 0}
    assert [s["step"] for s in r["timeline"]][-8:] == [
        "cycle-start", "deploy-failed-over", "region-recovers", "deploy-reverse-replicating",
        "failback", "deploy-normal", "second-failover", "cycle-verify"]


def test_no_phase_touches_the_clusters_and_the_failed_over_one_not_the_primary_region(
        aurora_cycle: dict[str, Any]) -> None:
    deploys = aurora_cycle["cycle"]["deploys"]
    for phase, d in deploys.items():
        assert d["ok"] and not d["failed"] and not d["not_applied"], phase
        # changes lists only what is not "same": no Aurora resource among them
        assert [c["name"] for c in d["changes"] if c["type"] in AURORA_TYPES] == [], phase
    assert [c for c in deploys["failed-over"]["changes"] if c["region"] == "us-east-1"] == []
    assert aurora_cycle["cycle"]["failed_over_db_requests"] == {}
    # the failback's alert gives only the phase: the topology is back
    assert _step(aurora_cycle, "deploy-normal")["config_set"] == {"failover.phase": "normal"}


def test_the_clusters_swap_roles_and_back(aurora_cycle: dict[str, Any]) -> None:
    c = aurora_cycle["cycle"]
    before, after, again = c["standby_before"], c["standby_after"], c["standby_again"]
    assert before["identifier"] == after["identifier"] == again["identifier"] == "shop-aurora-usw2"
    assert before["resource_id"] == after["resource_id"] == again["resource_id"] is not None
    assert after["replica_source"] is None and after["orders"] >= before["orders"] > 0
    reverse, primary = c["reverse"], c["new_primary"]
    assert reverse["identifier"] == primary["identifier"] == "shop-aurora"
    # the old primary cluster itself rejoined (not one re-created under its name)
    assert (c["primary_before"]["resource_id"] == reverse["resource_id"] == primary["resource_id"]
            is not None)
    assert reverse["region"] == "us-east-1" and reverse["in_recovery"] is True
    assert reverse["replica_source"].endswith(":cluster:shop-aurora-usw2")
    assert primary["replica_source"] is None and primary["in_recovery"] is False
    assert again["in_recovery"] is True and again["replica_source"].endswith(":cluster:shop-aurora")


def test_the_failovers_lose_only_what_had_not_crossed_and_the_switchover_nothing(
        aurora_cycle: dict[str, Any]) -> None:
    data = aurora_cycle["data"]
    events = labelled_events(aurora_cycle, rpo_seconds=900.0)
    first = events["unplanned failover"]
    assert first["orders_lost"] == data["orders"]["lost"] > 0   # the slowed link's last orders
    assert data["data_loss_window_seconds"] <= 20   # the managed RPO
    assert _step(aurora_cycle, "failback")["orders_acknowledged_by_new_primary"] > 0


def test_the_bridges_and_the_orchestrator_did_two_failovers_and_one_switchover(
        aurora_cycle: dict[str, Any]) -> None:
    r = aurora_cycle
    assert bridge(r, "aurora-global-failover")["acted"] == 2
    assert bridge(r, "pg-global-failover")["acted"] == 2
    assert bridge(r, "aurora-global-switchover")["acted"] == 1
    # Twice each: in moto and in PostgreSQL (the rejoin), the swap and the old writer's rejoin.
    assert bridge(r, "aurora-region-recovers")["acted"] == 2
    assert bridge(r, "pg-global-switchover")["acted"] == 2
    text = str(r["api_calls"])
    assert "FailoverGlobalCluster" in text and "SwitchoverGlobalCluster" in text
    assert [i["status"] for i in r["invocations"]].count("failed-back") == 1


def test_the_old_primary_rejoins_with_its_stranded_orders_kept(aurora_cycle: dict[str, Any]) -> None:
    recovered = _step(aurora_cycle, "region-recovers")
    assert recovered["region_recovers"]["unplanned_failover_snapshot"].startswith(
        "rds:unplanned-global-failover-shop-aurora-")
    lost = aurora_cycle["data"]["orders"]["lost"]
    assert recovered["region_recovers"]["orders_only_on_old_volume"] >= lost
    (kept,) = recovered["failover_snapshot_preserved"]["copies"]
    assert kept.startswith("shop-aurora-dr-preserved-")
    back = _step(aurora_cycle, "failback")
    assert back["standby_shop_after_failback"]["error"] == "writes paused (write switch)"
    assert back["dns_answer"]["answer"] == "PRIMARY"


def test_failback_is_refused_for_an_instance_strategy_with_the_stack_to_use() -> None:
    from drill.context import DrillContext

    with pytest.raises(DrillError, match=r"aurora-global switchover \(--stack aurora\), not read-replica"):
        DrillContext.create(DrillOptions(stack="prod", scenario="failback", progress=False))
