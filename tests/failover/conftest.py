"""Fixtures for the failover orchestrator tests; the moto world lives in ``world.py``."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest

from contract.strategies import SPECS, Standby, Strategy
from emulator.bridges import promote_read_replica
from emulator.endpoints import LoopbackEndpoint
from emulator.in_process import mocked_aws
from emulator.orchestrators import FailoverSite, StandbyDb, failover_env
from emulator.site import AlertTopics
from handlers.failover import clock
from handlers.failover.settings import get_settings
from tests.failover.world import STANDBY_ID, World, build_world

os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_DEV", "false")


@pytest.fixture(autouse=True)
def _pristine_promote_read_replica() -> Iterator[None]:
    """Put moto's own ``promote_read_replica`` back after each test. Set up before
    ``monkeypatch`` (it asks for none), so it runs after monkeypatch's undo: a test that
    monkeypatches the bridged method back would otherwise leave the bridge in force for the
    tests that follow in the same worker."""
    import moto.rds.models as rds_models

    pristine = rds_models.RDSBackend.promote_read_replica
    yield
    rds_models.RDSBackend.promote_read_replica = pristine  # type: ignore[method-assign]


@pytest.fixture
def aws() -> Iterator[None]:
    with mocked_aws():
        yield


@pytest.fixture
def make_world(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., World]]:
    """``make_world(strategy, **options)``: builds the world (options of
    :func:`tests.failover.world.build_world`), exports its env, bridges promote_read_replica
    into ``world.promotions``, and cleans up."""
    worlds: list[World] = []
    with ExitStack() as bridges:
        def make(strategy: str = "read-replica", **options: object) -> World:
            world = build_world(strategy, **options)  # type: ignore[arg-type]
            for key, value in world.env.items():
                monkeypatch.setenv(str(key), value)
            get_settings.cache_clear()
            bridges.enter_context(promote_read_replica(on_promote=world.promotions.append))
            worlds.append(world)
            return world

        yield make
    for world in worlds:
        world.close()
    get_settings.cache_clear()


class FakeClock:
    """Real time plus an offset; ``sleep`` advances the offset instead of waiting, so AWS
    waits and lease expiry take no wall time."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.slept = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def sleep(self, seconds: float) -> None:
        self.offset += seconds
        self.slept += seconds

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture(autouse=True)
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(clock, "now", fake.now)
    monkeypatch.setattr(clock, "sleep", fake.sleep)
    return fake


#: The strategies whose standby is an instance, which the shared world builds; the Aurora
#: cluster tier has its own world (aurora_world.py) with the Aurora bridges in force.
INSTANCE_STRATEGIES = tuple(str(s) for s, sp in SPECS.items() if sp.standby is not Standby.CLUSTER)


@pytest.fixture(params=INSTANCE_STRATEGIES)
def strategy(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def static_env() -> dict[str, str]:
    """A valid read-replica environment with no AWS behind it (for parsing tests)."""
    site = FailoverSite("read-replica", LoopbackEndpoint("primary"), LoopbackEndpoint("standby"),
                        {}, AlertTopics({"us-east-1": "arn:t"}, {}),
                        StandbyDb(Strategy.READ_REPLICA, STANDBY_ID),
                        "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
    return failover_env(site)
