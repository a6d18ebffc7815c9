"""What the dms builder and its reverse pipeline (:mod:`components.standby.dms_reverse`)
share: the master user of the instances DMS writes into, the endpoint and the task."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from components.common import child, tags
from components.naming import Suffix
from components.standby.base import StrategyBuilder
from contract.names import Role

#: All tables of every schema (the forward and the reverse task copy the same data).
TABLE_MAPPINGS = json.dumps({"rules": [{
    "rule-type": "selection", "rule-id": "1", "rule-name": "all-tables",
    "object-locator": {"schema-name": "%", "table-name": "%"}, "rule-action": "include"}]})
TASK_SETTINGS = json.dumps({"Logging": {"EnableLogging": True},
                            "TargetMetadata": {"TargetSchema": "", "SupportLobs": True}})



class DmsPipeline(StrategyBuilder):
    """A strategy builder that declares DMS endpoints and tasks in the standby Region (on
    ``self.instance``, reading secrets through ``self.role``)."""

    #: Master user of the instances DMS writes into; its password is managed by RDS in
    #: Secrets Manager.
    MASTER_USERNAME = "dr_admin"
    ALLOCATED_STORAGE_GIB = 100
    #: The standby's secret (set by the builder), the DMS secrets role and replication
    #: instance.
    standby_secret: pulumi.Input[str]
    role: aws.iam.Role
    instance: aws.dms.ReplicationInstance

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
