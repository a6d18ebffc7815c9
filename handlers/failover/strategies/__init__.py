"""One module per database strategy: its readiness check, promotion and writable check. What a
failback promotes is :mod:`handlers.failover.failback.reverse` (one module per kind of
reverse replication).

The module of a strategy is named in the strategy table
(:attr:`contract.strategies.StrategySpec.handler_module`) and loaded by :func:`load`; every
such module provides the functions of :class:`StrategyModule`. The steps
(:mod:`handlers.failover.steps.check_readiness`, :mod:`~handlers.failover.steps.promote`,
:mod:`~handlers.failover.steps.verify_recovery`) dispatch through it and know no strategy by
name.

The standby named by ``STANDBY_DB_IDENTIFIER`` is whatever the strategy keeps in the standby
Region (:attr:`~contract.strategies.StrategySpec.standby`): an RDS DB instance (the shared
pieces are in :mod:`.instance`), nothing until a restore, or a cluster; each module reads
it with the API that fits.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Protocol, cast, runtime_checkable

from contract.strategies import Strategy, spec
from handlers.failover.context import StepContext, StepResult


@dataclass
class Check:
    """A strategy's answer to one question: ``problems`` (empty: yes) and ``detail``, the
    JSON-able facts read (recorded in the step's detail)."""

    problems: list[str] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lag_within_rpo(self, metric: str, lag: tuple[float, str] | None, rpo_seconds: float, *,
                       keys: tuple[str, str], missing: str) -> None:
        """Judge the newest replication lag ``(seconds, iso time)`` of ``metric``: recorded
        in the detail under ``keys`` (seconds, time); a problem when there is none
        (``missing`` says so) or when it exceeds ``rpo_seconds``."""
        if lag is None:
            self.problems.append(missing)
            return
        self.detail[keys[0]], self.detail[keys[1]] = lag
        if lag[0] > rpo_seconds:
            self.problems.append(f"{metric} {lag[0]:.0f} s exceeds the RPO of {rpo_seconds} s")


@runtime_checkable
class StrategyModule(Protocol):
    """The functions a strategy's handler module provides."""

    def check_readiness(self, ctx: StepContext) -> Check:
        """Can the standby take over within RPO_SECONDS now? A standby that no longer
        replicates counts as ready only when this failover's own one-time request was
        accepted (:func:`handlers.failover.once.accepted`: a resumed run); otherwise it is a
        problem (stopped replicating by hand or by an earlier failover: data of unknown age).
        Reads only; may note what it chose in ``ctx.record`` for :meth:`promote`."""

    def promote(self, ctx: StepContext) -> StepResult:
        """Make the standby take writes and wait (bounded by PROMOTION_SECONDS from the
        request) until it does. Each AWS request that changes the database is a
        :class:`handlers.failover.once.OneTime` request. Returns ``ok``, or ``paused`` when
        the Lambda runs low on time.

        Raises:
            StepFailed: the request was refused, or the standby did not come up in time.
            LockLost: the lock was lost before a request or during a wait.
        """

    def check_writable(self, ctx: StepContext) -> Check:
        """Does the promoted standby take writes? ``detail``: ``{"identifier", "writable",
        "status"}``."""


def load(strategy: Strategy | str) -> StrategyModule:
    """The handler module of ``strategy`` (``spec(strategy).handler_module``).

    Raises:
        ValueError: not a strategy (the message lists the allowed values).
    """
    return cast(StrategyModule, importlib.import_module(spec(strategy).handler_module))
