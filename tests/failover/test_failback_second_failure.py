"""The primary Region fails again during a failback: the release never moves traffic to a Region
whose write switch could not be opened, and the operator's forced failover ends the stuck
failback, giving the standby its writes back (everything in the standby Region)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.config import Config

from emulator.clients import RecordingClients
from emulator.faults import ClosedPort, SimulatedCrash
from handlers.failover.app import handle
from handlers.failover.failback import steps
from handlers.shared.aws import RETRY_CONFIG
from handlers.shared.errors import MalformedEventError
from tests.failover.cycle import (
    PRIMARY,
    STANDBY,
    context,
    deploy_write_switches,
    manual,
    ready_for_failback,
    reverse_replica,
    switches,
)

pytestmark = pytest.mark.filterwarnings("ignore:Exception.*does not match an error shape")


def _failed_over(make_world: Callable[..., Any]) -> Any:
    world = make_world("read-replica")
    assert handle(manual("failover", "region down"), context(),
                  clients=world.clients)["status"] == "completed"
    world.messages()
    deploy_write_switches()
    reverse_replica()
    ready_for_failback()
    return world


@pytest.fixture
def primary_down() -> Iterator[RecordingClients]:
    port = ClosedPort()
    yield RecordingClients(
        config=RETRY_CONFIG, endpoint_for=lambda region: port.url if region == PRIMARY else None,
        config_for=lambda region: (Config(retries={"mode": "standard", "max_attempts": 1})
                                   if region == PRIMARY else RETRY_CONFIG))
    port.close()


def _stuck_before_release(make_world: Callable[..., Any],
                          monkeypatch: pytest.MonkeyPatch) -> Any:
    """Failed over, then a failback whose container died just before ``release`` (writes
    paused in both Regions, the reverse replica promoted, the gate still tripped); the dead
    container's lease is expired."""
    world = _failed_over(make_world)
    real = steps.STEPS["release"]

    def crash(ctx: Any, ops: Any) -> Any:
        raise SimulatedCrash("container killed before release")

    monkeypatch.setitem(steps.STEPS, "release", crash)
    with pytest.raises(SimulatedCrash):
        handle(manual("failback"), context(), clients=world.clients)
    monkeypatch.setitem(steps.STEPS, "release", real)
    world.store().release_lock(world.store().lock().owner)
    return world


def test_release_keeps_the_gate_while_the_primary_cannot_take_writes(
        make_world: Callable[..., Any], monkeypatch: pytest.MonkeyPatch,
        primary_down: RecordingClients) -> None:
    world = _stuck_before_release(make_world, monkeypatch)
    out = handle(manual("failback"), context(), clients=primary_down)
    assert out["status"] == "failback-step-failed", out
    assert world.store().gate().tripped is True          # traffic stays on the standby
    assert switches() == {PRIMARY: "paused", STANDBY: "paused"}


def test_a_forced_failover_ends_a_stuck_failback_and_the_standby_writes_again(
        make_world: Callable[..., Any], monkeypatch: pytest.MonkeyPatch,
        primary_down: RecordingClients) -> None:
    world = _stuck_before_release(make_world, monkeypatch)
    store = world.store()
    assert handle(manual("failover", "region down again"), context(),
                  clients=primary_down)["status"] == "failback-in-progress"   # not forced
    out = handle(manual("failover", "region down again", force=True), context(),
                 clients=primary_down)
    assert out["status"] == "failback-aborted", out
    assert out["abort_reason"].startswith("superseded by the operator's forced failover")
    assert switches() == {PRIMARY: "paused", STANDBY: "open"}
    assert store.gate().tripped is True and store.failback().status == "aborted"
    assert primary_down.calls["ssm.PutParameter"] == 1   # the standby's switch only
    # The failover the operator asked for is the one already in force.
    again = handle(manual("failover", "region down again", force=True), context(),
                   clients=primary_down)
    assert again["status"] == "already-failed-over", again


def test_a_forced_failover_without_a_failback_runs_as_usual(
        make_world: Callable[..., Any]) -> None:
    world = make_world("read-replica")
    out = handle(manual("failover", "drill", force=True), context(), clients=world.clients)
    assert out["status"] == "completed", out
    assert world.store().failback() is None


@pytest.mark.parametrize("action", ["failback", "status"])
def test_force_is_refused_on_other_actions(action: str) -> None:
    with pytest.raises(MalformedEventError, match="'force' applies to action 'failover' only"):
        handle({"action": action, "reason": "x", "force": True}, context())
