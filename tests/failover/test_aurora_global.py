"""Strategy aurora-global on moto, with the Aurora bridges in test code (aurora_world.py):
readiness with no lag data, high lag and fine lag; the managed failover as a one-time request
across a crash; the completion alert naming the failover snapshot; the switchover failback
refused until the old primary rejoined with near-zero lag, then done; the high-resolution gate."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import moto.rds.models as rds_models
import pytest

from emulator.bridges import AuroraGlobalBridge
from emulator.faults import SimulatedCrash
from handlers.failover import gate, state
from handlers.failover.app import handle
from handlers.failover.settings import get_settings
from handlers.failover.strategies import aurora_global
from tests.failover.aurora_world import REPLICATION_LAG, RPO_LAG, AuroraWorld, aurora_world
from tests.failover.cycle import deploy_write_switches
from tests.failover.world import PRIMARY, STANDBY, context, manual

pytestmark = pytest.mark.filterwarnings("ignore:Exception.*does not match an error shape")


@pytest.fixture
def make(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., AuroraWorld]]:
    """``make(**options)``: an Aurora world (aurora_world.py) whose env is exported."""
    stack: list[Any] = []

    def build(**options: Any) -> AuroraWorld:
        cm = aurora_world(**options)
        world = cm.__enter__()
        stack.append(cm)
        for key, value in world.env.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
        return world

    yield build
    for cm in reversed(stack):
        cm.__exit__(None, None, None)
    get_settings.cache_clear()


def readiness(result: dict[str, Any]) -> dict[str, Any]:
    (step,) = [s for s in result["steps"] if s["step"] == "check_readiness"]
    return step


# --- readiness -----------------------------------------------------------------------------

def test_no_lag_data_is_not_ready_never_lag_zero(make: Callable[..., AuroraWorld]) -> None:
    world = make(lag_seconds=None)
    result = handle(manual(), context(), clients=world.clients)
    assert result["status"] == "not-ready", result
    detail = result["detail"]
    assert detail["not_ready"] == ["no Aurora lag datapoint for shop-standby in the last 3600 s: "
                                   "replication is not known to run"]
    assert world.bridge.requests == [] and world.clients.calls["rds.FailoverGlobalCluster"] == 0
    assert world.writer() == world.primary_cluster.arn


def test_lag_over_the_rpo_is_not_ready(make: Callable[..., AuroraWorld]) -> None:
    world = make(lag_seconds=4000.0)
    result = handle(manual(), context(), clients=world.clients)
    assert result["status"] == "not-ready"
    assert result["detail"]["not_ready"] == [
        "AuroraGlobalDBRPOLag 4000.0 s exceeds the RPO of 3600 s"]
    assert result["detail"]["lag_seconds"] == 4000.0   # read in ms, reported in seconds
    assert world.bridge.requests == []


def test_fine_lag_fails_over_with_allow_data_loss_in_the_standby_region(
        make: Callable[..., AuroraWorld]) -> None:
    world = make(lag_seconds=0.4)
    result = handle(manual(), context(), clients=world.clients)
    assert result["status"] == "completed", result
    assert world.bridge.requests == [{"action": "failover", "global_cluster": "shop-global",
                                      "target": world.standby_cluster.arn,
                                      "allow_data_loss": True}]
    assert world.clients.by_region[f"{STANDBY}:rds.FailoverGlobalCluster"] == 1
    assert world.clients.by_region[f"{PRIMARY}:rds.FailoverGlobalCluster"] == 0
    assert world.writer() == world.standby_cluster.arn
    record = world.store().get("failover")
    assert record["global_failover_requested_state"] == "accepted"
    assert record["steps"]["check_readiness"]["detail"]["lag_metric"] == RPO_LAG
    verify = record["steps"]["verify_recovery"]["detail"]["database"]
    assert verify == {"identifier": "shop-standby", "writable": True, "status": "available"}


def test_completion_alert_names_the_snapshot_holding_the_lost_writes(
        make: Callable[..., AuroraWorld]) -> None:
    world = make()
    assert handle(manual(), context(), clients=world.clients)["status"] == "completed"
    alerts = [m for m in world.messages() if "duration_seconds" in m]   # the completion alert
    assert len(alerts) == 2   # one per Region's topic
    note = alerts[0]["next"]["data_loss_snapshot"]
    assert "rds:unplanned-global-failover-shop-primary-<timestamp> in us-east-1" in note
    assert "<cluster>-dr-preserved-<timestamp>" in note and "never pruned" in note
    assert "switchover" in alerts[0]["next"]["failback"]


def test_old_aurora_mysql_is_ready_by_replication_lag(make: Callable[..., AuroraWorld]) -> None:
    world = make(engine="aurora-mysql", engine_version="8.0.mysql_aurora.3.03.1", lag_seconds=0.2)
    result = handle(manual(), context(), clients=world.clients)
    assert result["status"] == "completed", result
    assert world.store().get("failover")["steps"]["check_readiness"]["detail"][
        "lag_metric"] == REPLICATION_LAG


def test_old_aurora_mysql_without_its_lag_metric_is_not_ready(
        make: Callable[..., AuroraWorld]) -> None:
    world = make(engine="aurora-mysql", engine_version="8.0.mysql_aurora.3.03.1", lag_seconds=None)
    world.seed_lag(0.2, metric=RPO_LAG)   # not the metric Aurora publishes for 3.03
    result = handle(manual(), context(), clients=world.clients)
    assert result["status"] == "not-ready"
    assert world.bridge.requests == []


def test_detached_secondary_is_not_ready(make: Callable[..., AuroraWorld]) -> None:
    world = make()
    # moto gap: RemoveFromGlobalCluster finds global clusters only when called in us-east-1
    # and the cluster only in that Region's backend; detach it in the backend instead.
    g = rds_models.rds_backends["123456789012"]["us-east-1"].global_clusters["shop-global"]
    g.members = [m for m in g.members if m.db_cluster_arn != world.standby_cluster.arn]
    result = handle(manual(), context(), clients=world.clients)
    assert result["status"] == "not-ready"
    assert result["detail"]["not_ready"] == [
        "standby cluster shop-standby is not a member of global database shop-global "
        "(detached?): it no longer replicates, so how old its data is is unknown"]


# --- the one-time request -------------------------------------------------------------------

def test_failover_request_is_made_once_across_a_crash_and_resumed_by_polling(
        make: Callable[..., AuroraWorld], monkeypatch: pytest.MonkeyPatch,
        fake_clock: Any) -> None:
    # AWS takes a while: the roles change after a few DescribeGlobalClusters.
    world = make(bridge=AuroraGlobalBridge(immediate=False, complete_after_describes=3))
    accept = AuroraGlobalBridge.request

    def accepted_then_crash(self: AuroraGlobalBridge, *args: Any) -> Any:
        accept(self, *args)
        raise SimulatedCrash("FailoverGlobalCluster landed, answer lost")

    monkeypatch.setattr(AuroraGlobalBridge, "request", accepted_then_crash)
    with pytest.raises(SimulatedCrash):
        handle(manual(), context(), clients=world.clients)
    crashed = world.store().get("failover")
    assert crashed["global_failover_requested_state"] == "intent"
    monkeypatch.setattr(AuroraGlobalBridge, "request", accept)

    fake_clock.advance(state.LEASE_SECONDS + 1)
    result = handle(manual(), context(), clients=world.clients)
    assert result["status"] == "completed", result
    assert len(world.bridge.requests) == 1                # requested at most once
    assert world.writer() == world.standby_cluster.arn
    record = world.store().get("failover")
    assert record["global_failover_requested_attempts"] == 1
    assert record["steps"]["promote"]["detail"]["polls"] >= 2
    assert record["invocations"] == 2


def test_refused_failover_request_is_made_again_on_the_next_trigger(
        make: Callable[..., AuroraWorld], monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.rds.exceptions import RDSClientError

    world = make()
    accept = AuroraGlobalBridge.request
    calls: list[int] = []

    def refuse_first(self: AuroraGlobalBridge, *args: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise RDSClientError("InvalidDBClusterStateFault", "cluster is busy")
        return accept(self, *args)

    monkeypatch.setattr(AuroraGlobalBridge, "request", refuse_first)
    first = handle(manual(), context(), clients=world.clients)
    assert first["status"] == "step-failed" and "requested again" in first["error"]
    assert world.store().get("failover")["global_failover_requested_state"] == "failed"
    second = handle(manual(), context(), clients=world.clients)
    assert second["status"] == "completed", second
    assert len(calls) == 2 and len(world.bridge.requests) == 1


# --- failback: a switchover -------------------------------------------------------------------

def _failed_over(make: Callable[..., AuroraWorld], **options: Any) -> AuroraWorld:
    world = make(**options)
    assert handle(manual(), context(), clients=world.clients)["status"] == "completed"
    world.messages()
    deploy_write_switches()
    return world


def test_failback_is_refused_until_the_old_primary_rejoined(
        make: Callable[..., AuroraWorld]) -> None:
    world = _failed_over(make)
    out = handle(manual("failback"), context(), clients=world.clients)
    assert out["status"] == "failback-refused"
    assert out["reason"] == ("the old primary shop-primary has not rejoined shop-global as a "
                             "secondary yet (Aurora adds it back when us-east-1 recovers)")
    assert out["gate"] == 1 and world.clients.calls["rds.SwitchoverGlobalCluster"] == 0


@pytest.mark.parametrize(("lag", "reason"), [
    (None, "no Aurora lag datapoint for shop-primary: it is not known to be synchronised"),
    (5.0, "AuroraGlobalDBRPOLag of shop-primary is 5.0 s, over 1 s: a switchover waits for "
          "full synchronisation; fail back when the lag is near zero"),
])
def test_failback_is_refused_while_the_rejoined_primary_lags(
        make: Callable[..., AuroraWorld], lag: float | None, reason: str) -> None:
    world = _failed_over(make)
    world.bridge.region_recovers("shop-global", world.primary_cluster.arn)
    if lag is not None:  # a secondary's lag is published in its own Region
        world.seed_lag(lag, cluster="shop-primary", region=PRIMARY)
    out = handle(manual("failback"), context(), clients=world.clients)
    assert (out["status"], out["reason"], out["gate"]) == ("failback-refused", reason, 1)
    assert world.writer() == world.standby_cluster.arn


def test_failback_switches_over_then_releases_the_gate(make: Callable[..., AuroraWorld]) -> None:
    world = _failed_over(make)
    world.bridge.region_recovers("shop-global", world.primary_cluster.arn)
    world.seed_lag(0.2, cluster="shop-primary", region=PRIMARY)
    out = handle(manual("failback"), context(), clients=world.clients)
    assert out["status"] == "failed-back", out
    assert world.writer() == world.primary_cluster.arn
    assert world.bridge.requests[-1] == {"action": "switchover", "global_cluster": "shop-global",
                                         "target": world.primary_cluster.arn,
                                         "allow_data_loss": False}
    # issued in the current primary's Region; a switchover, never a second failover
    assert world.clients.by_region[f"{STANDBY}:rds.SwitchoverGlobalCluster"] == 1
    assert world.clients.calls["rds.FailoverGlobalCluster"] == 1
    assert out["gate"] == 0 and world.store().gate().tripped is False


def test_status_hints_say_aurora_rejoins_the_old_primary_itself(
        make: Callable[..., AuroraWorld], monkeypatch: pytest.MonkeyPatch) -> None:
    world = _failed_over(make)

    def hint() -> dict[str, Any]:
        return handle({"action": "status"}, context(), clients=world.clients)["phase"]

    first = hint()   # configured normal, the primary Region answers again
    assert first["set"] == "reverse-replicating" and "reverse replica" not in first["why"]
    assert first["why"].endswith("answers again: Aurora adds the old primary cluster back to "
                                 "the global database as a secondary (the program declares "
                                 "nothing new)")
    assert first["then"] == ("pulumi up; once the old primary cluster is a secondary again with "
                             'a lag near zero, send {"action": "failback", "reason": "..."}')
    monkeypatch.setenv("FAILOVER_PHASE", "reverse-replicating")
    get_settings.cache_clear()
    waiting = hint()   # a deploy cannot bring it: Aurora does, when the Region recovers
    assert waiting["commands"] == [] and waiting["then"] == (
        "wait until Aurora has added the old primary cluster back as a secondary")
    world.bridge.region_recovers("shop-global", world.primary_cluster.arn)
    ready = hint()
    assert ready["why"] == "the reverse replication runs (shop-primary secondary)"
    assert ready["then"] == 'send {"action": "failback", "reason": "..."}'


def test_slow_switchover_is_resumed_by_the_next_failback_without_a_second_request(
        make: Callable[..., AuroraWorld]) -> None:
    world = _failed_over(make)
    world.bridge.region_recovers("shop-global", world.primary_cluster.arn)
    world.seed_lag(0.2, cluster="shop-primary", region=PRIMARY)
    world.bridge.immediate, world.bridge.complete_after_describes = False, None
    # Enough Lambda time for each step's budget, too little to wait out the switchover.
    short = context()
    short.get_remaining_time_in_millis = lambda: 32_000  # type: ignore[method-assign]
    first = handle(manual("failback"), short, clients=world.clients)
    assert first["status"] == "failback-in-progress", first
    assert first["gate"] == 1 and world.store().gate().tripped is True
    world.bridge.complete()   # AWS finishes the switchover
    second = handle(manual("failback"), context(), clients=world.clients)
    assert second["status"] == "failed-back", second
    assert world.clients.calls["rds.SwitchoverGlobalCluster"] == 1
    assert world.writer() == world.primary_cluster.arn


# --- the high-resolution gate ---------------------------------------------------------------

class _RecordingCloudWatch:
    def __init__(self) -> None:
        self.data: list[dict[str, Any]] = []

    def put_metric_data(self, **kwargs: Any) -> None:
        self.data.extend(kwargs["MetricData"])


@pytest.mark.parametrize(("period", "resolution"), [(10, 1), (30, 1), (60, 60)])
def test_gate_is_published_at_high_resolution_below_60_seconds(period: int,
                                                               resolution: int) -> None:
    cw = _RecordingCloudWatch()
    gate.publish(cw, "prod", 1, period)
    assert [d["StorageResolution"] for d in cw.data] == [resolution]


def test_the_failover_trips_the_gate_with_the_configured_period(
        make: Callable[..., AuroraWorld], monkeypatch: pytest.MonkeyPatch) -> None:
    world = make()
    periods: list[int] = []
    real = gate.publish

    def spy(cloudwatch: Any, stack: str, value: int, period_seconds: int = 60) -> None:
        periods.append(period_seconds)
        real(cloudwatch, stack, value, period_seconds)

    monkeypatch.setattr(gate, "publish", spy)
    assert handle(manual(), context(), clients=world.clients)["status"] == "completed"
    assert periods == [10]   # GATE_PERIOD_SECONDS of the world


def test_switchover_threshold_is_near_zero() -> None:
    assert aurora_global.SWITCHOVER_MAX_LAG_SECONDS == 1.0
