"""The stack's resources as the cost model reads them (:mod:`cost.plan`'s planned resources).

A stack policy sees ``PolicyResource`` objects: props behind the SDK's unknown-checking proxy,
with one sentinel per type for values unknown during preview, the provider as a separate
object and the parent as a resource (or only its URN, in ``opts.parent``, when the parent is
not among the resources the engine sent). :func:`planned_resources` turns them into plain
records with the engine's single unknown sentinel (:data:`cost.plan.UNKNOWN`), the Region of
:func:`policies.rules.common.region` and the parent's URN, so :func:`cost.estimate` prices
them exactly as it prices a recorded plan.

Components. The engine sends a ComponentResource (if at all) with no provider, and a custom
resource always with one, so a resource is taken as a component when it has no provider and
is another's parent. A parent that the resource list does not hold (the Pulumi stack itself
aside) is added as a component record named from its URN, so lines keep their component.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cost.plan import PROVIDER_PREFIX, UNKNOWN
from policies.rules.common import Unknown, is_unknown, plain, region

_STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass(frozen=True)
class PlannedResource:
    """One resource in the shape of :class:`cost.plan.PlannedResourceLike`."""

    urn: str
    type: str
    name: str
    region: str | None
    parent: str | None
    inputs: dict[str, Any] = field(default_factory=dict)
    custom: bool | None = None


def engine_value(v: Any) -> Any:
    """A plain value with every policy unknown sentinel replaced by the engine's."""
    if is_unknown(v):
        return UNKNOWN
    if isinstance(v, dict):
        return {k: engine_value(x) for k, x in v.items()}
    if isinstance(v, list):
        return [engine_value(x) for x in v]
    return v


def _parent_urn(r: Any) -> str | None:
    if r.parent is not None:
        return r.parent.urn
    return getattr(r.opts, "parent", None) or None


def _region(r: Any) -> str | None:
    try:
        return region(r.props, r.provider)
    except Unknown:
        return None   # the resource is then unpriced: no price for an unknown Region


def _component(urn: str) -> PlannedResource:
    """``urn:pulumi:<stack>::<project>::<parent$>type::<name>`` as a component record."""
    head, _, name = urn.rpartition("::")
    type_ = head.rpartition("::")[2].rpartition("$")[2]
    return PlannedResource(urn=urn, type=type_, name=name, region=None, parent=None, custom=False)


def planned_resources(resources: Iterable[Any]) -> list[PlannedResource]:
    """The policy's resources (and the components they name as parents) for :func:`cost.estimate`."""
    rs = list(resources)
    parents = {_parent_urn(r) for r in rs}
    out = [PlannedResource(urn=r.urn, type=r.resource_type, name=r.name, region=_region(r),
                           parent=_parent_urn(r), inputs=engine_value(plain(r.props)),
                           custom=not (r.provider is None and r.urn in parents
                                       and not r.resource_type.startswith(PROVIDER_PREFIX)))
           for r in rs]
    have = {r.urn for r in out}
    for urn in dict.fromkeys(r.parent for r in out if r.parent):
        if urn not in have and f"::{_STACK_TYPE}::" not in urn:
            out.append(_component(urn))
            have.add(urn)
    return out
