"""The backup cadence: how often a recovery point is taken, from the backup schedule and the
backup orchestrator's ``CADENCE_MINUTES``.

Snapshots are no more frequent than the slower of the two: the schedule invokes the backup
orchestrator, whose snapshot period comes from ``CADENCE_MINUTES`` (read through
:class:`contract.env.BackupEnv`). A mismatch between them is a violation. With several
running backup schedules the most frequent one bounds the cadence; a disabled one counts for
nothing.
"""

from __future__ import annotations

from contract.env import BackupEnv, Env
from contract.names import Role
from policies.inventory.survey import Survey
from rto_rpo.inputs import TermInput, Unknown
from rto_rpo.model import Basis, Term

NO_BACKUP_ORCHESTRATOR = ("No backup orchestrator: declare a Lambda function tagged "
                          f"dr:role={Role.BACKUP_ORCHESTRATOR}; without it the backup schedule "
                          "takes no snapshot.")
NO_BACKUP_SCHEDULE = ("No backup schedule: declare an EventBridge rule tagged "
                      f"dr:role={Role.BACKUP_SCHEDULE} running at least once per RPO.")


def backup_cadence(sv: Survey) -> TermInput | None:
    """The backup cadence term, in seconds; None (and a violation) without a running backup
    schedule."""
    schedules, disabled = sv.schedules(Role.BACKUP_SCHEDULE)
    minutes = cadence_minutes(sv)
    if not schedules:
        sv.problem(NO_BACKUP_SCHEDULE + (f" Disabled, so not counted: {', '.join(disabled)}."
                                         if disabled else ""))
        return None
    mark = sv.mark()
    periods = [(p, s.urn) for s in schedules if (p := sv.period(s)) is not None]
    if not periods:
        return Unknown("backup cadence", sv.since(mark))
    period, urn = min(periods)
    if minutes is None:
        return Term("backup cadence", period, urn, Basis.CONFIGURED, "schedule period")
    value, orch_urn = minutes
    if value * 60 != period:
        sv.problem(f"Backup schedule {urn} runs every {period / 60:g} min but the backup "
                   f"orchestrator's {Env.CADENCE_MINUTES} is {value:g}; the handler's snapshot "
                   f"period comes from {Env.CADENCE_MINUTES}, so the two must be equal.", orch_urn)
    slower = (value * 60.0, orch_urn) if value * 60 > period else (period, urn)
    return Term("backup cadence", slower[0], slower[1], Basis.CONFIGURED,
                f"max(schedule period, {Env.CADENCE_MINUTES})")


def cadence_minutes(sv: Survey) -> tuple[int, str] | None:
    """The backup orchestrator's ``CADENCE_MINUTES`` and its URN; None (with a violation, or an
    unknown input recorded) when there is no orchestrator or no valid known value."""
    orch = sv.orchestrator(Role.BACKUP_ORCHESTRATOR, BackupEnv, missing=NO_BACKUP_ORCHESTRATOR)
    if orch is None or orch.variables is None:
        return None
    minutes = sv.var(orch, Env.CADENCE_MINUTES)
    return None if minutes is None else (minutes, orch.urn)
