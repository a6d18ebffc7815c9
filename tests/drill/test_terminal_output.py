"""What the drill and the preview print when stdout is not a terminal: every line whole (neither
wrapped nor cut), rules of a readable width."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cli import drill as cli
from cli.console import RULE_WIDTH, console_for, rule
from contract.strategies import Strategy
from drill.clock import DrillClock
from drill.data.loss import split
from drill.report import cycle, failback, timeline
from drill.report.deployment import counts_line
from drill.report.markdown import markdown
from drill.report.pause import write_pause
from drill.report.terminal import summary_lines
from drill.scenarios import CYCLE_STRATEGIES, SCENARIOS
from drill.steps.data_loss import window_detail
from drill.text import answer_text, counts, http_text, pairs
from engine.paths import ROOT
from preview.render import make_console
from tests.drill.shared import DrillRun


def test_the_preview_console_on_a_pipe_neither_wraps_nor_cuts(monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    console = make_console()
    line = "  + backup cadence: 3600 s [configured] from urn:pulumi:prod::" + "x" * 300
    console.print(line, markup=False)
    assert out.getvalue().splitlines() == [line]


def test_a_rule_without_a_width_limit_is_readable_and_keeps_its_title() -> None:
    out = io.StringIO()
    console = console_for(out, color_system=None)
    rule(console, "short")
    long_title = "; ".join(["27 policies, 54 Analyze calls"] * 5)
    rule(console, long_title)
    short_line, long_line = out.getvalue().splitlines()
    assert len(short_line) == RULE_WIDTH and "short" in short_line
    assert long_title in long_line and len(long_line) == len(long_title) + 8


def test_the_policy_gate_failure_prints_each_line_whole(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    # prod on snapshot-restore misses the RPO at the gate (hourly backups + the copy time)
    rc = cli.main(["--strategy", "snapshot-restore", "--quiet",
                   "--reports-dir", str(tmp_path / "reports")])
    assert rc == 2
    lines = capsys.readouterr().out.splitlines()
    cadence, = [ln for ln in lines if "+ backup cadence:" in ln]
    assert "[configured] from urn:pulumi:" in cadence and cadence.endswith("CADENCE_MINUTES)")
    copy, = [ln for ln in lines if "+ cross-Region snapshot copy:" in ln]
    assert copy.endswith("unless configured")
    assert not any(ln.strip() in ("configured", "CADENCE_MINUTES)") for ln in lines)


# -- the data-loss window check ----------------------------------------------------------------

def test_the_data_loss_window_detail_has_no_split_without_lost_orders() -> None:
    none = split(DrillClock(), None, None)
    assert window_detail(0.0, 0, none) == "0.000 s (0 order(s) lost)"
    clock = DrillClock()
    start = clock.now()
    clock.advance(60, "dns-ttl: one TTL")
    skipped = split(clock, start, clock.now())
    detail = window_detail(60.0, 3, skipped)
    assert detail.startswith("60.000 s (3 order(s) lost; ") and "60.0 s skipped" in detail
    assert "None" not in detail


def test_no_drill_check_detail_says_none(drill_happy: DrillRun) -> None:
    details = [c["detail"] for c in drill_happy.report["checks"]]
    assert details and not [d for d in details if "None" in d]
    (window,) = [c for c in drill_happy.report["checks"] if c["name"].startswith("data-loss window")]
    assert window["detail"].endswith("(0 order(s) lost)")


# -- the customer-visible write pause ----------------------------------------------------------

def test_a_pause_with_a_skipped_wait_adds_it_as_modelled_and_names_it() -> None:
    pause = {"drill_clock_seconds": 60.41, "measured_seconds": 0.41, "skipped_seconds": 60.0,
             "skipped": ["DNS TTL: the customers' cached answer expires"], "failed_orders": 4}
    assert write_pause(pause) == ("0.410 s measured + 60 s modelled, skipped on the drill's clock "
                                  "(DNS TTL: the customers' cached answer expires); 4 order(s) "
                                  "refused")
    assert write_pause({**pause, "skipped_seconds": 0.0, "skipped": []}) == (
        "0.410 s measured; 4 order(s) refused")
    assert write_pause(None) == "not measured"


def test_the_failback_pauses_read_as_the_cycle_ones(drill_aurora_failback: DrillRun) -> None:
    r = drill_aurora_failback.report
    printed = failback.terminal_lines(r["data"]) + markdown(r).splitlines()
    pauses = [ln for ln in printed if "write pause" in ln or "SwitchoverGlobalCluster" in ln]
    assert pauses and not [ln for ln in pauses if "of it skipped" in ln]
    fo = r["data"]["failback"]["failover"]["write_pause"]
    assert fo["skipped_seconds"] > 0
    assert any(write_pause(fo) in ln and " s measured + " in ln for ln in pauses)


# -- a refused failover's report ---------------------------------------------------------------

def test_a_refused_failover_report_has_no_empty_block_and_no_new_writer(
        drill_lag_refused: DrillRun) -> None:
    md = markdown(drill_lag_refused.report)
    achieved = md.split("## RTO and RPO achieved", 1)[1].split("\n## ", 1)[0]
    assert "```" not in achieved
    assert "Nothing failed over, so neither an RTO nor an RPO was achieved." in achieved
    assert "standby standby" not in md
    assert "the acknowledged orders the standby's database (standby, us-west-2) lacks" in md
    (acked,) = [ln for ln in md.splitlines() if ln.startswith("| orders acknowledged |")]
    assert "new writer" in acked and "no new writer" in acked and "0 by the new writer" not in acked


def test_a_failover_report_keeps_its_breakdown_block(drill_happy: DrillRun) -> None:
    r = drill_happy.report
    achieved = markdown(r).split("## RTO and RPO achieved", 1)[1].split("\n## ", 1)[0]
    block = achieved.split("```")[1]
    assert r["rto"]["breakdown"].splitlines()[0] in block and "RPO achieved" in block
    assert "\n\n\n" not in block


# -- counts and lists, never Python reprs ------------------------------------------------------

_REPRS = ("{'", "['", '{"', '["', "=None", " None ")


def test_counts_lists_and_fields_read_as_text() -> None:
    assert counts({"same": 55, "update": 1}) == "55 same, 1 update"
    assert counts({"update": 1, "same": 55}) == "55 same, 1 update"
    assert counts({}) == "none"
    assert counts({"HTTP 503: no database": 3, "HTTP 503: read-only": 1}, sep="; ") == (
        "3 HTTP 503: no database; 1 HTTP 503: read-only")
    assert pairs({"identifier": "shop-standby", "exists": True, "replica_source": None,
                  "seconds": [0.0059], "gate": {"armed": False}}) == (
        "identifier shop-standby, exists yes, replica source -, seconds 0.0059, gate (armed no)")
    assert answer_text({"name": "shop.example.com", "answer": "PRIMARY",
                        "values": ["shop-use1.example.com"]}) == (
        "shop.example.com -> PRIMARY (shop-use1.example.com)")
    assert http_text(200, {"status": "ok"}) == "HTTP 200: status ok"


def test_no_check_or_skip_of_a_drill_prints_a_repr(drill_happy: DrillRun) -> None:
    r = drill_happy.report
    md = markdown(r)
    checks = md.split("## Checks", 1)[1]
    # a substitution shows the environment value itself (WARM_URLS is a JSON list)
    shown = [ln for ln in checks.splitlines() if not ln.startswith("- substituted ")]
    assert len(shown) > 20 and not [ln for ln in shown if any(x in ln for x in _REPRS)]
    assert not [ln for ln in summary_lines(drill_happy.result) if any(x in ln for x in _REPRS)]


def test_the_cycle_table_counts_changes_as_text(drill_full_cycle: DrillRun) -> None:
    r = drill_full_cycle.report
    table = cycle.markdown_lines(r)
    rows = [ln for ln in table if ln.startswith(("| failed-over ", "| reverse-replicating ",
                                                 "| normal "))]
    assert len(rows) == 3 and not [ln for ln in rows if any(x in ln for x in _REPRS)]
    ops = r["cycle"]["deploys"]["failed-over"]["ops"]
    assert f"| {counts(ops)}: " in rows[0] and f"{ops['same']} same" in rows[0]


def test_failed_orders_by_cause_read_as_counts(drill_aurora_failback: DrillRun) -> None:
    r = drill_aurora_failback.report
    (line,) = [ln for ln in failback.markdown_lines(r["data"]) if "by cause" in ln]
    causes = r["data"]["failback"]["failures_by_cause"]
    assert causes and line.endswith(counts(causes, sep="; ")) and "{" not in line


# -- what the plan applier did -----------------------------------------------------------------

def test_the_deployment_counts_add_up_and_agree_everywhere(drill_happy: DrillRun) -> None:
    r = drill_happy.report
    dep, planned = r["deployment"], r["drill"]["planned_resources"]
    assert planned == dep["applied"] + len(dep["skipped"]) + len(dep["failed"])
    partial = {p["urn"].rsplit("::", 1)[-1] for p in dep["partly_applied"]}
    assert partial == {"failover-function", "backup-function"}
    assert not partial & {s["urn"].rsplit("::", 1)[-1] for s in dep["skipped"]}
    assert all(p["left_out"].startswith("layers arn:aws:lambda:") for p in dep["partly_applied"])
    line = counts_line(r)
    assert line.startswith(f"{planned} planned resources: {dep['applied']} applied to the "
                           "emulator (2 of them partly: ")
    assert f"{line}; " in markdown(r)
    assert f"Deployment: {line}" in summary_lines(drill_happy.result)


# -- drill-timeline.png ------------------------------------------------------------------------

def _skip_boxes(r: dict[str, Any]) -> tuple[list[str], list[Any]]:
    """Draw ``r``'s chart; assert its skip labels overlap neither each other nor the legend."""
    import matplotlib.pyplot as plt

    fig = timeline.figure(r)
    try:
        renderer = fig.canvas.get_renderer()
        customers = fig.axes[1]
        legend = customers.get_legend()
        names = [t.get_text() for t in legend.get_texts()]
        assert not [n for n in names if "_" in n]
        skips = [t for t in customers.texts if t.get_text().startswith("clock skipped")]
        assert skips
        boxes = [t.get_window_extent(renderer) for t in skips]
        panel, key = customers.get_window_extent(renderer), legend.get_window_extent(renderer)
        for k, box in enumerate(boxes):
            assert not box.overlaps(key) and panel.x0 <= box.x0 and box.x1 <= panel.x1
            assert not [other for other in boxes[k + 1:] if box.overlaps(other)]
        return names, skips
    finally:
        plt.close(fig)


