"""The aurora-global cycle's verifier against a good cycle and broken ones: a deploy that
replaces the secondary cluster (even retained) or the global database, an old primary that
never rejoined or came back re-created, a secondary re-created or left the writer, a second
failover that did not happen or promoted nothing."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from drill.cycle.deploy import PhaseDeploy
from drill.cycle.diff import Change
from drill.cycle.state import CycleState, Event, Instance
from drill.cycle.verify import CHECKS as INSTANCE_CHECKS
from drill.cycle.verify import verify_cycle
from drill.cycle.verify_aurora import CHECKS

EAST, WEST = "us-east-1", "us-west-2"
GLOBAL, CLUSTER = "aws:rds/globalCluster:GlobalCluster", "aws:rds/cluster:Cluster"
MEMBER = "aws:rds/clusterInstance:ClusterInstance"
PRIMARY_ARN = "arn:aws:rds:us-east-1:123456789012:cluster:shop-aurora"
SECONDARY_ARN = "arn:aws:rds:us-west-2:123456789012:cluster:shop-aurora-usw2"


def _c(name: str, op: str, type_: str, region: str = WEST, *, retained: bool = False) -> Change:
    return Change(urn=f"urn:{name}", type=type_, name=name, region=region, op=op,  # type: ignore[arg-type]
                  retained=retained)


def _deploy(phase: str) -> PhaseDeploy:
    return PhaseDeploy(phase, [_c("global", "same", GLOBAL, EAST), _c("secondary", "same", CLUSTER),
                               _c("secondary-1", "same", MEMBER),
                               _c("failover-function", "update", "aws:lambda/function:Function")],
                       policy_exit_code=0)


def good() -> CycleState:
    secondary = Instance("shop-aurora-usw2", WEST, "cluster-SEC", None, "available", "standby",
                         120, False)
    return CycleState(
        primary_region=EAST, standby_region=WEST,
        deploys={p: _deploy(p) for p in ("failed-over", "reverse-replicating", "normal")},
        primary_provider={"skipCredentialsValidation": "true", "skipRequestingAccountId": "true"},
        standby_before=dataclasses.replace(secondary, orders=100), standby_after=secondary,
        primary_before=Instance("shop-aurora", EAST, "cluster-PRI", None, "available", "primary"),
        reverse_identifier="shop-aurora",
        reverse=Instance("shop-aurora", EAST, "cluster-PRI", SECONDARY_ARN, "available",
                         "primary-g2", 150, True),
        new_primary=Instance("shop-aurora", EAST, "cluster-PRI", None, "available", "primary-g2",
                             200, False),
        standby_again=Instance("shop-aurora-usw2", WEST, "cluster-SEC", PRIMARY_ARN, "available",
                               "standby-g3", 210, True),
        events=[Event("unplanned failover", "completed", 5, list("abcde"), 23, {}, 900.0, 0.43),
                Event("planned failback", "failed-back", 0, [], 60, {}, 900.0, 0.0),
                Event("second failover", "completed", 0, [], 30, {}, 900.0, 0.0)])


def _failing(state: CycleState) -> list[str]:
    return [c.name for c in verify_cycle(state, CHECKS) if not c.passed]


def test_a_good_aurora_cycle_passes_every_check_and_not_the_instance_ones() -> None:
    checks = verify_cycle(good(), CHECKS)
    assert len(checks) == len(CHECKS) == 12
    assert [c.name for c in checks if not c.passed] == []
    # the instance checks look for a created reverse replica and a fresh standby: not Aurora's
    instance = [c.name for c in verify_cycle(good(), INSTANCE_CHECKS) if not c.passed]
    assert [n.split(" ")[:4] for n in instance] == [["the", "reverse-replicating", "deploy", "created"],
                                                    ["the", "normal", "deploy", "created"],
                                                    ["the", "second", "failover", "restored"]]


def _replaces_secondary_retained(s: CycleState) -> None:
    s.deploys["normal"].changes[1] = _c("secondary", "replace", CLUSTER, retained=True)


def _replaces_global(s: CycleState) -> None:
    s.deploys["reverse-replicating"].changes[0] = _c("global", "replace", GLOBAL, EAST)


def _creates_cluster_while_down(s: CycleState) -> None:
    s.deploys["failed-over"].changes.append(_c("secondary-new", "create", CLUSTER))


def _no_aurora_resource_deployed(s: CycleState) -> None:
    for d in s.deploys.values():
        d.changes = [c for c in d.changes if c.type not in (GLOBAL, CLUSTER, MEMBER)]


def _never_rejoined(s: CycleState) -> None:
    s.reverse = dataclasses.replace(s.reverse, replica_source=None, in_recovery=False)  # type: ignore[arg-type]


def _rejoined_elsewhere(s: CycleState) -> None:
    s.reverse = dataclasses.replace(s.reverse, replica_source="arn:aws:rds:eu-west-1:1:cluster:x")  # type: ignore[arg-type]


def _secondary_recreated(s: CycleState) -> None:
    s.standby_again = dataclasses.replace(s.standby_again, resource_id="cluster-NEW")  # type: ignore[arg-type]


def _secondary_still_writes(s: CycleState) -> None:
    s.standby_again = dataclasses.replace(s.standby_again, replica_source=None, in_recovery=False)  # type: ignore[arg-type]


def _primary_not_writer(s: CycleState) -> None:
    s.new_primary = dataclasses.replace(s.new_primary, replica_source=SECONDARY_ARN, in_recovery=True)  # type: ignore[arg-type]


def _no_second_failover(s: CycleState) -> None:
    s.events = s.events[:2]


def _switchover_lost_an_order(s: CycleState) -> None:
    s.events[1].orders_lost, s.events[1].lost_order_ids = 1, ["x"]


def _old_primary_recreated(s: CycleState) -> None:
    # back under its name but another cluster (re-created empty), and the writer at the end
    s.reverse = dataclasses.replace(s.reverse, resource_id="cluster-NEW")  # type: ignore[arg-type]
    s.new_primary = dataclasses.replace(s.new_primary, resource_id="cluster-NEW")  # type: ignore[arg-type]


def _old_primary_not_read(s: CycleState) -> None:
    s.primary_before = None


def _second_never_ran(s: CycleState) -> None:
    # the gate was still tripped: the orchestrator answered without promoting anything
    s.events[2].status = "already-failed-over"


def _new_primary_another_cluster(s: CycleState) -> None:
    s.new_primary = dataclasses.replace(s.new_primary, resource_id="cluster-NEW")  # type: ignore[arg-type]


CLUSTERS = "no deploy of the cycle created, replaced or deleted a cluster"
DELETED = "no deploy of the cycle deleted a database"
KEPT = "the failed-over deploy kept the promoted standby"
REJOINED = "after the reverse-replicating deploy the old primary cluster"
ROLES = "after the normal deploy the primary cluster is the writer"
SECOND = "the second failover completed"
NEW_PRIMARY = "the failback's new primary is the reverse replication it promoted"
LOSSLESS = "the planned failback completed and lost no order"


@pytest.mark.parametrize(("breaks", "expected"), [
    pytest.param(_replaces_secondary_retained, {CLUSTERS}, id="secondary-replaced-retained"),
    pytest.param(_replaces_global, {CLUSTERS, DELETED}, id="global-replaced"),
    pytest.param(_creates_cluster_while_down, {CLUSTERS, KEPT}, id="cluster-created-while-down"),
    pytest.param(_no_aurora_resource_deployed, {CLUSTERS}, id="no-aurora-resource"),
    pytest.param(_never_rejoined, {REJOINED}, id="never-rejoined"),
    pytest.param(_rejoined_elsewhere, {REJOINED}, id="rejoined-elsewhere"),
    pytest.param(_secondary_recreated, {ROLES}, id="secondary-recreated"),
    pytest.param(_secondary_still_writes, {ROLES}, id="secondary-still-writes"),
    pytest.param(_primary_not_writer, {ROLES, NEW_PRIMARY}, id="primary-not-writer"),
    pytest.param(_no_second_failover, {SECOND}, id="no-second-failover"),
    pytest.param(_switchover_lost_an_order, {LOSSLESS}, id="switchover-lost-an-order"),
    pytest.param(_old_primary_recreated, {REJOINED}, id="old-primary-recreated"),
    pytest.param(_old_primary_not_read, {REJOINED}, id="old-primary-not-read"),
    pytest.param(_second_never_ran, {SECOND}, id="second-failover-already-failed-over"),
    pytest.param(_new_primary_another_cluster, {NEW_PRIMARY}, id="new-primary-another-cluster"),
])
def test_each_broken_aurora_cycle_fails_its_check(breaks: Callable[[CycleState], None],
                                                  expected: set[str]) -> None:
    state = good()
    breaks(state)
    failing = _failing(state)
    matched = {p for p in expected for name in failing if name.startswith(p)}
    assert matched == expected and len(failing) == len(expected), failing


@pytest.mark.parametrize(("breaks", "check", "why"), [
    pytest.param(_old_primary_recreated, REJOINED,
                 "the same cluster as before the cycle (cluster-PRI): no", id="recreated"),
    pytest.param(_old_primary_not_read, REJOINED,
                 "the same cluster as before the cycle (not read): no", id="not-read"),
    pytest.param(_second_never_ran, SECOND, "status already-failed-over (must be completed)",
                 id="already-failed-over"),
])
def test_the_failing_aurora_check_says_why(breaks: Callable[[CycleState], None], check: str,
                                           why: str) -> None:
    state = good()
    breaks(state)
    found = next(c for c in verify_cycle(state, CHECKS) if c.name.startswith(check))
    assert not found.passed and why in found.detail, found.detail


def test_an_empty_aurora_cycle_fails_everything() -> None:
    assert len(_failing(CycleState(EAST, WEST))) == len(CHECKS)
