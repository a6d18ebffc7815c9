"""Fill inputs that were unknown under mocks from what the applier already created.

Generically, through the resource's ``property_dependencies``: an ``...Arn``/``role``/
``kmsKeyId`` property takes the dependency's ARN, an ``...Id`` its id, a ``rule``/``bucket``
its name; a property whose name names a kind of resource (``kms``, ``role``, ``topic``...)
only takes a dependency of that kind. Every resolution is recorded in
``Deployment.resolved``. Documents built from outputs (policies) are left unknown: the
type's apply function decides.
"""

from __future__ import annotations

import json
from typing import Any

from drill.apply.common import Applied, Deployment
from drill.apply.inputs import contains_unknown, is_unknown
from engine.plan import PlannedResource

_ARN_PROPS = {"replicateSourceDb", "kmsKeyId", "kmsMasterKeyId", "role", "arn", "topic",
              "endpoint", "targetKeyId", "sourceArn", "policyArn", "deadLetterConfig"}
_NAME_PROPS = {"rule", "bucket", "functionName", "function", "eventBusName", "cloudwatchAlarmName",
               "name", "dbInstanceIdentifier", "alarmName", "queue"}
#: A property whose name names a kind of resource only takes a dependency of that kind.
_KIND_HINTS: tuple[tuple[str, str], ...] = (
    ("kms", "aws:kms/"), ("secret", "aws:secretsmanager/"), ("role", "aws:iam/role:"),
    ("topic", "aws:sns/topic:"), ("healthcheck", "aws:route53/healthCheck:"),
    ("bucket", "aws:s3/bucket"), ("zone", "aws:route53/zone:"),
)


def is_reference(prop: str) -> bool:
    """Is ``prop`` a reference to another resource (an ARN, id or name), which the applier
    can fill in from what it created? Documents built from outputs (policies) are not."""
    return (prop in _ARN_PROPS or prop in _NAME_PROPS
            or prop.endswith(("Arn", "Arns", "Id", "Ids", "Actions", "Healthchecks")))


def fits(prop: str, dep: Applied) -> bool:
    """Whether ``dep`` is of the kind ``prop``'s name asks for (any kind if it names none)."""
    lowered = prop.lower()
    return all(dep.type.startswith(kind) for hint, kind in _KIND_HINTS if hint in lowered)


def _attr_for(prop: str, dep: Applied) -> str:
    if prop in _NAME_PROPS:
        return dep.physical_name or dep.id
    if prop in _ARN_PROPS or prop.lower().endswith(("arn", "arns", "actions")):
        return dep.arn or dep.id
    return dep.id


def resolve_inputs(r: PlannedResource, deployment: Deployment) -> dict[str, Any]:
    """A copy of ``r.inputs`` with unknown references filled in (see the module docstring)."""
    inputs = json.loads(json.dumps(r.inputs or {}))
    for prop, value in list(inputs.items()):
        if not contains_unknown(value) or not is_reference(prop):
            continue
        deps = [deployment.applied[u] for u in (r.property_dependencies or {}).get(prop, [])
                if u in deployment.applied and fits(prop, deployment.applied[u])]
        if not deps:
            continue  # left unknown; the type's apply function decides (env vars, policies)
        if is_unknown(value):
            new: Any = _attr_for(prop, deps[0])
        elif isinstance(value, list):
            it = iter(deps)
            new = [(_attr_for(prop, next(it, deps[-1])) if is_unknown(x) else x) for x in value]
        else:
            continue
        inputs[prop] = new
        deployment.resolved.append({"urn": r.urn, "property": prop, "value": json.dumps(new),
                                    "from": ", ".join(d.urn for d in deps)})
    return inputs
