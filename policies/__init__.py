"""The ecommerce-dr CrossGuard policy pack.

The pack runs from this folder (the CLI and ``offline.analyzer`` start ``python -m
pulumi.policy`` here), so the repository root is put on ``sys.path`` for the shared
:mod:`rto_rpo` model: the policies use the same arithmetic as the program and the drill.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
