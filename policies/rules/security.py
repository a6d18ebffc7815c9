"""Security rules: no policy on a Lambda function's role grants a wildcard action or a broad
AWS-managed policy; the failover orchestrator's role invokes only the Lambda functions it
names; every KMS key the stack creates rotates its key material.

The orchestrators act on databases, DNS and alarms in both Regions; a wildcard action there
turns a bug into an outage, so a Lambda role's policies name every action: no ``*``, no
``service:*``, no partial wildcard (``s3:Get*``, ``iam:*Policy*``, ``?``), no ``Allow`` with
``NotAction`` (which grants everything else), and no AWS-managed ``AdministratorAccess*``,
``PowerUserAccess`` or ``*FullAccess`` policy. A role counts as a Lambda role when its trust
policy names ``lambda.amazonaws.com`` or a Lambda function's ``role`` input refers to it.

Policies reach a role as an inline ``RolePolicy``, the role's own ``inlinePolicies`` and
``managedPolicyArns``, or a policy attached by ``RolePolicyAttachment`` or ``PolicyAttachment``
(``roles``). References are followed by property dependency (computed during preview) or by
literal name/ARN. Anything that can't be decided during preview (a computed document, a
computed trust policy, a computed policy ARN that leads to no policy in the stack) makes the
rule *not applicable*, naming it, never a silent pass.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pulumi_policy import Policy, ReportViolation, ResourceValidationArgs, StackValidationArgs

from policies.resource_types import (
    FUNCTION,
    KMS_KEY,
    POLICY,
    POLICY_ATTACHMENT,
    ROLE,
    ROLE_POLICY,
    ROLE_POLICY_ATTACHMENT,
)
from policies.rules.common import Unknown, by_type, is_set, is_unknown, number, value
from policies.rules.declare import not_applicable, resource_rule, stack_rule, undecided_in_preview
from policies.rules.role_grants import allows, failover_role_urns, failover_statements, listed
from rto_rpo.figures import KMS_ROTATION_PERIOD_DAYS_MAX, KMS_ROTATION_PERIOD_DAYS_MIN

LAMBDA_SERVICE = "lambda.amazonaws.com"

#: An AWS-managed policy ARN (any partition, any path): ``arn:aws:iam::aws:policy/<path/>Name``.
AWS_MANAGED_ARN = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(?:[^/]+/)*(?P<name>[^/]+)$")


def broad_aws_managed(arn: str) -> bool:
    """Whether ``arn`` is an AWS-managed policy granting whole services or the account:
    ``AdministratorAccess`` (and its variants), ``PowerUserAccess`` or ``*FullAccess``."""
    m = AWS_MANAGED_ARN.match(arn)
    if not m:
        return False
    name = m["name"]
    return (name.startswith("AdministratorAccess") or name == "PowerUserAccess"
            or name.endswith("FullAccess"))


def wildcard_actions(document: Any) -> list[str]:
    """Allowed actions in an IAM policy document that are not a single named action.

    Any ``*`` or ``?`` in an action is reported (``*``, ``s3:*``, ``s3:Get*``,
    ``iam:*Policy*``); ``Action`` may be a string or a list. An ``Allow`` with ``NotAction``
    is reported too: it grants every action but the listed ones.

    Raises:
        ValueError: the document is not JSON or not an IAM policy shape.
    """
    doc = json.loads(document) if isinstance(document, str) else document
    if not isinstance(doc, dict):
        raise ValueError("policy document must be a JSON object")
    statements = doc.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        raise ValueError("Statement must be an object or a list")
    found: list[str] = []
    for st in statements:
        if not isinstance(st, dict) or st.get("Effect", "Allow") != "Allow":
            continue
        actions = st.get("Action", [])
        if isinstance(actions, str):
            actions = [actions]
        if not isinstance(actions, list):
            raise ValueError("Action must be a string or a list of strings")
        found.extend(str(a) for a in actions if "*" in str(a) or "?" in str(a))
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
    """URNs an input depends on, plus its literal value(s) (names or ARNs) when known; a
    list input (``roles``, ``managedPolicyArns``) gives each known element."""
    out = {d.urn for d in (resource.property_dependencies or {}).get(prop, [])}
    try:
        v = value(resource.props, prop)
    except Unknown:
        v = None
    for x in v if isinstance(v, list) else [v]:
        if isinstance(x, str) and x and not is_unknown(x):
            out.add(x)
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


class _Finder:
    """Resolves policy ARNs to the stack's ``Policy`` resources or to AWS-managed names."""

    def __init__(self, resources: list[Any]) -> None:
        self.by_urn = {p.urn: p for p in by_type(resources, POLICY)}
        self.by_name: dict[str, Any] = {}
        for p in self.by_urn.values():
            try:
                name = value(p.props, "name")
            except Unknown:
                name = None
            if isinstance(name, str) and name:
                self.by_name[name] = p

    def policy(self, ref: str) -> Any | None:
        """The ``Policy`` a reference (URN or customer-managed ARN) points at, or None."""
        if ref in self.by_urn:
            return self.by_urn[ref]
        if ":policy/" in ref:
            return self.by_name.get(ref.rsplit("/", 1)[-1])
        return None


