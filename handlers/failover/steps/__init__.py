"""The failover steps, one module each, in the order of contract.names.FAILOVER_STEPS."""

from __future__ import annotations

from collections.abc import Callable

from contract.names import FAILOVER_STEPS
from handlers.failover.context import StepContext, StepResult
from handlers.failover.steps import (
    check_readiness,
    move_traffic,
    promote,
    verify_failure,
    verify_recovery,
    warm,
)

STEPS: dict[str, Callable[[StepContext], StepResult]] = {
    "verify_failure": verify_failure.run,
    "check_readiness": check_readiness.run,
    "promote": promote.run,
    "move_traffic": move_traffic.run,
    "warm": warm.run,
    "verify_recovery": verify_recovery.run,
}
assert tuple(STEPS) == FAILOVER_STEPS, "step order must match contract.names"
