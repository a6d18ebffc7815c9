"""Appliers for KMS, RDS, DynamoDB, SNS, SQS, S3, CloudWatch Logs, dashboards and Lambda permissions."""

from __future__ import annotations

import json
from typing import Any

from .apply_common import (
    Applied,
    ApplierBase,
    Skip,
    autoname,
    is_unknown,
    pascal_keys,
    tag_list,
    tag_map,
)


class StorageAppliers(ApplierBase):
    """Mixin of :class:`offline.drill.applier.Applier`."""

    # -- KMS, RDS, DynamoDB -----------------------------------------------------------------
    def _kms_key(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        kms = self.client("kms", region)
        meta = kms.create_key(Description=self._known(i, "description", r.name),
                              Tags=tag_list(tag_map(i), "TagKey", "TagValue"))["KeyMetadata"]
        if self._known(i, "enableKeyRotation"):
            kms.enable_key_rotation(KeyId=meta["KeyId"])
        return self._applied(r, i, region, id=meta["KeyId"], arn=meta["Arn"])

    def _kms_alias(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        name = self._name(r, i)
        target = self._known(i, "targetKeyId")
        if not target:
            raise Skip("targetKeyId unknown and not resolvable")
        self.client("kms", region).create_alias(AliasName=name, TargetKeyId=target)
        return self._applied(r, i, region, id=name, arn="", physical_name=name)

    def _rds_instance(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        rds = self.client("rds", region)
        ident = self._name(r, i, "identifier", lower=True)
        tags = tag_list(tag_map(i))
        source = self._known(i, "replicateSourceDb")
        if source:
            kw: dict[str, Any] = {"DBInstanceIdentifier": ident, "SourceDBInstanceIdentifier": source,
                                  "DBInstanceClass": self._known(i, "instanceClass", "db.r6g.large"),
                                  "Tags": tags}
            if self._known(i, "kmsKeyId"):
                kw["KmsKeyId"] = i["kmsKeyId"]
            rds.create_db_instance_read_replica(**kw)
        else:
            kw = {"DBInstanceIdentifier": ident,
                  "DBInstanceClass": self._known(i, "instanceClass", "db.r6g.large"),
                  "Engine": self._known(i, "engine", "postgres"),
                  "AllocatedStorage": int(self._known(i, "allocatedStorage", 100)),
                  "StorageEncrypted": bool(self._known(i, "storageEncrypted", True)),
                  "MasterUsername": self._known(i, "username", "shop"),
                  "MasterUserPassword": "drill-only-password",
                  "BackupRetentionPeriod": int(self._known(i, "backupRetentionPeriod", 7)),
                  "Tags": tags}
            if self._known(i, "kmsKeyId"):
                kw["KmsKeyId"] = i["kmsKeyId"]
            rds.create_db_instance(**kw)
        db = rds.describe_db_instances(DBInstanceIdentifier=ident)["DBInstances"][0]
        return self._applied(r, i, region, id=ident, arn=db["DBInstanceArn"], physical_name=ident)

    def _dynamodb_table(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        ddb = self.client("dynamodb", region)
        name = self._name(r, i)
        keys = [{"AttributeName": i["hashKey"], "KeyType": "HASH"}]
        if self._known(i, "rangeKey"):
            keys.append({"AttributeName": i["rangeKey"], "KeyType": "RANGE"})
        attrs = [{"AttributeName": a["name"], "AttributeType": a["type"]}
                 for a in self._known(i, "attributes", [])]
        kw: dict[str, Any] = {"TableName": name, "KeySchema": keys, "AttributeDefinitions": attrs,
                              "Tags": tag_list(tag_map(i))}
        if self._known(i, "billingMode", "PAY_PER_REQUEST") == "PAY_PER_REQUEST":
            kw["BillingMode"] = "PAY_PER_REQUEST"
        else:
            kw["ProvisionedThroughput"] = {"ReadCapacityUnits": int(i.get("readCapacity", 5)),
                                           "WriteCapacityUnits": int(i.get("writeCapacity", 5))}
        arn = ddb.create_table(**kw)["TableDescription"]["TableArn"]
        ttl = self._known(i, "ttl")
        if isinstance(ttl, dict) and ttl.get("enabled") and ttl.get("attributeName"):
            ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={
                "Enabled": True, "AttributeName": ttl["attributeName"]})
        return self._applied(r, i, region, id=name, arn=arn, physical_name=name)

    # -- SNS, SQS, S3, logs -----------------------------------------------------------------
    def _sns_topic(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        name = self._name(r, i)
        arn = self.client("sns", region).create_topic(
            Name=name, Tags=tag_list(tag_map(i)))["TopicArn"]
        return self._applied(r, i, region, id=arn, arn=arn, physical_name=name)

    def _sns_subscription(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        topic, endpoint = self._known(i, "topic"), self._known(i, "endpoint")
        if not topic or not endpoint:
            raise Skip("topic or endpoint unknown and not resolvable")
        arn = self.client("sns", region).subscribe(
            TopicArn=topic, Protocol=i["protocol"], Endpoint=endpoint)["SubscriptionArn"]
        return self._applied(r, i, region, id=arn, arn=arn)

    def _sqs_queue(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        sqs = self.client("sqs", region)
        name = self._name(r, i)
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"]
                                       )["Attributes"]["QueueArn"]
        return self._applied(r, i, region, id=url, arn=arn, physical_name=name)

    def _s3_bucket(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        s3 = self.client("s3", region)
        name = self._name(r, i, "bucket", lower=True)
        kw: dict[str, Any] = {"Bucket": name}
        if region != "us-east-1":
            kw["CreateBucketConfiguration"] = {"LocationConstraint": region}
        s3.create_bucket(**kw)
        if tag_map(i):
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tag_list(tag_map(i))})
        return self._applied(r, i, region, id=name, arn=f"arn:aws:s3:::{name}", physical_name=name)

    def _s3_versioning(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        bucket = self._known(i, "bucket")
        cfg = self._known(i, "versioningConfiguration", {})
        if not bucket:
            raise Skip("bucket unknown and not resolvable")
        self.client("s3", region).put_bucket_versioning(
            Bucket=bucket, VersioningConfiguration={"Status": cfg.get("status", "Enabled")})
        return self._applied(r, i, region, id=bucket)

    def _s3_public_access_block(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        bucket = self._known(i, "bucket")
        if not bucket:
            raise Skip("bucket unknown and not resolvable")
        self.client("s3", region).put_public_access_block(
            Bucket=bucket, PublicAccessBlockConfiguration={
                k[0].upper() + k[1:]: bool(self._known(i, k, False))
                for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                          "restrictPublicBuckets")})
        return self._applied(r, i, region, id=bucket)

    def _s3_encryption(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        bucket = self._known(i, "bucket")
        if not bucket:
            raise Skip("bucket unknown and not resolvable")
        rules = []
        for rule in i.get("rules") or []:
            default = dict(rule.get("applyServerSideEncryptionByDefault") or {})
            key = default.get("kmsMasterKeyId")
            if is_unknown(key):
                dep = self._dep(r, "rules", "aws:kms/key:")
                if dep is None:
                    raise Skip("KMS key of the encryption rule unknown and not resolvable")
                key = dep.arn
            sse: dict[str, Any] = {"SSEAlgorithm": default.get("sseAlgorithm", "aws:kms")}
            if key:
                sse["KMSMasterKeyID"] = key
            rules.append({"ApplyServerSideEncryptionByDefault": sse,
                          "BucketKeyEnabled": bool(rule.get("bucketKeyEnabled"))})
        self.client("s3", region).put_bucket_encryption(
            Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": rules})
        return self._applied(r, i, region, id=bucket)

    def _s3_lifecycle(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        bucket, rules = self._known(i, "bucket"), self._known(i, "rules")
        if not bucket or not rules:
            raise Skip("bucket or rules unknown and not resolvable")
        self.client("s3", region).put_bucket_lifecycle_configuration(
            Bucket=bucket, LifecycleConfiguration={"Rules": [
                {"Filter": {}, **pascal_keys(rule)} for rule in rules]})
        return self._applied(r, i, region, id=bucket)

    def _s3_policy(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        bucket, policy = self._known(i, "bucket"), self._known(i, "policy")
        if not bucket or not policy:
            raise Skip("policy document built from ARNs unknown under mocks; bucket policies "
                       "are not enforced by the emulator")
        self.client("s3", region).put_bucket_policy(
            Bucket=bucket, Policy=policy if isinstance(policy, str) else json.dumps(policy))
        return self._applied(r, i, region, id=bucket)

    def _dashboard(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        name, body = self._known(i, "dashboardName"), self._known(i, "dashboardBody")
        if not name or not body:
            raise Skip("dashboard body built from outputs unknown under mocks")
        self.client("cloudwatch", region).put_dashboard(DashboardName=name, DashboardBody=body)
        return self._applied(r, i, region, id=name, physical_name=name)

    def _lambda_permission(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        fn = self._known(i, "function")
        if not fn:
            raise Skip("function unknown and not resolvable")
        sid = self._known(i, "statementId") or autoname(r.name, r.urn)
        kw: dict[str, Any] = {"FunctionName": fn, "StatementId": sid,
                              "Action": i.get("action", "lambda:InvokeFunction"),
                              "Principal": i["principal"]}
        if self._known(i, "sourceArn"):
            kw["SourceArn"] = i["sourceArn"]
        self.client("lambda", region).add_permission(**kw)
        return self._applied(r, i, region, id=f"{fn}/{sid}")

    def _log_group(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        name = self._name(r, i)
        self.client("logs", region).create_log_group(logGroupName=name)
        return self._applied(r, i, region, id=name, physical_name=name)
