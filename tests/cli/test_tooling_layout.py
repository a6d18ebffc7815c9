"""The tooling packages keep the layout rules: nothing imports the tests, nothing edits
sys.path, only engine.paths knows the repository root, and the drill and the emulator name
no strategy by a string literal (they read contract.strategies)."""

from __future__ import annotations

import ast
from pathlib import Path

from engine.paths import ROOT

TOOLING = ("engine", "preview", "drill", "bench", "emulator", "cli", "advisor")
STRATEGY_VALUES = {"read-replica", "snapshot-restore"}


def _sources(packages: tuple[str, ...] = TOOLING) -> list[Path]:
    return sorted(p for pkg in packages for p in (ROOT / pkg).rglob("*.py"))


def test_the_old_offline_package_is_gone() -> None:
    assert not (ROOT / "offline").exists()
    assert len(_sources()) > 40


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name


def _layout_breaks(path: Path) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "tests":
            out.append(f"{_rel(path)}:{node.lineno} imports {node.module}")
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "tests" for a in node.names):
            out.append(f"{_rel(path)}:{node.lineno} imports tests")
        if (isinstance(node, ast.Attribute) and node.attr == "path"
                and isinstance(node.value, ast.Name) and node.value.id == "sys"):
            out.append(f"{_rel(path)}:{node.lineno} uses sys.path")
    return out


def test_no_import_of_tests_and_no_sys_path_edit() -> None:
    assert [b for p in _sources() for b in _layout_breaks(p)] == []


def test_the_layout_check_finds_a_breaking_module(tmp_path: Path) -> None:
    bad = tmp_path / "probe.py"
    bad.write_text("import sys\nfrom tests.failover import world\nsys.path.insert(0, '.')\n")
    assert _layout_breaks(bad) == ["probe.py:2 imports tests.failover", "probe.py:3 uses sys.path"]


def test_only_engine_paths_computes_the_repository_root() -> None:
    computing = [p.relative_to(ROOT).as_posix() for p in _sources()
                 if "Path(__file__)" in p.read_text()]
    assert computing == ["engine/paths.py"]


def test_drill_and_emulator_name_no_strategy_by_literal() -> None:
    found = []
    for path in _sources(("drill", "emulator")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in STRATEGY_VALUES:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    assert found == []
