"""The estimate over real recorded plans of the prod stack."""

import json
import math
from collections import Counter

import pytest

from cost import Basis, estimate, render_text
from tests.cost.recorded import prod_plan, prod_variants

#: The module's tests run on one xdist worker, so its module-scoped fixtures are built once.
pytestmark = pytest.mark.xdist_group("tests/cost/test_prod_plan.py")


@pytest.fixture(scope="module")
def plan():
    return prod_plan()


@pytest.fixture(scope="module")
def est(plan):
    return estimate(plan.resources)


def test_every_resource_appears_exactly_once(plan, est):
    counts = Counter(ln.urn for ln in est.lines if ln.urn is not None)
    assert set(counts) == {r.urn for r in plan.resources}
    assert set(counts.values()) == {1}
    urns = {r.urn for r in plan.resources}
    for ln in est.lines:
        if ln.urn is None:                       # run-time lines follow from planned resources
            assert ln.derived_from and set(ln.derived_from) <= urns, ln.resource


def test_total_is_the_sum_of_the_lines_and_of_the_components(est):
    assert est.total_usd == pytest.approx(math.fsum(ln.monthly_usd or 0.0 for ln in est.lines))
    assert est.total_usd == pytest.approx(math.fsum(est.by_component().values()))
    for ln in est.lines:
        if ln.charges:
            assert ln.monthly_usd == pytest.approx(math.fsum(c.monthly_usd for c in ln.charges))


def test_prod_is_fully_priced_and_the_replica_dominates(est):
    assert est.complete, [(ln.resource, ln.reason) for ln in est.unpriced]
    replica = est.line(resource="standby-database-replica")
    # 730 h x $0.225 (estimate) + 100 GiB x $0.115 + 4 GiB/day x 30.4167 days x $0.02
    assert replica.monthly_usd == pytest.approx(730 * 0.225 + 100 * 0.115 + 4 * 730 / 24 * 0.02)
    assert est.by_component()["standby-database"] > est.total_usd / 2
    assert all(ln.basis is Basis.NO_CHARGE for ln in est.lines if ln.type.startswith("aws:iam/"))


def test_json_and_text(est):
    d = json.loads(json.dumps(est.to_dict()))
    assert d["total_usd"] == pytest.approx(est.total_usd)
    assert len(d["lines"]) == len(est.lines)
    assert d["usage"]["database"]["data_gib"] == 80
    assert d["figures"]["rds/instance/postgres/db.r6g.large@us-west-2"]["standing"] == "estimate"
    text = render_text(est)
    assert f"{est.total_usd:,.2f}" in text and "standby-database-replica" in text


def test_preview_plan_prices_the_same(est):
    preview = estimate(prod_variants()["preview"].resources)
    assert preview.complete, [(ln.resource, ln.reason) for ln in preview.unpriced]
    assert preview.unknown_inputs == []          # no figure rests on an input unknown in preview
    assert preview.total_usd == pytest.approx(est.total_usd)


def test_tiers_cost_what_they_run():
    variants = {name: estimate(p.resources) for name, p in prod_variants().items() if name != "preview"}
    for name, e in variants.items():
        assert e.complete, (name, [(ln.resource, ln.reason) for ln in e.unpriced])
    dms, snap = variants["dms"], variants["snapshot-restore"]
    assert dms.line(resource="standby-database-instance").monthly_usd == pytest.approx(
        730 * 0.082 + 50 * 0.115)
    assert not [ln for ln in snap.lines if ln.type == "aws:rds/instance:Instance"]
    assert snap.total_usd < estimate(prod_plan().resources).total_usd < dms.total_usd
