"""The plans of the cycle's phases: the stack's config with the keys an operator sets at each
step (``pulumi config set --path ecommerce-dr:<key> <value>``), recorded under mocks like the
drill's first plan (preview semantics).

The keys after the failback come from the failover orchestrator's own phase hint (its
``pulumi config set`` commands, :func:`settings_from_commands`): the drill does what the
completion alert tells the operator to do.
"""

from __future__ import annotations

import copy
import re
import shlex
from collections.abc import Mapping
from typing import Any

from components.settings import PROJECT
from drill.options import DrillError, DrillOptions
from engine.config import StackConfigError, read_config
from engine.plan import Plan, PlanConfigError, PlanRequest, record_plans

_SET = re.compile(rf"pulumi config set\b.*?--path\s+{PROJECT}:(?P<key>\S+)\s+(?P<value>\S+)\s*$")


def settings_from_commands(commands: list[str]) -> dict[str, str]:
    """``{"<dotted key>": value}`` of every ``pulumi config set --path ecommerce-dr:<key>
    <value>`` among ``commands`` (other commands, ``pulumi up``, are not config)."""
    out = {}
    for command in commands:
        if m := _SET.search(command.strip()):
            # the value as the shell passes it (the orchestrator quotes one with a "!")
            out[m["key"]] = shlex.split(m["value"])[0]
    return out


def overrides(config: Mapping[str, Any], base: Mapping[str, Any],
              settings: Mapping[str, str]) -> dict[str, Any]:
    """Config overrides (fully qualified key -> value) that set each dotted ``settings`` key
    (``failover.phase``) over the stack file's ``config`` and the drill's ``base`` overrides.

    Raises:
        DrillError: a dotted key whose parent is not an object in the config.
    """
    out: dict[str, Any] = dict(base)
    for dotted, value in settings.items():
        top, _, rest = dotted.partition(".")
        name = f"{PROJECT}:{top}"
        if not rest:
            out[name] = value
            continue
        obj = copy.deepcopy(out.get(name, config.get(name, {})))
        if not isinstance(obj, dict):
            raise DrillError(f"{name} is not an object in the stack config; cannot set {dotted}")
        node = obj
        *parents, leaf = rest.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
        out[name] = obj
    return out


def record(opts: DrillOptions, base: Mapping[str, Any],
           variants: Mapping[str, Mapping[str, str]]) -> dict[str, Plan]:
    """Record one plan per variant (name -> dotted settings) in one subprocess.

    Raises:
        DrillError: the stack file is unreadable, or the program rejected a variant's config.
        engine.plan.PlanError: the program failed under mocks otherwise.
    """
    try:
        config = read_config(opts.stack, stack_file=opts.stack_file)
    except StackConfigError as e:
        raise DrillError(str(e)) from None
    names = list(variants)
    requests = [PlanRequest(opts.stack, opts.stack_file, overrides(config, base, variants[n]), True)
                for n in names]
    out: dict[str, Plan] = {}
    for name, result in zip(names, record_plans(requests), strict=True):
        if isinstance(result, PlanConfigError):
            raise DrillError(f"the program rejected the {name} config: {result}")
        if isinstance(result, Exception):
            raise result
        out[name] = result
    return out
