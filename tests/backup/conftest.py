"""Fixtures for the backup orchestrator tests; the moto world lives in ``world.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from emulator.clients import RecordingClients
from emulator.in_process import mocked_aws
from handlers.backup.settings import get_settings
from tests.backup.world import World, build_world, recording_clients


@pytest.fixture
def aws() -> Iterator[None]:
    with mocked_aws():
        yield


@pytest.fixture
def world(aws: None) -> World:
    return build_world()


@pytest.fixture
def recorder() -> RecordingClients:
    return recording_clients()


@pytest.fixture
def fresh_settings() -> Iterator[Callable[[], None]]:
    get_settings.cache_clear()
    yield get_settings.cache_clear
    get_settings.cache_clear()