def test_the_full_cycle_chart_labels_neither_overlap_nor_show_raw_names(
        drill_full_cycle: DrillRun) -> None:
    r = drill_full_cycle.report
    names, skips = _skip_boxes(r)
    assert {"primary Region recovered", "failback started", "second failure"} <= set(names)
    total = sum(int(t.get_text().split()[2]) for t in skips)
    assert abs(total - sum(sk["seconds"] for sk in r["clock_skips"])) <= len(skips)
    # crowded: every skip three times, a tenth of a second apart, interleaved with the others
    # near it: no more labels than before (copies join their own kind's label; two labels
    # of a kind may merge), and still none overlapping
    crowded = [{**sk, "wall_offset_seconds": sk["wall_offset_seconds"] + d}
               for sk in r["clock_skips"] for d in (0.0, 0.1, 0.2)]
    assert 0 < len(_skip_boxes({**r, "clock_skips": crowded})[1]) <= len(skips)


# -- python -m cli drill --help ----------------------------------------------------------------

def test_the_help_lists_every_scenario_with_the_strategies_it_drills(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    text = capsys.readouterr().out
    listed = text.split("each with the strategies it drills:\n", 1)[1].split("\n\n", 1)[0]
    entries = re.findall(r"(\S+): [^\[]+ \[(.+?)\](?= \S+:|$)", " ".join(listed.split()))
    assert [name for name, _ in entries] == list(SCENARIOS)
    runs_on = dict(entries)
    assert runs_on["failback"] == "aurora-global only (--stack aurora; make drill STACK=aurora)"
    assert runs_on["full-cycle"] == runs_on["happy-path"] == "every strategy"
    assert runs_on["replication-lag"] == "read-replica, dms, aurora-global"
    assert set(CYCLE_STRATEGIES) == set(Strategy)


# -- make drill / make preview STACK_FILE=... ------------------------------------------------------

def _make_line(target: str, *assignments: str) -> list[str]:
    out = subprocess.run(["make", "-n", target, *assignments], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    (line,) = [ln for ln in out.splitlines() if f"-m cli {target}" in ln]
    return line.split()


@pytest.mark.parametrize("target", ["drill", "preview"])
def test_make_passes_stack_file_as_the_cli_option(target: str) -> None:
    argv = _make_line(target, "STACK_FILE=/x/Pulumi.pilot.yaml", "STRATEGY=snapshot-restore")
    assert argv[argv.index("--stack-file") + 1] == "/x/Pulumi.pilot.yaml"
    assert "--stack-file" not in _make_line(target)


def test_the_readme_gives_the_make_route_for_the_snapshot_restore_recipe() -> None:
    readme = (ROOT / "README.md").read_text()
    recipe = readme.split("(*) On prod, `STRATEGY=snapshot-restore`", 1)[1].split("\n\n", 2)
    assert "make drill STRATEGY=snapshot-restore STACK_FILE=" in "\n".join(recipe[:2])


def test_a_cycle_reports_the_deploy_steps_counts(drill_full_cycle: DrillRun) -> None:
    r = drill_full_cycle.report
    dep, planned = r["deployment"], r["drill"]["planned_resources"]
    assert planned == dep["applied"] + len(dep["skipped"]) + len(dep["failed"])
    assert len(dep["partly_applied"]) == 2
    assert "## Deployment of the plan (the deploy step; the cycle's deploys: above)" in markdown(r)


def test_interleaved_skips_of_two_kinds_keep_one_label_per_kind() -> None:
    from types import SimpleNamespace

    ax = SimpleNamespace(get_xlim=lambda: (0.0, 20.0))   # a 3 % window is 0.6 s
    skips = [{"wall_offset_seconds": 5.0 + d + k * 0.05, "name": f"{name}: why", "seconds": s}
             for d in (0.0, 0.1, 0.2) for k, (name, s) in enumerate([("DNS TTL", 60), ("poll", 15)])]
    assert timeline._grouped(ax, skips) == [(5.0, 180, "DNS TTL x3"), (5.05, 45, "poll x3")]
    far = [*skips, {"wall_offset_seconds": 9.0, "name": "DNS TTL: again", "seconds": 60}]
    assert [label for *_, label in timeline._grouped(ax, far)] == ["DNS TTL x3", "poll x3", "DNS TTL"]


def _no_repr_in(run: DrillRun) -> None:
    shown = [ln for ln in markdown(run.report).splitlines() if not ln.startswith("- substituted ")]
    reprs = [ln for ln in shown if any(x in ln for x in (*_REPRS, "Instance(", ": True", ": False"))]
    assert len(shown) > 40 and reprs == []


# one test per shared drill: each joins that drill's xdist group (tests/drill/conftest.py)
def test_the_cycle_report_prints_no_repr(drill_full_cycle: DrillRun) -> None:
    _no_repr_in(drill_full_cycle)


def test_the_dms_cycle_report_prints_no_repr(drill_dms_full_cycle: DrillRun) -> None:
    _no_repr_in(drill_dms_full_cycle)


def test_the_aurora_cycle_report_prints_no_repr(drill_aurora_full_cycle: DrillRun) -> None:
    _no_repr_in(drill_aurora_full_cycle)
