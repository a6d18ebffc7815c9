"""The preview as one JSON document (``python -m cli preview --json``).

Shape (every duration in seconds, every amount in USD per month of 730 hours)::

    {"stack": "prod", "exit_code": 0, "error": "",
     "resources": {"count": 54, "by_region_and_type": [{"region", "type", "count"}]},
     "objectives": {"targets": "...", "rto": Estimate.to_dict() | null,
                    "rpo": Estimate.to_dict() | null, "unknown": [...],
                    "missing": [{"message", "urn"}]},
     "violations": [{"policy", "level", "urn", "message"}],
     "not_decided": [{"policy", "reason", "urn"}],   # rules that could not decide

     "cost": CostEstimate.to_dict() | null}

``cost`` is :meth:`cost.result.CostEstimate.to_dict`: totals, ``by_component``, and one line
per resource with its ``basis`` (``priced`` | ``estimated`` | ``unpriced`` | ``no charge``),
``reason`` and charges. A document for a run that evaluated nothing (bad config, a program
failure) has ``error`` set and null objectives and cost.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from preview.render import undecided

if TYPE_CHECKING:
    from engine.plan import Plan
    from preview.result import PreviewResult


def _resources(plan: Plan | None) -> dict[str, Any] | None:
    if plan is None:
        return None
    counts = Counter((r.region or "(default provider)", r.type) for r in plan.custom_resources)
    return {"count": len(plan.custom_resources),
            "by_region_and_type": [{"region": reg, "type": t, "count": n}
                                   for (reg, t), n in sorted(counts.items())]}


def _objectives(found: Any) -> dict[str, Any] | None:
    if found is None:
        return None
    return {"targets": found.targets,
            "rto": None if found.rto is None else found.rto.to_dict(),
            "rpo": None if found.rpo is None else found.rpo.to_dict(),
            "unknown": list(found.unknown),
            "missing": [{"message": m, "urn": u} for m, u in found.missing]}


def preview_document(result: PreviewResult, *, stack: str, plan: Plan | None) -> dict[str, Any]:
    """The JSON-ready document of one preview (see the module docstring for its shape)."""
    report = result.report
    return {
        "stack": stack, "exit_code": int(result.exit_code), "error": result.error,
        "resources": _resources(plan),
        "objectives": _objectives(result.objectives),
        "violations": [asdict(v) for v in report.violations] if report else [],
        "not_decided": [asdict(n) for n in undecided(report)] if report else [],
        "cost": None if result.cost is None else result.cost.to_dict(),
    }
