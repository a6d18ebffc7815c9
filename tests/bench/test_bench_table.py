"""`make bench`'s aggregation: rows from area modules, the markdown table, partial runs."""

import os
import sys
import types

from bench import run as bench
from cli.bench import main as bench_main


def test_area_rows_keep_their_case_columns(monkeypatch):
    mod = types.ModuleType("fake_bench_area")
    mod.measure = lambda: [{"benchmark": "backup", "databases": 10, "metric": "API calls per database",
                            "value": 3.6, "unit": "calls"}]
    monkeypatch.setitem(sys.modules, "fake_bench_area", mod)
    (r,) = bench.area("fake_bench_area")()
    assert (r["benchmark"], r["case"], r["metric"], r["value"]) == (
        "backup", "databases=10", "API calls per database", 3.6)


def test_markdown_has_machine_command_rows_and_unmeasured_sections():
    rows = [bench.row("drill", "default", "wall time", 12.345, "s", (11.0, 14.0)),
            bench.row("failover", "read-replica", "API calls", 38, "calls")]
    md = bench.render_markdown(rows, {"tests": "CalledProcessError: exit 1"}, "make bench")
    assert "Command: `make bench`" in md and "cores" in md
    assert "| drill | default | wall time | 12.3 | 11-14 | s | measured |" in md
    assert "| failover | read-replica | API calls | 38 |  | calls | measured |" in md
    assert "- tests: CalledProcessError: exit 1" in md


def test_timed_reports_median_and_spread_after_warmup():
    calls = []
    med, lo, hi = bench.timed(lambda: calls.append(1), repeat=3, warmup=2)
    assert len(calls) == 5 and lo <= med <= hi


def test_partial_run_never_rewrites_the_table(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "BENCHMARKS_FILE", tmp_path / "BENCHMARKS.md")
    monkeypatch.setitem(bench.SECTIONS, "model", lambda: [bench.row("m", "c", "x", 1, "s")])
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    assert bench_main(["--only", "model"]) == 0
    assert not (tmp_path / "BENCHMARKS.md").exists()
    assert "POWERTOOLS_METRICS_DISABLED" not in os.environ  # no leak into later tests


def _report(*, skipped: float = 0.0) -> dict:
    """A drill report with just what the drill rows read."""
    window = {"drill_clock_seconds": 2.0 + skipped, "measured_seconds": 2.0,
              "skipped_seconds": skipped, "skipped": ["the link stays stalled"] if skipped else []}
    rpo_basis = "modelled" if skipped else "measured"
    return {
        "drill": {"scenario": "replication-lag" if skipped else "happy-path", "strategy": "read-replica",
                  "wall_seconds": 14.0},
        "verdict": "pass", "api_calls": {"per_step": {"failover": {"handlers": 37}}},
        "route53": {"failover_path_calls": 0},
        "timeline": [{"step": "failover", "detail": {"invocations": 1}}],
        "clock_skips": [{"name": "the link stays stalled", "seconds": skipped}] if skipped else [],
        "data_plane": {"seconds": 7.0, "share_of_wall": 0.5},
        "data": {"counted": True, "failed_over": True,
                 "orders": {"acknowledged": 60, "lost": 20},
                 "data_loss_window_seconds": 2.0 + skipped, "data_loss_window": window,
                 "outage": {"measured_seconds": 1.5},
                 "lag_at_failure": {"AWS/RDS ReplicaLag": {"metric": {"seconds": 1.9 + skipped},
                                                           "postgres": {"seconds": 1.9}}}},
        "rto": {"achieved": {"total_seconds": 811, "target_seconds": 14400, "terms": [
            {"basis": "modelled"}, {"basis": "measured"}, {"basis": "modelled"}]}},
        "rpo": {"achieved": {"total_seconds": 2.0 + skipped, "target_seconds": 3600,
                             "terms": [{"basis": rpo_basis}]}},
    }


def test_drill_rows_label_every_figure_truthfully():
    from bench.drill import rows_from_report

    rows = {r["metric"]: r for r in rows_from_report(_report())}
    assert rows["orders lost (read from the new writer)"]["basis"] == "measured"
    assert rows["data-loss window"]["basis"] == "measured"
    assert rows["customer-visible outage on the emulator"]["basis"] == "measured"
    assert rows["RTO achieved"]["basis"] == "measured + modelled"
    assert rows["RPO achieved"]["basis"] == "measured" and rows["RPO achieved"]["value"] == 2.0
    assert rows["data plane's share of the wall time"]["value"] == 50.0
    assert not any("seeded" in m or m == "RPO achieved (measured)" for m in rows)
    assert {r["basis"] for r in rows.values()} <= {"measured", "measured + modelled"}


def test_a_skipped_wait_makes_a_drill_figure_measured_plus_modelled():
    from bench.drill import rows_from_report

    rows = {r["metric"]: r for r in rows_from_report(_report(skipped=3658.0))}
    assert rows["data-loss window"]["basis"] == "measured + modelled"
    assert rows["RPO achieved"]["basis"] == "measured + modelled"
    assert rows["AWS/RDS ReplicaLag at the failure, as the metric showed it"]["basis"] == \
        "measured + modelled"
    assert rows["AWS/RDS ReplicaLag at the failure, as PostgreSQL showed it"]["basis"] == "measured"


def test_a_row_carries_a_known_basis_into_the_table():
    import pytest

    with pytest.raises(ValueError, match="basis"):
        bench.row("drill", "c", "x", 1, "s", basis="seeded")
    md = bench.render_markdown([bench.row("modelled (prod)", "RTO", "worst case", 1140, "s",
                                          basis="modelled + configured")], {}, "make bench")
    assert "| Unit | Basis |" in md
    assert "| modelled (prod) | RTO | worst case | 1140 |  | s | modelled + configured |" in md
    from bench.model import measure_rows

    assert {r["case"]: r["basis"] for r in measure_rows()} == {
        "detection": "configured", "RTO worst case": "modelled + configured",
        "RPO worst case": "configured"}
