"""Terms the failover orchestrator's variables give: the targets, the step budgets, the
strategy and the promotion time.

Variables are read through :class:`contract.env.FailoverEnv` (:mod:`policies.orchestrator_env`),
so their names and ranges are the handler's own: a stack that declares them otherwise has no
working orchestrator, which is a violation.
"""

from __future__ import annotations

from typing import Any

from contract.env import Env, FailoverEnv
from contract.names import Role
from contract.strategies import spec
from policies.inventory.survey import Survey
from policies.orchestrator_env import PlannedEnv
from rto_rpo.inputs import TermInput, Unknown, larger_promotion
from rto_rpo.model import Basis, Term

NO_ORCHESTRATOR = ("No failover orchestrator: declare a Lambda function tagged "
                   f"dr:role={Role.FAILOVER_ORCHESTRATOR}; without it nothing fails over and the "
                   "RTO is unbounded.")


def failover_orchestrator(sv: Survey) -> PlannedEnv | None:
    """The failover orchestrator's environment; None (and a violation) when there is none."""
    return sv.orchestrator(Role.FAILOVER_ORCHESTRATOR, FailoverEnv, missing=NO_ORCHESTRATOR)


def targets(orch: PlannedEnv | None, rto_seconds: float, rpo_seconds: float
            ) -> tuple[float, float, str]:
    """The stricter of the pack's targets and the stack's own (the orchestrator's
    ``RTO_SECONDS`` / ``RPO_SECONDS``), in seconds, and a line saying where each came from.
    A stack's own target that is unknown, invalid or absent leaves the pack's in force."""
    notes, chosen = [], []
    for kind, name, pack in (("RTO", Env.RTO_SECONDS, rto_seconds),
                             ("RPO", Env.RPO_SECONDS, rpo_seconds)):
        declared = None if orch is None else orch.value(name)
        if declared is not None and declared < pack:
            chosen.append(float(declared))
            notes.append(f"{kind} target {declared:g} s is the stack's own {name} (stricter than "
                         f"the pack's {pack:g} s)")
        else:
            chosen.append(pack)
            notes.append(f"{kind} target {pack:g} s is the pack's {kind.lower()}Minutes")
    return chosen[0], chosen[1], "; ".join(notes)


def step_budgets(sv: Survey, orch: PlannedEnv) -> tuple[TermInput, ...]:
    """One term per failover step budget (``STEP_BUDGETS_SECONDS``, as the handler parses it);
    none when the variable is missing or invalid (a violation)."""
    mark = sv.mark()
    budgets = sv.var(orch, Env.STEP_BUDGETS_SECONDS, explain=True,
                     missing=f"{orch.who} declares no {Env.STEP_BUDGETS_SECONDS}; its steps have "
                             "no time budget.")
    if orch.computed(Env.STEP_BUDGETS_SECONDS):
        return (Unknown("step budgets", sv.since(mark)),)
    if budgets is None:
        return ()
    return tuple(Term(f"step {step}", float(sec), orch.urn) for step, sec in budgets.items())


def strategy(sv: Survey, orch: PlannedEnv) -> str | None:
    """The orchestrator's ``DB_STRATEGY``, or None (unknown, missing or invalid)."""
    found = sv.var(orch, Env.DB_STRATEGY, missing=f"{orch.who} declares no {Env.DB_STRATEGY}.")
    return None if found is None else str(found)


def promotion(sv: Survey, orch: PlannedEnv, chosen: str | None, cfg: dict[str, Any]
              ) -> TermInput:
    """The promotion term: the larger of the modelled figure (the policy's
    ``promotionSeconds`` for the strategy, by default the strategy table's) and the
    orchestrator's own ``PROMOTION_SECONDS``. Unknown (0 s) when the strategy is not known."""
    declared = sv.var(orch, Env.PROMOTION_SECONDS)
    if chosen is None:
        return Unknown("promotion", (f"{orch.urn}: {orch.path(Env.DB_STRATEGY)}",),
                       why="strategy unknown")
    seconds = dict(cfg["promotionSeconds"]).get(chosen, spec(chosen).promotion_seconds)
    modelled = Term("promotion", float(seconds), "policy config promotionSeconds",
                    Basis.MODELLED,
                    "contract.strategies.DEFAULT_PROMOTION_SECONDS unless configured")
    configured = None if declared is None else Term(
        "promotion", float(declared), orch.urn, Basis.CONFIGURED,
        f"orchestrator {Env.PROMOTION_SECONDS}")
    return larger_promotion(strategy=chosen, modelled=modelled, configured=configured)
