"""emulator.lambda_runtime.clear_caches: a new container starts without the last one's caches
and without the Powertools default dimensions another stack left in the process."""

from __future__ import annotations

import functools
import warnings

from emulator.lambda_runtime import clear_caches
from handlers.failover import observability


def test_a_new_container_has_no_default_dimension_of_another_stack() -> None:
    metrics = observability.metrics
    metrics.set_default_dimensions(Stack="another-stack")
    try:
        clear_caches()
        assert metrics.default_dimensions == {}
        with warnings.catch_warnings():
            warnings.simplefilter("error")   # "Dimension 'Stack' has already been added"
            metrics.set_default_dimensions(Stack="prod")
        assert metrics.default_dimensions == {"Stack": "prod"}
    finally:
        metrics.clear_default_dimensions()
        metrics.clear_metrics()


def test_a_new_container_has_empty_function_caches() -> None:
    from handlers.failover.settings import get_settings

    assert isinstance(get_settings, functools._lru_cache_wrapper)
    assert clear_caches() >= 1
    assert get_settings.cache_info().currsize == 0
