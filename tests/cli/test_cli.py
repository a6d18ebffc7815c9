"""The one command line: every command and option is listed by --help, exit codes are the
documented ones, and bad input exits 2 before anything runs."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from cli import main as cli_main
from cli.exit_codes import EPILOG, ExitCode


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_exit_codes_are_the_documented_values() -> None:
    assert [(c.name, int(c)) for c in ExitCode] == [
        ("OK", 0), ("FAILED", 1), ("CANNOT_RUN", 2), ("PROGRAM_FAILED", 3)]
    for code in ("0 ok", "1 mandatory violation", "2 bad config", "3 the program failed"):
        assert code in EPILOG


def test_top_level_help_lists_every_command_and_the_exit_codes(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit) as e:
        cli_main.main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert [m.NAME for m in cli_main.COMMANDS] == ["plan", "preview", "tiers", "drill", "bench"]
    for module in cli_main.COMMANDS:
        assert module.NAME in out and module.HELP in out, module.NAME
    assert "exit codes: 0 ok" in out


@pytest.mark.parametrize("name", ["plan", "preview", "tiers", "drill", "bench"])
def test_each_command_help_lists_every_option_with_its_help(
        name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    sub = _subparsers(cli_main.build_parser())[name]
    options = [a for a in sub._actions if a.option_strings and a.dest != "help"]
    assert options, f"{name} has no options"
    with pytest.raises(SystemExit) as e:
        cli_main.main([name, "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for action in options:
        assert action.help, f"{name} {action.option_strings} has no help"
        assert action.option_strings[-1] in out
    assert "exit codes:" in out


@pytest.mark.parametrize("argv", [[], ["no-such-command"], ["drill", "--scenario", "meteor"],
                                  ["preview", "--no-such-option"], ["tiers", "--no-such-option"],
                                  ["plan", "--strategy", "pilot-light"]])
def test_bad_usage_exits_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        cli_main.main(argv)
    assert e.value.code == ExitCode.CANNOT_RUN
    assert "usage:" in capsys.readouterr().err


def test_help_names_every_strategy_and_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    from contract.strategies import STRATEGIES
    from drill.scenarios import SCENARIOS

    for command, names in (("plan", STRATEGIES), ("drill", tuple(SCENARIOS))):
        with pytest.raises(SystemExit):
            cli_main.main([command, "--help"])
        out = " ".join(capsys.readouterr().out.split())
        assert all(n in out for n in names), (command, out)


def test_plan_without_a_stack_file_exits_2_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main.main(["plan", "--stack", "no-such-stack"]) == ExitCode.CANNOT_RUN
    assert "Pulumi.no-such-stack.yaml" in capsys.readouterr().err


def test_preview_policy_config_that_is_not_a_mapping_exits_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "policy.yaml"
    cfg.write_text("- just\n- a list\n")
    assert cli_main.main(["preview", "--policy-config", str(cfg)]) == ExitCode.CANNOT_RUN
    assert "must map policy names to settings" in capsys.readouterr().err


def test_bench_unknown_section_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main.main(["bench", "--only", "nope"]) == ExitCode.CANNOT_RUN
    assert "unknown section(s) ['nope']" in capsys.readouterr().err
