"""The ``dms`` part of ``failover-phase-consistency`` (:mod:`policies.rules.phase`) in every
phase: the failover orchestrator's role may read DMS endpoints (``dms:DescribeEndpoints`` on
``*``: endpoint ARNs end with an id DMS draws at creation). After a failback, failover
readiness and the status report read which database the forward task's source endpoint
names (it must be the new primary); during a failback, the reverse task's endpoints.

IAM action names are read without case, with ``*`` and ``?`` wildcards (IAM User Guide, "IAM
JSON policy elements: Action",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from typing import Any

from pulumi_policy import StackValidationArgs

from contract.names import DESCRIBE_ENDPOINTS_ACTION
from policies.rules.phase_dms import _failover_statements, _listed

_DESCRIBE_ENDPOINTS = DESCRIBE_ENDPOINTS_ACTION.lower()


def _grants(st: dict[str, Any], action: str) -> bool:
    """Whether an Allow statement's Action names ``action`` (lower case)."""
    return st.get("Effect") == "Allow" and any(
        fnmatch.fnmatchcase(action, a.lower()) for a in _listed(st.get("Action", [])))


def read_grant_problems(args: StackValidationArgs) -> Iterator[str]:
    """A violation when no Allow statement of the failover role grants
    DESCRIBE_ENDPOINTS_ACTION on ``*`` (nothing while the role's policies are unknown)."""
    statements = _failover_statements(args)
    if statements is None:
        return
    if not any(_grants(st, _DESCRIBE_ENDPOINTS) and "*" in _listed(st.get("Resource", []))
               for st in statements):
        yield (f"the failover orchestrator's role may not call {DESCRIBE_ENDPOINTS_ACTION} on "
               "'*': after a failback, failover readiness could not tell whether the forward "
               "task reads the new primary, and would refuse every failover.")
