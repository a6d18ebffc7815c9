"""Bad stack config in an edited copy of Pulumi.prod.yaml: every tool (plan, preview, tiers,
drill) exits 2 with a message naming the fully qualified key and what is allowed, before
the program declares any resource."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cli import main as cli_main
from cli.exit_codes import ExitCode
from contract.identifiers import LAMBDA_FUNCTION_REF_HELP
from engine.paths import ROOT
from engine.plan import PlanConfigError, record_plan

PROD = (ROOT / "Pulumi.prod.yaml").read_text()
COMMANDS = ("plan", "preview", "tiers", "drill")
WARM_URL = "      - https://shop-usw2.example.com/api/catalog/warm\n"
TAGS = "    cost-center: ecommerce\n"


def _warm(entry: str) -> tuple[str, str]:
    return WARM_URL, f"{WARM_URL}    warmFunctions:\n      - {entry!r}\n"


def _tag(line: str) -> tuple[str, str]:
    return TAGS, f"{TAGS}    {line}\n"


#: id -> (text to find, its replacement, the key named, what is allowed, as printed).
CASES: dict[str, tuple[str, str, str, str]] = {
    "rto-rounds-to-0-s": ("rtoMinutes: 240", "rtoMinutes: 0.001", "ecommerce-dr:rtoMinutes",
                          "must be a number of minutes from 1/60 (= 1 s"),
    "rpo-rounds-to-0-s": ("rpoMinutes: 60", "rpoMinutes: 0.001", "ecommerce-dr:rpoMinutes",
                          "to 10080, got 0.001"),
    "database-list": ("", "", "ecommerce-dr:database",
                      "must be an object (a YAML mapping of key: value) with keys from: "
                      "strategy, primaryInstanceArn"),
    "tag-date": (*_tag("created: 2026-12-01"), "ecommerce-dr:tags.created",
                 "is a YAML date, which a config value cannot hold (JSON: strings, numbers, "
                 "booleans, lists and objects); quote it ('2026-12-01') to give a string"),
    "binary": ("    intervalSeconds: 10", "    intervalSeconds: !!binary aGVsbG8=",
               "ecommerce-dr:healthCheck.intervalSeconds",
               "is a YAML binary (!!binary) value, which a config value cannot hold"),
    "dr-role-tag": (*_tag("dr:role: standby-database"), "ecommerce-dr:tags",
                    "tag keys ['dr:role'] are the program's own: keys starting with 'dr:' (any "
                    "case) and 'managed-by' are reserved"),
    "managed-by-tag": (*_tag("managed-by: ecommerce-dr/prod"), "ecommerce-dr:tags",
                       "tag keys ['managed-by'] are the program's own"),
    "instance-class": ("instanceClass: db.r6g.large", "instanceClass: banana",
                       "ecommerce-dr:database.instanceClass",
                       "must be a DB instance class db.<class family>.<size>, like db.r6g.large "
                       "(got 'banana')"),
    "boolean-port": ("    port: 443", "    port: true", "ecommerce-dr:healthCheck.port",
                     "must be an integer 1-65535, not a boolean (got True)"),
    "warm-star": (*_warm("*"), "ecommerce-dr:failover.warmFunctions",
                  f"entry 0 ('*'): each entry must be {LAMBDA_FUNCTION_REF_HELP}"),
    "warm-wildcard-arn": (*_warm("arn:aws:lambda:*:*:function:*"),
                          "ecommerce-dr:failover.warmFunctions",
                          "entry 0 ('arn:aws:lambda:*:*:function:*'): each entry must be"),
    "warm-other-region": (*_warm("arn:aws:lambda:eu-west-1:123456789012:function:warm"),
                          "ecommerce-dr:failover.warmFunctions[0]",
                          "is in eu-west-1, account 123456789012; a warm function must be in "
                          "standbyRegion (us-west-2) and the stack's account (123456789012)"),
}


def _edited(tmp_path: Path, case: str) -> Path:
    find, replace = CASES[case][:2]
    if case == "database-list":
        text = re.sub(r"  ecommerce-dr:database:\n(    .*\n)+",
                      "  ecommerce-dr:database: [1, 2]\n", PROD)
    else:
        assert PROD.count(find) == 1
        text = PROD.replace(find, replace)
    assert text != PROD
    path = tmp_path / "Pulumi.edited.yaml"
    path.write_text(text)
    return path


def _extra(command: str, tmp_path: Path) -> list[str]:
    return {"tiers": ["--no-plot"],
            "drill": ["--reports-dir", str(tmp_path / "r"), "--data-dir", str(tmp_path / "d"),
                      "--quiet"]}.get(command, [])


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", list(CASES))
def test_every_tool_exits_2_naming_the_key_and_what_is_allowed(
        case: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _edited(tmp_path, case)
    code = cli_main.main([command, "--stack-file", str(path), *_extra(command, tmp_path)])
    got = capsys.readouterr()
    out = " ".join((got.out + got.err).split())   # rich wraps long lines
    key, allowed = CASES[case][2:]
    assert code == ExitCode.CANNOT_RUN, out[-1500:]
    assert f"{key}: " in out and " ".join(allowed.split()) in out, out[-1500:]
    assert "Traceback" not in out and "resources," not in out


@pytest.mark.parametrize("case", list(CASES))
def test_the_program_declares_nothing_first(case: str, tmp_path: Path) -> None:
    with pytest.raises(PlanConfigError) as e:
        record_plan("prod", stack_file=_edited(tmp_path, case))
    assert e.value.resources_declared == 0
    assert f"{CASES[case][2]}: " in str(e.value)


@pytest.mark.parametrize(("argv", "key"), [
    (["plan", "--strategy", "dms"], "database"),
    (["plan", "--strategy", "aurora-global"], "database"),
    (["plan", "--mode", "automatic"], "failover"),
    (["drill", "--strategy", "dms", "--quiet"], "database"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else v)
def test_a_strategy_or_mode_override_leaves_a_non_object_to_the_programs_check(
        argv: list[str], key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = re.sub(rf"  ecommerce-dr:{key}:\n(    .*\n)+", f"  ecommerce-dr:{key}: [1, 2]\n", PROD)
    assert text != PROD
    path = tmp_path / "Pulumi.edited.yaml"
    path.write_text(text)
    extra = _extra("drill", tmp_path)[:4] if argv[0] == "drill" else []
    code = cli_main.main([*argv, "--stack-file", str(path), *extra])
    got = capsys.readouterr()
    out = " ".join((got.out + got.err).split())
    assert code == ExitCode.CANNOT_RUN, out[-1500:]
    assert f"ecommerce-dr:{key}: must be an object (a YAML mapping of key: value)" in out
    assert "Traceback" not in out
