"""Reading a planned resource's inputs in the apply functions: unknown values, known values
with defaults, physical names (Pulumi-style autonames where none is given) and tags."""

from __future__ import annotations

import hashlib
from typing import Any

from engine.mocks import UNKNOWN
from engine.plan import PlannedResource


def autoname(logical: str, urn: str, *, lower: bool = False, max_len: int = 63) -> str:
    """``<logical>-<7 hex>`` like Pulumi autonaming (deterministic here: hashed from the URN)."""
    name = f"{logical[: max_len - 8]}-{hashlib.sha1(urn.encode()).hexdigest()[:7]}"
    return name.lower() if lower else name


def is_unknown(v: Any) -> bool:
    return v == UNKNOWN


def contains_unknown(v: Any) -> bool:
    """True if ``v`` is unknown or holds an unknown anywhere, including inside a string
    (a JSON document built with ``Output.json_dumps`` over unknown values)."""
    if isinstance(v, str):
        return UNKNOWN in v
    if isinstance(v, dict):
        return any(contains_unknown(x) for x in v.values())
    if isinstance(v, list):
        return any(contains_unknown(x) for x in v)
    return False


def known(inputs: dict[str, Any], key: str, default: Any = None) -> Any:
    """``inputs[key]`` unless absent or (holding something) unknown, then ``default``."""
    v = inputs.get(key, default)
    return default if contains_unknown(v) else v


def name_of(r: PlannedResource, inputs: dict[str, Any], key: str = "name", **kw: Any) -> str:
    """The physical name: ``inputs[key]`` if known, else Pulumi-style autoname (``kw``:
    :func:`autoname` options)."""
    v = known(inputs, key)
    return str(v) if v else autoname(r.name, r.urn, **kw)


def tag_map(inputs: dict[str, Any]) -> dict[str, str]:
    t = inputs.get("tags")
    return {str(k): str(v) for k, v in t.items() if not is_unknown(v)} if isinstance(t, dict) else {}


def tag_list(tags: dict[str, str], k: str = "Key", v: str = "Value") -> list[dict[str, str]]:
    return [{k: key, v: val} for key, val in tags.items()]


def aws_tags(inputs: dict[str, Any], k: str = "Key", v: str = "Value") -> list[dict[str, str]]:
    """The planned known tags as an AWS tag list (``[{k: key, v: value}]``; empty when none)."""
    return tag_list(tag_map(inputs), k, v)


def pascal_keys(v: Any) -> Any:
    """Provider (camelCase) keys -> S3 API (PascalCase) keys, recursively; ``id`` -> ``ID``."""
    if isinstance(v, dict):
        return {("ID" if k == "id" else k[:1].upper() + k[1:]): pascal_keys(x) for k, x in v.items()}
    if isinstance(v, list):
        return [pascal_keys(x) for x in v]
    return v
