"""What one preview found (:class:`PreviewResult`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cost import CostEstimate
from engine.pack import Report


@dataclass
class PreviewResult:
    """What one preview found.

    Attributes:
        exit_code: :class:`cli.exit_codes.ExitCode` (OK, FAILED on a mandatory violation,
            CANNOT_RUN on bad config, PROGRAM_FAILED).
        report: the pack's diagnostics (None when nothing was evaluated).
        objectives: the RTO/RPO breakdown (``policies.rules.recovery.objectives``), for display.
        config: the policy config sent with Configure (defaults filled in).
        error: the config error or traceback when nothing was evaluated.
        cost: the plan's monthly cost estimate (:func:`cost.estimate`, USD per 730-hour
            month), None when nothing was evaluated.
    """

    exit_code: int
    report: Report | None = None
    objectives: Any = None
    config: dict[str, Any] | None = None
    error: str = ""
    cost: CostEstimate | None = None
