"""Storage and messaging rules: S3 buckets encrypted, versioned and not public; SNS encrypted.

pulumi-aws v7 configures a bucket's encryption, versioning and public-access block through
companion resources (``BucketServerSideEncryptionConfiguration``, ``BucketVersioning``,
``BucketPublicAccessBlock``) that name the bucket in their ``bucket`` input. That input is
usually the bucket's computed id, so during preview the companion is matched to its bucket by
the input's property dependency, or by a literal bucket name. The deprecated inline inputs
(``serverSideEncryptionConfiguration``, ``versioning``) are accepted too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import (
    Policy,
    ReportViolation,
    ResourceValidationArgs,
    StackValidationArgs,
)

from policies.rules.common import (
    Unknown,
    by_type,
    depends_on,
    is_set,
    resource_policy,
    stack_policy,
    value,
)

BUCKET = "aws:s3/bucket:Bucket"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
SSE = ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
       "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2")
VERSIONING = ("aws:s3/bucketVersioning:BucketVersioning",
              "aws:s3/bucketVersioningV2:BucketVersioningV2")
PUBLIC_ACCESS_BLOCK = ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",)
TOPIC = "aws:sns/topic:Topic"
PAB_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def companions(resources: list[Any], bucket: Any, types: tuple[str, ...]) -> list[Any]:
    """Resources of ``types`` whose ``bucket`` input refers to ``bucket``."""
    try:
        name = value(bucket.props, "bucket")
    except Unknown:
        name = None
    out = []
    for r in by_type(resources, *types):
        if depends_on(r, "bucket", bucket):
            out.append(r)
            continue
        try:
            if name and value(r.props, "bucket") == name:
                out.append(r)
        except Unknown:
            pass
    return out


def _bucket_rule(name: str, description: str,
                 verdict: Callable[[list[Any], Any], str | None]) -> Policy:
    def check(args: StackValidationArgs, report: ReportViolation, cfg: dict[str, Any]) -> None:
        for b in by_type(args.resources, BUCKET, BUCKET_V2):
            problem = verdict(args.resources, b)
            if problem:
                report(problem, b.urn)

    return stack_policy(name=name, description=description, check=check)


def _encryption(resources: list[Any], b: Any) -> str | None:
    if is_set(b.props, "serverSideEncryptionConfiguration"):
        return None
    for c in companions(resources, b, SSE):
        if is_set(c.props, "rules"):
            return None
    return ("S3 bucket must have default encryption: declare a "
            "BucketServerSideEncryptionConfiguration with a rule for it.")


def _versioning(resources: list[Any], b: Any) -> str | None:
    try:
        if value(b.props, "versioning", "enabled") is True:
            return None
    except Unknown:
        return None
    for c in companions(resources, b, VERSIONING):
        try:
            status = value(c.props, "versioningConfiguration", "status")
        except Unknown:
            return None
        if status == "Enabled":
            return None
    return ("S3 bucket must have versioning enabled: declare a BucketVersioning with "
            "versioningConfiguration.status \"Enabled\" for it.")


def _public_access(resources: list[Any], b: Any) -> str | None:
    blocks = companions(resources, b, PUBLIC_ACCESS_BLOCK)
    for c in blocks:
        missing = []
        for f in PAB_FLAGS:
            try:
                if value(c.props, f) is not True:
                    missing.append(f)
            except Unknown:
                missing.append(f"{f} (computed)")
        if not missing:
            return None
        return f"S3 bucket's public access block must set {', '.join(missing)} to true."
    return ("S3 bucket must block public access: declare a BucketPublicAccessBlock with all of "
            f"{', '.join(PAB_FLAGS)} set to true for it.")


def bucket_encrypted() -> Policy:
    return _bucket_rule("s3-bucket-encrypted",
                        "Checks whether S3 buckets have default server-side encryption.",
                        _encryption)


def bucket_versioned() -> Policy:
    return _bucket_rule("s3-bucket-versioned",
                        "Checks whether S3 buckets have versioning enabled.", _versioning)


def bucket_public_access_blocked() -> Policy:
    return _bucket_rule("s3-bucket-public-access-blocked",
                        "Checks whether S3 buckets block all public access.", _public_access)


def topic_encrypted(**overrides: Any) -> Policy:
    """``sns-topic-encrypted``: a KMS key (even a computed one) is set."""

    def check(args: ResourceValidationArgs, report: ReportViolation, cfg: dict[str, Any]) -> None:
        if not is_set(args.props, "kmsMasterKeyId"):
            report("SNS topic must be encrypted: set kmsMasterKeyId (e.g. alias/aws/sns or a "
                   "customer managed key).")

    return resource_policy(
        name="sns-topic-encrypted",
        description="Checks whether SNS topics are encrypted with a KMS key.",
        types=[TOPIC], check=check, overrides=overrides)


def policies() -> list[Policy]:
    return [bucket_encrypted(), bucket_versioned(), bucket_public_access_blocked(),
            topic_encrypted()]
