"""The managed RPO: for a strategy whose RPO rule is managed-RPO-or-alarm
(:attr:`contract.strategies.RpoRule.MANAGED_OR_ALARM`), the ``rds.global_db_rpo`` value of the
DB cluster parameter group declared for the primary (``dr:role=managed-rpo-parameters``).

With it set, the primary blocks commits when every secondary's RPO lag is over it, so no more
than that many seconds of committed writes can be lost (Amazon Aurora User Guide, "Using
switchover or failover in Amazon Aurora Global Database", Managing RPOs for Aurora
PostgreSQL-based global databases). A value outside the range AWS accepts is a violation; none
declared leaves the RPO to the replication alarm.
"""

from __future__ import annotations

from typing import Any

from contract.aurora import MANAGED_RPO_PARAMETER
from contract.names import Role
from contract.quantities import MANAGED_RPO_SECONDS
from policies.inventory.survey import COMPUTED, Survey
from policies.resource_types import RDS_CLUSTER_PARAMETER_GROUP
from rto_rpo.inputs import TermInput, Unknown
from rto_rpo.model import Basis, Term

LABEL = f"managed RPO ({MANAGED_RPO_PARAMETER})"


def managed_rpo(sv: Survey) -> TermInput | None:
    """The managed RPO term, or None when no group for the primary sets it (or its value is
    invalid, a violation). The lowest valid value counts when several groups set it."""
    mark = sv.mark()
    found: list[tuple[float, str]] = []
    computed = False
    for group in sv.with_role(RDS_CLUSTER_PARAMETER_GROUP, Role.MANAGED_RPO_PARAMETERS):
        seconds = _parameter(sv, group)
        if seconds is COMPUTED:
            computed = True
        elif seconds is not None:
            found.append((seconds, group.urn))
    if found:
        seconds, urn = min(found)
        return Term(LABEL, seconds, urn, Basis.CONFIGURED,
                    "the primary blocks commits when every secondary is further behind; in force "
                    "once the group is attached to the primary cluster")
    if computed:
        return Unknown(LABEL, sv.since(mark))
    return None


def _parameter(sv: Survey, group: Any) -> Any:
    """``rds.global_db_rpo`` of ``group`` in seconds, None (absent, or invalid: a violation),
    or :data:`COMPUTED`."""
    params = sv.text(group, "parameters")
    if params is COMPUTED:
        return COMPUTED
    for p in params or []:
        if not isinstance(p, dict) or p.get("name") != MANAGED_RPO_PARAMETER:
            continue
        raw = p.get("value")
        try:
            seconds = float(raw)
        except (TypeError, ValueError):
            seconds = float("nan")
        if seconds != seconds or not MANAGED_RPO_SECONDS.contains(seconds):  # NaN or out of range
            sv.problem(f"{MANAGED_RPO_PARAMETER} is {raw!r}; Aurora accepts "
                       f"{MANAGED_RPO_SECONDS.allowed()}, so this parameter group cannot bound "
                       "the RPO.", group.urn)
            return None
        return seconds
    return None
