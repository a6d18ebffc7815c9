"""The cycle's verifier for ``aurora-global`` (:data:`CHECKS`): the checks of
:mod:`drill.cycle.verify`, with Aurora's reverse replication and topology.

Aurora keeps the global database and both clusters through the whole cycle: the old primary
cluster comes back as a secondary by itself (the reverse replication), the failback is a
switchover to it, and after it the secondary cluster is a secondary again. So no deploy may
create, replace or delete a cluster, a cluster instance or the global database, even one
retained on delete: a new secondary cluster would start empty and detached.
"""

from __future__ import annotations

from drill.cycle.state import CycleState
from drill.cycle.verify import checks_with
from drill.result import Check
from drill.text import yes_no

#: Aurora's resource types that hold or serve the data.
CLUSTER_TYPES = ("aws:rds/cluster:Cluster", "aws:rds/clusterInstance:ClusterInstance",
                 "aws:rds/globalCluster:GlobalCluster")


def reverse_rejoined(s: CycleState) -> Check:
    """The old primary cluster (the same cluster as before the cycle: a re-created one would
    start empty) is a secondary again, streaming from the promoted secondary."""
    r, standby, before = s.reverse, s.standby_after, s.primary_before
    same = (r is not None and before is not None and r.exists and before.exists
            and r.identifier == before.identifier and r.resource_id == before.resource_id)
    ok = (r is not None and r.exists and r.region == s.primary_region
          and r.identifier == s.reverse_identifier and r.in_recovery is True
          and r.replica_source is not None and standby is not None
          and r.replica_source.endswith(f":cluster:{standby.identifier}"))
    return Check(f"after the reverse-replicating deploy the old primary cluster in "
                 f"{s.primary_region} (the same cluster) is a secondary of the global database "
                 "again, streaming from the promoted secondary", ok and same,
                 f"the same cluster as before the cycle "
                 f"({before.resource_id if before else 'not read'}): {yes_no(same)}; "
                 f"{r or 'not read'}")


def topology_back(s: CycleState) -> Check:
    """After the failback and the normal deploy: the primary cluster writes, the secondary
    cluster (the same one as before the cycle) replicates from it."""
    p, again, before = s.new_primary, s.standby_again, s.standby_before
    writes = (p is not None and p.exists and p.region == s.primary_region
              and p.replica_source is None and p.in_recovery is False)
    same = (again is not None and before is not None and again.exists
            and again.identifier == before.identifier and again.resource_id == before.resource_id)
    replicates = (same and again is not None and again.in_recovery is True and p is not None
                  and again.replica_source is not None
                  and again.replica_source.endswith(f":cluster:{p.identifier}"))
    return Check("after the normal deploy the primary cluster is the writer of the global "
                 "database and the secondary cluster (the same cluster) replicates from it",
                 writes and replicates,
                 f"primary {p or 'not read'}; secondary {again or 'not read'}")


def no_cluster_changed(s: CycleState) -> Check:
    """No deploy created, replaced or deleted an Aurora resource (retained or not)."""
    bad = [f"{p}: {c.name} {c.op}" for p, d in s.deploys.items() for c in d.changes
           if c.type in CLUSTER_TYPES and c.op not in ("same", "update")]
    seen = sum(c.type in CLUSTER_TYPES for d in s.deploys.values() for c in d.changes)
    return Check("no deploy of the cycle created, replaced or deleted a cluster, a cluster "
                 "instance or the global database (Aurora keeps them through the cycle)",
                 bool(s.deploys) and seen > 0 and not bad,
                 "; ".join(bad) or f"{seen} Aurora resource change(s), none but same/update")


#: Every check of the Aurora cycle.
CHECKS = checks_with(reverse_rejoined, topology_back, no_cluster_changed)
