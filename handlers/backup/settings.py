"""The backup orchestrator's settings: its environment, parsed once per cold start.

The variables, their types and ranges are :class:`contract.env.BackupEnv` (the program
renders the same model); nothing here reads the stack config or calls AWS.
:func:`get_settings` caches the parsed model; tests call ``get_settings.cache_clear()``
after changing the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache

from contract.env import BackupEnv as BackupSettings
from contract.env import ProtectedDatabase, SettingsError

__all__ = ["BackupSettings", "ProtectedDatabase", "SettingsError", "get_settings", "load_settings"]


def load_settings(environ: Mapping[str, str]) -> BackupSettings:
    """Parse ``environ`` into :class:`BackupSettings`.

    Raises:
        SettingsError: one line per missing or invalid variable, naming it.
    """
    return BackupSettings.parse(environ)


@cache
def get_settings() -> BackupSettings:
    """Settings from ``os.environ``, parsed once per process (cold start).

    ``get_settings.cache_clear()`` re-reads the environment (tests).
    """
    return load_settings(os.environ)
