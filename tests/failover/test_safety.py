"""One failover at a time, resumable after a crash or a timeout, never promoting twice."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from contract.names import FAILOVER_STEPS
from emulator.bridges import atomic_dynamodb_writes
from emulator.faults import SimulatedCrash
from handlers.failover import runner, state
from handlers.failover.app import handle
from handlers.failover.records import FailoverRecord
from tests.failover.world import World, context, manual, scheduled_event


def test_ten_concurrent_invocations_run_exactly_one_failover(
        make_world: Callable[..., World]) -> None:
    world = make_world("read-replica")
    for service in ("dynamodb", "rds", "cloudwatch", "sns", "lambda"):
        for region in ("us-east-1", "us-west-2"):
            world.clients(service, region)  # build clients before the threads race

    def invoke(_: int) -> dict[str, Any]:
        return handle(manual(reason="concurrent"), context(), clients=world.clients)

    with atomic_dynamodb_writes(), ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(invoke, range(10)))
    statuses = sorted(r["status"] for r in results)
    assert statuses.count("completed") == 1, statuses
    assert set(statuses) <= {"completed", "locked", "already-failed-over"}, statuses
    assert world.promotions == ["shop-standby"]
    assert world.clients.calls["rds.PromoteReadReplica"] == 1
    assert len([a for a in world.messages() if "timeline" in a]) == 2  # one per Region


def _crash_after(step: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hard crash right after ``step``'s successful end is written to the table."""
    real = state.StateStore.save_failover

    def save(self: state.StateStore, record: FailoverRecord, *, archive: bool = False) -> None:
        real(self, record, archive=archive)
        ended = record.steps.get(step)
        if ended is not None and ended.outcome == "ok" and not archive:
            monkeypatch.setattr(state.StateStore, "save_failover", real)
            raise SimulatedCrash(step)

    monkeypatch.setattr(state.StateStore, "save_failover", save)


@pytest.mark.parametrize("step", FAILOVER_STEPS)
def test_crash_after_each_step_then_reinvoke_completes_without_second_promotion(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch, fake_clock: Any,
        step: str) -> None:
    world = make_world("read-replica")
    _crash_after(step, monkeypatch)
    with pytest.raises(SimulatedCrash):
        handle(manual(), context(), clients=world.clients)

    # The crashed holder's lease is still running: a trigger now sees the lock, cleanly.
    assert handle(scheduled_event(), context(), clients=world.clients)["status"] == "locked"
    fake_clock.advance(state.LEASE_SECONDS + 1)  # past the heartbeat-renewed lease
    result = handle(scheduled_event(), context(), clients=world.clients)

    assert result["status"] == "completed", result
    assert result["resumed"] is True
    assert world.promotions == ["shop-standby"]
    record = world.store().get("failover")
    assert record["invocations"] == 2
    # The crash came after the step's end was recorded: no step ran twice.
    assert {name: record["steps"][name]["attempts"] for name in FAILOVER_STEPS} == {
        name: 1 for name in FAILOVER_STEPS}


def test_crash_between_promote_call_and_record_never_promotes_again(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch,
        fake_clock: Any) -> None:
    world = make_world("read-replica")
    from moto.rds.models import RDSBackend
    bridged = RDSBackend.promote_read_replica

    def promote_then_crash(self: Any, db_kwargs: dict[str, Any]) -> Any:
        bridged(self, db_kwargs)
        raise SimulatedCrash("after promote_read_replica")

    monkeypatch.setattr(RDSBackend, "promote_read_replica", promote_then_crash)
    with pytest.raises(SimulatedCrash):
        handle(manual(), context(), clients=world.clients)
    monkeypatch.setattr(RDSBackend, "promote_read_replica", bridged)
    fake_clock.advance(state.LEASE_SECONDS + 1)
    result = handle(scheduled_event(), context(), clients=world.clients)
    assert result["status"] == "completed"
    assert world.promotions == ["shop-standby"]
    assert world.store().get("failover")["steps"]["promote"]["attempts"] == 2


def test_short_on_lambda_time_returns_in_progress_and_resumes(
        make_world: Callable[..., World]) -> None:
    world = make_world("read-replica")
    first = handle(manual(), context(timeout_seconds=60), clients=world.clients)
    assert first["status"] == "in-progress"
    assert first["paused_before"] == "promote"  # budget 120 s > 60 s left
    assert world.promotions == []
    lock = world.store().get("lock")
    assert lock["lease_expires_epoch"] == 0  # released cleanly
    second = handle(scheduled_event(), context(), clients=world.clients)
    assert second["status"] == "completed"
    assert world.promotions == ["shop-standby"]


def test_promotion_outlasting_an_invocation_is_polled_by_the_next(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch,
        fake_clock: Any) -> None:
    world = make_world("read-replica")
    from moto.rds.models import RDSBackend
    bridged = RDSBackend.promote_read_replica
    pending: list[Any] = []

    def slow_promote(self: Any, db_kwargs: dict[str, Any]) -> Any:
        # The promotion is accepted; the instance stays a rebooting replica for now.
        pending.append((self, db_kwargs))
        db = self.databases[db_kwargs["db_instance_identifier"]]
        db.status = "rebooting"
        return db

    monkeypatch.setattr(RDSBackend, "promote_read_replica", slow_promote)
    ctx = context()
    ends = fake_clock.now() + 200  # a 200 s invocation; polls advance the fake clock

    def remaining() -> int:
        return int((ends - fake_clock.now()) * 1000)

    ctx.get_remaining_time_in_millis = remaining  # type: ignore[method-assign]
    first = handle(manual(), ctx, clients=world.clients)
    assert first["status"] == "in-progress"
    promote = world.store().get("failover")["steps"]["promote"]
    assert promote["outcome"] == "paused"
    assert promote["detail"]["polls"] > 1
    assert promote["wait_seconds"] >= 150  # AWS-side wait, not the step's own time
    assert promote["own_seconds"] < promote["budget_seconds"]
    assert len(pending) == 1

    # Next tick: RDS is still promoting (the instance still shows its replica source, as
    # RDS does until the reboot): the resumed invocation polls and must not promote again.
    ends = fake_clock.now() + 200
    again = handle(scheduled_event(), ctx, clients=world.clients)
    assert again["status"] == "in-progress"
    assert len(pending) == 1, "the resumed invocation must not promote again"

    self_, kwargs = pending[0]
    self_.databases[kwargs["db_instance_identifier"]].status = "available"
    bridged(self_, kwargs)  # RDS finishes the promotion (bridge: clear the replica source)
    second = handle(scheduled_event(), context(), clients=world.clients)
    assert second["status"] == "completed"
    assert len(pending) == 1, "the resumed invocation must not promote again"


def test_step_failure_is_recorded_and_retried(make_world: Callable[..., World],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    world = make_world("read-replica")
    world.standby.status = 503
    first = handle(manual(), context(), clients=world.clients)
    assert first["status"] == "step-failed"
    assert "standby endpoint unhealthy" in first["error"]
    assert world.store().get("failover")["status"] == "in-progress"
    world.standby.status = 200
    second = handle(scheduled_event(), context(), clients=world.clients)
    assert second["status"] == "completed"
    assert world.store().get("failover")["steps"]["verify_recovery"]["attempts"] == 2
    assert world.promotions == ["shop-standby"]
    assert runner.DONE == ("ok", "skipped")
