"""Guards whose code was right but that no test held: the gate re-check under the lock, a
reverse replica that exists but is not available, and renewing a released lock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from moto.rds.models import rds_backends

from handlers.failover.app import handle
from handlers.failover.state import StateStore
from tests.failover.world import ACCOUNT, PRIMARY, TABLE, World, context, manual


def _items(world: World, prefix: str) -> list[dict[str, Any]]:
    items = world.store()._ddb.scan(TableName=TABLE)["Items"]
    return [i for i in items if i["pk"]["S"].startswith(prefix)]


def test_a_failover_racing_a_completed_one_answers_already_failed_over(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    """B reads the gate untripped, then A completes the whole failover before B gets the
    lock: B must re-check the gate under the lock and stop, with no record or alert."""
    world = make_world("read-replica")
    real = StateStore.acquire_lock
    first: list[dict[str, Any]] = []

    def acquire(self: StateStore, owner: str, failover_id: str, *a: Any, **k: Any) -> bool:
        if owner == "b" and not first:
            first.append(handle(manual(reason="A"), context(request_id="a"),
                                clients=world.clients))
        return real(self, owner, failover_id, *a, **k)

    monkeypatch.setattr(StateStore, "acquire_lock", acquire)
    second = handle(manual(reason="B"), context(request_id="b"), clients=world.clients)

    assert first[0]["status"] == "completed"
    assert second == {"status": "already-failed-over", "failover_id": first[0]["failover_id"],
                      "steps": []}
    record = world.store().get("failover")
    assert (record["failover_id"], record["reason"]) == (first[0]["failover_id"], "A")
    assert [i["pk"]["S"] for i in _items(world, "failover#")] == [
        f"failover#{first[0]['failover_id']}"]
    assert [a["failover_id"] for a in world.messages()] == [first[0]["failover_id"]] * 2
    assert world.promotions == ["shop-standby"]
    assert world.store().lock().lease_expires_epoch == 0  # B released the lock it took


@pytest.mark.parametrize("status", ["creating", "backing-up", "incompatible-parameters"])
def test_failback_waits_for_a_reverse_replica_that_is_not_available(
        make_world: Callable[..., World], status: str) -> None:
    world = make_world("read-replica")
    assert handle(manual(), context(), clients=world.clients)["status"] == "completed"
    world.messages()
    world.reverse_replica()
    # moto makes a replica available at once: set the state RDS reports while it is not.
    rds_backends[ACCOUNT][PRIMARY].databases["shop-primary-reverse"].status = status

    result = handle(manual("failback", "primary is back"), context(), clients=world.clients)

    assert result == {"status": "failback-refused", "gate": 1, "reason":
                      f"reverse replica shop-primary-reverse is {status!r}, not 'available'"}
    assert world.store().gate().tripped is True
    assert world.gate_stats()["Minimum"] == 1.0   # no 0 was ever published
    assert [i["outcome"]["S"] for i in _items(world, "failback#")] == ["refused"]
    assert world.messages() == []


def test_renewing_a_released_lock_returns_false(make_world: Callable[..., World]) -> None:
    world = make_world("read-replica")
    store = world.store()
    assert store.acquire_lock("me", "fo-1") is True
    assert store.renew_lock("me", 60.0) is True
    store.release_lock("me")
    before = store.get("lock")
    assert store.renew_lock("me", 60.0) is False
    assert store.get("lock") == before              # nothing written
    assert store.lock().lease_expires_epoch == 0
    assert store.renew_lock("someone-else", 60.0) is False
