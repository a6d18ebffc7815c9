"""The failover orchestrator's settings: its environment, parsed once per cold start.

The variables, their types and ranges are :class:`contract.env.FailoverEnv` (the program
renders the same model); nothing here calls AWS. :func:`get_settings` caches the parsed
model; tests change the environment and call ``get_settings.cache_clear()``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache

from contract.env import FailoverEnv as FailoverSettings
from contract.env import SettingsError

__all__ = ["FailoverSettings", "SettingsError", "get_settings", "load_settings"]


def load_settings(environ: Mapping[str, str]) -> FailoverSettings:
    """Parse ``environ`` into :class:`FailoverSettings`.

    Raises:
        SettingsError: one line per missing or invalid env var.
    """
    return FailoverSettings.parse(environ)


@cache
def get_settings() -> FailoverSettings:
    """Settings from ``os.environ``, parsed once per process (Lambda cold start)."""
    return load_settings(os.environ)