class _Reach:
    """Everything that grants a stack's Lambda roles their permissions.

    :meth:`follow` walks inline role policies, attachments and each role's own
    ``managedPolicyArns`` and ``inlinePolicies``; a broad AWS-managed policy is reported at
    once, policy documents are kept for :meth:`documents`, and inputs that can't be decided
    during preview go to ``undecided`` as ``"<urn>: <path>"``.
    """

    def __init__(self, resources: list[Any], report: ReportViolation) -> None:
        self.resources = resources
        self.report = report
        self.roles = lambda_roles(resources)
        self.undecided = [f"{r.urn}: assumeRolePolicy" for r in by_type(resources, ROLE)
                          if r not in self.roles and _trust_unknown(r)]
        self.keys: set[str] = set()
        for role in self.roles:
            self.keys |= _keys(role)
        self.finder = _Finder(resources)
        self.policies: dict[str, Any] = {}  # urn -> a resource with a ``policy`` input
        self.inline: list[tuple[str, Any]] = []  # (role urn, document)

    def follow(self) -> None:
        for rp in by_type(self.resources, ROLE_POLICY):
            if _refs(rp, "role") & self.keys:
                self.policies[rp.urn] = rp
        for kind, prop in ((ROLE_POLICY_ATTACHMENT, "role"), (POLICY_ATTACHMENT, "roles")):
            for att in by_type(self.resources, kind):
                if _refs(att, prop) & self.keys:
                    self.attach(att.urn, _refs(att, "policyArn"), _computed(att, "policyArn"))
        for role in self.roles:
            self.managed(role)
            self.inline_policies(role)

    def attach(self, urn: str, refs: set[str], computed: bool) -> None:
        """Follow policy references from an attachment (or a role's managedPolicyArns)."""
        resolved = False
        for ref in sorted(refs):
            target = self.finder.policy(ref)
            if target is not None:
                self.policies[target.urn] = target
            elif broad_aws_managed(ref):
                self.report(f"Lambda function's role must not have the AWS managed policy {ref} "
                            "attached: it grants whole services or the account. Attach a policy "
                            "that lists the actions the function calls.", urn)
            elif not (AWS_MANAGED_ARN.match(ref) or ":policy/" in ref):
                continue  # not a policy reference: resolves nothing
            resolved = True  # a narrow AWS-managed or an outside customer policy counts too
        if computed and not resolved:
            self.undecided.append(f"{urn}: policyArn")

    def _listed(self, role: Any, prop: str) -> list[Any]:
        """The role's list input ``prop``: [] when absent, or when it is unknown during
        preview (then noted as undecided)."""
        try:
            return value(role.props, prop, default=[]) or []
        except Unknown:
            self.undecided.append(f"{role.urn}: {prop}")
            return []

    def managed(self, role: Any) -> None:
        arns = self._listed(role, "managedPolicyArns")
        if any(is_unknown(a) for a in arns) and not (
                role.property_dependencies or {}).get("managedPolicyArns"):
            self.undecided.append(f"{role.urn}: managedPolicyArns")
        self.attach(role.urn, _refs(role, "managedPolicyArns"), False)

    def inline_policies(self, role: Any) -> None:
        for i, block in enumerate(self._listed(role, "inlinePolicies")):
            doc = block.get("policy") if isinstance(block, dict) else None
            if is_unknown(doc):
                self.undecided.append(f"{role.urn}: inlinePolicies.{i}.policy")
            elif doc:
                self.inline.append((role.urn, doc))

    def documents(self) -> list[tuple[str, Any]]:
        """``(urn to report at, document)`` of every policy reaching a Lambda role."""
        out: list[tuple[str, Any]] = []
        for urn, p in self.policies.items():
            try:
                out.append((urn, value(p.props, "policy")))
            except Unknown:
                self.undecided.append(f"{urn}: policy")
        return out + self.inline


@stack_rule("iam-lambda-policy-no-wildcard-action",
            'Checks whether IAM policies on Lambda functions\' roles name every action (no "*", '
            '"service:*", partial wildcards, Allow with NotAction or broad AWS managed policies).')
