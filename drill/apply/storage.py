"""Apply functions for S3 buckets and their versioning, public access block, encryption,
lifecycle and policy."""

from __future__ import annotations

import json
from typing import Any

from drill.apply.common import Applied, ApplyContext, ApplyFn, Skip, applied, dependency
from drill.apply.inputs import aws_tags, is_unknown, known, name_of, pascal_keys
from engine.plan import PlannedResource


def _bucket_of(i: dict[str, Any]) -> str:
    bucket = known(i, "bucket")
    if not bucket:
        raise Skip("bucket unknown and not resolvable")
    return str(bucket)


def s3_bucket(r: PlannedResource, i: dict[str, Any], region: str, ctx: ApplyContext) -> Applied:
    """CreateBucket (with its Region's location constraint) and its tags."""
    s3 = ctx.client("s3", region)
    name = name_of(r, i, "bucket", lower=True)
    kw: dict[str, Any] = {"Bucket": name}
    if region != "us-east-1":
        kw["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**kw)
    if tags := aws_tags(i):
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tags})
    return applied(r, i, region, id=name, arn=f"arn:aws:s3:::{name}", physical_name=name)


def s3_versioning(r: PlannedResource, i: dict[str, Any], region: str, ctx: ApplyContext) -> Applied:
    """PutBucketVersioning. Raises Skip when the bucket is unknown."""
    bucket = _bucket_of(i)
    cfg = known(i, "versioningConfiguration", {})
    ctx.client("s3", region).put_bucket_versioning(
        Bucket=bucket, VersioningConfiguration={"Status": cfg.get("status", "Enabled")})
    return applied(r, i, region, id=bucket)


def s3_public_access_block(r: PlannedResource, i: dict[str, Any], region: str,
                           ctx: ApplyContext) -> Applied:
    """PutPublicAccessBlock. Raises Skip when the bucket is unknown."""
    bucket = _bucket_of(i)
    ctx.client("s3", region).put_public_access_block(
        Bucket=bucket, PublicAccessBlockConfiguration={
            k[0].upper() + k[1:]: bool(known(i, k, False))
            for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                      "restrictPublicBuckets")})
    return applied(r, i, region, id=bucket)


def s3_encryption(r: PlannedResource, i: dict[str, Any], region: str, ctx: ApplyContext) -> Applied:
    """PutBucketEncryption (the KMS key from the rule's dependency when unknown).
    Raises Skip when the bucket or key cannot be resolved."""
    bucket = _bucket_of(i)
    rules = []
    for rule in i.get("rules") or []:
        default = dict(rule.get("applyServerSideEncryptionByDefault") or {})
        key = default.get("kmsMasterKeyId")
        if is_unknown(key):
            dep = dependency(ctx, r, "rules", "aws:kms/key:")
            if dep is None:
                raise Skip("KMS key of the encryption rule unknown and not resolvable")
            key = dep.arn
        sse: dict[str, Any] = {"SSEAlgorithm": default.get("sseAlgorithm", "aws:kms")}
        if key:
            sse["KMSMasterKeyID"] = key
        rules.append({"ApplyServerSideEncryptionByDefault": sse,
                      "BucketKeyEnabled": bool(rule.get("bucketKeyEnabled"))})
    ctx.client("s3", region).put_bucket_encryption(
        Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": rules})
    return applied(r, i, region, id=bucket)


def s3_lifecycle(r: PlannedResource, i: dict[str, Any], region: str, ctx: ApplyContext) -> Applied:
    """PutBucketLifecycleConfiguration. Raises Skip when bucket or rules are unknown."""
    bucket, rules = known(i, "bucket"), known(i, "rules")
    if not bucket or not rules:
        raise Skip("bucket or rules unknown and not resolvable")
    ctx.client("s3", region).put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration={"Rules": [
            {"Filter": {}, **pascal_keys(rule)} for rule in rules]})
    return applied(r, i, region, id=bucket)


def s3_policy(r: PlannedResource, i: dict[str, Any], region: str, ctx: ApplyContext) -> Applied:
    """PutBucketPolicy. Raises Skip when the document is built from unknown ARNs."""
    bucket, policy = known(i, "bucket"), known(i, "policy")
    if not bucket or not policy:
        raise Skip("policy document built from ARNs unknown under mocks; bucket policies "
                   "are not enforced by the emulator")
    ctx.client("s3", region).put_bucket_policy(
        Bucket=bucket, Policy=policy if isinstance(policy, str) else json.dumps(policy))
    return applied(r, i, region, id=bucket)


APPLIERS: dict[str, ApplyFn] = {
    "aws:s3/bucket:Bucket": s3_bucket,
    "aws:s3/bucketV2:BucketV2": s3_bucket,
    "aws:s3/bucketVersioning:BucketVersioning": s3_versioning,
    "aws:s3/bucketVersioningV2:BucketVersioningV2": s3_versioning,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": s3_public_access_block,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
        s3_encryption,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": s3_lifecycle,
    "aws:s3/bucketPolicy:BucketPolicy": s3_policy,
}
