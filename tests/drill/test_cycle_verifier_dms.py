"""The dms cycle's verifier against a good cycle and broken ones: a reverse task writing into
the old primary or not running, a reverse target that is not fresh, a forward pipeline not
replaced (still fed by the old writer, or no new task), a task's subscription making a
server follow itself, the old writer deleted, reused or emptied, the old primary written to or
gone, a failback that lost an order, a second failover that did not
happen."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from drill.cycle.deploy import PhaseDeploy
from drill.cycle.diff import Change
from drill.cycle.state import CycleState, Instance
from drill.cycle.verify_dms import CHECKS
from tests.drill.cycle_events import failing, fails_exactly, good_events

EAST, WEST = "us-east-1", "us-west-2"
RDS = "aws:rds/instance:Instance"
TASK = "aws:dms/replicationTask:ReplicationTask"


def _c(name: str, op: str, type_: str, region: str = WEST, *, retained: bool = False) -> Change:
    return Change(urn=f"urn:{name}", type=type_, name=name, region=region, op=op,  # type: ignore[arg-type]
                  retained=retained)


def _deploys() -> dict[str, PhaseDeploy]:
    return {
        "failed-over": PhaseDeploy("failed-over", [_c("target", "same", RDS),
                                                   _c("cdc", "update", TASK)], policy_exit_code=0),
        "reverse-replicating": PhaseDeploy("reverse-replicating", [
            _c("target", "same", RDS), _c("reverse", "create", RDS, EAST),
            _c("reverse-cdc", "create", TASK)], policy_exit_code=0),
        "normal": PhaseDeploy("normal", [
            _c("target", "replace", RDS, retained=True), _c("cdc", "replace", TASK),
            _c("reverse", "retain", RDS, EAST), _c("reverse-cdc", "delete", TASK)],
            policy_exit_code=0)}


def _task(arn: str, source: str, target: str) -> dict[str, object]:
    return {"task": arn, "status": "running", "source_server": source, "target_server": target,
            "subscribed": True}


def good() -> CycleState:
    standby = Instance("shop-standby", WEST, "db-STANDBY", None, "available", "target", 120, False)
    old_primary = Instance("shop-primary", EAST, "db-PRIMARY", None, "available", "primary", 30,
                           False)
    return CycleState(
        primary_region=EAST, standby_region=WEST, deploys=_deploys(),
        primary_provider={"skipCredentialsValidation": "true", "skipRequestingAccountId": "true"},
        primary_before=dataclasses.replace(old_primary, orders=None),
        standby_before=dataclasses.replace(standby, orders=100), standby_after=standby,
        reverse_identifier="shop-standby-reverse",
        reverse=Instance("shop-standby-reverse", EAST, "db-REVERSE", None, "available", "fresh-1",
                         140, False),
        new_primary=Instance("shop-standby-reverse", EAST, "db-REVERSE", None, "available",
                             "fresh-1", 200, False),
        fresh_identifier="shop-standby-2",
        fresh_standby=Instance("shop-standby-2", WEST, "db-FRESH", None, "available", "fresh-2",
                               210, False),
        old_writer_at_failback=dataclasses.replace(standby, orders=150),
        old_writer=dataclasses.replace(standby, orders=150),
        old_primary_recovered=old_primary, old_primary_after=old_primary,
        cdc={"reverse": _task("arn:task:rcdc", "target", "fresh-1"),
             "forward": _task("arn:task:cdc", "fresh-1", "fresh-2")},
        events=good_events(3600.0))


def test_a_good_dms_cycle_passes_every_check() -> None:
    assert len(CHECKS) == 12 and failing(good(), CHECKS) == []


def _reverse_into_old_primary(s: CycleState) -> None:
    # the reverse task's subscription writes into the old primary's server
    s.cdc["reverse"]["target_server"] = "primary"
    s.reverse = dataclasses.replace(s.reverse, server="primary")  # type: ignore[arg-type]
    s.new_primary = dataclasses.replace(s.new_primary, server="primary")  # type: ignore[arg-type]


def _reverse_is_the_old_primary(s: CycleState) -> None:
    s.reverse_identifier = "shop-primary"
    for name in ("reverse", "new_primary"):
        setattr(s, name, dataclasses.replace(getattr(s, name), identifier="shop-primary"))


def _reverse_not_running(s: CycleState) -> None:
    s.cdc["reverse"]["status"] = "stopped"


def _reverse_from_old_primary(s: CycleState) -> None:
    s.cdc["reverse"]["source_server"] = "primary"


def _reverse_not_subscribed(s: CycleState) -> None:
    s.cdc["reverse"] = {"task": "arn:task:rcdc", "status": "running", "source_server": None,
                        "target_server": None, "subscribed": None}


def _reverse_holds_less(s: CycleState) -> None:
    s.reverse = dataclasses.replace(s.reverse, orders=90)  # type: ignore[arg-type]


def _reverse_not_created(s: CycleState) -> None:
    s.deploys["reverse-replicating"].changes[1].op = "same"


def _forward_from_old_writer(s: CycleState) -> None:
    # the new forward task still reads the promoted standby: the old writer's data
    s.cdc["forward"]["source_server"] = "target"


def _no_new_forward_task(s: CycleState) -> None:
    s.cdc.pop("forward")


def _standby_reused(s: CycleState) -> None:
    s.fresh_identifier = "shop-standby"
    s.fresh_standby = dataclasses.replace(s.standby_after, orders=210)  # type: ignore[arg-type]


def _old_writer_deleted(s: CycleState) -> None:
    s.old_writer = dataclasses.replace(s.old_writer, resource_id=None)  # type: ignore[arg-type]


def _reverse_server_follows_itself(s: CycleState) -> None:
    # no fresh database in the primary Region: the "reverse" instance is served by the promoted
    # standby's server, whose subscription follows itself; the failback "promotes" that server
    s.cdc["reverse"].update(source_server="target", target_server="target")
    s.reverse = dataclasses.replace(s.reverse, server="target")          # type: ignore[arg-type]
    s.new_primary = dataclasses.replace(s.new_primary, server="target")  # type: ignore[arg-type]
    s.cdc["forward"]["source_server"] = "target"


def _forward_into(server: str) -> Callable[[CycleState], None]:
    """The new forward task's subscription, and the fresh standby, on ``server``."""
    def breaks(s: CycleState) -> None:
        s.cdc["forward"]["target_server"] = server
        s.fresh_standby = dataclasses.replace(s.fresh_standby, server=server)  # type: ignore[arg-type]
    return breaks


