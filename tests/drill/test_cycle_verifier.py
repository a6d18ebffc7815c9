"""The full-cycle verifier against a good cycle and broken ones: a failback that lost an
order, a replaced standby, a deploy that replaced or deleted a database or touched the
primary Region while it was down, a reused old writer, a replica of the wrong source, a new
primary that is not the promoted reverse replica, a second failover that promoted nothing, a
missing piece."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from drill.cycle.deploy import PhaseDeploy
from drill.cycle.diff import Change
from drill.cycle.state import CycleState, Event, Instance
from drill.cycle.verify import CHECKS, replicates_from, verify_cycle
from drill.result import Check

EAST, WEST = "us-east-1", "us-west-2"
RDS = "aws:rds/instance:Instance"
#: ``ReadReplicaSourceDBInstanceIdentifier`` of a cross-Region replica, as RDS gives it
STANDBY_ARN = "arn:aws:rds:us-west-2:123456789012:db:shop-standby"
REVERSE_ARN = "arn:aws:rds:us-east-1:123456789012:db:shop-standby-reverse"
PRIMARY_ARN = "arn:aws:rds:us-east-1:123456789012:db:shop-primary"


def _c(name: str, op: str, region: str = WEST, type_: str = RDS) -> Change:
    return Change(urn=f"urn:{name}", type=type_, name=name, region=region, op=op)  # type: ignore[arg-type]


def good() -> CycleState:
    standby = Instance("shop-standby", WEST, "db-AAA", None, "available", "standby", 120, False)
    return CycleState(
        primary_region=EAST, standby_region=WEST,
        deploys={
            "failed-over": PhaseDeploy("failed-over", [_c("standby", "update"),
                                                       _c("gate", "same", EAST, "t")]),
            "reverse-replicating": PhaseDeploy("reverse-replicating", [
                _c("standby", "same"), _c("reverse", "create", EAST)]),
            "normal": PhaseDeploy("normal", [_c("standby", "retain"), _c("reverse", "retain", EAST),
                                             _c("standby-2", "create")]),
        },
        primary_provider={"skipCredentialsValidation": "true", "skipRequestingAccountId": "true"},
        standby_before=dataclasses.replace(standby, orders=100),
        standby_after=standby,
        reverse_identifier="shop-standby-reverse",
        reverse=Instance("shop-standby-reverse", EAST, "db-BBB", STANDBY_ARN, "available",
                         "replica-1", 150, True),
        new_primary=Instance("shop-standby-reverse", EAST, "db-BBB", None, "available",
                             "replica-1", 200, False),
        fresh_identifier="shop-standby-2",
        fresh_standby=Instance("shop-standby-2", WEST, "db-CCC", REVERSE_ARN,
                               "available", "replica-2", 200, True),
        old_writer_at_failback=Instance("shop-standby", WEST, "db-AAA", None, "available",
                                        "standby", 180, False),
        old_writer=Instance("shop-standby", WEST, "db-AAA", None, "available", "standby", 180,
                            False),
        events=[Event("unplanned failover", "completed", 3, ["a", "b", "c"], 90, {}, 3600.0, 0.4),
                Event("planned failback", "failed-back", 0, [], 160, {}, 3600.0, 0.0),
                Event("second failover", "completed", 2, ["d", "e"], 40, {}, 3600.0, 0.3)])


def test_a_good_cycle_passes_every_check() -> None:
    checks = verify_cycle(good())
    assert len(checks) == len(CHECKS) == 12
    assert [c.name for c in checks if not c.passed] == []


def _failing(state: CycleState) -> list[str]:
    return [c.name for c in verify_cycle(state) if not c.passed]


def _lost_an_order(s: CycleState) -> None:
    e = s.event("planned failback")
    assert e is not None
    e.orders_lost, e.lost_order_ids = 1, ["x"]


def _replaced_standby(s: CycleState) -> None:
    s.standby_after = dataclasses.replace(s.standby_after, resource_id="db-NEW", orders=0)  # type: ignore[arg-type]


def _created_a_database(s: CycleState) -> None:
    s.failed_over_db_requests = {"rds:CreateDBInstanceReadReplica": 1}


def _replace_in_deploy(s: CycleState) -> None:
    s.deploys["failed-over"].changes[0].op = "replace"


def _touched_primary(s: CycleState) -> None:
    s.deploys["failed-over"].changes[1].op = "update"


def _deleted_reverse(s: CycleState) -> None:
    s.deploys["normal"].changes[1].op = "delete"


def _reused_old_writer(s: CycleState) -> None:
    s.fresh_identifier = "shop-standby"
    s.fresh_standby = dataclasses.replace(s.fresh_standby, identifier="shop-standby")  # type: ignore[arg-type]


def _old_writer_gone(s: CycleState) -> None:
    s.old_writer = dataclasses.replace(s.old_writer, resource_id=None)  # type: ignore[arg-type]


def _old_writer_server_is_the_fresh_standby_s(s: CycleState) -> None:
    # the old writer's server serves the "fresh" standby, replicating the new primary: reused
    s.fresh_standby = dataclasses.replace(s.fresh_standby, server="standby")  # type: ignore[arg-type]
    s.old_writer = dataclasses.replace(s.old_writer, server="standby", in_recovery=True,  # type: ignore[arg-type]
                                       orders=200)


def _old_writer_in_recovery(s: CycleState) -> None:
    s.old_writer = dataclasses.replace(s.old_writer, in_recovery=True)  # type: ignore[arg-type]


def _old_writer_a_replica(s: CycleState) -> None:
    s.old_writer = dataclasses.replace(s.old_writer, replica_source=REVERSE_ARN)  # type: ignore[arg-type]


def _old_writer_on_the_new_primary_s_server(s: CycleState) -> None:
    s.old_writer = dataclasses.replace(s.old_writer, server="replica-1")  # type: ignore[arg-type]


def _old_writer_lost_orders(s: CycleState) -> None:
    # retained in name, its data gone: 180 orders after the failback, 10 now
    s.old_writer = dataclasses.replace(s.old_writer, orders=10)  # type: ignore[arg-type]


def _old_writer_not_read_at_failback(s: CycleState) -> None:
    s.old_writer_at_failback = None


def _normal_not_run(s: CycleState) -> None:
    del s.deploys["normal"]


def _pack_failed(s: CycleState) -> None:
    s.deploys["failed-over"].policy_exit_code = 1


def _refused(s: CycleState) -> None:
    s.deploys["reverse-replicating"].refused = True


def _failback_not_done(s: CycleState) -> None:
    s.events = [e for e in s.events if e.kind != "planned failback"]


def _over_rpo(s: CycleState) -> None:
    s.events[0].data_loss_window_seconds = 4000.0


def _second_failed(s: CycleState) -> None:
    s.events[2].status = "step-failed"


def _provider_calls(s: CycleState) -> None:
    s.primary_provider = {"skipCredentialsValidation": "false"}


def _reverse_not_streaming(s: CycleState) -> None:
    s.reverse = dataclasses.replace(s.reverse, in_recovery=False)  # type: ignore[arg-type]


def _second_never_ran(s: CycleState) -> None:
    # the gate was still tripped: the orchestrator answered without promoting anything
    s.events[2].status = "already-failed-over"


def _fresh_standby_replicates_old_primary(s: CycleState) -> None:
    s.fresh_standby = dataclasses.replace(s.fresh_standby, replica_source=PRIMARY_ARN)  # type: ignore[arg-type]


def _fresh_standby_replicates_old_writer(s: CycleState) -> None:
    # named as the old writer, holding only what the old writer held
    s.fresh_standby = dataclasses.replace(s.fresh_standby, replica_source=STANDBY_ARN,  # type: ignore[arg-type]
                                          orders=180)


def _fresh_standby_source_in_another_region(s: CycleState) -> None:
    s.fresh_standby = dataclasses.replace(  # type: ignore[arg-type]
        s.fresh_standby, replica_source=REVERSE_ARN.replace("us-east-1", "eu-west-1"))


def _fresh_standby_standalone(s: CycleState) -> None:
    s.fresh_standby = dataclasses.replace(s.fresh_standby, replica_source=None)  # type: ignore[arg-type]


def _fresh_standby_data_of_old_writer(s: CycleState) -> None:
    # named a replica of the new primary, but its server holds only the old writer's orders
    s.fresh_standby = dataclasses.replace(s.fresh_standby, orders=180)  # type: ignore[arg-type]


def _reverse_data_of_old_primary(s: CycleState) -> None:
    # named a replica of the promoted standby, but short of what the standby held before it
    s.reverse = dataclasses.replace(s.reverse, orders=100)  # type: ignore[arg-type]


def _reverse_replicates_old_primary(s: CycleState) -> None:
    s.reverse = dataclasses.replace(s.reverse, replica_source=PRIMARY_ARN)  # type: ignore[arg-type]


def _new_primary_is_the_old_primary(s: CycleState) -> None:
    s.new_primary = dataclasses.replace(s.new_primary, identifier="shop-primary",  # type: ignore[arg-type]
                                        resource_id="db-OLD", server="primary")


def _new_primary_another_server(s: CycleState) -> None:
    s.new_primary = dataclasses.replace(s.new_primary, server="primary")  # type: ignore[arg-type]


def _new_primary_still_replicates(s: CycleState) -> None:
    s.new_primary = dataclasses.replace(s.new_primary, replica_source=STANDBY_ARN,  # type: ignore[arg-type]
                                        in_recovery=True)


def _new_primary_not_read(s: CycleState) -> None:
    s.new_primary = None


@pytest.mark.parametrize(("breaks", "expected"), [
    (_lost_an_order, ["the planned failback completed and lost no order"]),
    (_failback_not_done, ["the planned failback completed and lost no order"]),
    (_replaced_standby, ["the failed-over deploy kept the promoted standby"]),
    (_replace_in_deploy, ["no deploy of the cycle deleted",
                          "the failed-over deploy kept the promoted standby"]),
    (_created_a_database, ["the failed-over deploy kept the promoted standby"]),
    (_touched_primary, ["the failed-over deploy ran with us-east-1's APIs unreachable"]),
    (_deleted_reverse, ["no deploy of the cycle deleted"]),
    (_reused_old_writer, ["the normal deploy created a fresh standby"]),
    (_old_writer_gone, ["the normal deploy created a fresh standby"]),
    (_normal_not_run, ["every phase's deploy succeeded"]),
    (_refused, ["every phase's deploy succeeded"]),
    (_pack_failed, ["every phase's deploy succeeded"]),
    (_over_rpo, ["each unplanned failover's data-loss window"]),
    (_second_failed, ["the second failover completed"]),
    (_provider_calls, ["the us-east-1 provider makes no call there"]),
    (_reverse_not_streaming, ["the reverse-replicating deploy created the reverse replica"]),
])
def test_each_broken_cycle_fails_its_check(breaks: Callable[[CycleState], None],
                                           expected: list[str]) -> None:
    state = good()
    breaks(state)
    failing = _failing(state)
    assert len(failing) >= 1
    for prefix in expected:
        assert any(name.startswith(prefix) for name in failing), failing


FRESH = "the normal deploy created a fresh standby replica of the new primary"
REVERSE = "the reverse-replicating deploy created the reverse replica"
NEW_PRIMARY = "the failback's new primary is the reverse replication it promoted"
SECOND = "the second failover completed"
NOT_OF_NEW = "replica of the new primary shop-standby-reverse: no"


def _only_failing(breaks: Callable[[CycleState], None], *expected: str) -> Check:
    """The checks failing once ``breaks`` broke a good cycle are exactly ``expected`` (name
    prefixes); returns the first one's."""
    state = good()
    breaks(state)
    failed = [c for c in verify_cycle(state) if not c.passed]
    assert {p for p in expected for c in failed if c.name.startswith(p)} == set(expected)
    assert len(failed) == len(expected), [c.name for c in failed]
    return next(c for c in failed if c.name.startswith(expected[0]))


