"""The advice over evaluated tiers: which one is recommended when some costs are incomplete."""

from __future__ import annotations

from dataclasses import replace

from advisor.render import summary
from advisor.result import Advice, Outcome
from advisor.variants import Variant
from cost import Basis, CostEstimate, CostLine
from rto_rpo.model import Estimate, Term


def test_a_tier_with_unpriced_lines_is_not_called_the_cheapest_on_its_lower_bound() -> None:
    def outcome(strategy: str, usd: float, unpriced: bool) -> Outcome:
        lines = [CostLine("db", "standby", "urn:a", "aws:x", "us-west-2", Basis.PRICED, usd)]
        if unpriced:
            lines.append(CostLine("db", "cluster", "urn:b", "aws:rds/cluster:Cluster", "us-west-2",
                                  Basis.UNPRICED, None, reason="no pricing function"))
        est = Estimate("RTO", (Term("t", 60, "x"),), 600)
        return Outcome(Variant(strategy, {}), est, replace(est, kind="RPO"), "targets",
                       CostEstimate(lines))

    partial, full = outcome("dms", 50.0, True), outcome("read-replica", 200.0, False)
    a = Advice("prod", "read-replica", [partial, full])
    assert a.recommended is full and a.uncertain == [partial]
    text = "\n".join(summary(a))
    assert "dms (warm standby) also meets them, but 1 of its lines are unpriced (cluster): at " \
           "least $50.00/month, so it may be cheaper." in text
    # with no fully priced tier meeting, the lowest bound is all there is
    assert Advice("prod", "dms", [partial]).recommended is partial
