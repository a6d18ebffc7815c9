"""The program's planned RTO/RPO from settings (components.budgets)."""

import copy

import yaml

from components.budgets import planned_rto
from components.settings import settings_from_raw
from engine.paths import ROOT

P = "ecommerce-dr:"
RAW = {k[len(P):]: v for k, v in
       yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())["config"].items() if k.startswith(P)}


def _promotion(promotion_seconds):
    raw = copy.deepcopy(RAW)
    if promotion_seconds is not None:
        raw["failover"]["promotionSeconds"] = promotion_seconds
    (term,) = [t for t in planned_rto(settings_from_raw(raw)).terms if t.name.startswith("promotion")]
    return term


def test_promotion_defaults_to_the_modelled_figure():
    t = _promotion(None)
    assert (t.seconds, str(t.basis)) == (600, "modelled")


def test_configured_promotion_can_raise_the_model_but_not_lower_it():
    assert (_promotion(1200).seconds, str(_promotion(1200).basis)) == (1200, "configured")
    assert (_promotion(60).seconds, str(_promotion(60).basis)) == (600, "modelled")
