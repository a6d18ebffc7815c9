"""The bench section `tiers`: each DR tier's modelled cost and planned RTO/RPO from the tier
advisor, beside the original design's cost claim, labelled truthfully; amounts to the cent."""

from __future__ import annotations

import pytest

from bench import run as bench
from bench import tiers
from tests.advisor.stacks import prod_advice

#: One xdist worker runs this module and the other reader of the advisor's prod run
#: (tests/advisor/stacks.py: ``prod_advice``, once per process), so that run happens once.
pytestmark = pytest.mark.xdist_group("advisor-prod-advice")


@pytest.fixture(scope="module")
def rows(monkeypatch_module: pytest.MonkeyPatch) -> list[dict]:
    # the section's own entry point, fed the advice another test module may have computed
    monkeypatch_module.setattr("advisor.advise.advise", lambda stack: prod_advice())
    return tiers.measure_rows()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def _by_case(rows: list[dict]) -> dict[str, dict[str, dict]]:
    out: dict[str, dict[str, dict]] = {}
    for r in rows:
        out.setdefault(r["case"], {})[r["metric"]] = r
    return out


def test_one_group_per_tier_the_suggestion_and_the_claim(rows: list[dict]) -> None:
    assert "tiers" in bench.SECTIONS
    cases = list(_by_case(rows))
    assert [c.split(" ")[0] for c in cases] == [
        "snapshot-restore", "read-replica", "aurora-global", "dms", "snapshot-restore", "original"]
    assert cases[1] == "read-replica (warm standby), recommended (cheapest that meets the targets)"
    assert cases[0].startswith("snapshot-restore (pilot light), misses: RPO 90 min > 60 min")
    assert cases[4] == ("snapshot-restore (pilot light) + backup.cadenceMinutes=30, "
                        "meets the targets")
    assert cases[5] == "original design (claim), from its design document"
    assert {r["benchmark"] for r in rows} == {"DR tiers (prod)"}


def test_figures_and_labels(rows: list[dict]) -> None:
    g = _by_case(rows)
    rr = g["read-replica (warm standby), recommended (cheapest that meets the targets)"]
    cost = rr["monthly cost, modelled (prices x plan and usage)"]
    assert cost["value"] == pytest.approx(222.08, abs=0.005) and cost["text"] == "222.08"
    assert cost["unit"] == "USD/month"
    rto = rr["worst-case RTO, configured + modelled"]
    rpo = rr["worst-case RPO, configured + modelled"]
    assert (rto["value"], rto["unit"]) == (1140, "s (target 14400 s)")
    assert (rpo["value"], rpo["unit"]) == (900, "s (target 3600 s)")
    claim = next(v for k, v in g.items() if k.startswith("original design (claim)"))
    assert set(claim) == {"monthly cost, claimed", "RTO, claimed", "RPO, claimed (upper bound)"}
    assert claim["monthly cost, claimed"]["text"] == "12.95"
    assert (claim["RTO, claimed"]["value"], claim["RPO, claimed (upper bound)"]["value"]) == (510, 3600)
    for r in rows:   # nothing here is measured, and every figure says what it is
        assert "measured" not in r["metric"]
        assert any(w in r["metric"] for w in ("modelled", "claimed"))


def test_markdown_shows_the_claim_beside_our_figures(rows: list[dict]) -> None:
    md = bench.render_markdown(rows, {}, "make bench")
    assert ("| DR tiers (prod) | original design (claim), from its design document | monthly cost, "
            "claimed | 12.95 |  | USD/month |") in md
    assert ("| DR tiers (prod) | read-replica (warm standby), recommended (cheapest that meets the "
            "targets) | monthly cost, modelled (prices x plan and usage) | 222.08 |  | USD/month |") in md
    assert "| dms (warm standby), meets the targets | monthly cost, modelled (prices x plan and usage) " \
           "| 288.19 |" in md
