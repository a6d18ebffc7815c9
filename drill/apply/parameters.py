"""Apply function for SSM parameters (the app-facing write switch, one per Region)."""

from __future__ import annotations

from typing import Any

from drill.apply.common import Applied, ApplyContext, ApplyFn, Skip, applied
from drill.apply.inputs import aws_tags, known, name_of
from engine.plan import PlannedResource


def ssm_parameter(r: PlannedResource, i: dict[str, Any], region: str, ctx: ApplyContext) -> Applied:
    """PutParameter (Overwrite: the provider's create and update both set the value), then
    its tags. Raises Skip when the value is unknown."""
    name = name_of(r, i)
    value = known(i, "value", known(i, "insecureValue"))
    if value is None:
        raise Skip("value unknown under mocks")
    ssm = ctx.client("ssm", region)
    ssm.put_parameter(Name=name, Value=str(value), Type=known(i, "type", "String"), Overwrite=True,
                      **({"Description": i["description"]} if known(i, "description") else {}))
    if tags := aws_tags(i):
        ssm.add_tags_to_resource(ResourceType="Parameter", ResourceId=name, Tags=tags)
    arn = ssm.get_parameter(Name=name)["Parameter"].get("ARN", "")
    return applied(r, i, region, id=name, arn=arn, physical_name=name)


APPLIERS: dict[str, ApplyFn] = {
    "aws:ssm/parameter:Parameter": ssm_parameter,
}
