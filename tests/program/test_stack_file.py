"""Stack files the offline tools read: every fault is a config error (exit code 2) that names
the file and the key, never a traceback (exit 1 reads as "mandatory violation" in CI) and
never a silent choice.

The exit code is tested through the preview's entry point, once as a function call and once
as ``python -m cli preview`` in a subprocess.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from components.settings import ConfigError, read_stack_file, settings_from_stack_file
from engine.paths import ROOT

PROD = (ROOT / "Pulumi.prod.yaml").read_text()
EMAIL = "  ecommerce-dr:alertEmail: sre-oncall@example.com\n"
assert EMAIL in PROD


def stack_file(tmp_path: Path, text: str | bytes, name: str = "Pulumi.broken.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def errors(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as e:
        read_stack_file(path)
    return e.value.errors


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line number of the ``nth`` line that starts with ``needle`` (stripped)."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if line.strip().startswith(needle)]
    return hits[nth - 1]


def preview_exit_code(path: Path) -> tuple[int, str]:
    from preview.run import run

    out = io.StringIO()
    result = run("prod", stack_file=path, console=Console(file=out, width=200))
    return result.exit_code, out.getvalue()


# --- encoding --------------------------------------------------------------------------------

LATIN1 = PROD.replace("# Production DR for shop.example.com",
                      "# Production DR for shop.example.com (caf\u00e9)").encode("latin-1")


def test_non_utf8_stack_file_is_a_config_error(tmp_path: Path) -> None:
    path = stack_file(tmp_path, LATIN1)
    offset = LATIN1.index(b"\xe9")
    assert errors(path) == [
        f"{path}: is not UTF-8 text (byte 0xe9 at offset {offset}, line 1); Pulumi stack files "
        "are UTF-8: save it as UTF-8"]


def test_non_utf8_stack_file_exits_2_from_preview(tmp_path: Path) -> None:
    path = stack_file(tmp_path, LATIN1)
    code, out = preview_exit_code(path)
    assert code == 2 and "is not UTF-8 text" in out and "Traceback" not in out


def test_non_utf8_stack_file_exits_2_from_the_preview_command(tmp_path: Path) -> None:
    path = stack_file(tmp_path, LATIN1)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    proc = subprocess.run([sys.executable, "-m", "cli", "preview", "--stack-file", str(path)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "is not UTF-8 text" in proc.stdout and "Traceback" not in proc.stdout + proc.stderr


def test_utf8_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = stack_file(tmp_path, b"\xef\xbb\xbf" + PROD.encode())
    assert settings_from_stack_file(path).site.failover_fqdn == "shop.example.com"


# --- duplicate keys --------------------------------------------------------------------------

def test_duplicate_config_key_is_refused_naming_it_and_its_lines(tmp_path: Path) -> None:
    text = PROD.replace(EMAIL, EMAIL + "  ecommerce-dr:alertEmail: someone-else@example.com\n")
    path = stack_file(tmp_path, text)
    first, second = (line_of(text, "ecommerce-dr:alertEmail:", n) for n in (1, 2))
    assert errors(path) == [
        f"{path}: line {second}: duplicate key 'ecommerce-dr:alertEmail' (first at line "
        f"{first}); YAML would silently keep the last value: keep one"]
    code, out = preview_exit_code(path)
    assert code == 2 and "duplicate key 'ecommerce-dr:alertEmail'" in out


def test_duplicate_nested_key_is_refused_with_its_path(tmp_path: Path) -> None:
    text = PROD.replace("    failoverFqdn: shop.example.com\n",
                        "    failoverFqdn: shop.example.com\n    failoverFqdn: www.example.com\n")
    path = stack_file(tmp_path, text)
    first, second = (line_of(text, "failoverFqdn:", n) for n in (1, 2))
    assert errors(path) == [
        f"{path}: line {second}: duplicate key 'ecommerce-dr:site.failoverFqdn' (first at line "
        f"{first}); YAML would silently keep the last value: keep one"]


def test_every_duplicate_is_listed(tmp_path: Path) -> None:
    text = PROD.replace(EMAIL, EMAIL * 3)
    assert len(errors(stack_file(tmp_path, text))) == 2


# --- secrets ---------------------------------------------------------------------------------

SECURE = "v1:S3cr3tNonce:AAABBBCCCDDD=="


def test_secure_value_says_secrets_are_not_decrypted_and_what_to_do(tmp_path: Path) -> None:
    text = PROD.replace(EMAIL, f"  ecommerce-dr:alertEmail:\n    secure: {SECURE}\n")
    path = stack_file(tmp_path, text)
    (message,) = errors(path)
    assert message == (
        f"{path}: ecommerce-dr:alertEmail: is a Pulumi secret (secure:), and the offline tools "
        "do not decrypt secrets (that needs the Pulumi CLI and the stack's secrets provider); "
        "for an offline run, give a plain value for it in a copy of the stack file and pass "
        "that with --stack-file")
    assert "email address" not in message
    code, out = preview_exit_code(path)
    assert code == 2 and "do not decrypt secrets" in out


def test_nested_secure_value_is_named_by_its_path(tmp_path: Path) -> None:
    text = PROD.replace("    standbyIdentifier: shop-standby\n",
                        f"    standbyIdentifier:\n      secure: {SECURE}\n")
    (message,) = errors(stack_file(tmp_path, text))
    assert message.startswith(
        f"{tmp_path / 'Pulumi.broken.yaml'}: ecommerce-dr:database.standbyIdentifier: is a "
        "Pulumi secret (secure:)")


def test_secrets_of_other_packages_are_left_alone(tmp_path: Path) -> None:
    # The program never reads them; the provider's own config may well be secret.
    text = PROD.replace(EMAIL, EMAIL + f"  datadog:apiKey:\n    secure: {SECURE}\n")
    cfg = read_stack_file(stack_file(tmp_path, text))
    assert cfg["datadog:apiKey"] == {"secure": SECURE}


# --- values JSON cannot carry ----------------------------------------------------------------

CANNOT_HOLD = ("which a config value cannot hold (JSON: strings, numbers, booleans, lists and "
               "objects)")
TAGS = "    cost-center: ecommerce\n"


@pytest.mark.parametrize(("find", "replace", "expected"), [
    (TAGS, TAGS + "    created: 2026-12-01\n",
     f"ecommerce-dr:tags.created: is a YAML date, {CANNOT_HOLD}; quote it ('2026-12-01') to give "
     "a string"),
    (TAGS, TAGS + "    built: 2026-12-01T18:00:00Z\n",
     f"ecommerce-dr:tags.built: is a YAML timestamp, {CANNOT_HOLD}; quote it "
     "('2026-12-01 18:00:00+00:00') to give a string"),
    ("    intervalSeconds: 10", "    intervalSeconds: !!binary aGVsbG8=",
     f"ecommerce-dr:healthCheck.intervalSeconds: is a YAML binary (!!binary) value, {CANNOT_HOLD}; "
     "write the value as plain text"),
    ("      - https://shop-usw2.example.com/health", "      - 2026-12-01",
     f"ecommerce-dr:failover.warmUrls[0]: is a YAML date, {CANNOT_HOLD}; quote it ('2026-12-01') "
     "to give a string"),
    (TAGS, TAGS + "    2026-12-01: created\n",
     "ecommerce-dr:tags.2026-12-01: the key is a YAML date (datetime.date(2026, 12, 1)), not a "
     "string; quote it"),
    (EMAIL, "  aws:created: 2026-12-01\n" + EMAIL,
     f"aws:created: is a YAML date, {CANNOT_HOLD}; quote it ('2026-12-01') to give a string"),
], ids=["date", "timestamp", "binary", "date-in-a-list", "date-key", "other-namespace"])
def test_a_yaml_value_json_cannot_carry_is_refused_by_its_path(tmp_path: Path, find: str,
                                                               replace: str,
                                                               expected: str) -> None:
    assert PROD.count(find) == 1
    path = stack_file(tmp_path, PROD.replace(find, replace))
    assert errors(path) == [f"{path}: {expected}"]
    code, out = preview_exit_code(path)
    assert code == 2 and expected.split(":")[0] in out and "Traceback" not in out


def test_quoted_dates_and_numbers_are_plain_values(tmp_path: Path) -> None:
    text = PROD.replace(TAGS, TAGS + "    created: '2026-12-01'\n")
    assert read_stack_file(stack_file(tmp_path, text))["ecommerce-dr:tags"]["created"] == (
        "2026-12-01")


# --- other faults stay config errors ---------------------------------------------------------

def test_yaml_syntax_error_is_a_config_error_with_its_line(tmp_path: Path) -> None:
    text = PROD.replace(EMAIL, "  ecommerce-dr:alertEmail: sre: oncall@example.com\n")
    path = stack_file(tmp_path, text)
    assert errors(path) == [
        f"{path}: is not valid YAML at line {line_of(text, 'ecommerce-dr:alertEmail:')}, column "
        "31: mapping values are not allowed here"]


def test_prod_stack_file_reads_unchanged() -> None:
    cfg = read_stack_file(ROOT / "Pulumi.prod.yaml")
    assert cfg["ecommerce-dr:alertEmail"] == "sre-oncall@example.com"
    assert cfg["ecommerce-dr:site"]["failoverFqdn"] == "shop.example.com"
