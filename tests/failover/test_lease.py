"""The lock's short lease: renewed by a heartbeat while an invocation runs, free within one
lease after a crash, and a lost lock stops the run before its next step.

Leases are made short (``short_lease``: 0.6 s, heartbeat every 0.1 s) only where the real
heartbeat thread must act; elsewhere the fake clock moves time without waiting."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator.faults import SimulatedCrash
from handlers.failover import lease, state
from handlers.failover.app import handle
from handlers.failover.lease import Heartbeat, LockLost
from handlers.failover.steps import STEPS
from tests.failover.world import World, context, manual, scheduled_event


def heartbeat_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == lease.THREAD_NAME and t.is_alive()]


def started_heartbeats(monkeypatch: pytest.MonkeyPatch) -> list[Heartbeat]:
    """Every heartbeat started from now on, in order."""
    started: list[Heartbeat] = []
    real_start = Heartbeat.start

    def start(self: Heartbeat) -> Heartbeat:
        started.append(self)
        return real_start(self)

    monkeypatch.setattr(Heartbeat, "start", start)
    return started


def steal_lock(world: World, owner: str = "rival") -> None:
    """Another invocation holds the lock now (as if it had taken it after our lease lapsed)."""
    world.store().put({"pk": "lock", "owner": owner, "failover_id": "x",
                       "lease_expires_epoch": time.time() + 10_000, "acquired_at": "t"})


@pytest.fixture
def short_lease(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setattr(state, "LEASE_SECONDS", 0.6)
    monkeypatch.setattr(state, "HEARTBEAT_SECONDS", 0.1)
    monkeypatch.setattr(state, "LEASE_SKEW_SECONDS", 0.05)
    return 0.6


def test_lease_constants_leave_a_margin_of_two_missed_heartbeats() -> None:
    assert state.LEASE_SECONDS == 60.0
    assert state.HEARTBEAT_SECONDS * 3 == state.LEASE_SECONDS
    # Far below the old lease (remaining Lambda time + 5 s, up to 905 s).
    assert state.LEASE_SECONDS + state.LEASE_SKEW_SECONDS < 905 / 10


def test_lease_is_renewed_while_an_invocation_outlasts_it_and_no_competitor_gets_in(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch,
        short_lease: float) -> None:
    world = make_world("read-replica")
    seen: dict[str, Any] = {}
    real_warm = STEPS["warm"]

    def slow_warm(ctx: Any) -> Any:
        started = time.time()
        first = world.store().get("lock")
        time.sleep(2.5 * short_lease)  # real time: the heartbeat thread must renew
        seen["lock"], seen["read_at"] = world.store().get("lock"), time.time()
        seen["rival_took_it"] = world.store().acquire_lock("rival", "x")
        seen["elapsed"] = time.time() - started
        seen["first_expiry"] = first["lease_expires_epoch"]
        return real_warm(ctx)

    monkeypatch.setitem(STEPS, "warm", slow_warm)
    result = handle(manual(), context(), clients=world.clients)

    assert result["status"] == "completed"
    assert seen["elapsed"] > 2 * short_lease  # the step outlasted two leases
    assert seen["rival_took_it"] is False
    lock = seen["lock"]
    assert lock["renewals"] >= 3
    assert lock["lease_expires_epoch"] > seen["first_expiry"] + short_lease
    assert lock["lease_expires_epoch"] > seen["read_at"]  # still live when read
    assert world.store().get("lock")["lease_expires_epoch"] == 0  # released at the end
    assert heartbeat_threads() == []


def test_crashed_holders_lock_is_taken_after_one_lease(
        make_world: Callable[..., World], fake_clock: Any) -> None:
    world = make_world("read-replica")
    store = world.store()
    assert store.acquire_lock("crashed", "fo-1")
    beat = Heartbeat(store, "crashed").start()
    beat.stop()  # the sandbox died: no more renewals, and no release
    assert store.acquire_lock("rival", "fo-1") is False
    fake_clock.advance(state.LEASE_SECONDS - 1)
    assert store.acquire_lock("rival", "fo-1") is False
    fake_clock.advance(2)
    assert store.acquire_lock("rival", "fo-1") is True
    assert store.get("lock")["owner"] == "rival"
    assert beat.alive is False


def test_crash_mid_failover_resumes_one_lease_later(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch,
        fake_clock: Any) -> None:
    world = make_world("read-replica")
    real_warm = STEPS["warm"]

    def crash(ctx: Any) -> Any:
        raise SimulatedCrash("container killed")

    monkeypatch.setitem(STEPS, "warm", crash)
    with pytest.raises(SimulatedCrash):
        handle(manual(), context(), clients=world.clients)
    assert heartbeat_threads() == []  # the crash stopped the heartbeat too
    monkeypatch.setitem(STEPS, "warm", real_warm)

    fake_clock.advance(state.LEASE_SECONDS - 10)
    assert handle(scheduled_event(), context(), clients=world.clients)["status"] == "locked"
    fake_clock.advance(11)
    result = handle(scheduled_event(), context(), clients=world.clients)
    assert result["status"] == "completed" and result["resumed"] is True
    assert world.promotions == ["shop-standby"]


def test_heartbeat_thread_stops_a_renewal_that_finds_the_lock_taken(
        make_world: Callable[..., World], short_lease: float) -> None:
    world = make_world("read-replica")
    store = world.store()
    assert store.acquire_lock("me", "fo-1")
    with Heartbeat(store, "me") as beat:
        steal_lock(world)
        deadline = time.time() + 2
        while beat.lost_reason is None and time.time() < deadline:
            time.sleep(0.02)
        assert beat.lost
        assert "another invocation" in str(beat.lost_reason)
        with pytest.raises(LockLost):
            beat.check()
    assert beat.alive is False
    assert store.get("lock")["owner"] == "rival"


def test_failed_renewals_keep_the_lock_until_the_lease_runs_out(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch,
        fake_clock: Any) -> None:
    world = make_world("read-replica")
    store = world.store()
    assert store.acquire_lock("me", "fo-1")
    beat = Heartbeat(store, "me")  # not started: check() renews by the fake clock

    def throttled(*args: Any, **kwargs: Any) -> bool:
        raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}},
                          "UpdateItem")

    monkeypatch.setattr(store, "renew_lock", throttled)
    fake_clock.advance(state.HEARTBEAT_SECONDS)
    beat.check()  # a failed renewal alone does not stop the run
    assert beat.failed_renewals == 1 and not beat.lost
    fake_clock.advance(state.LEASE_SECONDS - state.HEARTBEAT_SECONDS)
    with pytest.raises(LockLost, match="lease ran out"):
        beat.check()
    assert beat.failed_renewals == 2


def test_losing_the_lock_stops_the_runner_before_the_next_step(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch,
        fake_clock: Any) -> None:
    world = make_world("read-replica")
    real = STEPS["check_readiness"]

    def readiness_then_lose_lock(ctx: Any) -> Any:
        res = real(ctx)
        steal_lock(world)
        fake_clock.advance(state.HEARTBEAT_SECONDS)  # a renewal is due: it finds the rival
        return res

    monkeypatch.setitem(STEPS, "check_readiness", readiness_then_lose_lock)
    result = handle(manual(), context(), clients=world.clients)

    assert result["status"] == "lock-lost"
    assert world.promotions == []
    assert world.clients.calls["rds.PromoteReadReplica"] == 0
    record = world.store().get("failover")
    assert "promote" not in record["steps"]
    # Nothing written after the loss: the step's end is the new holder's to record.
    assert record["steps"]["check_readiness"]["outcome"] == "in-progress"
    assert world.store().get("lock")["owner"] == "rival"  # not released by us
    assert heartbeat_threads() == []


def test_losing_the_lock_stops_a_poll_loop(make_world: Callable[..., World],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    world = make_world("read-replica")
    from moto.rds.models import RDSBackend

    def slow_promote(self: Any, db_kwargs: dict[str, Any]) -> Any:
        db = self.databases[db_kwargs["db_instance_identifier"]]
        db.status = "rebooting"  # accepted; still promoting
        steal_lock(world)
        return db

    monkeypatch.setattr(RDSBackend, "promote_read_replica", slow_promote)
    result = handle(manual(), context(), clients=world.clients)

    assert result["status"] == "lock-lost"
    promote = world.store().get("failover")["steps"]["promote"]
    assert promote["outcome"] == "in-progress"  # not marked paused or failed by a non-holder
    # It polled until a renewal was due (HEARTBEAT_SECONDS / POLL_SECONDS polls), no longer.
    assert world.clients.calls["rds.DescribeDBInstances"] <= 6


def test_heartbeat_stops_when_the_handler_returns_or_raises(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    world = make_world("read-replica")
    started = started_heartbeats(monkeypatch)
    real_save = state.StateStore.save_failover

    def broken_save(self: state.StateStore, record: Any, **kw: Any) -> None:
        raise RuntimeError("state table write failed")

    monkeypatch.setattr(state.StateStore, "save_failover", broken_save)
    with pytest.raises(RuntimeError, match="state table write failed"):
        handle(manual(), context(), clients=world.clients)
    assert len(started) == 1 and started[0].alive is False
    assert heartbeat_threads() == []
    assert world.store().get("lock")["lease_expires_epoch"] == 0  # released on the error

    monkeypatch.setattr(state.StateStore, "save_failover", real_save)
    assert handle(manual(), context(), clients=world.clients)["status"] == "completed"
    assert len(started) == 2 and started[1].alive is False
    assert heartbeat_threads() == []


def test_failback_holds_the_lock_with_a_heartbeat(make_world: Callable[..., World],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    world = make_world("read-replica")
    assert handle(manual(), context(), clients=world.clients)["status"] == "completed"
    started = started_heartbeats(monkeypatch)
    out = handle(manual("failback", "primary back"), context(), clients=world.clients)
    assert out["status"] == "failback-refused"  # no reverse replica in this world
    assert len(started) == 1 and started[0].alive is False
    assert world.store().get("lock")["lease_expires_epoch"] == 0