def test_a_second_failover_that_promoted_nothing_fails() -> None:
    check = _only_failing(_second_never_ran, SECOND)
    assert "status already-failed-over (must be completed)" in check.detail, check.detail


@pytest.mark.parametrize(("breaks", "why"), [
    (_old_writer_server_is_the_fresh_standby_s,
     "standalone, not in recovery: no; a server of its own (not standby, replica-1): no"),
    (_old_writer_in_recovery, "standalone, not in recovery: no"),
    (_old_writer_a_replica, "standalone, not in recovery: no"),
    (_old_writer_on_the_new_primary_s_server, "a server of its own (not replica-2, replica-1): no"),
    (_old_writer_lost_orders, "orders after the failback 180, now 10"),
    (_old_writer_not_read_at_failback, "orders after the failback -, now 180"),
    (_old_writer_gone, "the same instance: no"),
], ids=["server-is-the-fresh-standby-s", "in-recovery", "a-replica", "new-primary-s-server",
        "lost-orders", "not-read-at-failback", "deleted"])
def test_an_old_writer_reused_or_emptied_fails_the_normal_check(
        breaks: Callable[[CycleState], None], why: str) -> None:
    """Retained means the same instance, a replica of nothing on a server of its own, still
    holding the orders it held after the failback; not just the same DbiResourceId."""
    check = _only_failing(breaks, FRESH)
    assert why in check.detail, check.detail