def no_wildcard_actions(args: StackValidationArgs, report: ReportViolation, cfg: dict[str, Any]) -> None:
    """``iam-lambda-policy-no-wildcard-action``."""
    reach = _Reach(list(args.resources), report)
    reach.follow()
    for urn, doc in reach.documents():
        try:
            bad = wildcard_actions(doc)
        except (ValueError, TypeError) as e:
            report(f"IAM policy on a Lambda role is not a valid policy document: {e}.", urn)
            continue
        if bad:
            report("IAM policy on a Lambda function's role must not grant wildcard actions; "
                   f"found {', '.join(bad)}. List the actions the function calls.", urn)
    undecided_in_preview(reach.undecided)


def _computed(resource: Any, prop: str) -> bool:
    try:
        value(resource.props, prop)
    except Unknown:
        return True
    return False


def _trust_unknown(role: Any) -> bool:
    return _computed(role, "assumeRolePolicy")


#: The action each failover.warmFunctions entry is granted (on that function's ARN).
INVOKE_ACTION = "lambda:InvokeFunction"


@stack_rule("failover-role-invokes-named-functions",
            "Checks whether the failover orchestrator's role may invoke only named Lambda "
            "functions (lambda:InvokeFunction on ARNs without * or ?, no NotResource).")
def invoke_named_functions(args: StackValidationArgs, report: ReportViolation,
                           cfg: dict[str, Any]) -> None:
    """``failover-role-invokes-named-functions``: the warm step invokes the functions
    ``failover.warmFunctions`` names; a grant on ``*``, ``function:*`` or ``shop-?`` would let
    the orchestrator (or anyone who can change its event) invoke any function of the account,
    in any Region. Defence in depth behind the config check of each entry. Not applicable
    while the role's policies are unknown during preview; a stack with no traced failover
    role grants it nothing to check."""
    statements = failover_statements(args)
    if statements is None and failover_role_urns(args):
        not_applicable("the failover orchestrator's role policies can't be known during "
                       "preview")
    for st in (s for s in statements or [] if isinstance(s, dict) and allows(s, INVOKE_ACTION)):
        reach = ([f"every resource but {listed(st['NotResource'])} (NotResource)"]
                 if "NotResource" in st else
                 [repr(r) for r in listed(st.get("Resource", [])) if "*" in r or "?" in r])
        for what in reach:
            report(f"the failover orchestrator's role grants {INVOKE_ACTION} on {what}: it may "
                   "invoke only the functions failover.warmFunctions names, each by its ARN "
                   "(no * or ?).")


#: The only key spec and usage AWS KMS rotates automatically (symmetric encryption keys).
ROTATABLE_SPEC, ROTATABLE_USAGE = "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"


@resource_rule("kms-key-rotation-enabled", [KMS_KEY],
               "Checks whether KMS keys have automatic key rotation enabled.")
def kms_key_rotation(args: ResourceValidationArgs, report: ReportViolation, cfg: dict[str, Any]) -> None:
    """``kms-key-rotation-enabled``: every KMS key the stack creates rotates automatically.

    The standby key encrypts the standby database, its snapshot copies and the DR state for as
    long as the stack exists; rotation limits how much data one key version protects. Keys AWS
    cannot rotate automatically (asymmetric or HMAC key specs, a custom key store) make the
    rule not applicable to them, naming why; a given ``rotationPeriodInDays`` must be in AWS's
    range. Sources: :data:`rto_rpo.figures.KMS_ROTATION_PERIOD_DAYS_MIN` (AWS KMS Developer
    Guide, "Rotate AWS KMS keys"); AWSGuard's rule of the same name.
    """
    spec = value(args.props, "customerMasterKeySpec", default=ROTATABLE_SPEC)
    usage = value(args.props, "keyUsage", default=ROTATABLE_USAGE)
    if spec != ROTATABLE_SPEC or usage != ROTATABLE_USAGE or is_set(args.props, "customKeyStoreId"):
        args.not_applicable(
            f"automatic rotation applies only to symmetric encryption keys with KMS key "
            f"material (customerMasterKeySpec {spec}, keyUsage {usage}"
            f"{', a custom key store' if is_set(args.props, 'customKeyStoreId') else ''})")
    if value(args.props, "enableKeyRotation") is not True:
        report("KMS key must have automatic rotation enabled (enableKeyRotation: true).")
    days = number(args.props, "rotationPeriodInDays")
    lo, hi = KMS_ROTATION_PERIOD_DAYS_MIN, KMS_ROTATION_PERIOD_DAYS_MAX
    if days is not None and not lo <= days <= hi:
        report(f"KMS key rotationPeriodInDays must be between {lo} and {hi}, got {days:g}.")


def policies() -> list[Policy]:
    return [no_wildcard_actions(), invoke_named_functions(), kms_key_rotation()]
