"""Stack files for the advisor's tests: Pulumi.prod.yaml with some keys changed."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from advisor.advise import advise
from advisor.result import Advice
from engine.paths import stack_file


@lru_cache(maxsize=1)
def prod_advice() -> Advice:
    """The advisor on Pulumi.prod.yaml, once per test process (do not mutate it)."""
    return advise("prod")


def prod_with(tmp: Path, name: str, **changes: Any) -> Path:
    """``Pulumi.prod.yaml`` with ``changes`` (``rpoMinutes=20``, ``backup__cadenceMinutes=20``:
    a double underscore reaches into an object) written to ``tmp/Pulumi.<name>.yaml``."""
    doc = yaml.safe_load(stack_file("prod").read_text())
    cfg = doc["config"]
    for key, value in changes.items():
        top, *rest = key.split("__")
        if rest:
            cfg[f"ecommerce-dr:{top}"][rest[0]] = value
        else:
            cfg[f"ecommerce-dr:{top}"] = value
    path = tmp / f"Pulumi.{name}.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path
