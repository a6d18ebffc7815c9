"""Reading the cost model's YAML files: the defaults kept in the repository and a user's
override file merged over them.

An override file is YAML with up to three top-level sections, each optional::

    prices:        # PriceTable items, merged item by item, Region by Region
    allowances:    # free allowances, merged item by item
    usage:         # Usage sections, merged key by key

Errors name the key, as a dotted path from the file's top level
(``usage.database.data_gib``, ``prices."rds/instance/postgres/db.r6g.large".regions.us-west-2.usd``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

#: The top-level sections an override file may hold.
SECTIONS = ("prices", "allowances", "usage")

OverrideSource = Path | str | Mapping[str, Any] | None


class CostFileError(ValueError):
    """A price table, allowance or usage file is invalid.

    ``errors`` holds one ``"<key>: <problem>"`` line per fault, the key a dotted path from
    the file's top level; the message is ``"<file>: "`` followed by those lines.
    """

    def __init__(self, where: str, errors: list[str]) -> None:
        self.where = where
        self.errors = errors
        super().__init__(f"{where}: " + "; ".join(errors))


def key_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """``("prices", "rds/instance/postgres/db.r6g.large", "usd")`` ->
    ``prices."rds/instance/postgres/db.r6g.large".usd`` (segments holding a dot quoted)."""
    return ".".join(f'"{p}"' if "." in str(p) else str(p) for p in loc)


def validation_errors(e: ValidationError, prefix: tuple[str, ...]) -> list[str]:
    """One ``"<key>: <problem>"`` line per pydantic error, keys prefixed by ``prefix``."""
    return [f"{key_path((*prefix, *err['loc']))}: {err['msg'].removeprefix('Value error, ')}"
            for err in e.errors()]


def read_override(source: OverrideSource) -> tuple[str, dict[str, Any]]:
    """The override as ``(where, mapping)``; ``where`` names the file for messages.

    Args:
        source: a YAML file path, an already-parsed mapping, or None (no override).

    Raises:
        CostFileError: the file is missing, not YAML, not a mapping, or has a top-level key
            other than :data:`SECTIONS`.
    """
    if source is None:
        return "no override", {}
    if isinstance(source, Mapping):
        where, data = "override", dict(source)
    else:
        path = Path(source)
        where = str(path)
        if not path.is_file():
            raise CostFileError(where, ["file not found"])
        try:
            data = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as e:
            raise CostFileError(where, [f"not valid YAML: {e}"]) from None
    if not isinstance(data, Mapping):
        raise CostFileError(where, [f"the top level must be a mapping with keys {list(SECTIONS)}"])
    foreign = [f"{k}: not a section (allowed: {', '.join(SECTIONS)})" for k in data if k not in SECTIONS]
    if foreign:
        raise CostFileError(where, foreign)
    return where, dict(data)


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` merged into a copy of ``base``: mappings merge key by key, anything else
    (numbers, strings, lists) in ``over`` replaces the value in ``base``."""
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), Mapping):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = v
    return out
