"""The modelled RTO/RPO of Pulumi.prod.yaml next to the original design's claims and the
targets. The claims (detection 90 s, total failover 8.5 min, RPO <= 1 h; :mod:`advisor.claim`,
quoted in the README) are claims, not measurements."""

from __future__ import annotations

from advisor.claim import SEED_CLAIM
from bench.table import Row, basis_of, row
from engine.paths import stack_file

#: The original design's claims, seconds (:mod:`advisor.claim` holds them once).
SEED_CLAIMS = {"detection_seconds": SEED_CLAIM.detection_seconds,
               "failover_seconds": SEED_CLAIM.rto_seconds, "rpo_seconds": SEED_CLAIM.rpo_seconds}


def measure_rows() -> list[Row]:
    """Our modelled detection, RTO and RPO worst cases (seconds) against the claims."""
    from components.budgets import planned_rpo, planned_rto
    from components.settings import settings_from_stack_file

    s = settings_from_stack_file(stack_file("prod"))
    rto, rpo = planned_rto(s), planned_rpo(s)
    return [
        row("modelled (prod)", "detection", "ours vs seed claim",
            rto.terms[0].seconds, f"s (seed {SEED_CLAIMS['detection_seconds']:.0f} s)",
            basis=basis_of([rto.terms[0].basis])),
        row("modelled (prod)", "RTO worst case", "ours vs seed claim vs target",
            rto.total_seconds, f"s (seed {SEED_CLAIMS['failover_seconds']:.0f} s; "
            f"target {rto.target_seconds:.0f} s)", basis=basis_of(t.basis for t in rto.terms)),
        row("modelled (prod)", "RPO worst case", "ours vs seed claim vs target",
            rpo.total_seconds, f"s (seed {SEED_CLAIMS['rpo_seconds']:.0f} s; "
            f"target {rpo.target_seconds:.0f} s)", basis=basis_of(t.basis for t in rpo.terms)),
    ]
