"""What the cost model reads from a plan: duck-typed planned resources and an index over them.

A planned resource is any object with ``urn``, ``type`` (``aws:route53/healthCheck:HealthCheck``),
``name``, ``inputs`` (camelCase provider inputs as on the wire; numbers may be floats, values
unknown during preview are Pulumi's :data:`UNKNOWN` sentinel), ``region`` (its provider's
Region, or None) and ``parent`` (URN or None). An optional ``custom`` attribute (False for a
ComponentResource) is used when present. Tags are ``inputs["tags"]``; the
``contract.names.ROLE_TAG`` tag names a resource's DR role.

Unknown inputs. :func:`known` gives its default for an input that is unknown during preview
(a price then rests on an assumption) and notes ``"<resource>.<input>"`` for the
:func:`noting_unknowns` block it runs in, so each estimate line can name the inputs it could
not read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol

from contract.names import ROLE_TAG

#: Pulumi's wire sentinel for a value not known during preview.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
#: Pulumi's wire markers: the key that marks a special value, and its secret and resource
#: reference kinds (``pulumi.runtime.rpc``).
_SIG = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"

PROVIDER_PREFIX = "pulumi:providers:"


class PlannedResourceLike(Protocol):
    urn: str
    type: str
    name: str
    inputs: dict[str, Any]
    region: str | None
    parent: str | None


def is_unknown(value: Any) -> bool:
    """Whether ``value`` is not known yet (preview), also when nested in a list or dict."""
    if value == UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(is_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(is_unknown(v) for v in value)
    return False


def plain(value: Any) -> Any:
    """Inputs as Pulumi sends them on the wire -> plain JSON: secrets unwrapped, resource
    references replaced by their id (custom resource) or URN (component), integral numbers
    (every number is a double on the wire) as ints; :data:`UNKNOWN` stays as it is."""
    if isinstance(value, dict):
        sig = value.get(_SIG)
        if sig == _SECRET_SIG:
            return plain(value.get("value"))
        if sig == _RESOURCE_SIG:
            return value.get("id") or value.get("urn")
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def tags(r: PlannedResourceLike) -> dict[str, Any]:
    t = r.inputs.get("tags")
    return t if isinstance(t, dict) else {}


def role(r: PlannedResourceLike) -> str | None:
    """The resource's ``dr:role`` tag, or None."""
    v = tags(r).get(ROLE_TAG)
    return v if isinstance(v, str) else None


_UNKNOWN_READS: ContextVar[list[str] | None] = ContextVar("cost_unknown_reads", default=None)


@contextmanager
def noting_unknowns() -> Iterator[list[str]]:
    """Collect, in order and once each, the ``"<resource>.<input>"`` that :func:`known`
    found unknown inside the block."""
    seen: list[str] = []
    token = _UNKNOWN_READS.set(seen)
    try:
        yield seen
    finally:
        _UNKNOWN_READS.reset(token)


def known(r: PlannedResourceLike, name: str, default: Any = None) -> Any:
    """Input ``name``, or ``default`` when absent or unknown (an unknown one is noted, see
    :func:`noting_unknowns`)."""
    v = r.inputs.get(name, default)
    if v is not None and is_unknown(v):
        seen = _UNKNOWN_READS.get()
        if seen is not None and f"{r.name}.{name}" not in seen:
            seen.append(f"{r.name}.{name}")
        return default
    return default if v is None else v


@dataclass
class PlanIndex:
    """Lookups over the resources of one plan, in plan order."""

    resources: list[Any]
    by_urn: dict[str, Any] = field(default_factory=dict)
    parents: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, resources: Iterable[PlannedResourceLike]) -> PlanIndex:
        rs = list(resources)
        return cls(rs, {r.urn: r for r in rs}, {r.parent for r in rs if r.parent})

    def with_role(self, role_value: str) -> list[Any]:
        return [r for r in self.resources if role(r) == str(role_value)]

    def of_type(self, type_: str) -> list[Any]:
        return [r for r in self.resources if r.type == type_]

    def is_component(self, r: PlannedResourceLike) -> bool:
        """A ComponentResource: ``custom`` is False, or (without ``custom``) others name it
        as their parent and it is not a provider."""
        custom = getattr(r, "custom", None)
        if custom is not None:
            return not custom
        return r.urn in self.parents and not r.type.startswith(PROVIDER_PREFIX)

    def component_of(self, r: PlannedResourceLike) -> str:
        """The logical name of the resource's parent component, ``"stack"`` for top-level
        resources (components' own lines name their own component)."""
        if self.is_component(r) and (r.parent is None or r.parent not in self.by_urn):
            return r.name
        parent = self.by_urn.get(r.parent) if r.parent else None
        return parent.name if parent is not None else "stack"
