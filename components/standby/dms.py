"""The original design: DMS change data capture into a standalone standby instance."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from components.common import assume_role_policy, child, policy_json, tags
from components.naming import Suffix
from components.standby.base import StandbyResult, StrategyBuilder
from contract.strategies import Strategy


class Builder(StrategyBuilder):
    """The original design: DMS change data capture into a standalone standby instance."""

    strategy = Strategy.DMS
    #: The reverse CDC task is not declared by the program yet: the operator builds it and
    #: names it in failover.reverseReplicaIdentifier (REVERSE_REPLICA_IDENTIFIER).
    declares_reverse_replica = False
    #: Master user of the standby instance; its password is managed by RDS in Secrets Manager.
    MASTER_USERNAME = "dr_admin"
    ALLOCATED_STORAGE_GIB = 100

    def build(self, name: str) -> StandbyResult:
        db, dms = self.s.database, self.s.database.dms
        assert dms is not None  # DatabaseSettings requires it for this strategy
        ident = db.standby_id
        target = self.standby_instance(
            f"{name}-target", engine=dms.engine, allocated_storage=self.ALLOCATED_STORAGE_GIB,
            db_name=dms.database_name, username=self.MASTER_USERNAME,
            manage_master_user_password=True, master_user_secret_kms_key_id=self.key.arn)
        target_secret: pulumi.Input[str] = (
            dms.target_secret_arn
            or target.master_user_secrets.apply(lambda s: s[0].secret_arn if s else ""))

        # DMS reads both endpoints' credentials from Secrets Manager through this role.
        role = aws.iam.Role(
            f"{name}-dms-secrets",
            assume_role_policy=assume_role_policy(f"dms.{self.p.standby_region}.amazonaws.com"),
            description="DMS reads the source and target database secrets",
            tags=tags(self.s), opts=child(self.c, self.p.standby))
        aws.iam.RolePolicy(
            f"{name}-dms-secrets",
            role=role.id,
            policy=policy_json([
                {"Sid": "ReadEndpointSecrets", "Effect": "Allow",
                 "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                 "Resource": [dms.source_secret_arn, target_secret]},
                {"Sid": "DecryptTargetSecret", "Effect": "Allow",
                 "Action": ["kms:Decrypt"], "Resource": [self.key.arn]},
            ]),
            opts=child(self.c, self.p.standby))

        instance_id = self.n.name(Suffix.DMS_INSTANCE)
        instance = aws.dms.ReplicationInstance(
            f"{name}-instance",
            replication_instance_id=instance_id,
            replication_instance_class=dms.replication_instance_class,
            allocated_storage=50,
            kms_key_arn=self.key.arn,
            publicly_accessible=False,
            replication_subnet_group_id=dms.replication_subnet_group_id,
            vpc_security_group_ids=db.standby_security_group_ids or None,
            multi_az=False,
            auto_minor_version_upgrade=True,
            tags=tags(self.s), opts=child(self.c, self.p.standby))
        # Both endpoints read their credentials from Secrets Manager through the role, over TLS.
        source_ep, target_ep = (aws.dms.Endpoint(
            f"{name}-{kind}",
            endpoint_id=self.n.name(suffix),
            endpoint_type=kind,
            engine_name=dms.engine,
            database_name=dms.database_name,
            secrets_manager_arn=secret,
            secrets_manager_access_role_arn=role.arn,
            ssl_mode="require",
            kms_key_arn=self.key.arn,
            tags=tags(self.s), opts=child(self.c, self.p.standby))
            for kind, suffix, secret in (("source", Suffix.DMS_SOURCE, dms.source_secret_arn),
                                         ("target", Suffix.DMS_TARGET, target_secret)))
        # Fixed resource identifier: the task ARN ends with it and the AWS/DMS metrics use it
        # as the ReplicationTaskIdentifier dimension, so the alarms can name it up front.
        task_resource_id = self.n.name(Suffix.DMS_TASK)
        task = aws.dms.ReplicationTask(
            f"{name}-cdc",
            replication_task_id=self.n.name(Suffix.DMS_TASK),
            resource_identifier=task_resource_id,
            migration_type="full-load-and-cdc",
            replication_instance_arn=instance.replication_instance_arn,
            source_endpoint_arn=source_ep.endpoint_arn,
            target_endpoint_arn=target_ep.endpoint_arn,
            table_mappings=json.dumps({"rules": [{
                "rule-type": "selection", "rule-id": "1", "rule-name": "all-tables",
                "object-locator": {"schema-name": "%", "table-name": "%"},
                "rule-action": "include"}]}),
            replication_task_settings=json.dumps({
                "Logging": {"EnableLogging": True},
                "TargetMetadata": {"TargetSchema": "", "SupportLobs": True}}),
            # Runs only while the primary writes: after a failover the orchestrator stopped it
            # and a deploy must not start it again into the promoted standby.
            start_replication_task=self.replicates_forward,
            tags=tags(self.s), opts=child(self.c, self.p.standby))
        task_arn = self.n.dms_task_arn(self.p.standby_region, task_resource_id)
        dims = {"ReplicationInstanceIdentifier": instance_id,
                "ReplicationTaskIdentifier": task_resource_id}
        metrics = db.spec.replication_metrics
        alarms = [self.lag_alarm(f"{name}-{m.name.lower()}", self.n.replication_alarm(m.name),
                                 m.namespace, m.name, dims, f"DMS {m.name}") for m in metrics]
        return StandbyResult(
            identifier=ident, endpoint=target.endpoint, instance_arn=target.arn,
            dms_task_arn=task.replication_task_arn, replication_alarm_names=alarms,
            replication_alarm_metrics=[(m.namespace, m.name, dims) for m in metrics],
            failover_statements=[
                self.describe_statement(),
                {"Sid": "StopCdcTask", "Effect": "Allow",
                 "Action": ["dms:DescribeReplicationTasks", "dms:StopReplicationTask"],
                 "Resource": [task_arn]}],
            backup_statements=[
                self.snapshot_standby_statement(),
                {"Sid": "ReadCdcTask", "Effect": "Allow",
                 "Action": ["dms:DescribeReplicationTasks"],
                 "Resource": [task_arn]}])
