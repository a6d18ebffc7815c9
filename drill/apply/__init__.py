"""Deploy a plan recorded under Pulumi mocks into the emulator: what ``pulumi up`` would create.

:data:`REGISTRY` maps each resource type to its apply function, one module per service area
(:mod:`~drill.apply.security`, :mod:`~drill.apply.database`, :mod:`~drill.apply.aurora`,
:mod:`~drill.apply.storage`, :mod:`~drill.apply.messaging`, :mod:`~drill.apply.monitoring`,
:mod:`~drill.apply.parameters`, :mod:`~drill.apply.events`, :mod:`~drill.apply.routing`,
:mod:`~drill.apply.compute`). An apply function
``(resource, inputs, region, ctx) -> Applied`` makes the boto3 call(s) the AWS provider would
make; :func:`apply_plan` runs them in the plan's registration order (a resource is registered
after everything it depends on), after filling unknown inputs from what was already created
(:mod:`drill.apply.resolve`; orchestrator environments by the contract,
:mod:`drill.apply.env`).

Resource types without an apply function are named in ``Deployment.skipped`` with the reason;
nothing is dropped silently. Physical names the provider would auto-generate are
``<logical name>-<7 hex>``, as Pulumi's autonaming does.

To support another type: write its apply function in the module of its service area and add
it to that module's ``APPLIERS``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from drill.apply import (
    aurora,
    compute,
    database,
    events,
    messaging,
    monitoring,
    parameters,
    routing,
    security,
    storage,
)
from drill.apply.common import Applied, ApplyContext, ApplyFn, Deployment, Skip
from drill.apply.resolve import resolve_inputs
from engine.plan import PROVIDER_PREFIX, PlannedResource

__all__ = ["AREAS", "REGISTRY", "Applied", "ApplyContext", "Deployment", "apply_plan"]

#: The service-area modules, each with its ``APPLIERS`` (resource type -> apply function).
AREAS = (security, database, aurora, storage, messaging, monitoring, parameters, events,
         routing, compute)


def _registry() -> dict[str, ApplyFn]:
    out: dict[str, ApplyFn] = {}
    for module in AREAS:
        clash = set(out) & set(module.APPLIERS)
        assert not clash, f"types applied twice: {sorted(clash)}"
        out.update(module.APPLIERS)
    return out


#: Resource type token -> apply function.
REGISTRY: dict[str, ApplyFn] = _registry()


def _apply_one(r: PlannedResource, ctx: ApplyContext) -> None:
    d = ctx.deployment
    fn = REGISTRY.get(r.type)
    if fn is None:
        d.skipped.append({"urn": r.urn, "type": r.type,
                          "reason": "not needed by the drill: no applier for this type"})
        return
    started = time.perf_counter()
    try:
        d.applied[r.urn] = fn(r, resolve_inputs(r, d), r.region or ctx.primary_region, ctx)
    except Skip as s:
        d.skipped.append({"urn": r.urn, "type": r.type, "reason": str(s)})
    except Exception as e:  # noqa: BLE001 - recorded and reported, never hidden
        d.failed.append({"urn": r.urn, "type": r.type, "error": f"{type(e).__name__}: {e}"})
    finally:
        took = time.perf_counter() - started
        d.seconds_by_type[r.type] = round(d.seconds_by_type.get(r.type, 0.0) + took, 4)


def apply_plan(resources: Iterable[PlannedResource], ctx: ApplyContext) -> Deployment:
    """Apply every custom resource of the plan, in order, into ``ctx.deployment``.

    Components (Pulumi-only groupings) and providers (their Region is already on each
    resource) are not applied. Never raises for one resource: a failed create is recorded in
    ``Deployment.failed`` with the error. Returns ``ctx.deployment``.
    """
    for r in resources:
        if r.custom and not r.type.startswith(PROVIDER_PREFIX):
            _apply_one(r, ctx)
    return ctx.deployment
