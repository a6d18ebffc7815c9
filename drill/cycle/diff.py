"""What ``pulumi up`` of a new plan does to what an earlier deploy created: per resource,
``create``, ``same``, ``update``, ``replace`` (a new resource; the old one deleted, or left in
AWS when it was deployed with ``retainOnDelete``: :attr:`Change.retained`), ``retain``
(dropped from the stack, left in AWS), ``delete``, or ``refused`` (Pulumi stops the deploy).
:func:`changes` only computes; :mod:`drill.cycle.deploy` applies.

Pulumi's rules (pulumi/pulumi ``pkg/resource/deploy/step_generator.go`` and ``step.go``): a
replacement is refused when the resource is protected both in the stack's state and in the
program ("we do allow unprotecting and replacing to happen in a single update cycle"); a
resource no longer declared is refused deletion when its state is protected; the old resource
of a replacement, or one no longer declared, is left in AWS when its state has
``retainOnDelete``.

A property differs when its planned value is known and not equal to the value deployed, and
it is not under ``ignoreChanges``. A difference replaces the resource when the property is
named by ``replaceOnChanges`` or is one the provider cannot change in place
(:data:`FORCES_REPLACEMENT`); otherwise it is an update. A planned value still unknown after
resolution (an output of a resource not created yet) is not counted as a difference, and is
listed in :attr:`Change.unknown`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from drill.apply.common import Applied
from drill.apply.inputs import contains_unknown
from engine.plan import PROVIDER_PREFIX, PlannedResource

Op = Literal["create", "same", "update", "replace", "retain", "delete", "refused"]

#: Arguments the AWS provider cannot change in place, per resource type (the provider plans a
#: replacement). ``aws:rds/instance:Instance``: the arguments the Terraform AWS provider marks
#: "Forces new resource" on ``aws_db_instance`` (Terraform Registry, hashicorp/aws,
#: "aws_db_instance",
#: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/db_instance);
#: pulumi-aws is generated from it. ``replicateSourceDb`` is not among them: removing it
#: promotes the replica in place.
FORCES_REPLACEMENT: dict[str, frozenset[str]] = {
    "aws:rds/instance:Instance": frozenset({
        "availabilityZone", "characterSetName", "dbName", "engine", "identifierPrefix",
        "kmsKeyId", "restoreToPointInTime", "s3Import", "snapshotIdentifier",
        "storageEncrypted", "timezone", "username"}),
    "aws:kms/key:Key": frozenset({"customerMasterKeySpec", "keySpec", "multiRegion"}),
    "aws:dynamodb/table:Table": frozenset({"name", "hashKey", "rangeKey"}),
    "aws:sns/topic:Topic": frozenset({"name", "fifoTopic"}),
    "aws:ssm/parameter:Parameter": frozenset({"name"}),
    "aws:lambda/function:Function": frozenset({"name"}),
    "aws:cloudwatch/metricAlarm:MetricAlarm": frozenset({"name"}),
}

#: Inputs that never differ for the drill: the provider's own bookkeeping.
_BOOKKEEPING = frozenset({"__defaults", "__meta"})


@dataclass
class Change:
    """What the deploy does to one resource.

    Attributes:
        urn, type, name, region: the resource (for ``retain``/``delete`` as deployed before).
        op: see the module docstring.
        differs: the properties that differ (sorted).
        replacing: those of them that force a replacement.
        ignored: properties that differ but are under ``ignoreChanges``.
        unknown: properties whose planned value is still unknown.
        retained: for ``replace``, the old resource is left in AWS (``retainOnDelete``).
        why: one line for the report.
    """

    urn: str
    type: str
    name: str
    region: str
    op: Op
    differs: list[str] = field(default_factory=list)
    replacing: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    retained: bool = False
    why: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"urn": self.urn, "type": self.type, "name": self.name, "region": self.region,
                "op": self.op, "differs": self.differs, "replacing": self.replacing,
                "ignored": self.ignored, "unknown": self.unknown, "retained": self.retained,
                "why": self.why}


def top_level(paths: Iterable[str]) -> set[str]:
    """The top-level property of each ``ignoreChanges``/``replaceOnChanges`` path
    (``tags.app`` -> ``tags``, ``ingress[0]`` -> ``ingress``; ``*`` stays ``*``)."""
    return {re.split(r"[.\[]", p, maxsplit=1)[0] for p in paths}


def _compare(new: Mapping[str, Any], old: Mapping[str, Any],
             ignore: set[str]) -> tuple[list[str], list[str], list[str]]:
    """``(differs, ignored, unknown)`` between planned and deployed inputs."""
    differs, ignored, unknown = [], [], []
    for key in sorted((set(new) | set(old)) - _BOOKKEEPING):
        value = new.get(key)
        if contains_unknown(value):
            unknown.append(key)
        elif value != old.get(key):
            (ignored if key in ignore or "*" in ignore else differs).append(key)
    return differs, ignored, unknown


def change_of(r: PlannedResource, inputs: Mapping[str, Any], deployed: Applied | None,
              region: str, state: Mapping[str, Any] | None = None) -> Change:
    """The change of one planned resource (``inputs``: its planned inputs, references resolved
    from what is deployed) against its deployed record, if any (``state``: the resource
    options it was deployed with)."""
    base = {"urn": r.urn, "type": r.type, "name": r.name, "region": region}
    if deployed is None:
        return Change(**base, op="create", why="not deployed before")
    opts = r.options or {}
    differs, ignored, unknown = _compare(inputs, deployed.inputs, top_level(opts.get("ignoreChanges", [])))
    forced = FORCES_REPLACEMENT.get(r.type, frozenset()) | top_level(opts.get("replaceOnChanges", []))
    replacing = [k for k in differs if k in forced]
    kw = {"differs": differs, "replacing": replacing, "ignored": ignored, "unknown": unknown}
    if not differs:
        return Change(**base, op="same", **kw)
    if not replacing:
        return Change(**base, op="update", why="changes in place: " + ", ".join(differs), **kw)
    state = state or {}
    if opts.get("protect") and state.get("protect"):
        return Change(**base, op="refused", why="protected, and " + ", ".join(replacing)
                      + " would replace it", **kw)
    retained = bool(state.get("retainOnDelete"))
    return Change(**base, op="replace", retained=retained, why=", ".join(replacing)
                  + " forces a replacement; the old one is "
                  + ("retained (retainOnDelete)" if retained else "deleted"), **kw)


def renewed_dependency(r: PlannedResource, c: Change, renewed: set[str],
                       state: Mapping[str, Any] | None = None) -> Change:
    """``c``, or a replacement when a ``replaceOnChanges`` property of ``r`` takes its value
    from a resource this deploy creates or replaces (``renewed``, URNs): the new resource has
    a new ARN or secret, so the property changes once it exists, as ``pulumi up`` sees it
    (a preview shows it unknown). ``state``: the options ``r`` was deployed with."""
    if c.op not in ("same", "update"):
        return c
    deps = r.property_dependencies or {}
    props = sorted(p for p in top_level((r.options or {}).get("replaceOnChanges", []))
                   if renewed & set(deps.get(p, [])))
    if not props:
        return c
    state = state or {}
    refused = bool((r.options or {}).get("protect") and state.get("protect"))
    retained = bool(state.get("retainOnDelete"))
    why = ", ".join(props) + " come(s) from a resource this deploy creates or replaces"
    return Change(c.urn, c.type, c.name, c.region, "refused" if refused else "replace",
                  differs=sorted({*c.differs, *props}), replacing=props, ignored=c.ignored,
                  unknown=[u for u in c.unknown if u not in props], retained=retained,
                  why=why + (": protected, Pulumi refuses to replace it" if refused else
                             ", which forces a replacement; the old one is "
                             + ("retained (retainOnDelete)" if retained else "deleted")))


def gone(deployed: Applied, options: Mapping[str, Any]) -> Change:
    """The change of a deployed resource the new plan no longer declares (``options``: the
    resource options it was deployed with)."""
    base = {"urn": deployed.urn, "type": deployed.type, "name": deployed.name,
            "region": deployed.region}
    if options.get("protect"):
        return Change(**base, op="refused", why="protected, and no longer declared: Pulumi "
                      "refuses to delete it")
    if options.get("retainOnDelete"):
        return Change(**base, op="retain", why="no longer declared; retainOnDelete: dropped "
                      "from the stack and left in AWS")
    return Change(**base, op="delete", why="no longer declared")


def changes(plan: Iterable[PlannedResource], resolved: Mapping[str, Mapping[str, Any]],
            deployed: Mapping[str, Applied], deployed_options: Mapping[str, Mapping[str, Any]],
            default_region: str, skipped: Iterable[str] = ()) -> list[Change]:
    """Every change of a deploy of ``plan`` over ``deployed`` (URN -> record), in plan order,
    then the resources no longer declared.

    Args:
        plan: the new plan's resources (components and providers are not deployed).
        resolved: URN -> the planned inputs with references resolved (default: as planned).
        deployed: what earlier deploys created, by URN.
        deployed_options: URN -> the resource options it was deployed with.
        default_region: the Region of a resource whose provider names none.
        skipped: URNs the drill's applier skipped before (no applier for the type, an input it
            cannot fill): ``same``, not created now, so each deploy reports only its changes.
    """
    out, declared, before, renewed = [], set(), set(skipped), set()
    for r in plan:
        if not r.custom or r.type.startswith(PROVIDER_PREFIX):
            continue
        declared.add(r.urn)
        region = r.region or default_region
        if r.urn in before and r.urn not in deployed:
            out.append(Change(r.urn, r.type, r.name, region, "same",
                              why="skipped by the drill's applier, as before"))
            continue
        state = deployed_options.get(r.urn)
        c = renewed_dependency(r, change_of(r, resolved.get(r.urn, r.inputs), deployed.get(r.urn),
                                            region, state), renewed, state)
        if c.op in ("create", "replace"):
            renewed.add(r.urn)
        out.append(c)
    out += [gone(a, deployed_options.get(urn, {})) for urn, a in deployed.items()
            if urn not in declared]
    return out
