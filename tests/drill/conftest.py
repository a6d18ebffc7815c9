"""Where the drill tests' real databases live, and the drills they share.

Databases: like the data-plane tests (``tests/dataplane/conftest.py``), in a memory file
system or the repository's ``reports/``, not pytest's temporary root (where and why:
:mod:`tests.runs`). Reports go to pytest's temporary directories.

Shared drills: a whole drill takes seconds to tens of seconds, so each drill that tests only
read runs once per test session, and all its readers run on one xdist worker.

* :data:`tests.drill.shared.SHARED` names every such drill: ``key -> Drill(stack, scenario,
  ...)``.
* A test reads drill ``key`` by asking for the session fixture ``drill_<key>`` (``-``
  becomes ``_``), a :class:`DrillRun`; or for a module fixture that asks for it (an adapter
  giving the test the shape it reads).
* Collection marks every test whose fixtures include ``drill_<key>`` with
  ``xdist_group("drill-<key>")``; ``--dist loadgroup`` (pytest's ``addopts``) then sends them
  to one worker, so the drill runs once however many modules read it (``tests/conftest.py``
  makes the group reach the scheduler on pytest 9.2).

A new drill test (say the aurora stack's full cycle) adds one line to ``SHARED``,
``"aurora-full-cycle": Drill("aurora", "full-cycle", policy_gate=True)``, and its tests ask
for ``drill_aurora_full_cycle``. A test reads one shared drill (a test reading two would form
a group of its own, and each drill could then run on two workers). A drill a test changes
(a patched handler, a failure injected into a step) is not shared: it runs in the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.drill.shared import SHARED, DrillRun, fixture_name, run_shared
from tests.runs import process_root, runs_base

RUNS = runs_base() / "test-drill"
HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def data_root() -> Iterator[Path]:
    """This test process's directory for drills' data directories, removed at the end."""
    yield from process_root(RUNS)


@pytest.fixture(scope="session")
def data_dir_for(data_root: Path) -> Callable[[str], Path]:
    """``data_dir_for(name) -> Path``: a drill's own data directory."""
    def make(name: str) -> Path:
        return data_root / name
    return make


def _shared_fixture(key: str) -> Any:
    @pytest.fixture(scope="session", name=fixture_name(key))
    def run(tmp_path_factory: pytest.TempPathFactory, data_dir_for: Callable[[str], Path]) -> DrillRun:
        return run_shared(SHARED[key], key, tmp_path_factory.mktemp(key), data_dir_for(key))
    return run


for _key in SHARED:
    globals()[fixture_name(_key)] = _shared_fixture(_key)


@pytest.hookimpl(tryfirst=True)   # before xdist reads the marks into the node ids
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    groups = {fixture_name(key): f"drill-{key}" for key in SHARED}
    for item in items:
        if not item.path.is_relative_to(HERE):
            continue
        for name in sorted(set(getattr(item, "fixturenames", ())) & groups.keys()):
            item.add_marker(pytest.mark.xdist_group(groups[name]))
