"""Each strategy's handler module is found through the strategy table and provides the
strategy interface; no handler code dispatches on a strategy's name."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from contract.strategies import SPECS, Strategy
from handlers.failover import strategies
from handlers.failover.strategies import StrategyModule

HANDLERS = Path(strategies.__file__).resolve().parents[2]
NAMES = frozenset(str(s) for s in Strategy)
#: Names that can only mean a strategy (``dms`` is also a boto3 service name).
UNAMBIGUOUS = frozenset(n for n in NAMES if "-" in n)


@pytest.mark.parametrize("strategy", list(Strategy))
def test_each_strategy_module_comes_from_the_table_and_fits_the_interface(
        strategy: Strategy) -> None:
    module = strategies.load(strategy)
    assert module.__name__ == SPECS[strategy].handler_module
    assert module.__name__.startswith("handlers.failover.strategies.")
    assert isinstance(module, StrategyModule)
    for name in ("check_readiness", "promote", "check_writable"):
        assert callable(getattr(module, name)), name


def test_unknown_strategy_names_the_allowed_ones() -> None:
    with pytest.raises(ValueError, match="allowed: read-replica, dms, snapshot-restore, "
                                         "aurora-global"):
        strategies.load("aurora-galactic")


def strategy_literals(source: str) -> list[str]:
    """Places in ``source`` that key control flow on a strategy's name: a comparison with
    it, a dict keyed by it, or (for names only a strategy has) any string literal of it."""
    found = []
    for node in ast.walk(ast.parse(source)):
        consts: list[ast.expr] = []
        if isinstance(node, ast.Compare):
            consts = [node.left, *node.comparators]
        elif isinstance(node, ast.Dict):
            consts = [k for k in node.keys if k is not None]
        elif isinstance(node, ast.Constant) and node.value in UNAMBIGUOUS:
            found.append(f"line {node.lineno}: literal {node.value!r}")
        for c in consts:
            if isinstance(c, ast.Constant) and c.value in NAMES:
                found.append(f"line {c.lineno}: {type(node).__name__} on {c.value!r}")
    return sorted(found)


def test_no_handler_module_dispatches_on_a_strategy_name() -> None:
    offenders = {str(p.relative_to(HANDLERS)): strategy_literals(p.read_text())
                 for p in (HANDLERS / "handlers").rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_literal_check_sees_each_kind_of_dispatch() -> None:
    source = ('check = _dms if s.db_strategy == "dms" else _replica\n'
              'PROMOTERS = {"dms": 1}\n'
              'label = "snapshot-restore"\n'
              'client = clients("dms", region)\n')
    assert strategy_literals(source) == [
        "line 1: Compare on 'dms'", "line 2: Dict on 'dms'", "line 3: literal 'snapshot-restore'"]
