"""The dms strategy's whole DR cycle end to end (scenario full-cycle: real plans of every phase
through the policy pack, real handlers, real PostgreSQL logical replication): the unplanned
failover, the failed-over deploy with the primary Region down, the reverse DMS task into a
fresh instance, the failback losing nothing, the normal deploy replacing the forward pipeline,
a second failover onto the fresh standby. One drill run (the shared ``dms-full-cycle`` drill,
:mod:`tests.drill.shared`); every test reads its report by value."""

from __future__ import annotations

from typing import Any

import pytest

from contract.phases import DMS_SOURCE_SECRET_KEY
from tests.drill.cycle_events import cycle_ran, labelled_events, step_detail
from tests.drill.shared import DrillRun, bridge

TASK, ENDPOINT = "aws:dms/replicationTask:ReplicationTask", "aws:dms/endpoint:Endpoint"
RDS = "aws:rds/instance:Instance"


@pytest.fixture
def dms_cycle(drill_dms_full_cycle: DrillRun) -> dict[str, Any]:
    return drill_dms_full_cycle.report


def test_the_whole_dms_cycle_passes(dms_cycle: dict[str, Any]) -> None:
    r = dms_cycle
    assert r["verdict"] == "pass", r["failures"]
    assert r["drill"]["strategy"] == "dms"
    assert all(c["passed"] for c in r["checks"]), [c for c in r["checks"] if not c["passed"]]
    names = {c["name"].split(" (")[0] for c in r["checks"]}
    assert {"the planned failback completed and lost no order",
            "the old primary is retained and was never written to",
            "the second failover completed onto the standby the normal deploy left"} <= names
    # the pack passed every phase's plan, recorded as a first preview (every computed output
    # unknown): the failover role's stop grant names the forward task by its fixed ARN
    cycle_ran(r)


def test_the_failovers_lose_only_what_had_not_crossed_and_the_failback_nothing(
        dms_cycle: dict[str, Any]) -> None:
    events = labelled_events(dms_cycle, rpo_seconds=3600.0)
    assert events["unplanned failover"]["orders_lost"] == dms_cycle["data"]["orders"]["lost"] > 0
    assert step_detail(dms_cycle, "failback")["orders_acknowledged_by_new_primary"] > 0


def test_the_reverse_task_feeds_a_fresh_instance_that_becomes_the_primary(
        dms_cycle: dict[str, Any]) -> None:
    c = dms_cycle["cycle"]
    made = {(x["type"], x["op"], x["region"]) for x in c["deploys"]["reverse-replicating"]["changes"]}
    assert {(RDS, "create", "us-east-1"), (TASK, "create", "us-west-2"),
            (ENDPOINT, "create", "us-west-2")} <= made
    reverse, primary, old = c["reverse"], c["new_primary"], c["primary_before"]
    assert reverse["identifier"] == primary["identifier"] == "shop-standby-reverse"
    assert reverse["server"] == primary["server"] == c["cdc"]["reverse"]["target_server"]
    assert reverse["server"] != old["server"] and primary["in_recovery"] is False
    assert c["cdc"]["reverse"]["source_server"] == c["standby_after"]["server"]
    assert "pg-dms-start" in {b["name"] for b in dms_cycle["bridges"] if b["acted"]}


def test_the_normal_deploy_replaces_the_forward_pipeline_from_the_new_primary(
        dms_cycle: dict[str, Any]) -> None:
    c, normal = dms_cycle["cycle"], step_detail(dms_cycle, "deploy-normal")
    assert {"failover.phase", "database.standbyIdentifier", DMS_SOURCE_SECRET_KEY} <= set(
        normal["config_set"])
    ops = {(x["type"], x["name"]): x["op"] for x in c["deploys"]["normal"]["changes"]}
    assert [n for (t, n), op in ops.items() if t == TASK and op == "replace"] == ["standby-database-cdc"]
    assert sorted(n for (t, n), op in ops.items() if t == ENDPOINT and op == "replace") == [
        "standby-database-source", "standby-database-target"]
    assert ops[(TASK, "standby-database-reverse-cdc")] == "delete"
    assert ops[(RDS, "standby-database-reverse")] == "retain"   # now the primary, retained
    fresh, forward = c["fresh_standby"], c["cdc"]["forward"]
    assert fresh["identifier"] == c["fresh_identifier"] != c["standby_before"]["identifier"]
    assert (forward["source_server"], forward["target_server"]) == (c["new_primary"]["server"],
                                                                    fresh["server"])
    assert bridge(dms_cycle, "pg-instance")["acted"] == 4   # two instances: asked, then started
    # three stops: the forward task at each failover, the reverse task at the failback
    assert bridge(dms_cycle, "pg-dms-stop")["acted"] == 3


def test_the_old_primary_keeps_the_orders_the_failover_lost(dms_cycle: dict[str, Any]) -> None:
    c = dms_cycle["cycle"]
    recovered, after = c["old_primary_recovered"], c["old_primary_after"]
    assert after["orders"] == recovered["orders"] >= dms_cycle["data"]["orders"]["lost"] > 0
    assert after["server"] not in {t["target_server"] for t in c["cdc"].values()}
