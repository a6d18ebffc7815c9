"""Where things are in the repository: the one module that knows its root.

Every tool finds the program, the policy pack, the stack files and its output files through
these names; nothing else computes the repository root.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

#: The repository root (the folder holding ``Pulumi.yaml``).
ROOT: Final[Path] = Path(__file__).resolve().parent.parent
#: The Pulumi program the engine stand-in runs under mocks.
PROGRAM: Final[Path] = ROOT / "__main__.py"
#: The CrossGuard policy pack folder (``pulumi preview --policy-pack policies``).
PACK_DIR: Final[Path] = ROOT / "policies"
#: Default folder of the drill's report files.
REPORTS_DIR: Final[Path] = ROOT / "reports"
#: The table ``make bench`` rewrites.
BENCHMARKS_FILE: Final[Path] = ROOT / "BENCHMARKS.md"


def stack_file(stack: str) -> Path:
    """``Pulumi.<stack>.yaml`` at the repository root (it may not exist)."""
    return ROOT / f"Pulumi.{stack}.yaml"
