"""After a completed failback, the standby the orchestrator names is the old writer until the
``normal`` deploy: a failover onto it is refused (alarm or operator, one alert per failback),
``force`` overrides with an alert, and a fresh standby identifier lifts the guard."""

from __future__ import annotations

from collections.abc import Callable

from contract.env import Env
from handlers.failover import old_writer
from handlers.failover.app import handle
from handlers.failover.records import FailbackRecord, ReverseTarget
from handlers.failover.settings import load_settings
from tests.failover.cycle import deploy_write_switches, ready_for_failback
from tests.failover.world import World, alarm_event, context, manual, scheduled_event

SUBJECT = "FAILOVER REFUSED: the standby is the old writer of the last failback"


def _failed_back(make_world: Callable[..., World]) -> World:
    world = make_world("read-replica")
    assert handle(manual(), context(), clients=world.clients)["status"] == "completed"
    world.reverse_replica()
    deploy_write_switches()
    ready_for_failback("shop-primary-reverse")
    back = handle(manual("failback", "primary is back"), context(), clients=world.clients)
    assert back["status"] == "failed-back", back
    world.primary.status = 200
    assert handle(scheduled_event(), context(), clients=world.clients)["armed"] is True
    world.messages()
    world.primary.status = 503   # the primary Region fails again before the normal deploy
    return world


def _subjects(world: World) -> list[str]:
    return [m["subject"] for m in world.messages() if "subject" in m]


def test_failover_onto_the_old_writer_is_refused_once_alerted(make_world: Callable[..., World]) -> None:
    world = _failed_back(make_world)
    promotions = world.clients.calls["rds.PromoteReadReplica"]
    first = handle(manual("failover", "primary down again"), context(), clients=world.clients)
    assert first["status"] == "standby-is-old-writer"
    assert first["old_writer"] == "shop-standby"
    assert first["new_primary"].endswith(":db:shop-primary-reverse")
    assert any("database.standbyIdentifier" in c for c in first["phase"]["commands"])
    assert handle(alarm_event(), context(), clients=world.clients)["status"] == "standby-is-old-writer"
    assert world.clients.calls["rds.PromoteReadReplica"] == promotions   # nothing promoted
    assert world.store().gate().tripped is False                         # traffic not moved
    topics = len(world.settings.alert_topic_arns)    # one alert is published in each Region
    assert [b.get("old_writer") for b in world.messages()] == ["shop-standby"] * topics
    assert world.store().failback().notes[old_writer.ALERTED_NOTE]


def test_force_fails_over_onto_the_old_writer_with_an_alert(make_world: Callable[..., World]) -> None:
    world = _failed_back(make_world)
    result = handle(manual("failover", "site down, stale data accepted", force=True), context(),
                    clients=world.clients)
    assert result["status"] == "completed", result
    assert world.store().gate().tripped is True
    forced = [b for b in world.messages() if b.get("old_writer") == "shop-standby"]
    assert len(forced) == len(world.settings.alert_topic_arns)
    assert all("force" not in b for b in forced)


def test_a_fresh_standby_identifier_lifts_the_guard(make_world: Callable[..., World]) -> None:
    world = _failed_back(make_world)
    deployed = load_settings({**world.env, Env.STANDBY_DB_IDENTIFIER: "shop-standby-2"})
    assert old_writer.old_writer_failback(deployed, world.store()) is None
    assert old_writer.old_writer_failback(world.settings, world.store()) is not None


def test_an_aurora_switchover_back_needs_no_guard(make_world: Callable[..., World]) -> None:
    world = make_world("read-replica")
    store = world.store()
    store.save_failback(FailbackRecord(
        failback_id="fb-1", status="completed", started_at="2026-12-01T00:00:00Z", started_epoch=0.0,
        old_writer="shop-standby",
        reverse=ReverseTarget(kind="aurora-secondary", identifier="shop-primary", region="us-east-1")))
    assert old_writer.old_writer_failback(world.settings, store) is None
    store.save_failback(FailbackRecord(
        failback_id="fb-2", status="refused", started_at="2026-12-01T00:00:00Z", started_epoch=0.0,
        old_writer="shop-standby",
        reverse=ReverseTarget(kind="rds-read-replica", identifier="r", region="us-east-1")))
    assert old_writer.old_writer_failback(world.settings, store) is None
