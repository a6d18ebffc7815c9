"""Fill in an orchestrator's environment variables that were unknown under mocks, by the
contract: each variable's :class:`contract.env.Fill` rule
(:meth:`contract.env.FailoverEnv.fill_rule` / :meth:`contract.env.BackupEnv.fill_rule`) says
which applied resource (by role or type) or which part of the site holds the value the
program took from another resource's outputs."""

from __future__ import annotations

import json
from typing import Any

from contract.env import BackupEnv, FailoverEnv, Fill, OrchestratorEnv
from contract.names import Role
from drill.apply.common import ApplyContext, Skip
from drill.apply.inputs import is_unknown

#: The environment model of each orchestrator role.
MODELS: dict[str, type[OrchestratorEnv]] = {
    str(Role.FAILOVER_ORCHESTRATOR): FailoverEnv,
    str(Role.BACKUP_ORCHESTRATOR): BackupEnv,
}


def fill_rule(role: str | None, name: str) -> Fill | None:
    """The fill rule of variable ``name`` for a function with ``role`` (any orchestrator's
    model when the role is not one), or None."""
    models = [MODELS[role]] if role in MODELS else list(MODELS.values())
    for model in models:
        try:
            rule = model.fill_rule(name)
        except KeyError:
            continue
        if rule is not None:
            return rule
    return None


def _value(rule: Fill, ctx: ApplyContext) -> str:
    """The value ``rule`` names. Raises LookupError when it is not (uniquely) applied."""
    d = ctx.deployment
    if rule.site:
        return str(getattr(ctx.site, rule.site))
    if rule.resource_type:
        return str(getattr(d.only_type(rule.resource_type), rule.attribute))
    if rule.role is None:
        raise LookupError("the rule names no role, type or site attribute")
    if rule.by_region:
        return json.dumps({a.region: getattr(a, rule.attribute) for a in d.by_role(rule.role)})
    return str(getattr(d.one(rule.role), rule.attribute))


def fill(ctx: ApplyContext, *, urn: str, role: str | None, name: str) -> str:
    """The value of variable ``name`` rebuilt by its contract rule; recorded in
    ``Deployment.resolved``.

    Raises:
        Skip: no rule for ``name``, or the resource the rule names was not applied (the
            function cannot be deployed with a complete environment).
    """
    rule = fill_rule(role, name)
    if rule is None:
        raise Skip(f"environment variable {name} unknown under mocks and the drill has no "
                   "rule to rebuild it")
    try:
        value = _value(rule, ctx)
    except LookupError as e:
        raise Skip(f"environment variable {name}: {e}") from None
    ctx.deployment.resolved.append({"urn": urn, "property": f"environment.variables.{name}",
                                    "value": value, "from": f"contract: {name}"})
    return value


def fill_environment(ctx: ApplyContext, *, urn: str, role: str | None,
                     variables: dict[str, Any]) -> dict[str, Any]:
    """``variables`` with every unknown value filled (:func:`fill`)."""
    return {k: fill(ctx, urn=urn, role=role, name=k) if is_unknown(v) else v
            for k, v in variables.items()}
