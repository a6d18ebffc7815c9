"""A refused promote / restore / stop request is made again; a request that may have reached
AWS is made again only once the resource shows it did not land (handlers/failover/once.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import botocore.retries.standard
import moto.dms.models as dms_models
import moto.rds.models as rds_models
import pytest
from moto.dms.exceptions import DmsClientError
from moto.rds.exceptions import DBInstanceNotFoundError, InvalidDBInstanceStateError, RDSClientError

from emulator.faults import SimulatedCrash
from handlers.failover import once, state
from handlers.failover.app import handle
from tests.failover.world import STANDBY_ID, World, context, manual, scheduled_event

pytestmark = pytest.mark.filterwarnings("ignore:Exception.*does not match an error shape")


def _fail_first(monkeypatch: pytest.MonkeyPatch, cls: type, method: str,
                error: Callable[[], BaseException], times: int = 1) -> list[str]:
    """``cls.method`` raises ``error()`` on its first ``times`` calls, then works."""
    original = getattr(cls, method)
    calls: list[str] = []

    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(method)
        if len(calls) <= times:
            raise error()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, method, wrapper)
    return calls


def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore still retries every throttled call; only its sleeps are shortened."""
    monkeypatch.setattr(botocore.retries.standard.ExponentialBackoff, "delay_amount",
                        lambda self, context: 0.001)


@pytest.mark.parametrize("error,times", [
    # A replica in backing-up refuses promotion (Amazon RDS API Reference,
    # PromoteReadReplica): AWS answers an error.
    (lambda: InvalidDBInstanceStateError(STANDBY_ID, "promote"), 1),
    # Throttling that outlasts botocore's retries (RETRY_CONFIG: the first call + 8 retries).
    (lambda: RDSClientError("Throttling", "Rate exceeded"), 9),
], ids=["invalid-state", "throttled-past-retries"])
def test_refused_promotion_is_requested_again_on_the_next_trigger(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch,
        error: Callable[[], BaseException], times: int) -> None:
    world = make_world("read-replica")
    _fast_retries(monkeypatch)
    calls = _fail_first(monkeypatch, rds_models.RDSBackend, "promote_read_replica", error, times)

    first = handle(manual(), context(), clients=world.clients)
    assert first["status"] == "step-failed", first
    assert "requested again on the next trigger" in first["error"]
    record = world.store().get("failover")
    assert record["promotion_requested_state"] == "failed"
    assert record["promotion_requested_error"].split(":")[0] in {"InvalidDBInstanceState",
                                                                 "Throttling"}
    assert world.promotions == []

    second = handle(scheduled_event(), context(), clients=world.clients)
    assert second["status"] == "completed", second
    assert world.promotions == [STANDBY_ID]
    assert len(calls) == times + 1
    record = world.store().get("failover")
    assert record["promotion_requested_state"] == "accepted"
    assert record["promotion_requested_attempts"] == 2
    assert record["steps"]["promote"]["failures"] == 1


def test_crash_after_intent_before_call_resumes_and_promotes_exactly_once(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch,
        fake_clock: Any) -> None:
    world = make_world("read-replica")
    bridged = rds_models.RDSBackend.promote_read_replica

    def crash_before_call(self: Any, db_kwargs: dict[str, Any]) -> Any:
        raise SimulatedCrash("intent recorded, PromoteReadReplica never sent")

    monkeypatch.setattr(rds_models.RDSBackend, "promote_read_replica", crash_before_call)
    with pytest.raises(SimulatedCrash):
        handle(manual(), context(), clients=world.clients)
    crashed = world.store().get("failover")
    assert crashed["promotion_requested_state"] == "intent"
    monkeypatch.setattr(rds_models.RDSBackend, "promote_read_replica", bridged)

    fake_clock.advance(state.LEASE_SECONDS + 1)
    result = handle(scheduled_event(), context(), clients=world.clients)
    assert result["status"] == "completed", result
    assert world.promotions == [STANDBY_ID]
    record = world.store().get("failover")
    assert record["promotion_requested_attempts"] == 2
    # The ambiguous intent was given the grace period before the request was made again.
    waited = record["promotion_requested_epoch"] - crashed["promotion_requested_epoch"]
    assert waited >= once.GRACE_SECONDS


