"""The program prices itself: the ``estimatedMonthlyCostUsd`` stack output.

The program has no recorded plan at run time, so it observes every resource it declares and
prices those with :func:`cost.estimate` - the pricing functions, price table
(``cost/prices.yaml``) and usage defaults the preview and the policy pack use. Nothing is
priced twice: this module only turns declared resources into the planned-resource shape of
:mod:`cost.plan`.

How resources are observed. The SDK offers two hooks over every resource of a stack:

* ``pulumi.runtime.register_resource_transform`` (``ResourceTransformArgs``: type, name,
  custom, props with engine names, opts with the parent). The *engine* calls it back over
  gRPC during ``RegisterResource``; the SDK's mock monitor never does ("The mock monitor does
  not run transforms", ``pulumi/runtime/mocks.py``, pulumi 3.272), so under mocks - every test
  and the offline plan recorder - it would see no resource at all and the output could not
  be checked anywhere but in a real deployment.
* ``pulumi.runtime.register_stack_transformation`` (``ResourceTransformationArgs``: the
  Resource object itself, type, name, props, opts). The SDK runs it in-process in the
  ``Resource`` constructor, identically under the engine and under mocks. Its props carry
  Python names (``request_interval``) and Inputs (Outputs, input-type objects).

This module uses the second and translates props exactly as the SDK does before it sends
them: :func:`pulumi.runtime.rpc.serialize_properties` with the input type the resource's
constructor declares (``HealthCheckArgs``) for names (camelCase, nested types included),
unknown values as the engine's sentinel during preview, secrets unwrapped, resource
references as their id (custom) or URN (component). So the inputs priced are the ones the
engine receives, value by value; a test checks the output against :func:`cost.estimate` over
the plan the recorder saw on the wire. Outputs in props are awaited one by one by that
serializer rather than through ``Output.all``, because one unknown value would make an
``Output.all`` unknown as a whole during preview, while the serializer keeps every known
value and marks only the unknown ones.

Limits: resources created inside an ``apply`` after the estimate has started, and children
of multi-language components (constructed outside this process), are not seen; the program
declares neither. The output uses the repository's price table and usage defaults.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from google.protobuf.json_format import MessageToDict
from pulumi import _types
from pulumi.runtime import rpc

import cost
from cost.plan import PROVIDER_PREFIX, is_unknown, plain


@dataclass(frozen=True)
class DeclaredResource:
    """One declared resource in the shape of :class:`cost.plan.PlannedResourceLike`.

    Attributes:
        urn, type, name: as registered.
        custom: False for a ComponentResource.
        parent: the parent's URN (the stack's for top-level resources).
        region: its own ``region`` input (pulumi-aws v7 lets a resource override its
            provider's), else its provider's; a provider's own; None for a component.
        inputs: engine (camelCase) names; unknown values are :data:`cost.plan.UNKNOWN`.
    """

    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None
    region: str | None
    inputs: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Seen:
    resource: pulumi.Resource
    type: str
    name: str
    props: Mapping[str, Any]
    parent: pulumi.Resource | None


class DeclaredResources:
    """Every resource constructed in this stack after :meth:`observe` returns."""

    def __init__(self) -> None:
        self._seen: list[_Seen] = []

    @classmethod
    def observe(cls) -> DeclaredResources:
        """Start observing (call before the first resource is declared)."""
        declared = cls()
        pulumi.runtime.register_stack_transformation(declared._record)
        return declared

    def _record(self, args: pulumi.ResourceTransformationArgs) -> None:
        parent = args.opts.parent if args.opts is not None else None
        self._seen.append(_Seen(args.resource, args.type_, args.name, args.props,
                                parent or pulumi.runtime.get_root_resource()))
        return None   # observe only: props and options are left as they are

    async def resources(self) -> list[DeclaredResource]:
        """The declared resources, in construction order, once their inputs are resolved."""
        done: list[DeclaredResource] = []
        while len(done) < len(self._seen):   # a resource declared while awaiting is added
            done.append(await _declared(self._seen[len(done)]))
        regions = {r.urn: r.region for r in done if r.type.startswith(PROVIDER_PREFIX)}
        out = []
        for seen, r in zip(self._seen, done, strict=True):
            if r.custom and "region" not in r.inputs and not r.type.startswith(PROVIDER_PREFIX):
                provider = seen.resource.get_provider(seen.type)
                urn = await provider.urn.future() if provider is not None else ""
                r = DeclaredResource(r.urn, r.type, r.name, r.custom, r.parent,
                                     regions.get(urn), r.inputs)
            out.append(r)
        return out


async def _declared(seen: _Seen) -> DeclaredResource:
    """The resource with its own ``region`` input as its Region (a provider's, or a resource's
    under pulumi-aws v7, which overrides its provider's); None when unknown or absent."""
    res = seen.resource
    typ = _args_type(res)
    struct = await rpc.serialize_properties(
        seen.props, {}, res, None if typ is not None else res.translate_input_property, typ)
    inputs = plain(MessageToDict(struct, preserving_proto_field_name=True))
    parent = await seen.parent.urn.future() if seen.parent is not None else None
    region = inputs.get("region")
    return DeclaredResource(urn=await res.urn.future(), type=seen.type, name=seen.name,
                            custom=isinstance(res, pulumi.CustomResource), parent=parent,
                            region=region if isinstance(region, str) and not is_unknown(region)
                            else None, inputs=inputs)


def _args_type(res: pulumi.Resource) -> type | None:
    """The input type the resource's generated constructor declares for ``args``
    (``HealthCheckArgs``, ``BucketVersioningInitArgs``): the SDK names props by its metadata.
    None for components and hand-written resources (the SDK then uses
    ``translate_input_property``)."""
    for overload in typing.get_overloads(type(res).__init__):
        try:
            hint = typing.get_type_hints(overload).get("args")
        except (NameError, TypeError):
            continue
        for t in (hint, *typing.get_args(hint)):
            if isinstance(t, type) and _types.is_input_type(t):
                return t
    return None


def estimated_monthly_cost_usd(declared: DeclaredResources, *,
                               prices: cost.PriceTable | None = None,
                               usage: cost.Usage | None = None) -> pulumi.Output[float]:
    """USD per month (730 hours), rounded to the cent, of every declared resource, by
    :func:`cost.estimate` (defaults: ``cost/prices.yaml``, whose items name their AWS pricing
    page and the date read, and the documented usage defaults of :mod:`cost.usage`).

    Unpriced lines count nothing, so the figure is then a lower bound; a warning names them,
    and any input unknown during preview that a figure assumed a default for.
    """
    async def total() -> float:
        est = cost.estimate(await declared.resources(), prices=prices, usage=usage)
        _warn_if_incomplete(est)
        return round(est.total_usd, 2)

    return pulumi.Output.from_input(None).apply(lambda _: total())


def _warn_if_incomplete(est: cost.CostEstimate) -> None:
    notes = [f"{ln.resource} unpriced ({ln.reason})" for ln in est.unpriced]
    if est.unknown_inputs:
        notes.append("inputs unknown during preview, priced at their defaults: "
                     + ", ".join(est.unknown_inputs))
    if notes:
        pulumi.log.warn(f"estimatedMonthlyCostUsd {est.total_usd:,.2f} is not the whole cost: "
                        + "; ".join(notes))
