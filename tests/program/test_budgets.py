"""The program's planned RTO/RPO from settings (components.budgets)."""

import copy

import yaml

from components.budgets import planned_inputs, planned_rpo, planned_rto
from components.settings import settings_from_raw
from engine.paths import ROOT
from rto_rpo.model import Term

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


def test_program_inputs_are_all_known_and_sourced():
    inputs = planned_inputs(settings_from_raw(copy.deepcopy(RAW)))
    assert inputs.unknown() == ()
    terms = [*inputs.rto.detection, *inputs.rto.steps, inputs.rto.promotion,
             inputs.rto.traffic_shift, inputs.rto.dns_ttl, inputs.rpo.backup_cadence,
             inputs.rpo.replication_alarm]
    assert all(isinstance(t, Term) and t.source for t in terms)
    assert inputs.rpo.snapshot_copy is None  # read-replica: the alarm bounds the RPO


def test_snapshot_restore_rpo_takes_cadence_and_copy_from_settings():
    raw = copy.deepcopy(RAW)
    raw["database"] = {**raw["database"], "strategy": "snapshot-restore"}
    raw["rpoMinutes"] = 120
    rpo = planned_rpo(settings_from_raw(raw))
    assert [(t.name, t.source) for t in rpo.terms] == [
        ("backup cadence", "ecommerce-dr:backup.cadenceMinutes"),
        ("cross-Region snapshot copy", "ecommerce-dr:database.snapshotCopySeconds")]
