"""Reading planned resources in the rule modules: preview-safe reads, roles, Regions, schedules.
How a rule is declared (settings, decorators) is :mod:`policies.rules.declare`.

Preview safety. During ``pulumi preview`` an input computed from another resource's output is
*unknown* (a sentinel string). The SDK's proxy raises on any read of one, and the SDK turns
that into an advisory "can't run policy during preview" per resource and policy, which floods
the output. Rules here read inputs through :func:`value`, which unwraps the proxy and raises
:class:`Unknown`; a rule declared with :mod:`policies.rules.declare` turns that into
``not_applicable`` with the path of the unknown value, so a rule is either decided on known
values or says plainly that it could not be. A rule that only needs to know that an input is
*set* (a health check id, a KMS key) uses :func:`is_set`, which is true for an unknown value,
because a value computed from another resource is still a value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    _DictProxy,
    _ListProxy,
)

from contract.names import ROLE_TAG

UNKNOWN_SENTINELS: frozenset[str] = frozenset({
    UNKNOWN_BOOLEAN_VALUE, UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE, UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE, UNKNOWN_ARCHIVE_VALUE, UNKNOWN_OBJECT_VALUE,
})

_MISSING = object()


class Unknown(Exception):
    """An input needed to decide a rule is unknown during preview."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


def is_unknown(v: Any) -> bool:
    return isinstance(v, str) and v in UNKNOWN_SENTINELS


def plain(v: Any) -> Any:
    """The value under the SDK's unknown-checking proxy, as plain dicts and lists.

    Unknown sentinels are kept as they are (so :func:`is_unknown` can see them).
    """
    if isinstance(v, _DictProxy | _ListProxy):
        v = v["__target"]
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [plain(x) for x in v]
    if isinstance(v, Mapping):
        return {k: plain(v[k]) for k in v}
    return v


def value(props: Any, *path: str | int, default: Any = None) -> Any:
    """The plain input at ``path`` under ``props``; ``default`` when it is absent.

    Raises:
        Unknown: the value (or a map or list on the way to it) is unknown during preview.
    """
    cur = props
    walked: list[str] = []
    for key in path:
        walked.append(str(key))
        if isinstance(cur, _DictProxy | _ListProxy):
            cur = cur["__target"]
        if is_unknown(cur):
            raise Unknown(".".join(walked[:-1]) or "<root>")
        if isinstance(cur, Mapping):
            cur = cur.get(key, _MISSING)
        elif isinstance(cur, list | tuple) and isinstance(key, int) and -len(cur) <= key < len(cur):
            cur = cur[key]
        else:
            cur = _MISSING
        if cur is _MISSING or cur is None:
            return default
    if is_unknown(cur):
        raise Unknown(".".join(walked))
    return plain(cur)


def is_set(props: Any, *path: str | int) -> bool:
    """Whether the input at ``path`` is given at all (an unknown value counts as given)."""
    try:
        v = value(props, *path)
    except Unknown:
        return True
    return v not in (None, "", [], {})


def number(props: Any, *path: str | int, default: float | None = None) -> float | None:
    """A numeric input (numbers arrive as floats; numeric strings are accepted too).

    Raises:
        Unknown: see :func:`value`.
    """
    v = value(props, *path)
    if v is None:
        return default
    try:
        f = float(v)
    except (TypeError, ValueError):
        return default
    return f if math.isfinite(f) else default


def role(props: Any) -> str | None:
    """The ``dr:role`` tag of a resource (see :mod:`contract.names`), or None.

    Tags are plain config strings, so they are known during preview; an unknown tag map
    counts as no role (the stack policy then reports the piece as missing, never passes).
    """
    try:
        r = value(props, "tags", ROLE_TAG)
    except Unknown:
        return None
    return r if isinstance(r, str) else None


def region(props: Any, provider: Any) -> str | None:
    """A resource's Region: its own ``region`` input (pulumi-aws v7), else its provider's.

    ``provider`` is a ``PolicyProviderResource`` (or None for the default provider, whose
    Region cannot be seen from the policy).

    Raises:
        Unknown: the Region is computed.
    """
    own = value(props, "region")
    if own:
        return str(own)
    if provider is None:
        return None
    r = value(provider.props, "region")
    return str(r) if r else None


def env(props: Any) -> dict[str, Any]:
    """A Lambda function's environment variables (unknown values kept as sentinels).

    Raises:
        Unknown: the whole variables map is unknown.
    """
    v = value(props, "environment", "variables", default={})
    return v if isinstance(v, dict) else {}


def by_type(resources: Iterable[Any], *types: str) -> list[Any]:
    return [r for r in resources if r.resource_type in types]


# --- schedules -----------------------------------------------------------------------------

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_UNIT = {"minute": 60, "hour": 3600, "day": 86400}


def schedule_period_seconds(expr: str) -> float | None:
    """Longest gap, in seconds, between runs of an EventBridge schedule expression.

    ``rate(N unit)`` gives N x unit. ``cron(min hour * * ? *)`` with only minute and hour
    fields restricted gives the longest gap between firing times in a day (wrapping past
    midnight). Anything else (day-of-week or day-of-month restrictions) returns None: the
    frequency cannot be bounded without a calendar. Source: EventBridge User Guide,
    "Schedule expressions for rules".
    """
    expr = expr.strip()
    m = _RATE.match(expr)
    if m:
        n, unit = int(m[1]), m[2].rstrip("s")
        return float(n * _UNIT[unit]) if n > 0 else None
    if expr.startswith("cron(") and expr.endswith(")"):
        fields = expr[5:-1].split()
        if len(fields) != 6 or any(f not in ("*", "?") for f in fields[2:]):
            return None
        minutes, hours = _cron_field(fields[0], 60), _cron_field(fields[1], 24)
        if not minutes or not hours:
            return None
        times = sorted(h * 60 + mi for h in hours for mi in minutes)
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)] + [times[0] + 1440 - times[-1]]
        return float(max(gaps) * 60)
    return None


def _cron_field(field: str, size: int) -> set[int] | None:
    out: set[int] = set()
    for part in field.split(","):
        step = 1
        if "/" in part:
            part, s = part.split("/", 1)
            if not s.isdigit() or int(s) == 0:
                return None
            step = int(s)
        if part in ("*", "?"):
            lo, hi = 0, size - 1
        elif "-" in part:
            a, b = part.split("-", 1)
            if not (a.isdigit() and b.isdigit()):
                return None
            lo, hi = int(a), int(b)
        elif part.isdigit():
            lo = int(part)
            hi = lo if step == 1 else size - 1
        else:
            return None
        if not 0 <= lo <= hi < size:
            return None
        out.update(range(lo, hi + 1, step))
    return out
