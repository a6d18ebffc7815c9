"""The backup orchestrator: ``handlers/backup`` on a schedule in the standby Region, and the
recovery-point metadata bucket.

The function runs in the standby Region so backups (snapshots of the standby, copies already
there) keep running while the primary Region is down. Every ``backup.cadenceMinutes``
(validated to be at most the RPO) it snapshots each protected database, copies the snapshot
to the standby Region (encrypted with the standby key: a cross-Region copy needs a key in
the destination Region), prunes its own snapshots beyond ``retentionHours`` while keeping the
newest ``keepNewest`` (manual snapshot quota: 100 per Region by default, Amazon RDS User
Guide "Quotas in Amazon RDS"), and writes one JSON record per run to the metadata bucket.

The bucket is versioned, KMS-encrypted, public access blocked, TLS-only, and expires
metadata after ``backup.metadataRetentionDays``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.common import child, tags
from components.failover_orchestrator import rate_expression
from components.lambda_function import (
    FunctionSpec,
    OrchestratorArgs,
    error_alarm,
    metric_statements,
    orchestrator_function,
)
from components.naming import Naming, Suffix
from components.settings import DrSettings
from contract.env import BackupEnv, Env
from contract.identifiers import parse_rds_cluster_arn, parse_rds_instance_arn
from contract.names import MANAGED_BY_TAG, METRIC_NAMESPACE, Metric, Role, managed_by_value

HANDLER = "handlers.backup.app.handler"
NONCURRENT_METADATA_DAYS = 30


@dataclass
class BackupOrchestratorArgs(OrchestratorArgs):
    """Inputs of :class:`BackupOrchestrator`: those of
    :class:`components.lambda_function.OrchestratorArgs` (the settings' ``backup.*``)."""


def protected_databases(s: DrSettings) -> list[dict[str, str | None]]:
    """``PROTECTED_DATABASES``: each primary ARN and its standby identifier (``None`` when
    there is no running standby for it: snapshot-restore, or a database other than the
    primary one the standby follows)."""
    return [{"primaryArn": arn,
             "standbyIdentifier": (s.database.standby_id if s.has_standby_instance
                                   and arn == s.database.primary_arn else None)}
            for arn in s.protected_database_arns]


def backup_env(s: DrSettings, common: dict[str, pulumi.Input[str]],
               bucket: str) -> dict[str, pulumi.Input[str]]:
    """Every backup + common env var of the contract, as strings."""
    env: dict[str, pulumi.Input[str]] = {
        **common,
        Env.PROTECTED_DATABASES: protected_databases(s),
        Env.METADATA_BUCKET: bucket,
        Env.CADENCE_MINUTES: s.backup.cadence_minutes,
        Env.RETENTION_HOURS: s.backup.retention_hours,
        Env.KEEP_NEWEST: s.backup.keep_newest,
        Env.SNAPSHOT_QUOTA: s.backup.manual_snapshot_quota,
    }
    return BackupEnv.render(env)


def snapshot_statements(s: DrSettings, n: Naming, stack: str) -> list[dict[str, Any]]:
    """Snapshot, copy, list and prune statements for the protected databases: DB snapshots
    for the RDS instances among them, DB cluster snapshots for the Aurora clusters (their own
    actions, resource type ``cluster-snapshot`` and tag condition key
    ``rds:cluster-snapshot-tag/``: Service Authorization Reference, "Actions, resources, and
    condition keys for Amazon RDS"). Pruning is limited to snapshots tagged as this stack's."""
    out: list[dict[str, Any]] = []
    arns = list(s.protected_database_arns)
    kinds = (("", "snapshot", "DBSnapshot", "DBInstances",
              [a for a in arns if parse_rds_instance_arn(a)]),
             ("Cluster", "cluster-snapshot", "DBClusterSnapshot", "DBClusters",
              [a for a in arns if parse_rds_cluster_arn(a)]))
    for sid, kind, api, describe, db_arns in kinds:
        if not db_arns:
            continue
        primary_snaps = n.arn("rds", s.primary_region, f"{kind}:*")
        standby_snaps = n.arn("rds", s.standby_region, f"{kind}:*")
        out += [
            {"Sid": f"Snapshot{sid}Primaries", "Effect": "Allow",
             "Action": [f"rds:Create{api}", "rds:AddTagsToResource"],
             "Resource": [*db_arns, primary_snaps]},
            {"Sid": f"Copy{sid}ToStandby", "Effect": "Allow",
             "Action": [f"rds:Copy{api}", "rds:AddTagsToResource"],
             "Resource": [primary_snaps, standby_snaps]},
            {"Sid": f"{sid}Inventory", "Effect": "Allow",
             "Action": [f"rds:Describe{api}s", f"rds:Describe{describe}",
                        "rds:ListTagsForResource"],
             "Resource": [*db_arns, primary_snaps, standby_snaps]},
            {"Sid": f"PruneOwn{sid}SnapshotsOnly", "Effect": "Allow",
             "Action": [f"rds:Delete{api}"], "Resource": [primary_snaps, standby_snaps],
             "Condition": {"StringEquals": {
                 f"rds:{kind}-tag/{MANAGED_BY_TAG}": managed_by_value(stack)}}}]
    return out


def backup_statements(a: BackupOrchestratorArgs, bucket: str) -> list[dict[str, Any]]:
    """The function's IAM statements: snapshots of the protected databases, the standby key,
    the metadata bucket, its metrics, the alert topics and their keys, the strategy's database
    statements and, when set, the primary's key for encrypted copies."""
    s, p, n = a.settings, a.providers, a.naming
    statements: list[dict[str, Any]] = [
        *snapshot_statements(s, n, pulumi.get_stack()),
        n.key_statement("StandbyKeyForCopiesAndMetadata",
                        ["kms:CreateGrant", "kms:DescribeKey", "kms:Encrypt", "kms:Decrypt",
                         "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo"],
                        [(p.standby_region, a.standby_key_alias)]),
        {"Sid": "WriteMetadata", "Effect": "Allow",
         "Action": ["s3:PutObject", "s3:GetObject"],
         "Resource": [f"{n.bucket_arn(bucket)}/*"]},
        {"Sid": "ListMetadata", "Effect": "Allow", "Action": ["s3:ListBucket"],
         "Resource": [n.bucket_arn(bucket)]},
        *metric_statements(METRIC_NAMESPACE),
        {"Sid": "Alert", "Effect": "Allow", "Action": ["sns:Publish"],
         "Resource": [n.topic_arn(region) for region in a.alert_topic_arns]},
        n.key_statement("EncryptAlerts", ["kms:GenerateDataKey", "kms:Decrypt"],
                        a.alert_key_aliases),
        *a.database_statements,
    ]
    if s.database.primary_kms_key_arn:
        # Copying an encrypted snapshot across Regions needs access to the source snapshot's
        # key as well as the destination key (RDS User Guide, "Copying a DB snapshot",
        # "Copying an encrypted snapshot").
        statements.append({"Sid": "PrimaryKeyForEncryptedCopies", "Effect": "Allow",
                           "Action": ["kms:CreateGrant", "kms:DescribeKey", "kms:Decrypt"],
                           "Resource": [s.database.primary_kms_key_arn]})
    return statements


class BackupOrchestrator(pulumi.ComponentResource):
    """Metadata bucket, function, role, schedule and the backup alarms.

    Outputs:
        bucket_name: str (fixed: ``ecommerce-dr-<stack>-rp-<account>-<standby Region>``).
        function_arn: ``Output[str]``.
        function_name: str.
        failure_alarm_name: str, alarm on ``BackupRunFailed``.
    """

    def __init__(self, name: str, args: BackupOrchestratorArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ecommerce-dr:backup_orchestrator:BackupOrchestrator", name, None, opts)
        self._args = args
        self._standby = args.providers.standby
        self.bucket_name = args.naming.bucket_name(args.providers.standby_region)
        self._metadata_bucket(name)
        self.function_name = args.naming.name(Suffix.BACKUP_FUNCTION)
        fn = self._function(name)
        self.function_arn = fn.arn
        self._schedule(name, fn)
        self.failure_alarm_name, self.error_alarm_name = self._alarms(name)
        self.register_outputs({"bucketName": self.bucket_name, "functionArn": fn.arn})

    def _metadata_bucket(self, name: str) -> None:
        """The run-record bucket: versioned, KMS-encrypted, public access blocked, TLS only,
        expiring records after ``backup.metadataRetentionDays``."""
        a, standby = self._args, self._standby
        bucket = aws.s3.Bucket(f"{name}-metadata", bucket=self.bucket_name, force_destroy=False,
                               tags=tags(a.settings, Role.METADATA_BUCKET), opts=child(self, standby))
        versioning = aws.s3.BucketVersioning(
            f"{name}-metadata-versioning", bucket=bucket.id,
            versioning_configuration={"status": "Enabled"}, opts=child(self, standby))
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-metadata-encryption", bucket=bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {
                "sse_algorithm": "aws:kms", "kms_master_key_id": a.standby_key_arn},
                "bucket_key_enabled": True}],
            opts=child(self, standby))
        block = aws.s3.BucketPublicAccessBlock(
            f"{name}-metadata-public-access", bucket=bucket.id, block_public_acls=True,
            block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True,
            opts=child(self, standby))
        aws.s3.BucketPolicy(
            f"{name}-metadata-tls-only", bucket=bucket.id,
            policy=bucket.arn.apply(lambda arn: json.dumps({
                "Version": "2012-10-17", "Statement": [{
                    # A Deny: the broad action makes it stricter, not looser.
                    "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*",
                    "Action": "s3:*", "Resource": [arn, f"{arn}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})),
            opts=child(self, standby, depends_on=[block]))
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-metadata-lifecycle", bucket=bucket.id,
            rules=[{"id": "expire-recovery-point-metadata", "status": "Enabled",
                    "filter": {"prefix": ""},
                    "expiration": {"days": a.settings.backup.metadata_retention_days},
                    "noncurrent_version_expiration": {"noncurrent_days": NONCURRENT_METADATA_DAYS},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 7}}],
            opts=child(self, standby, depends_on=[versioning]))

    def _function(self, name: str) -> aws.lambda_.Function:
        """The function with its role, log group and every variable of the contract."""
        a = self._args
        deployed = orchestrator_function(
            self, f"{name}-function",
            FunctionSpec(function_name=self.function_name, handler=HANDLER,
                         description="DR backup orchestrator: snapshot, copy to the standby "
                                     "Region, prune, record",
                         environment=backup_env(a.settings, a.common_env, self.bucket_name),
                         statements=backup_statements(a, self.bucket_name),
                         tags=tags(a.settings, Role.BACKUP_ORCHESTRATOR)),
            self._standby, a.providers.standby_region, a.naming.account, a.naming.partition)
        return deployed.function

    def _schedule(self, name: str, fn: aws.lambda_.Function) -> None:
        """The schedule rule (every ``backup.cadenceMinutes``) invoking the function."""
        s, standby = self._args.settings, self._standby
        schedule = aws.cloudwatch.EventRule(
            f"{name}-schedule", name=self._args.naming.name(Suffix.BACKUP_SCHEDULE_RULE),
            description=f"Backup every {s.backup.cadence_minutes} min (RPO {s.rpo_minutes:g} min)",
            schedule_expression=rate_expression(s.backup.cadence_minutes),
            tags=tags(s, Role.BACKUP_SCHEDULE), opts=child(self, standby))
        aws.lambda_.Permission(
            f"{name}-schedule-invoke", action="lambda:InvokeFunction", function=fn.name,
            principal="events.amazonaws.com", source_arn=schedule.arn,
            opts=child(self, standby))
        aws.cloudwatch.EventTarget(f"{name}-schedule-target", rule=schedule.name, arn=fn.arn,
                                   opts=child(self, standby))

    def _alarms(self, name: str) -> tuple[str, str]:
        """The alarms on failed or partial runs (``BackupRunFailed``) and on the function's
        errors; their names."""
        a, standby = self._args, self._standby
        s, n = a.settings, a.naming
        topic = a.alert_topic_arns[a.providers.standby_region]
        failed, errors = n.name(Suffix.BACKUP_FAILED), n.name(Suffix.BACKUP_ERRORS)
        aws.cloudwatch.MetricAlarm(
            f"{name}-failed", name=failed,
            alarm_description="A backup run failed or was partial: a recovery point is missing.",
            namespace=METRIC_NAMESPACE, metric_name=str(Metric.BACKUP_FAILURE),
            dimensions={"Stack": pulumi.get_stack()}, statistic="Sum",
            period=min(s.backup.cadence_minutes * 60, 86400), evaluation_periods=1,
            comparison_operator="GreaterThanOrEqualToThreshold", threshold=1,
            treat_missing_data="notBreaching", alarm_actions=[topic], ok_actions=[topic],
            tags=tags(s), opts=child(self, standby))
        error_alarm(self, f"{name}-errors", errors, self.function_name, topic,
                    standby, tags(s), "The backup orchestrator")
        return failed, errors
