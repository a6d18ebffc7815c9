"""What the plan applier works with: the applied record, the deployment, the apply context
handed to every apply function (reading planned inputs is :mod:`drill.apply.inputs`)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from contract.names import ROLE_TAG, Role
from drill.apply.inputs import tag_map
from emulator.site import ExistingSite
from engine.plan import PlannedResource

ClientFactory = Callable[[str, str], Any]


@dataclass
class Applied:
    """A planned resource as created in the emulator.

    Attributes:
        urn, type, name: from the plan (``name`` is the logical name).
        region: where it was created (Route 53 and IAM: us-east-1).
        role: its ``contract.names.ROLE_TAG`` tag, or None.
        id, arn, physical_name: what the emulator answered.
        inputs: the planned inputs after unknowns were resolved.
        left_out: what of the planned resource was not applied although the resource was
            created (a Lambda function's layers), with why; "" when nothing was.
    """

    urn: str
    type: str
    name: str
    region: str
    role: str | None
    id: str
    arn: str = ""
    physical_name: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)
    left_out: str = ""


@dataclass
class Deployment:
    """Everything the applier did: ``applied`` by URN; ``skipped`` and ``failed`` with the
    reason; ``resolved`` unknown inputs and ``substituted`` values, each with what it came
    from; seconds spent per resource type."""

    applied: dict[str, Applied] = field(default_factory=dict)
    skipped: list[dict[str, str]] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    resolved: list[dict[str, str]] = field(default_factory=list)
    substituted: list[dict[str, str]] = field(default_factory=list)
    seconds_by_type: dict[str, float] = field(default_factory=dict)

    def by_role(self, role: Role | str) -> list[Applied]:
        return [a for a in self.applied.values() if a.role == str(role)]

    def by_type(self, type_: str) -> list[Applied]:
        return [a for a in self.applied.values() if a.type == type_]

    def one(self, role: Role | str, region: str | None = None) -> Applied:
        """The single applied resource with ``role`` (in ``region``).

        Raises:
            LookupError: none, or more than one, was applied.
        """
        found = [a for a in self.by_role(role) if region is None or a.region == region]
        if len(found) != 1:
            raise LookupError(f"expected one applied resource with {ROLE_TAG}={role}"
                              f"{' in ' + region if region else ''}, found {len(found)}")
        return found[0]

    def only_type(self, type_: str) -> Applied:
        """The single applied resource of ``type_``. Raises LookupError otherwise."""
        found = self.by_type(type_)
        if len(found) != 1:
            raise LookupError(f"expected one applied {type_}, found {len(found)}")
        return found[0]

    def health_checks(self) -> dict[str, dict[str, Any]]:
        """Applied Route 53 health checks: emulator id -> planned inputs."""
        return {a.id: a.inputs for a in self.by_type("aws:route53/healthCheck:HealthCheck")}

    def summary(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for a in self.applied.values():
            counts[a.type] = counts.get(a.type, 0) + 1
        partial = [{"urn": a.urn, "type": a.type, "left_out": a.left_out}
                   for a in self.applied.values() if a.left_out]
        return {"applied": len(self.applied), "applied_by_type": dict(sorted(counts.items())),
                "partly_applied": partial, "skipped": self.skipped, "failed": self.failed,
                "resolved": self.resolved, "substituted": self.substituted,
                "seconds_by_type": self.seconds_by_type}


@dataclass
class ApplyContext:
    """What every apply function gets besides the resource.

    Attributes:
        client: ``(service, region) -> client`` of the emulator.
        site: the site's existing parts (its zone id, the primary database ARN).
        deployment: what was applied so far (apply functions add substitutions to it).
        env_substitute: ``(variable, value) -> new value or None``: the drill's DNS for the
            site's own names in environment values.
        primary_region, standby_region: the stack's Regions.
    """

    client: ClientFactory
    site: ExistingSite
    deployment: Deployment
    env_substitute: Callable[[str, str], str | None]
    primary_region: str
    standby_region: str


ApplyFn = Callable[[PlannedResource, dict[str, Any], str, ApplyContext], Applied]


class Skip(Exception):  # noqa: N818 - control flow, carries the reason
    """A planned resource the applier cannot or need not create (reason in the message)."""


def applied(r: PlannedResource, inputs: dict[str, Any], region: str, *, id: str, arn: str = "",
            physical_name: str = "") -> Applied:
    """The :class:`Applied` record of ``r`` (its role from its tags)."""
    return Applied(urn=r.urn, type=r.type, name=r.name, region=region,
                   role=tag_map(inputs).get(ROLE_TAG), id=id, arn=arn,
                   physical_name=physical_name or id, inputs=inputs)


def dependency(ctx: ApplyContext, r: PlannedResource, prop: str, kind: str) -> Applied | None:
    """The applied dependency of ``r``'s ``prop`` whose type starts with ``kind``."""
    for urn in (r.property_dependencies or {}).get(prop, []):
        a = ctx.deployment.applied.get(urn)
        if a is not None and a.type.startswith(kind):
            return a
    return None


def placeholder_zip() -> bytes:
    """The deployed package is a placeholder: the drill runs the real handler code in-process."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("README.txt", "placeholder: the DR drill runs handlers/ in-process\n")
    return buf.getvalue()
