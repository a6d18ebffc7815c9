"""One stack's planned resources, and what finding the RTO/RPO terms among them turned up.

Every finder in :mod:`policies.inventory` reads inputs through a :class:`Survey`, which
records, in the order they are met:

* problems: structural violations (a missing piece, an invalid variable), each
  ``(message, urn or "")``;
* unknown inputs: ``"<urn>: <path>"`` for each input that is computed during preview.

Reads return :data:`COMPUTED` for an unknown input (after recording it), so a finder can
tell "computed" from "absent".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from contract.env import Env, OrchestratorEnv
from contract.names import Role
from policies.orchestrator_env import VARIABLES, PlannedEnv
from policies.resource_types import EVENT_RULE, FUNCTION
from policies.rules.common import Unknown, by_type, number, role, schedule_period_seconds, value


class Computed:
    """The type of :data:`COMPUTED`."""

    def __repr__(self) -> str:
        return "COMPUTED"


#: What a read returns for an input that is unknown during preview.
COMPUTED: Final = Computed()


class Survey:
    """The planned resources of one stack and the problems and unknown inputs found so far.

    Args:
        resources: ``PolicyResource``-like objects (``resource_type``, ``props``, ``urn``).
    """

    def __init__(self, resources: Iterable[Any]) -> None:
        self.resources = list(resources)
        self.problems: list[tuple[str, str]] = []
        self._log: list[str] = []

    # --- what was found ----------------------------------------------------------------------

    @property
    def unknown(self) -> list[str]:
        """Unknown inputs as ``"<urn>: <path>"``, in the order met, each once."""
        return list(dict.fromkeys(self._log))

    def mark(self) -> int:
        """A bookmark for :meth:`since`."""
        return len(self._log)

    def since(self, mark: int) -> tuple[str, ...]:
        """Unknown inputs recorded since ``mark`` (each once), e.g. what a term needs."""
        return tuple(dict.fromkeys(self._log[mark:]))

    def problem(self, message: str, urn: str = "") -> None:
        self.problems.append((message, urn))

    def unknown_at(self, urn: str, path: str) -> None:
        self._log.append(f"{urn}: {path}")

    # --- finding resources -------------------------------------------------------------------

    def with_role(self, resource_type: str, wanted: Role) -> list[Any]:
        """Resources of a type whose ``dr:role`` tag is ``wanted``."""
        return [r for r in by_type(self.resources, resource_type) if role(r.props) == wanted]

    def of_type(self, resource_type: str) -> list[Any]:
        return by_type(self.resources, resource_type)

    def orchestrator(self, wanted: Role, model: type[OrchestratorEnv], *,
                     missing: str) -> PlannedEnv | None:
        """The Lambda function whose ``dr:role`` is ``wanted``, its environment read through
        ``model``; None (and the problem ``missing``) when there is none. Variables unknown
        during preview as a whole are recorded (``PlannedEnv.variables`` is then None)."""
        found = self.with_role(FUNCTION, wanted)
        if not found:
            self.problem(missing)
            return None
        orch = PlannedEnv.of(found[0], model)
        if orch.variables is None:
            self.unknown_at(orch.urn, VARIABLES)
        return orch

    # --- reading inputs ----------------------------------------------------------------------

    def text(self, r: Any, *path: str) -> Any:
        """The input at ``path`` (None when absent), or :data:`COMPUTED`."""
        try:
            return value(r.props, *path)
        except Unknown as e:
            self.unknown_at(r.urn, e.path)
            return COMPUTED

    def num(self, r: Any, *path: str, default: float | None = None) -> Any:
        """A numeric input (``default`` when absent or not a number), or :data:`COMPUTED`."""
        try:
            return number(r.props, *path, default=default)
        except Unknown as e:
            self.unknown_at(r.urn, e.path)
            return COMPUTED

    def period(self, r: Any) -> float | None:
        """The longest gap, in seconds, between runs of an EventBridge rule, or None.

        None when the expression is computed or has no bounded period; either is recorded as
        unknown (an unbounded period cannot be decided without a calendar).
        """
        expr = self.text(r, "scheduleExpression")
        if expr is COMPUTED:
            return None
        seconds = schedule_period_seconds(expr) if isinstance(expr, str) else None
        if seconds is None:
            self.unknown_at(r.urn, f"scheduleExpression {expr!r} has no bounded period")
        return seconds

    def schedules(self, wanted: Role) -> tuple[list[Any], list[str]]:
        """EventBridge rules of a role that run, and the URNs of disabled ones.

        A computed state counts as running (so the estimate stays a lower bound) and is
        recorded as unknown.
        """
        running, disabled = [], []
        for r in self.with_role(EVENT_RULE, wanted):
            try:
                off = disabled_rule(r.props)
            except Unknown as e:
                self.unknown_at(r.urn, e.path)
                off = False
            if off:
                disabled.append(r.urn)
            else:
                running.append(r)
        return running, disabled

    def var(self, orch: PlannedEnv, name: Env, *, missing: str | None = None,
            explain: bool = False) -> Any:
        """An orchestrator variable through its contract (see :meth:`PlannedEnv.get`); a
        problem or an unknown input is recorded here."""
        return orch.get(name, problem=lambda m: self.problem(m, orch.urn),
                        unknown=lambda p: self.unknown_at(orch.urn, p),
                        missing=missing, explain=explain)


def disabled_rule(props: Any) -> bool:
    """Whether an EventBridge rule is disabled: ``state: "DISABLED"`` or the legacy
    ``isEnabled: false``. Any other state (ENABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS)
    runs.

    Raises:
        Unknown: the state is computed.
    """
    return value(props, "state") == "DISABLED" or value(props, "isEnabled") is False
