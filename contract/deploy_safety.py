"""What keeps a deploy from replacing or deleting a database that holds data, written once for
the program (which sets these options) and the policy pack (which checks them).

Three Pulumi resource options do it:

* ``retainOnDelete`` on every database resource in every phase: a resource the program stops
  declaring (or a ``pulumi destroy``) is dropped from the stack and left in AWS, never deleted.
* ``protect`` where the phase keeps the database (:attr:`contract.phases.Phase.keeps_standby`):
  Pulumi then refuses to replace or delete it. A protected resource the program stops
  declaring stops the deploy, so the phase whose successor lets a database go declares it
  *without* ``protect`` (still with ``retainOnDelete``): that is the deploy that lets it go.
* ``ignoreChanges`` on the arguments whose change would replace the database, or that AWS
  itself changes at promotion, failover or switchover (so a refresh reads a value the program
  never gave): :data:`INSTANCE_REPLACING`, :data:`CLUSTER_REPLACING`, :data:`GLOBAL_REPLACING`.
  Without them a refresh after a promotion shows a diff on the one resource that holds the
  only writable copy of the data (pulumi-aws is generated from the Terraform AWS provider,
  whose users report exactly that: hashicorp/terraform-provider-aws#28746, #33020, #43214).

The analyzer protocol carries ``protect`` and ``ignoreChanges`` to a policy pack but not
``retainOnDelete`` (``pulumirpc.AnalyzerResourceOptions`` in pulumi 3.272 has protect,
ignoreChanges, deleteBeforeReplace, additionalSecretOutputs, aliases, customTimeouts and
parent), so the program tags each resource it retains with :data:`RETAIN_TAG` from the same
call that sets the option; the pack reads the tag, and the program's tests pin that tag and
option agree on every resource.

Renames: since Terraform AWS provider 5.x ``identifier`` of ``aws_db_instance`` changes in place
(a rename: hashicorp/terraform-provider-aws#32590, #32687), which ``protect`` does not stop.
The program declares its instances with ``replaceOnChanges`` on ``identifier`` (a rename
becomes a replacement, which ``protect`` refuses) and never reuses one resource for another
database: a fresh standby is a new resource.
"""

from __future__ import annotations

from typing import Final

#: The tag the program puts on every resource it declares with ``retainOnDelete``.
RETAIN_TAG: Final[str] = "dr:retain-on-delete"
RETAIN_VALUE: Final[str] = "true"

#: ``aws.rds.Instance`` arguments the program ignores on every standby, promoted standby and
#: reverse replica: ``replicateSourceDb`` (AWS clears it at promotion; declaring an instance
#: without it would make the provider promote the replica itself), the restore arguments
#: (``snapshotIdentifier``, ``restoreToPointInTime``: a restored instance's are the
#: orchestrator's) and the arguments whose change replaces an instance (``kmsKeyId``,
#: ``storageEncrypted``, ``username``, ``dbName``, ``engine``).
INSTANCE_REPLACING: Final[tuple[str, ...]] = (
    "replicateSourceDb", "snapshotIdentifier", "restoreToPointInTime", "kmsKeyId",
    "storageEncrypted", "username", "dbName", "engine")
#: ``aws.rds.Cluster`` arguments AWS changes at failover, switchover and rejoin (the
#: membership, the replication source), by an upgrade through the global database (the
#: version), or whose change replaces the cluster (credentials and database of a secondary,
#: its key and encryption).
CLUSTER_REPLACING: Final[tuple[str, ...]] = (
    "globalClusterIdentifier", "replicationSourceIdentifier", "engineVersion", "masterUsername",
    "databaseName", "kmsKeyId", "storageEncrypted")
#: ``aws.rds.GlobalCluster`` arguments AWS changes when the writer moves (the source cluster)
#: or by an engine upgrade of the global database.
GLOBAL_REPLACING: Final[tuple[str, ...]] = ("sourceDbClusterIdentifier", "engine", "engineVersion")
#: What ``replaceOnChanges`` names on every instance the program keeps (see the module doc).
INSTANCE_REPLACE_ON: Final[tuple[str, ...]] = ("identifier",)
