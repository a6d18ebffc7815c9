"""The pack's builder of the RTO/RPO estimate input: the terms found among planned resources.

One small finder per term, each in the module of its concern:

* :mod:`~policies.inventory.orchestrator` - the failover orchestrator, the targets, the step
  budgets, the strategy and the promotion time;
* :mod:`~policies.inventory.detection` - the detection paths (health check + alarm, watchdog);
* :mod:`~policies.inventory.traffic` - the gate alarm's window and the DNS TTL;
* :mod:`~policies.inventory.backup` - the backup cadence;
* :mod:`~policies.inventory.replication` - the replication alarm;
* :mod:`~policies.inventory.managed_rpo` - the managed RPO (aurora-global).

Resources are found by their ``dr:role`` tag (:mod:`contract.names`) and read through a
:class:`~policies.inventory.survey.Survey`, which records every violation and every input that
is unknown during preview. :func:`objectives` puts the terms into one
:class:`rto_rpo.inputs.EstimateInputs` and estimates it with :func:`rto_rpo.inputs.estimate`,
the function the program's planned outputs use, so the two agree.

Preview safety: a term whose input is unknown counts as 0 s, so the total is a lower bound. A
missing piece (no orchestrator, no detection path, no failover record, no backup schedule, no
replication alarm) leaves that estimate out and is a violation, never a pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contract.strategies import RpoRule, spec
from policies.inventory.backup import backup_cadence
from policies.inventory.detection import detection_paths
from policies.inventory.managed_rpo import managed_rpo
from policies.inventory.orchestrator import (
    failover_orchestrator,
    promotion,
    step_budgets,
    strategy,
    targets,
)
from policies.inventory.replication import replication_alarm
from policies.inventory.survey import Survey
from policies.inventory.traffic import dns_ttl, traffic_shift
from rto_rpo.inputs import EstimateInputs, RpoInputs, RtoInputs, estimate
from rto_rpo.model import Basis, Estimate, Term


@dataclass
class Objectives:
    """What the stack's planned inputs say about its RTO and RPO.

    Attributes:
        rto, rpo: the estimates (unknown terms counted as 0 s), or None when a piece is missing.
        targets: where each target came from (the pack's setting or the stack's own).
        missing: structural problems, each ``(message, urn or "")``; each is a violation.
        unknown: inputs that can't be known during preview, as ``"<urn>: <path>"``.
        inputs: the estimate input the terms were gathered into.
    """

    rto: Estimate | None = None
    rpo: Estimate | None = None
    targets: str = ""
    missing: list[tuple[str, str]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    inputs: EstimateInputs = field(default_factory=EstimateInputs)


def objectives(resources: list[Any], cfg: dict[str, Any]) -> Objectives:
    """Gather the RTO/RPO terms from planned resources and estimate both.

    Args:
        resources: ``PolicyResource``-like objects (``resource_type``, ``props``, ``urn``,
            ``provider``, ``property_dependencies``).
        cfg: the policy config of ``rto-rpo-objectives`` with defaults filled in
            (``rtoMinutes``, ``rpoMinutes``, ``promotionSeconds``, ``snapshotCopySeconds``).
    """
    sv = Survey(resources)
    inputs, notes = find_inputs(sv, cfg)
    found = estimate(inputs)
    return Objectives(found.rto, found.rpo, notes, sv.problems, sv.unknown, inputs)


def find_inputs(sv: Survey, cfg: dict[str, Any]) -> tuple[EstimateInputs, str]:
    """The estimate input and the line saying where the targets came from. Finders run in a
    fixed order, so violations and unknown inputs are reported in that order."""
    orch = failover_orchestrator(sv)
    rto_target, rpo_target, notes = targets(orch, float(cfg["rtoMinutes"]) * 60,
                                            float(cfg["rpoMinutes"]) * 60)
    paths = detection_paths(sv, orch)
    steps, chosen, promoted = (), None, None
    if orch is not None:
        steps = step_budgets(sv, orch)
        chosen = strategy(sv, orch)
        promoted = promotion(sv, orch, chosen, cfg)
    ttl = dns_ttl(sv)
    shift = traffic_shift(sv)
    rto = None
    if paths and promoted is not None and ttl is not None:
        rto = RtoInputs(rto_target, tuple(paths), steps, promoted, ttl, shift)
    return EstimateInputs(rto, rpo_inputs(sv, cfg, chosen, rpo_target)), notes


def rpo_inputs(sv: Survey, cfg: dict[str, Any], chosen: str | None, target: float
               ) -> RpoInputs | None:
    """The RPO terms, or None when the strategy, the cadence or the replication alarm the
    strategy needs is missing. A managed RPO, where the strategy has one and it is declared,
    stands in for the alarm (an alarm is still looked for: it must exist and be able to fire)."""
    cadence = backup_cadence(sv)
    copy = Term("cross-Region snapshot copy", float(cfg["snapshotCopySeconds"]),
                "policy config snapshotCopySeconds", Basis.MODELLED,
                "rto_rpo.figures.DEFAULT_SNAPSHOT_COPY_SECONDS unless configured")
    if chosen is None:
        return None
    table = spec(chosen)
    if not table.replicates:
        return None if cadence is None else RpoInputs(target, chosen, cadence, snapshot_copy=copy)
    managed = managed_rpo(sv) if table.rpo_rule is RpoRule.MANAGED_OR_ALARM else None
    alarm = replication_alarm(sv, table)
    if cadence is None or alarm is None:
        return None
    if managed is not None:
        return RpoInputs(target, chosen, cadence, managed_rpo=managed)
    return RpoInputs(target, chosen, cadence, alarm, copy)