def _refused_then_next_tick(make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch,
                            strategy: str, cls: type, method: str,
                            error: Callable[[], BaseException]) -> tuple[World, list[str], list[Any]]:
    """A manual failover of ``strategy`` whose first ``cls.method`` call is refused with
    ``error()``, then the next watchdog tick: the world, the method's calls, and per
    invocation ``(result, failover record as it stood after it)``."""
    world = make_world(strategy)
    calls = _fail_first(monkeypatch, cls, method, error)
    runs = []
    for event in (manual(), scheduled_event()):
        result = handle(event, context(), clients=world.clients)
        runs.append((result, world.store().get("failover")))
    return world, calls, runs


def test_refused_dms_stop_is_requested_again(make_world: Callable[..., World],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _, calls, [(first, after_first), (second, record)] = _refused_then_next_tick(
        make_world, monkeypatch, "dms", dms_models.DatabaseMigrationServiceBackend,
        "stop_replication_task", lambda: DmsClientError("AccessDeniedFault", "not yet"))
    assert first["status"] == "step-failed", first
    assert after_first["dms_stop_requested_state"] == "failed"
    assert second["status"] == "completed", second
    assert len(calls) == 2
    assert record["dms_stop_requested_state"] == "accepted"
    assert record["dms_stopped_at"]


def test_refused_restore_is_requested_again(make_world: Callable[..., World],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    world, calls, [(first, _), (second, record)] = _refused_then_next_tick(
        make_world, monkeypatch, "snapshot-restore", rds_models.RDSBackend,
        "restore_db_instance_from_db_snapshot",
        lambda: RDSClientError("InsufficientDBInstanceCapacity", "try later"))
    assert first["status"] == "step-failed", first
    assert "InsufficientDBInstanceCapacity" in first["error"]
    assert second["status"] == "completed", second
    assert len(calls) == 2
    assert record["restore_requested_attempts"] == 2
    assert world.standby_instance()["DBInstanceStatus"] == "available"


def test_restore_that_landed_unseen_is_adopted_on_already_exists(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch,
        fake_clock: Any) -> None:
    """The restore landed, the invocation crashed before recording it, and the instance is
    not yet visible to describe (eventual consistency): after the grace period the request
    is made again, AWS answers DBInstanceAlreadyExists, and the restore is adopted."""
    world = make_world("snapshot-restore")
    restore = rds_models.RDSBackend.restore_db_instance_from_db_snapshot
    describe = rds_models.RDSBackend.describe_db_instances
    restores: list[str] = []

    def restore_then_crash(self: Any, *args: Any, **kwargs: Any) -> Any:
        restores.append("call")
        if len(restores) == 1:
            restore(self, *args, **kwargs)
            raise SimulatedCrash("restore landed, answer lost")
        return restore(self, *args, **kwargs)

    def hidden_until_second_restore(self: Any, db_instance_identifier: str | None = None,
                                    filters: Any = None) -> Any:
        if len(restores) < 2 and db_instance_identifier == STANDBY_ID:
            raise DBInstanceNotFoundError(STANDBY_ID)
        return describe(self, db_instance_identifier, filters)

    monkeypatch.setattr(rds_models.RDSBackend, "restore_db_instance_from_db_snapshot",
                        restore_then_crash)
    monkeypatch.setattr(rds_models.RDSBackend, "describe_db_instances",
                        hidden_until_second_restore)
    with pytest.raises(SimulatedCrash):
        handle(manual(), context(), clients=world.clients)
    fake_clock.advance(state.LEASE_SECONDS + 1)
    result = handle(scheduled_event(), context(), clients=world.clients)
    assert result["status"] == "completed", result
    assert len(restores) == 2
    record = world.store().get("failover")
    assert record["restore_requested_state"] == "accepted"
    assert record["restore_requested_error"].startswith("DBInstanceAlreadyExists")
    assert record["steps"]["promote"]["detail"]["adopted_earlier_request"] == (
        "DBInstanceAlreadyExists")
