"""A planned orchestrator's environment, read through its contract (:mod:`contract.env`).

The variables' names, types, units and ranges are the models' (:class:`contract.env.FailoverEnv`,
:class:`contract.env.BackupEnv`), which the program renders and the handlers parse at cold
start; the pack writes none of them again. :meth:`OrchestratorEnv.read` sorts each variable
into known (parsed), unknown during preview, invalid or missing; :meth:`PlannedEnv.get` hands a
rule the parsed value, or tells it, through two callbacks, which input is unknown or what the
violation says (naming what the variable allows, from :meth:`OrchestratorEnv.allowed`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from contract.env import Env, EnvReading, OrchestratorEnv
from policies.rules.common import Unknown, env, is_unknown

#: The path of the whole variables map under a Lambda function's inputs.
VARIABLES = "environment.variables"


@dataclass(frozen=True)
class PlannedEnv:
    """The environment of one planned orchestrator function.

    Attributes:
        model: the function's contract (``FailoverEnv`` or ``BackupEnv``).
        urn: the function's URN.
        variables: the planned variables (unknown values kept as sentinels), or None when the
            whole map is computed during preview.
        reading: what ``model.read`` found (empty when ``variables`` is None).
    """

    model: type[OrchestratorEnv]
    urn: str
    variables: Mapping[str, Any] | None
    reading: EnvReading

    @classmethod
    def of(cls, resource: Any, model: type[OrchestratorEnv]) -> PlannedEnv:
        """Read ``resource``'s (a ``PolicyResource``-like object) variables against ``model``."""
        try:
            variables = env(resource.props)
        except Unknown:
            return cls(model, resource.urn, None, EnvReading())
        return cls(model, resource.urn, variables, model.read(variables, is_unknown))

    @property
    def who(self) -> str:
        """The function, capitalised for the start of a message (``"Failover orchestrator"``)."""
        return self.model.WHO[:1].upper() + self.model.WHO[1:]

    def path(self, name: Env) -> str:
        """The input path of variable ``name`` (the whole map's when that is computed)."""
        return VARIABLES if self.variables is None else f"{VARIABLES}.{name}"

    def computed(self, name: Env) -> bool:
        """Whether ``name`` is unknown during preview (or the whole map is)."""
        return self.variables is None or str(name) in self.reading.unknown

    def value(self, name: Env) -> Any:
        """The parsed value of ``name`` when it is known and valid, else None."""
        return self.reading.known.get(str(name))

    def get(self, name: Env, *, problem: Callable[[str], None], unknown: Callable[[str], None],
            missing: str | None = None, explain: bool = False) -> Any:
        """The parsed value of ``name``, or None after telling the caller why not.

        Args:
            problem: called with the violation message when ``name`` is invalid or missing.
            unknown: called with the input path when ``name`` is unknown during preview.
            missing: the message for a missing variable, instead of the standard one.
            explain: add the contract's reason to the invalid message (for JSON variables,
                whose allowed shape does not say what was wrong).

        An optional variable that is absent gives None and no call.
        """
        n = str(name)
        if self.computed(name):
            unknown(self.path(name))
        elif n in self.reading.known:
            return self.reading.known[n]
        elif n in self.reading.invalid:
            problem(self.invalid(name, explain))
        elif n in self.reading.missing:
            problem(missing or f"{self.who} declares no {n} ({self.model.allowed(n)}).")
        return None

    def invalid(self, name: Env, explain: bool = False) -> str:
        """The violation for an invalid ``name``: its value and what it allows."""
        raw = (self.variables or {}).get(str(name))
        shown = repr(raw) if isinstance(raw, str) else json.dumps(raw)
        why = f": {self.reading.invalid[str(name)]}" if explain else ""
        return (f"{self.who}'s {name} {shown} is invalid{why}; allowed: "
                f"{self.model.allowed(name)}.")
