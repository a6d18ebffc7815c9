"""Each contract is written once: environment variable names, quantity ranges and strategy
names appear only in contract/, never again in the program, handlers, pack or tools.

The scan covers every project module outside ``contract/`` and ``tests/`` (tests write literal
environments on purpose: they feed the parsers malformed input).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from contract.env import Env
from contract.quantities import QUANTITIES
from contract.strategies import Strategy

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "venv", "tests", "reports", ".git", "contract"}
#: Strategy names other than "dms", which is also the boto3 service and IAM prefix name.
HYPHENATED = {str(s) for s in Strategy if "-" in str(s)}


def project_files(root: Path = ROOT) -> Iterator[Path]:
    for path in root.rglob("*.py"):
        rel = path.relative_to(root)
        if not any(p in SKIP for p in rel.parts):
            yield path


def _bounds(node: ast.AST) -> frozenset[float] | None:
    """Numeric literal bounds written by ``node``: ``Field(ge=1, le=10)``, ``1 <= v <= 10`` or
    ``{"minimum": 1, "maximum": 10}``; None when it writes fewer than two."""
    nums: list[float] = []
    if isinstance(node, ast.Call):
        nums = [k.value.value for k in node.keywords if k.arg in ("ge", "gt", "le", "lt")
                and isinstance(k.value, ast.Constant) and isinstance(k.value.value, int | float)]
    elif isinstance(node, ast.Compare) and len(node.comparators) == 2:
        ends = (node.left, node.comparators[1])
        nums = [e.value for e in ends if isinstance(e, ast.Constant)
                and isinstance(e.value, int | float) and not isinstance(e.value, bool)]
    elif isinstance(node, ast.Dict):
        pairs = {k.value: v.value for k, v in zip(node.keys, node.values, strict=True)
                 if isinstance(k, ast.Constant) and isinstance(v, ast.Constant)}
        nums = [pairs[k] for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
                if isinstance(pairs.get(k), int | float)]
    return frozenset(float(n) for n in nums) if len(nums) >= 2 else None


def _ranges() -> dict[frozenset[float], str]:
    out = {}
    for name, q in QUANTITIES.items():
        lo = q.ge if q.ge is not None else q.gt
        hi = q.le if q.le is not None else q.lt
        if lo is not None and hi is not None:
            out[frozenset({float(lo), float(hi)})] = name
    return out


def findings(paths: Iterator[Path]) -> list[str]:
    """``"<file>:<line>: <what>"`` for each contract written again."""
    names, ranges, out = {str(e) for e in Env}, _ranges(), []
    for path in paths:
        rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        nodes = sorted(ast.walk(ast.parse(path.read_text())),
                       key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)))
        for node in nodes:
            where = f"{rel}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if node.value in names:
                    out.append(f"{where}: env var name {node.value!r} (use contract.env.Env)")
                if node.value in HYPHENATED:
                    out.append(f"{where}: strategy {node.value!r} (use contract.strategies)")
            if isinstance(node, ast.Compare) and any(
                    isinstance(c, ast.Constant) and c.value == "dms" for c in node.comparators):
                out.append(f"{where}: strategy compared with 'dms' (use contract.strategies)")
            b = _bounds(node)
            if b is not None and b in ranges:
                out.append(f"{where}: the range of contract.quantities.{ranges[b]} again")
    return out


def test_contracts_are_written_once() -> None:
    files = list(project_files())
    assert len(files) > 50
    assert findings(iter(files)) == []


def test_the_scan_sees_a_name_a_range_and_a_strategy_written_again(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text('import os\nK = os.environ["CONSECUTIVE_FAILURES"]\n'
                   "ok = 1 <= int(K) <= 10\n"
                   'tier = "snapshot-restore"\n'
                   'dms = tier == "dms"\n'
                   "from pydantic import Field\nf = Field(60, ge=5, le=1440)\n"
                   'schema = {"minimum": 1, "maximum": 60}\n')
    found = [f.split(": ", 1)[1] for f in findings(iter([bad]))]
    assert found == [
        "env var name 'CONSECUTIVE_FAILURES' (use contract.env.Env)",
        "the range of contract.quantities.CONSECUTIVE_FAILURES again",
        "strategy 'snapshot-restore' (use contract.strategies)",
        "strategy compared with 'dms' (use contract.strategies)",
        "the range of contract.quantities.CADENCE_MINUTES again",
        "the range of contract.quantities.WATCHDOG_RATE_MINUTES again",
    ]
