"""The pack's rules, one module per area (as in AWSGuard), each with a ``policies()`` list.

* :mod:`~policies.rules.recovery` - RTO/RPO objectives, backup schedule vs RPO, snapshot quota
* :mod:`~policies.rules.dns` - health-check timing, failover records, health-check alarm Region
* :mod:`~policies.rules.database` - RDS encryption, deletion protection, backups, snapshots,
  cross-Region replica
* :mod:`~policies.rules.aurora` - Aurora Global Database: durable clusters, a protected global
  database, a secondary that is a member in the standby Region
* :mod:`~policies.rules.phase` - DR cycle: database deploy safety (retain, ignoreChanges,
  protect by phase) and the plan agreeing with ``failover.phase``
* :mod:`~policies.rules.storage` - S3 encryption, versioning, public access; SNS encryption
* :mod:`~policies.rules.security` - no wildcard actions on Lambda roles; the failover role
  invokes named functions only; KMS key rotation
* :mod:`~policies.rules.compute` - failover orchestrator in the standby Region
* :mod:`~policies.rules.naming` - physical names valid in their AWS service
* :mod:`~policies.rules.cost` - modelled monthly cost within a budget
"""

from __future__ import annotations

from pulumi_policy import Policy

from policies.rules import aurora, compute, cost, database, dns, naming, phase, recovery, security, storage

AREAS = (recovery, dns, database, aurora, phase, storage, security, compute, naming, cost)


def all_policies() -> list[Policy]:
    """Every policy of the pack, names unique.

    Raises:
        ValueError: two policies share a name.
    """
    out = [p for area in AREAS for p in area.policies()]
    names = [p.name for p in out]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"duplicate policy names: {dupes}")
    return out
