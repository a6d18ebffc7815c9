"""The estimate input: known and unknown terms, one estimate function for every builder."""

import pytest

from rto_rpo.inputs import (
    EstimateInputs,
    Estimates,
    RpoInputs,
    RtoInputs,
    Unknown,
    estimate,
    larger_promotion,
)
from rto_rpo.model import Basis, Term, health_check_detection, watchdog_detection

HC = health_check_detection(interval_seconds=10, failure_threshold=3, source="hc")  # 90 s
WD = watchdog_detection(rate_seconds=60, consecutive_failures=3, source="wd")       # 180 s


def _rto(**changes: object) -> RtoInputs:
    base = {"target_seconds": 3600.0, "detection": (HC, WD),
            "steps": (Term("step a", 30, "cfg"),), "promotion": Term("promotion", 600, "fig"),
            "dns_ttl": Term("DNS TTL", 60, "cfg")}
    return RtoInputs(**{**base, **changes})  # type: ignore[arg-type]


def test_known_terms_give_the_models_sum() -> None:
    est = estimate(EstimateInputs(rto=_rto()))
    assert est.rto is not None and est.rpo is None and est.unknown == ()
    assert [t.name for t in est.rto.terms] == [HC.name, "step a", "promotion", "DNS TTL"]
    assert est.rto.total_seconds == 90 + 30 + 600 + 60


def test_unknown_term_counts_as_zero_and_names_what_it_needs() -> None:
    ttl = Unknown("DNS TTL", ("urn:rec: ttl",))
    est = estimate(EstimateInputs(rto=_rto(dns_ttl=ttl)))
    assert est.rto is not None and est.rto.total_seconds == 90 + 30 + 600
    assert est.rto.terms[-1] == Term("DNS TTL (computed; counted as 0 s)", 0.0, "preview")
    assert est.unknown == ("urn:rec: ttl",)


def test_unknown_detection_path_is_the_fastest_so_the_total_is_a_lower_bound() -> None:
    path = Unknown("detection", ("urn:hc: requestInterval",), why="a path is computed")
    est = estimate(EstimateInputs(rto=_rto(detection=(HC, path))))
    assert est.rto is not None
    assert est.rto.terms[0].name == "detection (a path is computed; counted as 0 s)"
    assert est.rto.total_seconds == 30 + 600 + 60


def test_unknown_paths_are_listed_once_in_term_order() -> None:
    a, b = Unknown("step x", ("p1", "p2")), Unknown("step y", ("p2", "p3"))
    assert EstimateInputs(rto=_rto(steps=(a, b))).unknown() == ("p1", "p2", "p3")


def test_unknown_without_a_needed_input_is_refused() -> None:
    with pytest.raises(ValueError, match="must name the input it needs"):
        Unknown("detection", ())


def test_rpo_follows_the_strategys_rule() -> None:
    cadence, alarm = Term("cadence", 3600, "c"), Term("lag alarm", 900, "a")
    copy = Term("copy", 1800, "f", Basis.MODELLED)
    replica = estimate(EstimateInputs(rpo=RpoInputs(3600, "read-replica", cadence, alarm, copy)))
    pilot = estimate(EstimateInputs(rpo=RpoInputs(7200, "snapshot-restore", cadence, alarm, copy)))
    assert replica.rpo is not None and [t.seconds for t in replica.rpo.terms] == [900]
    assert pilot.rpo is not None and [t.seconds for t in pilot.rpo.terms] == [3600, 1800]


def test_measured_recovery_point_is_the_rpo() -> None:
    age = Term("recovery-point age at the failure", 12.5, "drill", Basis.MEASURED)
    est = estimate(EstimateInputs(rpo=RpoInputs(3600, "read-replica", recovery_point=age)))
    assert est.rpo is not None and est.rpo.terms == (age,) and est.rpo.met
    slow = Term("cadence", 7200, "rule")
    late = estimate(EstimateInputs(rpo=RpoInputs(3600, "dms", slow, recovery_point=age)))
    assert late.rpo is not None and not late.rpo.met
    assert "less than once per RPO" in late.rpo.findings[0]


def test_rpo_without_cadence_or_measurement_is_an_error() -> None:
    with pytest.raises(ValueError, match="needs the backup cadence"):
        estimate(EstimateInputs(rpo=RpoInputs(3600, "read-replica")))


def test_complete_names_the_missing_estimate() -> None:
    est = estimate(EstimateInputs(rto=_rto()))
    with pytest.raises(ValueError, match="no RPO estimate"):
        est.complete()
    assert Estimates(est.rto, est.rto).complete() == (est.rto, est.rto)


def test_configured_promotion_raises_the_model_but_never_lowers_it() -> None:
    modelled = Term("promotion", 600, "figure", Basis.MODELLED)
    up = larger_promotion(strategy="dms", modelled=modelled, configured=Term("p", 900, "cfg"))
    down = larger_promotion(strategy="dms", modelled=modelled, configured=Term("p", 60, "cfg"))
    assert (up.name, up.seconds, up.source, up.basis) == ("promotion (dms)", 900, "cfg",
                                                          Basis.CONFIGURED)
    assert (down.seconds, down.source, down.basis) == (600, "figure", Basis.MODELLED)
    assert larger_promotion(strategy="dms", modelled=modelled, configured=None).seconds == 600
