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

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from components.common import assume_role_policy, child, policy_json, tags
from components.naming import Suffix
from components.standby.base import StandbyResult, StrategyBuilder
from contract.names import Role
from contract.phases import Phase
from contract.strategies import Strategy

#: All tables of every schema (the forward and the reverse task copy the same data).
TABLE_MAPPINGS = json.dumps({"rules": [{
    "rule-type": "selection", "rule-id": "1", "rule-name": "all-tables",
    "object-locator": {"schema-name": "%", "table-name": "%"}, "rule-action": "include"}]})
TASK_SETTINGS = json.dumps({"Logging": {"EnableLogging": True},
                            "TargetMetadata": {"TargetSchema": "", "SupportLobs": True}})


class Builder(StrategyBuilder):
    """The original design: DMS change data capture into a standalone standby instance."""

    strategy = Strategy.DMS
    #: Not a read replica: in reverse-replicating the builder declares the reverse CDC
    #: pipeline itself (StandbyResult.reverse).
    declares_reverse_replica = False
    #: Master user of the standby instance; its password is managed by RDS in Secrets Manager.
    MASTER_USERNAME = "dr_admin"
    ALLOCATED_STORAGE_GIB = 100

    def build(self, name: str) -> StandbyResult:
        from components.standby import dms_reverse

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
        forward = self.task(f"{name}-cdc", Suffix.DMS_TASK,
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
            dms_task_arn=forward.replication_task_arn, replication_alarm_names=alarms,
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

    def endpoint(self, logical_name: str, kind: str, suffix: Suffix, secret: pulumi.Input[str],
                 role: Role | None = None) -> aws.dms.Endpoint:
        """A ``kind`` (source|target) endpoint in the standby Region reading its credentials
        from ``secret`` through the role, over TLS. A changed secret is another database, so
        it replaces the endpoint (deleted first: the identifier is fixed)."""
        dms = self.s.database.dms
        assert dms is not None
        return aws.dms.Endpoint(
            logical_name, endpoint_id=self.n.name(suffix), endpoint_type=kind,
            engine_name=dms.engine, database_name=dms.database_name,
            secrets_manager_arn=secret, secrets_manager_access_role_arn=self.role.arn,
            ssl_mode="require", kms_key_arn=self.key.arn, tags=tags(self.s, role),
            opts=child(self.c, self.p.standby, replace_on_changes=["secretsManagerArn"],
                       delete_before_replace=True))

    def task(self, logical_name: str, suffix: Suffix, source: aws.dms.Endpoint,
             target: aws.dms.Endpoint, *, start: bool,
             role: Role | None = None) -> aws.dms.ReplicationTask:
        """A ``full-load-and-cdc`` task of all tables on the replication instance, with a fixed
        resource identifier (the ARN ends with it and the AWS/DMS metrics use it as the
        ReplicationTaskIdentifier dimension, so IAM and alarms can name it up front). New
        endpoints make a new task (deleted first: the identifier is fixed), which starts
        with a full load rather than resuming another database's CDC position."""
        task_id = self.n.name(suffix)
        return aws.dms.ReplicationTask(
            logical_name, replication_task_id=task_id, resource_identifier=task_id,
            migration_type="full-load-and-cdc",
            replication_instance_arn=self.instance.replication_instance_arn,
            source_endpoint_arn=source.endpoint_arn, target_endpoint_arn=target.endpoint_arn,
            table_mappings=TABLE_MAPPINGS, replication_task_settings=TASK_SETTINGS,
            start_replication_task=start, tags=tags(self.s, role),
            opts=child(self.c, self.p.standby,
                       replace_on_changes=["sourceEndpointArn", "targetEndpointArn"],
                       delete_before_replace=True))

    def _failover_statements(self, task_id: str) -> list[dict[str, Any]]:
        return [self.describe_statement(),
                {"Sid": "StopCdcTask", "Effect": "Allow",
                 "Action": ["dms:DescribeReplicationTasks", "dms:StopReplicationTask"],
                 "Resource": [self.n.dms_task_arn(self.p.standby_region, task_id)]}]