def _forward_server_follows_itself(s: CycleState) -> None:
    # the "fresh standby" is served by the new primary's server: no standby copy at all
    _forward_into("fresh-1")(s)
    s.cdc["forward"]["source_server"] = "fresh-1"


def _old_writer_as(**read: object) -> Callable[[CycleState], None]:
    """The old writer read after the normal deploy with ``read`` instead."""
    def breaks(s: CycleState) -> None:
        s.old_writer = dataclasses.replace(s.old_writer, **read)  # type: ignore[arg-type]
    return breaks


def _old_primary_written(s: CycleState) -> None:
    s.old_primary_after = dataclasses.replace(s.old_primary_after, orders=31)  # type: ignore[arg-type]


def _old_primary_gone(s: CycleState) -> None:
    s.old_primary_after = dataclasses.replace(s.old_primary_after, resource_id=None)  # type: ignore[arg-type]


def _old_primary_not_read(s: CycleState) -> None:
    s.old_primary_recovered = None


def _failback_lost_an_order(s: CycleState) -> None:
    s.events[1].orders_lost, s.events[1].lost_order_ids = 1, ["x"]


def _second_never_ran(s: CycleState) -> None:
    s.events[2].status = "already-failed-over"


#: The checks' names (their beginnings): the dms ones, then two of every cycle's.
REVERSE, FORWARD, OLD_PRIMARY = ("the reverse-replicating deploy created a fresh instance",
                                 "the normal deploy created a fresh standby fed by a new "
                                 "forward DMS task",
                                 "the old primary is retained and was never written to")
LOSSLESS, SECOND = "the planned failback completed and lost no order", "the second failover completed"


@pytest.mark.parametrize(("breaks", "expected"), [
    # the new primary is then the old one: the new forward task does not read it either
    pytest.param(_reverse_into_old_primary, {REVERSE, FORWARD, OLD_PRIMARY},
                 id="reverse-into-old-primary"),
    pytest.param(_reverse_is_the_old_primary, {REVERSE}, id="reverse-target-is-old-primary"),
    pytest.param(_reverse_not_running, {REVERSE}, id="reverse-task-not-running"),
    pytest.param(_reverse_from_old_primary, {REVERSE}, id="reverse-reads-old-primary"),
    pytest.param(_reverse_not_subscribed, {REVERSE}, id="reverse-no-subscription"),
    pytest.param(_reverse_holds_less, {REVERSE}, id="reverse-holds-fewer-orders"),
    pytest.param(_reverse_not_created, {REVERSE}, id="reverse-not-created"),
    pytest.param(_forward_from_old_writer, {FORWARD}, id="forward-reads-old-writer"),
    pytest.param(_no_new_forward_task, {FORWARD}, id="no-new-forward-task"),
    pytest.param(_standby_reused, {FORWARD}, id="old-writer-reused-as-standby"),
    pytest.param(_old_writer_deleted, {FORWARD}, id="old-writer-deleted"),
    # the old writer's server is then the new primary's: not retained either
    pytest.param(_reverse_server_follows_itself, {REVERSE, FORWARD},
                 id="reverse-server-follows-itself"),
    pytest.param(_forward_server_follows_itself, {FORWARD}, id="forward-server-follows-itself"),
    # retained in name: 150 orders after the failback, none now
    pytest.param(_old_writer_as(orders=0), {FORWARD}, id="old-writer-lost-its-orders"),
    # its server subscribed to the new primary, in the fresh standby's place
    pytest.param(_old_writer_as(in_recovery=True), {FORWARD}, id="old-writer-in-recovery"),
    pytest.param(_forward_into("target"), {FORWARD}, id="old-writer-server-is-the-fresh-standby-s"),
    pytest.param(_old_primary_written, {OLD_PRIMARY}, id="old-primary-written"),
    pytest.param(_old_primary_gone, {OLD_PRIMARY}, id="old-primary-deleted"),
    pytest.param(_old_primary_not_read, {OLD_PRIMARY}, id="old-primary-not-read"),
    pytest.param(_forward_into("primary"), {FORWARD, OLD_PRIMARY},
                 id="forward-into-old-primary"),
    pytest.param(_failback_lost_an_order, {LOSSLESS}, id="failback-lost-an-order"),
    pytest.param(_second_never_ran, {SECOND}, id="second-failover-never-ran"),
])
def test_each_broken_dms_cycle_fails_its_check(breaks: Callable[[CycleState], None],
                                               expected: set[str]) -> None:
    broken = good()
    breaks(broken)
    fails_exactly(broken, CHECKS, expected)
