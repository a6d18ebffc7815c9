"""Storage and messaging rules: S3 buckets encrypted, versioned and not public; SNS encrypted.

pulumi-aws v7 configures a bucket's encryption, versioning and public-access block through
companion resources (``BucketServerSideEncryptionConfiguration``, ``BucketVersioning``,
``BucketPublicAccessBlock``) that name the bucket in their ``bucket`` input. That input is
usually the bucket's computed id, so during preview the companion is matched to its bucket by
the input's property dependency, or by a literal bucket name. The deprecated inline inputs
(``serverSideEncryptionConfiguration``, ``versioning``) are accepted too.

Preview safety: an unknown versioning status or encryption rule list decides nothing; unless a
known companion already passes the bucket, the rule is *not applicable*, naming the input.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from pulumi_policy import Policy, ReportViolation, ResourceValidationArgs, StackValidationArgs

from policies.resource_types import (
    BUCKET_ENCRYPTION,
    BUCKET_PUBLIC_ACCESS_BLOCK,
    BUCKET_VERSIONING,
    BUCKETS,
    TOPIC,
)
from policies.rules.common import Unknown, by_type, is_set, value
from policies.rules.declare import resource_rule, stack_policy, undecided_in_preview

PAB_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


class Companions:
    """Companion resources of each bucket, indexed once per stack (linear in its size).

    A companion belongs to a bucket when its ``bucket`` input depends on the bucket resource
    (property dependency) or equals the bucket's literal name.
    """

    def __init__(self, resources: list[Any], types: tuple[str, ...]) -> None:
        self.by_urn: dict[str, list[Any]] = defaultdict(list)
        self.by_name: dict[str, list[Any]] = defaultdict(list)
        for r in by_type(resources, *types):
            for dep in (r.property_dependencies or {}).get("bucket", []):
                self.by_urn[dep.urn].append(r)
            try:
                name = value(r.props, "bucket")
            except Unknown:
                name = None
            if isinstance(name, str) and name:
                self.by_name[name].append(r)

    def of(self, bucket: Any) -> list[Any]:
        try:
            name = value(bucket.props, "bucket")
        except Unknown:
            name = None
        found = {id(r): r for r in self.by_urn.get(bucket.urn, [])}
        if isinstance(name, str):
            found.update({id(r): r for r in self.by_name.get(name, [])})
        return list(found.values())


class Undecided(Exception):
    """A bucket's verdict depends on an input that is unknown during preview."""

    def __init__(self, where: str) -> None:
        super().__init__(where)
        self.where = where


def _bucket_rule(name: str, description: str, types: tuple[str, ...],
                 verdict: Callable[[list[Any], Any], str | None]) -> Policy:
    """A stack rule over every bucket. ``verdict`` returns a problem, None, or raises
    :class:`Undecided`; undecided buckets make the rule not applicable (naming the inputs)
    after the decided buckets' violations are reported - never a silent pass."""

    def check(args: StackValidationArgs, report: ReportViolation, cfg: dict[str, Any]) -> None:
        resources = list(args.resources)
        index = Companions(resources, types)
        undecided: list[str] = []
        for b in by_type(resources, *BUCKETS):
            try:
                problem = verdict(index.of(b), b)
            except Undecided as e:
                undecided.append(e.where)
                continue
            if problem:
                report(problem, b.urn)
        undecided_in_preview(undecided)

    return stack_policy(name=name, description=description, check=check)


def _known(r: Any, *path: str, pending: list[str]) -> Any:
    """The input at ``path``; None (and ``"<urn>: <path>"`` added to ``pending``) if unknown."""
    try:
        return value(r.props, *path)
    except Unknown as e:
        pending.append(f"{r.urn}: {e.path}")
        return None


def _set_on_bucket_or_companion(b: Any, companions: list[Any], problem: str, *,
                                on_bucket: Callable[[list[str]], bool],
                                on_companion: Callable[[Any, list[str]], bool]) -> str | None:
    """None when the bucket's own input (``on_bucket``) or one companion's
    (``on_companion``) sets it; else ``problem``. Each reads through :func:`_known` into the
    list it is given.

    Raises:
        Undecided: not set where it is known, and an input it needed is unknown in preview.
    """
    pending: list[str] = []
    if on_bucket(pending) or any(on_companion(c, pending) for c in companions):
        return None
    if pending:
        raise Undecided("; ".join(pending))
    return problem


def _encryption(companions: list[Any], b: Any) -> str | None:
    return _set_on_bucket_or_companion(
        b, companions, "S3 bucket must have default encryption: declare a "
                       "BucketServerSideEncryptionConfiguration with a rule for it.",
        on_bucket=lambda p: bool(_known(b, "serverSideEncryptionConfiguration", pending=p)),
        on_companion=lambda c, p: bool(_known(c, "rules", pending=p)))


def _versioning(companions: list[Any], b: Any) -> str | None:
    return _set_on_bucket_or_companion(
        b, companions, "S3 bucket must have versioning enabled: declare a BucketVersioning "
                       "with versioningConfiguration.status \"Enabled\" for it.",
        on_bucket=lambda p: _known(b, "versioning", "enabled", pending=p) is True,
        on_companion=lambda c, p: _known(c, "versioningConfiguration", "status",
                                         pending=p) == "Enabled")


def _public_access(companions: list[Any], b: Any) -> str | None:
    for c in companions:
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
                        BUCKET_ENCRYPTION, _encryption)


def bucket_versioned() -> Policy:
    return _bucket_rule("s3-bucket-versioned",
                        "Checks whether S3 buckets have versioning enabled.", BUCKET_VERSIONING,
                        _versioning)


def bucket_public_access_blocked() -> Policy:
    return _bucket_rule("s3-bucket-public-access-blocked",
                        "Checks whether S3 buckets block all public access.",
                        BUCKET_PUBLIC_ACCESS_BLOCK, _public_access)


@resource_rule("sns-topic-encrypted", [TOPIC],
               "Checks whether SNS topics are encrypted with a KMS key.")
def topic_encrypted(args: ResourceValidationArgs, report: ReportViolation, cfg: dict[str, Any]) -> None:
    """``sns-topic-encrypted``: a KMS key (even a computed one) is set."""
    if not is_set(args.props, "kmsMasterKeyId"):
        report("SNS topic must be encrypted: set kmsMasterKeyId (e.g. alias/aws/sns or a "
               "customer managed key).")


def policies() -> list[Policy]:
    return [bucket_encrypted(), bucket_versioned(), bucket_public_access_blocked(),
            topic_encrypted()]
