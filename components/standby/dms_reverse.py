"""Phase ``reverse-replicating`` for ``dms``: a reverse CDC pipeline from the promoted standby
into a FRESH instance in the primary Region, which the planned failback makes the primary.

Why a fresh instance and not the old primary: after an unplanned failover the old primary
may hold the orders the failover lost, the only copy of them, so nothing writes into it (it
is retained for reconciliation, outside the program); and a DMS endpoint's type (source or
target) is fixed, so the forward endpoints cannot be reused swapped: the reverse task has
its own two endpoints.

Declared:

* primary Region: a KMS key (:func:`components.standby.reverse.reverse_key`) and the target
  instance ``failover.reverseReplicaIdentifier`` (default ``<standby id>-reverse``) of the
  standby's engine, database and master user, its password managed by RDS in Secrets Manager
  under that key, in ``database.reverseSubnetGroupName`` / ``reverseSecurityGroupIds``;
  retained on delete and not protected (the next phase no longer declares it: it is then the
  primary, ``database.primaryInstanceArn``), as for every reverse replica.
* standby Region (up through the whole cycle): a source endpoint on the promoted standby
  (the forward target's secret), a target endpoint on the fresh instance (its managed
  secret), and a started ``full-load-and-cdc`` task on the EXISTING replication instance,
  with its CDCLatencySource / CDCLatencyTarget alarms there (where DMS publishes a task's
  metrics). The existing instance: it is idle (the forward task is stopped after the
  failover), it already reaches both databases (the promoted standby next to it, and the
  primary Region over the same path the forward task read the primary by), and a new one
  would add its creation time and cost to the recovery for nothing.

The failover orchestrator gets the reverse task's ARN as REVERSE_REPLICA_IDENTIFIER (its
resource identifier is fixed, so the ARN is known up front and the failback's
``StopReplicationTask`` is granted on that ARN only).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.naming import Suffix
from components.standby.dms_pipeline import DmsPipeline
from components.standby.reverse import ReverseResult, reverse_alarm, reverse_instance, reverse_key
from contract.names import Role


@dataclass
class ReverseTarget:
    """The fresh target instance, its key (and alias) and its managed secret's ARN."""

    key: aws.kms.Key
    key_alias: str
    instance: aws.rds.Instance
    secret_arn: pulumi.Output[str]


def declare_target(b: DmsPipeline, name: str) -> ReverseTarget:
    """The fresh target instance in the primary Region (see the module doc)."""
    dms = b.s.database.dms
    assert dms is not None
    key, alias = reverse_key(b, name, b.s.reverse_replica_id)
    instance = reverse_instance(
        b, f"{name}-reverse", key, engine=dms.engine, allocated_storage=b.ALLOCATED_STORAGE_GIB,
        db_name=dms.database_name, username=b.MASTER_USERNAME,
        manage_master_user_password=True, master_user_secret_kms_key_id=key.arn)
    secret = instance.master_user_secrets.apply(lambda s: s[0].secret_arn if s else "")
    return ReverseTarget(key, alias, instance, secret)


def declare_pipeline(b: DmsPipeline, name: str, target: ReverseTarget) -> ReverseResult:
    """The reverse endpoints, the started reverse task and its alarms (see the module doc)."""
    s, n = b.s, b.n
    b.task(f"{name}-reverse-cdc", Suffix.DMS_REVERSE_TASK,
                  b.endpoint(f"{name}-reverse-source", "source", Suffix.DMS_REVERSE_SOURCE,
                             b.standby_secret, Role.REVERSE_CDC_ENDPOINT),
                  b.endpoint(f"{name}-reverse-target", "target", Suffix.DMS_REVERSE_TARGET,
                             target.secret_arn, Role.REVERSE_CDC_ENDPOINT),
                  start=True, role=Role.REVERSE_CDC_TASK)
    task_id = n.name(Suffix.DMS_REVERSE_TASK)
    dims = {"ReplicationInstanceIdentifier": n.name(Suffix.DMS_INSTANCE),
            "ReplicationTaskIdentifier": task_id}
    alarms = [reverse_alarm(
        b, f"{name}-reverse-{m.name.lower()}", n.reverse_cdc_alarm(m.name),
        region=b.p.standby_region, provider=b.p.standby, metric=(m.namespace, m.name),
        dimensions=dims,
        description=f"{m.name} of the reverse DMS task {task_id} above "
                    f"{s.replication_lag_alarm_seconds} s: the fresh primary "
                    f"{s.reverse_replica_id} is falling behind the promoted standby; the "
                    "failback waits for CDCLatencyTarget 0.")
        for m in s.database.spec.replication_metrics]
    return ReverseResult(s.reverse_replica_id, target.instance.arn, alarms, target.key_alias,
                         handle=n.dms_task_arn(b.p.standby_region, task_id),
                         secret_arn=target.secret_arn)
