"""The ``dms`` part of ``failover-phase-consistency`` (:mod:`policies.rules.phase`) in every
phase: the failover orchestrator's role may read DMS endpoints (``dms:DescribeEndpoints`` on
``*``: endpoint ARNs end with an id DMS draws at creation). After a failback, failover
readiness and the status report read which database the forward task's source endpoint
names (it must be the new primary); during a failback, the reverse task's endpoints.

Grants are read as IAM reads them (:mod:`policies.rules.role_grants`).
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import StackValidationArgs

from contract.names import DESCRIBE_ENDPOINTS_ACTION
from policies.rules.role_grants import allows, failover_statements, listed


def read_grant_problems(args: StackValidationArgs) -> Iterator[str]:
    """A violation when no Allow statement of the failover role grants
    DESCRIBE_ENDPOINTS_ACTION on ``*`` (nothing while the role's policies are unknown)."""
    statements = failover_statements(args)
    if statements is None:
        return
    if not any(allows(st, DESCRIBE_ENDPOINTS_ACTION) and "*" in listed(st.get("Resource", []))
               for st in statements if isinstance(st, dict)):
        yield (f"the failover orchestrator's role may not call {DESCRIBE_ENDPOINTS_ACTION} on "
               "'*': after a failback, failover readiness could not tell whether the forward "
               "task reads the new primary, and would refuse every failover.")