@pytest.mark.parametrize(("breaks", "check", "why"), [
    (_fresh_standby_replicates_old_primary, FRESH, NOT_OF_NEW),
    (_fresh_standby_replicates_old_writer, FRESH, NOT_OF_NEW),
    (_fresh_standby_source_in_another_region, FRESH, NOT_OF_NEW),
    (_fresh_standby_standalone, FRESH, NOT_OF_NEW),
    (_fresh_standby_data_of_old_writer, FRESH,
     "at least the 200 order(s) shop-standby-reverse held when read: no (it holds 180)"),
    (_reverse_replicates_old_primary, REVERSE, "replica of the promoted standby shop-standby: no"),
    (_reverse_data_of_old_primary, REVERSE,
     "at least the 120 order(s) shop-standby held when read: no (it holds 100)"),
])
def test_a_replica_of_the_wrong_source_fails(breaks: Callable[[CycleState], None], check: str,
                                             why: str) -> None:
    """The fresh standby must replicate the new primary, the reverse replica the promoted
    standby: by RDS's replica source and by the orders their servers hold."""
    found = _only_failing(breaks, check)
    assert why in found.detail, found.detail


@pytest.mark.parametrize(("breaks", "also", "why"), [
    # the fresh standby, a replica of the promoted reverse replica, is not one of this one
    (_new_primary_is_the_old_primary, (FRESH,), "the same as the reverse replication: no"),
    (_new_primary_another_server, (), "the same as the reverse replication: no"),
    (_new_primary_still_replicates, (), "standalone and writing: no"),
    (_new_primary_not_read, (FRESH,), "the same as the reverse replication: no"),
])
def test_a_new_primary_not_the_promoted_reverse_replica_fails(
        breaks: Callable[[CycleState], None], also: tuple[str, ...], why: str) -> None:
    check = _only_failing(breaks, NEW_PRIMARY, *also)
    assert why in check.detail, check.detail


