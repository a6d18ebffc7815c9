"""What the drill and the preview print when stdout is not a terminal: every line whole (neither
wrapped nor cut), rules of a readable width."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from cli import drill as cli
from cli.console import RULE_WIDTH, console_for, rule
from preview.render import make_console


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
