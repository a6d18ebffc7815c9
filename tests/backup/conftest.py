"""Fixtures for the backup orchestrator tests; the moto world lives in ``world.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from moto import mock_aws

from handlers.backup.settings import get_settings
from tests.backup.world import Recorder, World, build_world


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # RDS instances make moto build an EC2 backend per Region, which by default loads
    # thousands of AMIs (most of a test's setup time); these tests need none.
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    with mock_aws():
        yield


@pytest.fixture
def world(aws: None) -> World:
    return build_world()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def fresh_settings() -> Iterator[Callable[[], None]]:
    get_settings.cache_clear()
    yield get_settings.cache_clear
    get_settings.cache_clear()
