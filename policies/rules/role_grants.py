"""What the failover orchestrator's role grants, read as IAM reads a policy: its inline
role policies' statements, action patterns matched without case with ``*`` (any run of
characters) and ``?`` (any one character), ``NotAction`` covering every action it does not
list (IAM User Guide, "IAM JSON policy elements: Action" and "NotAction",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html).
"""

from __future__ import annotations

import json
import re
from typing import Any

from pulumi_policy import StackValidationArgs

from contract.names import Role
from policies.resource_types import FUNCTION, ROLE_POLICY
from policies.rules.common import Unknown, by_type, role, value


def failover_role_urns(args: StackValidationArgs) -> set[str]:
    """URNs of the roles the failover orchestrator's functions run as (empty: none traced)."""
    fns = [r for r in by_type(args.resources, FUNCTION)
           if role(r.props) == Role.FAILOVER_ORCHESTRATOR]
    return {d.urn for fn in fns for d in fn.property_dependencies.get("role", [])}


def failover_statements(args: StackValidationArgs) -> list[dict[str, Any]] | None:
    """The statements of the failover orchestrator's role policies (None: a policy is not
    known yet, or no role is traced: :func:`failover_role_urns`)."""
    roles = failover_role_urns(args)
    out: list[dict[str, Any]] = []
    for r in by_type(args.resources, ROLE_POLICY):
        if not roles & {d.urn for d in r.property_dependencies.get("role", [])}:
            continue
        try:
            doc = value(r.props, "policy")
        except Unknown:
            return None
        if not isinstance(doc, str):
            return None
        statements = json.loads(doc).get("Statement", [])
        out += statements if isinstance(statements, list) else [statements]
    return out if roles else None


def listed(v: Any) -> list[str]:
    """A policy element as a list of strings (IAM allows one string or a list)."""
    return [str(x) for x in (v if isinstance(v, list) else [v])]


def names_action(pattern: str, action: str) -> bool:
    """Whether the IAM action ``pattern`` matches ``action``."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(body, action, re.IGNORECASE | re.DOTALL) is not None


def allows(st: dict[str, Any], action: str) -> bool:
    """Whether the statement ``st`` is an Allow that covers ``action``."""
    if st.get("Effect") != "Allow":
        return False
    if "NotAction" in st:
        return not any(names_action(a, action) for a in listed(st["NotAction"]))
    return any(names_action(a, action) for a in listed(st.get("Action", [])))
