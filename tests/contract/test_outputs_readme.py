"""The README's stack-outputs table says what contract.outputs says."""

from __future__ import annotations

import re
from pathlib import Path

from contract.outputs import OUTPUTS

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_rows(readme: Path = README) -> list[tuple[str, str, str]]:
    text = readme.read_text()
    section = text.split("## Stack outputs (contract)", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        m = re.match(r"^\| `(?P<name>[A-Za-z]+)` \| (?P<type>[^|]+) \| (?P<meaning>.+) \|$", line)
        if m:
            rows.append((m["name"], m["type"].strip(), m["meaning"].strip()))
    return rows


def test_readme_outputs_table_matches_the_contract() -> None:
    assert _readme_rows() == [(o.name, o.type, o.meaning) for o in OUTPUTS]


def test_a_changed_readme_row_is_caught(tmp_path: Path) -> None:
    broken = README.read_text().replace("| `failoverFqdn` | string |", "| `failoverFqdn` | integer |")
    assert broken != README.read_text()
    (tmp_path / "README.md").write_text(broken)
    assert _readme_rows(tmp_path / "README.md") != [(o.name, o.type, o.meaning) for o in OUTPUTS]
