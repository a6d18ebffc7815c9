"""The original design: DMS change data capture into a standalone standby instance.

The forward pipeline (standby Region): a replication instance, a source endpoint on the
primary (``database.dms.sourceSecretArn``), a target endpoint on the standby instance and a
``full-load-and-cdc`` task, started only in phase ``normal``. In ``reverse-replicating`` the
reverse pipeline is declared beside it (:mod:`components.standby.dms_reverse`).

After a failback the operator points the forward pipeline at the new primary
(``database.dms.sourceSecretArn``) and a fresh standby (``database.standbyIdentifier``): both
endpoints are replaced when their secret changes and the task when an endpoint is, so the
``normal`` deploy starts a NEW task (a full load into the fresh standby, then CDC) rather than
resuming the old one's CDC position against another database. The old task and endpoints hold
no data; the old writer's instance is retained (:mod:`components.safety`).
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components.common import assume_role_policy, child, policy_json, tags
from components.naming import Suffix
from components.standby import dms_reverse
from components.standby.base import StandbyResult
from components.standby.dms_pipeline import DmsPipeline
from contract.names import DESCRIBE_ENDPOINTS_ACTION, STOP_TASK_ACTION
from contract.phases import Phase
from contract.strategies import Strategy


class Builder(DmsPipeline):
    """The original design: DMS change data capture into a standalone standby instance."""

    strategy = Strategy.DMS
    #: Not a read replica: in reverse-replicating the builder declares the reverse CDC
    #: pipeline itself (StandbyResult.reverse).
    declares_reverse_replica = False
    def build(self, name: str) -> StandbyResult:
        db, dms = self.s.database, self.s.database.dms
        assert dms is not None  # DatabaseSettings requires it for this strategy
        target = self.standby_instance(
            f"{name}-target", engine=dms.engine, allocated_storage=self.ALLOCATED_STORAGE_GIB,
            db_name=dms.database_name, username=self.MASTER_USERNAME,
            manage_master_user_password=True, master_user_secret_kms_key_id=self.key.arn)
        self.standby_secret: pulumi.Input[str] = (
            dms.target_secret_arn
            or target.master_user_secrets.apply(lambda s: s[0].secret_arn if s else ""))
        self.role = aws.iam.Role(
            f"{name}-dms-secrets",
            assume_role_policy=assume_role_policy(f"dms.{self.p.standby_region}.amazonaws.com"),
            description="DMS reads the source and target database secrets",
            tags=tags(self.s), opts=child(self.c, self.p.standby))
        reverse_target = (dms_reverse.declare_target(self, name)
                          if self.s.phase is Phase.REVERSE_REPLICATING else None)
        self._role_policy(name, reverse_target)
        self.instance = self._replication_instance(name)
        self.task(f"{name}-cdc", Suffix.DMS_TASK,
                            self.endpoint(f"{name}-source", "source", Suffix.DMS_SOURCE,
                                          dms.source_secret_arn),
                            self.endpoint(f"{name}-target", "target", Suffix.DMS_TARGET,
                                          self.standby_secret),
                            start=self.replicates_forward)
        task_id = self.n.name(Suffix.DMS_TASK)
        dims = {"ReplicationInstanceIdentifier": self.n.name(Suffix.DMS_INSTANCE),
                "ReplicationTaskIdentifier": task_id}
        metrics = db.spec.replication_metrics
        alarms = [self.lag_alarm(f"{name}-{m.name.lower()}", self.n.replication_alarm(m.name),
                                 m.namespace, m.name, dims, f"DMS {m.name}") for m in metrics]
        return StandbyResult(
            identifier=db.standby_id, endpoint=target.endpoint, instance_arn=target.arn,
            # the ARN ends with the fixed resource identifier: known before the task exists,
            # so a first preview's pack sees which task the failover role may stop
            dms_task_arn=self.n.dms_task_arn(self.p.standby_region, task_id),
            replication_alarm_names=alarms,
            replication_alarm_metrics=[(m.namespace, m.name, dims) for m in metrics],
            failover_statements=self._failover_statements(task_id),
            backup_statements=[
                self.snapshot_standby_statement(),
                {"Sid": "ReadCdcTask", "Effect": "Allow",
                 "Action": ["dms:DescribeReplicationTasks"],
                 "Resource": [self.n.dms_task_arn(self.p.standby_region, task_id)]}],
            reverse=(dms_reverse.declare_pipeline(self, name, reverse_target)
                     if reverse_target is not None else None))

    def _role_policy(self, name: str, reverse: Any) -> None:
        """DMS reads every endpoint's secret through the role (and decrypts the managed
        secrets: the standby's with the standby key, the reverse target's with its key)."""
        dms = self.s.database.dms
        assert dms is not None
        secrets: list[pulumi.Input[str]] = [dms.source_secret_arn, self.standby_secret]
        keys: list[pulumi.Input[str]] = [self.key.arn]
        if reverse is not None:
            secrets.append(reverse.secret_arn)
            keys.append(reverse.key.arn)
        aws.iam.RolePolicy(
            f"{name}-dms-secrets",
            role=self.role.id,
            policy=policy_json([
                {"Sid": "ReadEndpointSecrets", "Effect": "Allow",
                 "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                 "Resource": secrets},
                {"Sid": "DecryptTargetSecret", "Effect": "Allow",
                 "Action": ["kms:Decrypt"], "Resource": keys},
            ]),
            opts=child(self.c, self.p.standby))

    def _replication_instance(self, name: str) -> aws.dms.ReplicationInstance:
        db, dms = self.s.database, self.s.database.dms
        assert dms is not None
        return aws.dms.ReplicationInstance(
            f"{name}-instance",
            replication_instance_id=self.n.name(Suffix.DMS_INSTANCE),
            replication_instance_class=dms.replication_instance_class,
            allocated_storage=50,
            kms_key_arn=self.key.arn,
            publicly_accessible=False,
            replication_subnet_group_id=dms.replication_subnet_group_id,
            vpc_security_group_ids=db.standby_security_group_ids or None,
            multi_az=False,
            auto_minor_version_upgrade=True,
            tags=tags(self.s), opts=child(self.c, self.p.standby))

    def _failover_statements(self, task_id: str) -> list[dict[str, Any]]:
        return [self.describe_statement(),
                {"Sid": "StopCdcTask", "Effect": "Allow",
                 "Action": ["dms:DescribeReplicationTasks", STOP_TASK_ACTION],
                 "Resource": [self.n.dms_task_arn(self.p.standby_region, task_id)]},
                # Which database each task reads and writes: the failback checks the reverse
                # task's endpoints, readiness and status the forward task's source after a
                # failback. Endpoint ARNs end with an id DMS draws at creation, unknown before
                # the deploy: granted on "*" (read only).
                {"Sid": "ReadCdcEndpoints", "Effect": "Allow",
                 "Action": [DESCRIBE_ENDPOINTS_ACTION], "Resource": ["*"]}]
