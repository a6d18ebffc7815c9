"""Pulumi resource-type tokens (``pkg:module:Type``) the pack's rules look at, written once.

Tokens are those of pulumi-aws v7 (the provider the program uses); the deprecated S3 ``V2``
types are kept so a stack written against them is still checked.
"""

from __future__ import annotations

from typing import Final

# --- Route 53 and CloudWatch -----------------------------------------------------------------
HEALTH_CHECK: Final = "aws:route53/healthCheck:HealthCheck"
RECORD: Final = "aws:route53/record:Record"
METRIC_ALARM: Final = "aws:cloudwatch/metricAlarm:MetricAlarm"
EVENT_RULE: Final = "aws:cloudwatch/eventRule:EventRule"
EVENT_BUS: Final = "aws:cloudwatch/eventBus:EventBus"
DASHBOARD: Final = "aws:cloudwatch/dashboard:Dashboard"
LOG_GROUP: Final = "aws:cloudwatch/logGroup:LogGroup"

# --- Lambda and IAM --------------------------------------------------------------------------
FUNCTION: Final = "aws:lambda/function:Function"
ROLE: Final = "aws:iam/role:Role"
ROLE_POLICY: Final = "aws:iam/rolePolicy:RolePolicy"
POLICY: Final = "aws:iam/policy:Policy"
ROLE_POLICY_ATTACHMENT: Final = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
POLICY_ATTACHMENT: Final = "aws:iam/policyAttachment:PolicyAttachment"

# --- RDS and KMS -----------------------------------------------------------------------------
RDS_INSTANCE: Final = "aws:rds/instance:Instance"
RDS_SNAPSHOTS: Final = (
    "aws:rds/snapshot:Snapshot",
    "aws:rds/snapshotCopy:SnapshotCopy",
    "aws:rds/clusterSnapshot:ClusterSnapshot",
    "aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy",
)
RDS_GLOBAL_CLUSTER: Final = "aws:rds/globalCluster:GlobalCluster"
RDS_CLUSTER: Final = "aws:rds/cluster:Cluster"
RDS_CLUSTER_INSTANCE: Final = "aws:rds/clusterInstance:ClusterInstance"
RDS_CLUSTER_PARAMETER_GROUP: Final = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
KMS_KEY: Final = "aws:kms/key:Key"
KMS_REPLICA_KEY: Final = "aws:kms/replicaKey:ReplicaKey"
KMS_ALIAS: Final = "aws:kms/alias:Alias"

# --- DMS and DynamoDB ------------------------------------------------------------------------
DMS_REPLICATION_INSTANCE: Final = "aws:dms/replicationInstance:ReplicationInstance"
DMS_ENDPOINT: Final = "aws:dms/endpoint:Endpoint"
DMS_REPLICATION_TASK: Final = "aws:dms/replicationTask:ReplicationTask"
DYNAMODB_TABLE: Final = "aws:dynamodb/table:Table"

# --- S3 and SNS ------------------------------------------------------------------------------
BUCKETS: Final = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
BUCKET_ENCRYPTION: Final = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
BUCKET_VERSIONING: Final = ("aws:s3/bucketVersioning:BucketVersioning",
                            "aws:s3/bucketVersioningV2:BucketVersioningV2")
BUCKET_PUBLIC_ACCESS_BLOCK: Final = ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",)
TOPIC: Final = "aws:sns/topic:Topic"
SSM_PARAMETER: Final = "aws:ssm/parameter:Parameter"
