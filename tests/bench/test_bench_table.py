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
    assert "| drill | default | wall time | 12.3 | 11-14 | s |" in md
    assert "| failover | read-replica | API calls | 38 |  | calls |" in md
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
