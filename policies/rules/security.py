"""IAM rules: no policy on a Lambda function's role grants a ``*`` or ``service:*`` action.

The orchestrators act on databases, DNS and alarms in both Regions; a wildcard action there
turns a bug into an outage. A role counts as a Lambda role when its trust policy names
``lambda.amazonaws.com`` or a Lambda function's ``role`` input refers to it. Policies reach a
role as an inline ``RolePolicy`` or as a ``Policy`` attached by ``RolePolicyAttachment``;
references are followed by property dependency (computed during preview) or literal name/ARN.
"""

from __future__ import annotations

import json
from typing import Any

from pulumi_policy import Policy, ReportViolation, StackValidationArgs

from policies.rules.common import (
    Unknown,
    by_type,
    not_applicable,
    stack_policy,
    value,
)

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
POLICY = "aws:iam/policy:Policy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
FUNCTION = "aws:lambda/function:Function"
LAMBDA_SERVICE = "lambda.amazonaws.com"


def wildcard_actions(document: Any) -> list[str]:
    """Allowed actions in an IAM policy document that are ``*`` or ``service:*``.

    An ``Allow`` with ``NotAction`` is reported too: it grants every action but a few.

    Raises:
        ValueError: the document is not JSON or not an IAM policy shape.
    """
    doc = json.loads(document) if isinstance(document, str) else document
    if not isinstance(doc, dict):
        raise ValueError("policy document must be a JSON object")
    statements = doc.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    found: list[str] = []
    for st in statements:
        if not isinstance(st, dict) or st.get("Effect", "Allow") != "Allow":
            continue
        actions = st.get("Action", [])
        for a in [actions] if isinstance(actions, str) else actions:
            if a == "*" or str(a).endswith(":*"):
                found.append(str(a))
        if "NotAction" in st:
            found.append(f"NotAction {st['NotAction']}")
    return found


def _trusts_lambda(role: Any) -> bool:
    try:
        doc = value(role.props, "assumeRolePolicy")
    except Unknown:
        return False
    return isinstance(doc, str | dict) and LAMBDA_SERVICE in json.dumps(doc)


def _refs(resource: Any, prop: str) -> set[str]:
    """URNs an input depends on, plus its literal value (a name or ARN) when known."""
    out = {d.urn for d in (resource.property_dependencies or {}).get(prop, [])}
    try:
        v = value(resource.props, prop)
    except Unknown:
        v = None
    if isinstance(v, str) and v:
        out.add(v)
    return out


def lambda_roles(resources: list[Any]) -> list[Any]:
    """Roles Lambda functions run as (by trust policy or by a function's ``role`` input)."""
    used: set[str] = set()
    for f in by_type(resources, FUNCTION):
        used |= _refs(f, "role")
    return [r for r in by_type(resources, ROLE) if _trusts_lambda(r) or r.urn in used]


def _keys(role: Any) -> set[str]:
    """What a reference to ``role`` may hold: its URN or its literal name."""
    keys = {role.urn}
    try:
        name = value(role.props, "name")
    except Unknown:
        name = None
    if isinstance(name, str) and name:
        keys.add(name)
    return keys


def no_wildcard_actions(**overrides: Any) -> Policy:
    """``iam-lambda-policy-no-wildcard-action``."""

    def check(args: StackValidationArgs, report: ReportViolation, cfg: dict[str, Any]) -> None:
        res = list(args.resources)
        keys: set[str] = set()
        for role in lambda_roles(res):
            keys |= _keys(role)
        managed = {p.urn: p for p in by_type(res, POLICY)}
        policies: dict[str, Any] = {}
        for rp in by_type(res, ROLE_POLICY):
            if _refs(rp, "role") & keys:
                policies[rp.urn] = rp
        for att in by_type(res, ATTACHMENT):
            if _refs(att, "role") & keys:
                for ref in _refs(att, "policyArn"):
                    if ref in managed:
                        policies[ref] = managed[ref]
        undecided: list[str] = []
        for urn, p in policies.items():
            try:
                doc = value(p.props, "policy")
            except Unknown:
                undecided.append(urn)
                continue
            try:
                bad = wildcard_actions(doc)
            except (ValueError, TypeError) as e:
                report(f"IAM policy on a Lambda role is not a valid policy document: {e}.", urn)
                continue
            if bad:
                report("IAM policy on a Lambda function's role must not grant wildcard actions; "
                       f"found {', '.join(bad)}. List the actions the function calls.", urn)
        if undecided:
            not_applicable("policy documents of " + ", ".join(undecided)
                           + " can't be known during preview")

    return stack_policy(
        name="iam-lambda-policy-no-wildcard-action",
        description="Checks whether IAM policies on Lambda functions' roles avoid \"*\" and "
                    "\"service:*\" actions.",
        check=check, overrides=overrides)


def policies() -> list[Policy]:
    return [no_wildcard_actions()]
