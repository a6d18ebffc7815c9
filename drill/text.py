"""Counts and lists as the reports print them, never as Python reprs: ``{'same': 55,
'update': 1}`` reads ``55 same, 1 update``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def counts(by_name: Mapping[str, int] | None, *, sep: str = ", ", empty: str = "none") -> str:
    """``<n> <name>`` per entry, largest first (ties in the mapping's order); ``empty`` when
    there is none."""
    items = sorted((by_name or {}).items(), key=lambda kv: -kv[1])
    return sep.join(f"{n} {name}" for name, n in items) or empty


def listing(values: Iterable[Any] | None, *, empty: str = "none") -> str:
    """The values separated by commas; ``empty`` when there is none."""
    out = ", ".join(str(v) for v in values or ())
    return out or empty


def pairs(fields: Mapping[str, Any] | None, *, empty: str = "-") -> str:
    """``key value`` per entry (None as ``-``, booleans as yes/no, lists by :func:`listing`,
    mappings in brackets); ``empty`` when there is none."""
    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "yes" if v else "no"
        if isinstance(v, Mapping):
            return f"({pairs(v)})"
        if isinstance(v, list | tuple):
            return listing(value(x) for x in v)
        return "-" if v is None else str(v)
    return ", ".join(f"{k.replace('_', ' ')} {value(v)}" for k, v in (fields or {}).items()) or empty


def yes_no(value: bool | None, *, unknown: str = "not read") -> str:
    """``yes`` / ``no``, or ``unknown`` for None."""
    return unknown if value is None else ("yes" if value else "no")


def answer_text(dns: Mapping[str, Any]) -> str:
    """A Route 53 answer (:func:`drill.observe.answer`): ``name -> PRIMARY (value, ...)``."""
    return f"{dns['name']} -> {dns['answer']} ({listing(dns.get('values'))})"


def http_text(status: int | str, body: Mapping[str, Any] | None) -> str:
    """An HTTP answer: ``HTTP 200: status ok, region us-west-2``."""
    return f"HTTP {status}: {pairs(body)}"
