"""Apply functions for KMS keys and aliases, and IAM roles and inline policies (IAM is global:
created in us-east-1; the emulator does not enforce it)."""

from __future__ import annotations

import json
from typing import Any

from drill.apply.common import Applied, ApplyContext, ApplyFn, Skip, applied
from drill.apply.inputs import aws_tags, known, name_of
from engine.plan import PlannedResource

LAMBDA_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole",
    "Principal": {"Service": "lambda.amazonaws.com"}}]})


def kms_key(r: PlannedResource, i: dict[str, Any], region: str, ctx: ApplyContext) -> Applied:
    """CreateKey, with rotation when planned."""
    kms = ctx.client("kms", region)
    meta = kms.create_key(Description=known(i, "description", r.name),
                          Tags=aws_tags(i, "TagKey", "TagValue"))["KeyMetadata"]
    if known(i, "enableKeyRotation"):
        kms.enable_key_rotation(KeyId=meta["KeyId"])
    return applied(r, i, region, id=meta["KeyId"], arn=meta["Arn"])


def kms_alias(r: PlannedResource, i: dict[str, Any], region: str, ctx: ApplyContext) -> Applied:
    """CreateAlias. Raises Skip when the target key is unknown."""
    name = name_of(r, i)
    target = known(i, "targetKeyId")
    if not target:
        raise Skip("targetKeyId unknown and not resolvable")
    ctx.client("kms", region).create_alias(AliasName=name, TargetKeyId=target)
    return applied(r, i, region, id=name, arn="", physical_name=name)


def iam_role(r: PlannedResource, i: dict[str, Any], region: str, ctx: ApplyContext) -> Applied:
    """CreateRole (a Lambda trust policy when the planned one is unknown)."""
    name = name_of(r, i)
    policy = known(i, "assumeRolePolicy") or LAMBDA_TRUST
    arn = ctx.client("iam", "us-east-1").create_role(
        RoleName=name, AssumeRolePolicyDocument=policy if isinstance(policy, str)
        else json.dumps(policy))["Role"]["Arn"]
    return applied(r, i, "us-east-1", id=name, arn=arn, physical_name=name)


def iam_role_policy(r: PlannedResource, i: dict[str, Any], region: str,
                    ctx: ApplyContext) -> Applied:
    """PutRolePolicy. Raises Skip when the role or document is unknown."""
    role, policy = known(i, "role"), known(i, "policy")
    if not role or not policy:
        raise Skip("role or policy document unknown under mocks (built from other "
                   "resources' ARNs); IAM is not enforced by the emulator")
    role_name = role.rsplit("/", 1)[-1]
    name = name_of(r, i)
    ctx.client("iam", "us-east-1").put_role_policy(
        RoleName=role_name, PolicyName=name,
        PolicyDocument=policy if isinstance(policy, str) else json.dumps(policy))
    return applied(r, i, "us-east-1", id=f"{role_name}:{name}")


APPLIERS: dict[str, ApplyFn] = {
    "aws:kms/key:Key": kms_key,
    "aws:kms/alias:Alias": kms_alias,
    "aws:iam/role:Role": iam_role,
    "aws:iam/rolePolicy:RolePolicy": iam_role_policy,
}
