"""A drill step: a name, a title and one entry function over the drill's explicit state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drill.context import DrillContext
    from drill.result import StepRecord


def _always(ctx: DrillContext) -> bool:
    return True


@dataclass(frozen=True)
class Step:
    """One step of the drill pipeline (:data:`drill.steps.PIPELINE`).

    Attributes:
        name: id in the report's timeline and API-call ledger (``"failover"``).
        title: one line for the progress display and the report.
        run: ``(ctx, record) -> None``: does the step, writes what it saw into
            ``record.detail`` and its checks into ``ctx.result``; raises
            :class:`drill.options.StepSkipped` to skip, :class:`drill.options.Abort` to stop
            the drill (it fails, with a report), :class:`drill.options.DrillError` when the
            drill cannot run at all (no report).
        applies: whether the step runs for this drill (e.g. only for one scenario).
        setup: an error stops the drill without a report (the emulator cannot start);
            otherwise an unexpected error fails the drill and the report says where.
        then: runs once the step's record is closed, e.g. to stop the drill with
            :class:`drill.options.Abort` when the step found a piece missing.
    """

    name: str
    title: str
    run: Callable[[DrillContext, StepRecord], None]
    applies: Callable[[DrillContext], bool] = _always
    setup: bool = False
    then: Callable[[DrillContext], None] | None = None
