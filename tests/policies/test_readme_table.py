"""The README's policy table lists exactly the pack's policies, each once."""

from __future__ import annotations

import re
from pathlib import Path

from policies.rules import all_policies

README = Path(__file__).resolve().parents[2] / "README.md"


def table_names(readme: Path = README) -> list[str]:
    """Policy names in the first column of the table under "The policy pack"."""
    section = readme.read_text().split("### The policy pack (`policies/`)", 1)[1].split("\n#", 1)[0]
    names: list[str] = []
    for line in section.splitlines():
        m = re.match(r"^\| (?P<first>[^|]+) \|", line)
        if m:
            names += re.findall(r"`([a-z0-9-]+)`", m["first"])
    return names


def test_readme_policy_table_matches_the_pack() -> None:
    names = table_names()
    assert len(names) == len(set(names))
    assert sorted(names) == sorted(p.name for p in all_policies())


def test_a_missing_readme_row_is_caught(tmp_path: Path) -> None:
    text = README.read_text()
    broken = re.sub(r"^\| `kms-key-rotation-enabled` \|.*\n", "", text, flags=re.M)
    assert broken != text
    (tmp_path / "README.md").write_text(broken)
    assert sorted(table_names(tmp_path / "README.md")) != sorted(p.name for p in all_policies())