def test_a_replica_source_names_the_source_identifier_in_its_region() -> None:
    standby = Instance("shop-standby", WEST, "db-AAA")
    assert replicates_from(Instance("r", EAST, "db-B", STANDBY_ARN), standby)
    # the same identifier in another Region, a bare identifier across Regions, none
    assert not replicates_from(Instance("r", EAST, "db-B", STANDBY_ARN.replace(WEST, EAST)), standby)
    assert not replicates_from(Instance("r", EAST, "db-B", "shop-standby"), standby)
    assert replicates_from(Instance("r", WEST, "db-B", "shop-standby"), standby)
    assert not replicates_from(Instance("r", EAST, "db-B", None), standby)
    assert not replicates_from(Instance("r", EAST, "db-B", STANDBY_ARN + "-2"), standby)


def test_a_route53_change_is_not_a_primary_region_change_but_is_named() -> None:
    state = good()
    state.deploys["failed-over"].changes.append(
        _c("gate-check", "update", EAST, "aws:route53/healthCheck:HealthCheck"))
    check = next(c for c in verify_cycle(state) if c.name.startswith("the failed-over deploy ran"))
    assert check.passed and "control plane in us-east-1): gate-check (update)" in check.detail


def test_a_database_replaced_with_its_old_instance_retained_is_not_a_deletion() -> None:
    state = good()
    fresh = state.deploys["normal"].changes[2]
    fresh.op, fresh.retained = "replace", True   # type: ignore[assignment]
    check = next(c for c in verify_cycle(state) if c.name.startswith("no deploy of the cycle"))
    assert check.passed and "old instance retained: normal: standby-2" in check.detail
    fresh.retained = False
    check = next(c for c in verify_cycle(state) if c.name.startswith("no deploy of the cycle"))
    assert not check.passed


def test_a_restored_standby_needs_only_the_fresh_identifier_and_the_kept_writer() -> None:
    state = good()
    state.standing_standby = False
    state.fresh_standby = Instance("shop-standby-2", WEST, None)
    check = next(c for c in verify_cycle(state) if c.name.startswith("the normal deploy"))
    assert check.passed and "restored at the next failover" in check.name
    state.fresh_identifier = "shop-standby"
    state.fresh_standby = Instance("shop-standby", WEST, None)
    assert not next(c for c in verify_cycle(state) if c.name.startswith("the normal deploy")).passed


RESTORED = "the second failover restored a recovery point of the new primary"


@pytest.mark.parametrize(("restored", "passes"), [
    ({"snapshot": "shop-standby-reverse-dr-202612011200-copy", "of": "shop-standby-reverse"}, True),
    # an older recovery point of the old writer, or of the old primary, or none read
    ({"snapshot": "shop-standby-dr-202612010900-copy", "of": "shop-standby"}, False),
    ({"snapshot": "shop-primary-dr-202612010800-copy", "of": "shop-primary"}, False),
    ({"snapshot": None, "of": None}, False),
    (None, False),
])
def test_a_restored_standby_must_come_from_a_recovery_point_of_the_new_primary(
        restored: dict[str, str | None] | None, passes: bool) -> None:
    state = good()
    state.standing_standby = False
    state.second_restored_from = restored
    (check,) = [c for c in verify_cycle(state) if c.name == RESTORED]
    assert check.passed is passes, check.detail
    assert f"new primary {state.new_primary.identifier}" in check.detail  # type: ignore[union-attr]


def test_a_standing_standby_restores_nothing_and_passes_the_restore_check() -> None:
    (check,) = [c for c in verify_cycle(good()) if c.name == RESTORED]
    assert check.passed and "nothing restored" in check.detail


def test_an_empty_cycle_fails_everything() -> None:
    assert len(_failing(CycleState(EAST, WEST))) == len(CHECKS)
