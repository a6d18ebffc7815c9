"""The full-cycle drill end to end on the emulator with real PostgreSQL (one run per test
session, several tests read its report): every phase deployed over the last, the standby kept
through the failed-over deploy, the planned failback losing no order, the second failover
working."""

from __future__ import annotations

from typing import Any

import pytest

from tests.drill.cycle_events import labelled_events
from tests.drill.shared import DrillRun


@pytest.fixture
def cycle(drill_full_cycle: DrillRun) -> dict[str, Any]:
    return drill_full_cycle.report


def test_the_whole_cycle_passes(cycle: dict[str, Any]) -> None:
    assert cycle["verdict"] == "pass", cycle["failures"]
    assert all(c["passed"] for c in cycle["checks"]), [c for c in cycle["checks"] if not c["passed"]]
    # the policy pack passed every phase's plan before it was deployed, as in CI
    assert {p: d["policy_exit_code"] for p, d in cycle["cycle"]["deploys"].items()} == {
        "failed-over": 0, "reverse-replicating": 0, "normal": 0}
    steps = [s["step"] for s in cycle["timeline"]]
    assert steps[-8:] == ["cycle-start", "deploy-failed-over", "region-recovers",
                          "deploy-reverse-replicating", "failback", "deploy-normal",
                          "second-failover", "cycle-verify"]


def test_the_failed_over_deploy_kept_the_standby_and_left_the_primary_region_alone(
        cycle: dict[str, Any]) -> None:
    c = cycle["cycle"]
    before, after = c["standby_before"], c["standby_after"]
    assert after["identifier"] == before["identifier"] == "shop-standby"
    assert after["resource_id"] == before["resource_id"] is not None
    assert after["replica_source"] is None and after["orders"] >= before["orders"] > 0
    deploy = c["deploys"]["failed-over"]
    assert deploy["ok"] and not deploy["failed"]
    # nothing there changes, not even Route 53 (global, its control plane in us-east-1)
    assert [ch for ch in deploy["changes"] if ch["region"] == "us-east-1"] == []
    assert not any("control plane is only in us-east-1" in n for n in cycle["notes"])


def test_the_reverse_replica_and_the_fresh_standby_are_real_replicas(cycle: dict[str, Any]) -> None:
    c = cycle["cycle"]
    reverse, fresh, old = c["reverse"], c["fresh_standby"], c["old_writer"]
    assert reverse["region"] == "us-east-1" and reverse["in_recovery"] is True
    # ReadReplicaSourceDBInstanceIdentifier of a cross-Region replica: the source's ARN
    src = reverse["replica_source"].split(":")
    assert (src[3], src[5:]) == ("us-west-2", ["db", "shop-standby"]), reverse["replica_source"]
    assert fresh["identifier"] == c["fresh_identifier"] != old["identifier"]
    # a replica of the new primary (the promoted reverse replica), not of the old writer
    assert c["new_primary"]["identifier"] == reverse["identifier"] == c["reverse_identifier"]
    src = fresh["replica_source"].split(":")
    assert (src[3], src[5:]) == ("us-east-1", ["db", reverse["identifier"]]), fresh["replica_source"]
    assert old["resource_id"] == c["standby_before"]["resource_id"]   # retained, not reused
    replica = next(b for b in cycle["bridges"] if b["name"] == "pg-replica")
    # the reverse replica and the fresh standby: requested, then streaming
    assert replica["acted"] == 4
    assert sum("streams from" in a for a in replica["actions"]) == 2


def test_the_failback_lost_nothing_and_each_event_is_labelled(cycle: dict[str, Any]) -> None:
    events = labelled_events(cycle, rpo_seconds=3600.0)
    # the link was slowed before the failure: its last orders are lost, within the RPO
    assert events["unplanned failover"]["orders_lost"] == cycle["data"]["orders"]["lost"] > 0
