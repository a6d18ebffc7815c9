"""Fixtures for the backup orchestrator tests; the moto world lives in ``world.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from moto import mock_aws

from handlers.backup.settings import get_settings
from tests.backup.world import Recorder, World, build_world


@pytest.fixture
def aws() -> Iterator[None]:
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
