"""The stack config of each variant the advisor records: the stack's own config with another
database strategy (:func:`engine.config.overrides_for`, which adds the documented placeholder
config a strategy needs, e.g. dms's ``database.dms.sourceSecretArn``), and a tier's config with
one knob changed.

A variant is a set of config overrides (fully qualified keys, objects as dicts), as
:class:`engine.plan.PlanRequest` takes them; :func:`settings_of` validates one in-process, with
the program's own config model, so a variant the program would reject is known before anything
is recorded.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from components.settings import PROJECT, DrSettings, settings_from_raw
from engine.config import overrides_for

Overrides = dict[str, object]


@dataclass(frozen=True)
class Change:
    """One config key set to another value.

    Attributes:
        path: the key under ``ecommerce-dr:``, dotted (``backup.cadenceMinutes``).
        old, new: its value before (defaults applied) and after.
        unit: the key's unit (``min``, ``s``, ``failures``).
    """

    path: str
    old: int
    new: int
    unit: str

    def __str__(self) -> str:
        return f"{self.path} {self.new}"

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "from": self.old, "to": self.new, "unit": self.unit}


@dataclass(frozen=True)
class Variant:
    """One config to record.

    Attributes:
        strategy: the database strategy it runs.
        overrides: config overrides over the stack file (fully qualified keys).
        changes: the knob changes over the strategy's tier (empty for a tier itself).
    """

    strategy: str
    overrides: Overrides
    changes: tuple[Change, ...] = field(default=())


def tier(config: dict[str, Any], strategy: str) -> Variant:
    """The stack's config switched to ``strategy`` (everything else kept)."""
    return Variant(strategy, overrides_for(config, strategy=strategy))


def _value(config: dict[str, Any], overrides: Overrides, key: str) -> dict[str, Any]:
    raw = overrides.get(key, config.get(key))
    return json.loads(raw) if isinstance(raw, str) else copy.deepcopy(dict(raw or {}))


def with_changes(config: dict[str, Any], base: Variant, changes: tuple[Change, ...]) -> Variant:
    """``base`` with each change applied on top (nested keys created as needed)."""
    overrides = dict(base.overrides)
    for c in changes:
        top, *rest = c.path.split(".")
        key = f"{PROJECT}:{top}"
        if not rest:
            overrides[key] = c.new
            continue
        obj = _value(config, overrides, key)
        node = obj
        for part in rest[:-1]:
            node = node.setdefault(part, {})
        node[rest[-1]] = c.new
        overrides[key] = obj
    return Variant(base.strategy, overrides, base.changes + changes)


def settings_of(config: dict[str, Any], variant: Variant | None = None) -> DrSettings:
    """The variant's config (or the stack's own, for None) validated by the program's model.

    Raises:
        components.settings.ConfigError: the config is invalid; each line names the key.
    """
    merged = dict(config)
    for k, v in (variant.overrides if variant else {}).items():
        if v is None:
            merged.pop(k, None)
        else:
            merged[k] = v
    prefix = f"{PROJECT}:"
    return settings_from_raw({k[len(prefix):]: v for k, v in merged.items() if k.startswith(prefix)})
