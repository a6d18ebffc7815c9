"""The drill's steps, one module each, in the order they run (:data:`PIPELINE`).

Each module has one entry, ``run(ctx, record)``, over the explicit
:class:`drill.context.DrillContext`, and declares its :class:`drill.step.Step` as ``STEP``.
To add a step: write ``drill/steps/<name>.py`` with ``run`` and ``STEP`` and put it in
:data:`PIPELINE` where it belongs.
"""

from __future__ import annotations

from drill.step import Step
from drill.steps import (
    backup,
    baseline,
    cycle,
    data_loss,
    data_plane,
    deploy,
    emulator,
    failback,
    failover,
    inject,
    policy_gate,
    primary_recovers,
    verify,
    verify_data,
)

#: The drill, step by step.
PIPELINE: tuple[Step, ...] = (
    policy_gate.STEP,
    emulator.STEP,
    deploy.STEP,
    data_plane.STEP,
    baseline.STEP,
    backup.STEP,
    inject.STEP,
    failover.STEP,
    verify.STEP,
    verify_data.STEP,
    primary_recovers.STEP,
    data_loss.STEP,
    *cycle.STEPS,
    failback.STEP,
)
