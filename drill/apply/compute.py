"""Apply functions for Lambda functions (environment filled by the contract, site names
pointed at the loopback endpoints) and Lambda permissions."""

from __future__ import annotations

from typing import Any

from contract.names import ROLE_TAG
from drill.apply.common import Applied, ApplyContext, ApplyFn, Skip, applied, placeholder_zip
from drill.apply.env import fill_environment
from drill.apply.inputs import autoname, known, name_of, tag_map
from drill.apply.security import LAMBDA_TRUST
from drill.text import listing
from engine.plan import PlannedResource


def _role_arn(r: PlannedResource, i: dict[str, Any], name: str, ctx: ApplyContext) -> str:
    """The function's role: the planned one, or a stand-in when it was not applied (the
    emulator needs one to exist)."""
    role = known(i, "role")
    if role:
        return str(role)
    role = ctx.client("iam", "us-east-1").create_role(
        RoleName=f"{name}-drill"[:64], AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    ctx.deployment.substituted.append(
        {"urn": r.urn, "property": "role",
         "value": f"{role} (planned role not applied; the emulator needs one to exist)"})
    return str(role)


def _substitute(r: PlannedResource, env: dict[str, Any], ctx: ApplyContext) -> dict[str, Any]:
    """Site FQDNs in environment values -> the loopback endpoints (recorded)."""
    out = dict(env)
    for key, value in env.items():
        new = ctx.env_substitute(key, str(value))
        if new is not None:
            ctx.deployment.substituted.append(
                {"urn": r.urn, "property": f"environment.variables.{key}",
                 "value": f"{value} -> {new}"})
            out[key] = new
    return out


def planned_environment(r: PlannedResource, i: dict[str, Any], ctx: ApplyContext) -> dict[str, Any]:
    """The function's environment as deployed: unknown values filled by the contract, site
    names pointed at the loopback endpoints. Raises Skip when a variable cannot be filled."""
    env = dict(((i.get("environment") or {}).get("variables")) or {})
    role_tag = tag_map(i).get(ROLE_TAG)
    return _substitute(r, fill_environment(ctx, urn=r.urn, role=role_tag, variables=env), ctx)


def lambda_function(r: PlannedResource, i: dict[str, Any], region: str,
                    ctx: ApplyContext) -> Applied:
    """CreateFunction with a placeholder package and the planned environment (unknown
    values filled by the contract, site names pointed at the loopback endpoints). Raises Skip when
    a variable cannot be filled."""
    name = name_of(r, i)
    role = _role_arn(r, i, name, ctx)
    env = planned_environment(r, i, ctx)
    layers = known(i, "layers")
    fn = ctx.client("lambda", region).create_function(
        FunctionName=name, Runtime=known(i, "runtime", "python3.12"),
        Role=role, Handler=known(i, "handler", "app.handler"),
        Code={"ZipFile": placeholder_zip()},
        Timeout=int(known(i, "timeout", 3)), MemorySize=int(known(i, "memorySize", 128)),
        Environment={"Variables": {k: str(v) for k, v in env.items()}},
        Tags=tag_map(i))
    i = {**i, "environment": {"variables": env}}
    out = applied(r, i, region, id=name, arn=fn["FunctionArn"], physical_name=name)
    if layers:
        out.left_out = (f"layers {listing(layers)} not attached: the drill runs the handler "
                        "in-process with the venv's aws-lambda-powertools")
    return out


def lambda_permission(r: PlannedResource, i: dict[str, Any], region: str,
                      ctx: ApplyContext) -> Applied:
    """AddPermission. Raises Skip when the function is unknown."""
    fn = known(i, "function")
    if not fn:
        raise Skip("function unknown and not resolvable")
    sid = known(i, "statementId") or autoname(r.name, r.urn)
    kw: dict[str, Any] = {"FunctionName": fn, "StatementId": sid,
                          "Action": i.get("action", "lambda:InvokeFunction"),
                          "Principal": i["principal"]}
    if known(i, "sourceArn"):
        kw["SourceArn"] = i["sourceArn"]
    ctx.client("lambda", region).add_permission(**kw)
    return applied(r, i, region, id=f"{fn}/{sid}")


APPLIERS: dict[str, ApplyFn] = {
    "aws:lambda/function:Function": lambda_function,
    "aws:lambda/permission:Permission": lambda_permission,
}
