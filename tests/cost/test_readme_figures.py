"""The README's count of published and estimated prices is the price table's (priced figures:
those with ``usd``; the free allowances apart)."""

from __future__ import annotations

import re
from collections import Counter

import yaml

from cost.prices import DEFAULT_TABLE
from engine.paths import ROOT


def _standings(node: object) -> Counter[str]:
    out: Counter[str] = Counter()
    if isinstance(node, dict):
        if isinstance(node.get("standing"), str) and "usd" in node:
            out[node["standing"]] += 1
        for value in node.values():
            out += _standings(value)
    elif isinstance(node, list):
        for value in node:
            out += _standings(value)
    return out


def test_the_readme_counts_the_published_and_estimated_prices_of_the_table() -> None:
    counts = _standings(yaml.safe_load(DEFAULT_TABLE.read_text()))
    readme = " ".join((ROOT / "README.md").read_text().split())
    published = re.search(r"(\d+) are \*published\*", readme)
    estimates = re.search(r"(\d+) are \*estimates\*", readme)
    allowances = re.search(r"so are the (\d+) free allowances", readme)
    assert published and estimates and allowances
    assert (int(published[1]), int(estimates[1])) == (counts["published"], counts["estimate"])
    table = yaml.safe_load(DEFAULT_TABLE.read_text())
    assert int(allowances[1]) == len(table["allowances"])
    assert {a["standing"] for a in table["allowances"].values()} == {"published"}
    assert sum(counts.values()) == counts["published"] + counts["estimate"]   # no third kind
