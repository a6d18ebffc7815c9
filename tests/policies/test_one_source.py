"""The pack writes no contract out again: variable names come from ``contract.env.Env``, ranges
from ``contract.quantities``, strategies and their metrics from ``contract.strategies``,
resource-type tokens from ``policies.resource_types``; and its functions stay short.

Each check walks the string literals of ``policies/`` (docstrings excepted: prose may name
things) and fails on a copy.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from contract.env import Env
from contract.quantities import QUANTITIES
from contract.strategies import SPECS, Strategy

PACK = Path(__file__).resolve().parents[2] / "policies"
SOURCES = sorted(p for p in PACK.rglob("*.py") if "venv" not in p.parts)
TOKEN = re.compile(r"\baws:[a-z0-9]+/[A-Za-z0-9]+:[A-Za-z0-9]+\b")
MAX_FUNCTION_LINES = 60


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def literals(path: Path) -> list[tuple[int, str]]:
    """``(line, text)`` of every string literal (f-string parts included) but docstrings."""
    tree = ast.parse(path.read_text())
    skip = _docstrings(tree)
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skip]


def _copies(pattern: re.Pattern[str], allowed: set[Path] = frozenset(),
            ignore: re.Pattern[str] | None = None) -> list[str]:
    """Literals matching ``pattern`` outside ``allowed`` files, after removing ``ignore``."""
    return [f"{p.relative_to(PACK.parent)}:{line}: {text!r}"
            for p in SOURCES if p not in allowed
            for line, text in literals(p) if pattern.search(ignore.sub("", text) if ignore else text)]


def _words(words: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in words) + r")(?![\w-])")


def test_the_walk_sees_the_pack() -> None:
    names = {p.name for p in SOURCES}
    assert {"recovery.py", "resource_types.py", "orchestrator_env.py", "detection.py"} <= names
    # ...and would see a copy: the tokens module holds every token.
    assert _copies(TOKEN) != []


def test_no_variable_name_is_written_out() -> None:
    assert _copies(_words([str(n) for n in Env])) == []


def test_no_strategy_or_replication_metric_is_written_out() -> None:
    metrics = [m.name for s in SPECS.values() for m in s.replication_metrics]
    words = _words([str(s) for s in Strategy] + metrics)
    # A resource-type token ("aws:dms/endpoint:Endpoint") names a service, not the strategy.
    assert _copies(words, ignore=TOKEN) == []
    assert _copies(words) != []   # ...and the tokens are there to be ignored


def test_no_range_of_the_contract_is_written_out() -> None:
    allowed = sorted({q.allowed() for q in QUANTITIES.values()}, key=len, reverse=True)
    assert _copies(re.compile("|".join(re.escape(a) for a in allowed))) == []


def test_no_integer_range_is_written_out() -> None:
    # "1-1440" and the like: a range belongs to contract.quantities or rto_rpo.figures.
    assert _copies(re.compile(r"(?<![\w.:/-])\d+-\d+(?![\w-])")) == []


def test_resource_type_tokens_live_in_one_module() -> None:
    assert _copies(TOKEN, allowed={PACK / "resource_types.py"}) == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACK)))
def test_functions_are_short(path: Path) -> None:
    long = [f"{n.name}: {n.end_lineno - n.lineno + 1} lines"
            for n in ast.walk(ast.parse(path.read_text()))
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
            and n.end_lineno - n.lineno + 1 > MAX_FUNCTION_LINES]
    assert long == []
