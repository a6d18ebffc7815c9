"""RDS rules: encryption, deletion protection, retained backups, private snapshots, and a
well-formed cross-Region read replica.

AWS facts, with their sources:

* a cross-Region replica names its source by ARN, and an encrypted one needs a KMS key of
  the replica's own Region: Amazon RDS User Guide, "Creating a read replica in a different
  AWS Region" (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html)
  and Amazon RDS API Reference, "CreateDBInstanceReadReplica" (SourceDBInstanceIdentifier,
  KmsKeyId; https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html);
* enable backups on a replica before promoting it: Amazon RDS API Reference,
  "PromoteReadReplica" (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html);
* a manual snapshot whose ``restore`` attribute includes ``all`` is public: Amazon RDS API
  Reference, "ModifyDBSnapshotAttribute"
  (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBSnapshotAttribute.html).

ARNs are parsed by :mod:`contract.identifiers`, the rules the program and the handlers use.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Policy, ReportViolation, ResourceValidationArgs, StackValidationArgs

from contract.identifiers import parse_arn, parse_rds_instance_arn
from policies.resource_types import KMS_KEY, KMS_REPLICA_KEY, RDS_INSTANCE, RDS_SNAPSHOTS
from policies.rules.common import Unknown, by_type, is_set, number, region, value
from policies.rules.declare import Setting, not_applicable, resource_rule, stack_rule


@resource_rule("rds-instance-storage-encrypted", [RDS_INSTANCE],
               "Checks whether RDS instances have storage encryption enabled (storageEncrypted true; "
               "a read replica may name its kmsKeyId instead).")
def storage_encrypted(args: ResourceValidationArgs, report: ReportViolation, cfg: dict[str, Any]) -> None:
    """``rds-instance-storage-encrypted``: storage encryption is on.

    ``storageEncrypted: false`` fails whatever else is set (a ``kmsKeyId`` does not turn
    encryption on). An instance that is no read replica needs ``storageEncrypted: true``, as in
    AWSGuard's ``rds-storage-encrypted``; a read replica may instead name its ``kmsKeyId`` (the
    provider ignores ``storageEncrypted`` for a cross-Region replica: pulumi-aws
    ``aws.rds.Instance``, ``storageEncrypted``; a replica of an encrypted source is encrypted
    with the key of its own Region: Amazon RDS User Guide, "Creating a read replica in a
    different AWS Region").
    """
    encrypted = value(args.props, "storageEncrypted")
    if encrypted is True:
        return
    if encrypted is False:
        report("RDS instance must have storage encryption enabled: storageEncrypted is false "
               "(a kmsKeyId does not turn it on).")
    elif not is_set(args.props, "replicateSourceDb"):
        report("RDS instance must have storage encryption enabled (storageEncrypted: true).")
    elif not is_set(args.props, "kmsKeyId"):
        # A computed key counts as set: it is the replica's own-Region key.
        report("RDS read replica must be encrypted: set storageEncrypted: true or a kmsKeyId "
               "in its own Region.")


@resource_rule("rds-instance-deletion-protection", [RDS_INSTANCE],
               "Checks whether RDS instances have deletion protection enabled.")
def deletion_protection(args: ResourceValidationArgs, report: ReportViolation, cfg: dict[str, Any]) -> None:
    """``rds-instance-deletion-protection``."""
    if value(args.props, "deletionProtection") is not True:
        report("RDS instance must have deletionProtection enabled.")


@resource_rule("rds-instance-backup-retention", [RDS_INSTANCE],
               "Checks whether RDS instances retain automated backups.",
               settings=[Setting("minRetentionDays", "integer", 1,
                                 "Fewest days of automated backups (0 turns backups, and so point-in-time "
                                 "recovery of a promoted replica, off).", {"minimum": 1, "maximum": 35})])
def backup_retention(args: ResourceValidationArgs, report: ReportViolation, cfg: dict[str, Any]) -> None:
    """``rds-instance-backup-retention``: automated backups kept for at least N days."""
    days = number(args.props, "backupRetentionPeriod", default=0.0)
    if days is None or days < cfg["minRetentionDays"]:
        report(f"RDS instance must retain automated backups for at least "
               f"{cfg['minRetentionDays']} day(s) (backupRetentionPeriod), got {days:g}.")


@resource_rule("rds-snapshot-not-public", RDS_SNAPSHOTS,
               'Checks whether RDS snapshots are kept private (never shared with "all").')
def snapshot_not_public(args: ResourceValidationArgs, report: ReportViolation, cfg: dict[str, Any]) -> None:
    """``rds-snapshot-not-public``: no snapshot is shared with "all"."""
    for key in ("sharedAccounts", "attributes", "valuesToAdds"):
        v = value(args.props, key)
        if _mentions_all(v):
            report(f"RDS snapshot must never be public: {key} includes \"all\".")


def _mentions_all(v: Any) -> bool:
    if isinstance(v, str):
        return v.strip().lower() == "all"
    if isinstance(v, list):
        return any(_mentions_all(x) for x in v)
    if isinstance(v, dict):
        return any(_mentions_all(x) for x in v.values())
    return False


@stack_rule("rds-cross-region-replica",
            "Checks whether cross-Region read replicas name their source by ARN and use a KMS key in "
            "their own Region.")
def cross_region_replica(args: StackValidationArgs, report: ReportViolation, cfg: dict[str, Any]) -> None:
    """``rds-cross-region-replica``: source as an ARN; KMS key in the replica's own Region.

    The replica's ``kmsKeyId`` is usually computed from a KMS key declared in the same stack,
    so it is unknown during preview; the policy then follows the input's property dependency
    to the key resource and reads that key's Region instead.
    """
    keys = {r.urn: r for r in by_type(args.resources, KMS_KEY, KMS_REPLICA_KEY)}
    undecided: list[str] = []
    for r in by_type(args.resources, RDS_INSTANCE):
        if not is_set(r.props, "replicateSourceDb"):
            continue
        try:
            where = region(r.props, r.provider)
            source = value(r.props, "replicateSourceDb")
        except Unknown as e:
            report(f"Read replica's {e.path} can't be known during preview, so its "
                   "Region and source cannot be checked; give them as plain values.", r.urn)
            continue
        key_region = kms_key_region(r, keys)
        for problem in _source_problems(str(source), where) + _key_problems(key_region, where):
            report(problem, r.urn)
        if key_region == "<unknown>":
            undecided.append(r.urn)
    if undecided:
        # Not a silent pass: the preview lists the policy as not applicable, with why.
        not_applicable("the KMS key Region of " + ", ".join(undecided)
                       + " can't be known during preview")


def _source_problems(source: str, where: str | None) -> list[str]:
    """What is wrong with a replica's ``replicateSourceDb`` for a cross-Region standby."""
    arn = parse_rds_instance_arn(source)
    if arn is None:
        return [f"Read replica must name its source as an RDS ARN "
                f"(arn:aws:rds:<region>:<account>:db:<id>), got {source!r}; a "
                "cross-Region replica cannot use an identifier."]
    if where and arn.region == where:
        return [f"Read replica is in {where}, the same Region as its source; a standby "
                "for a Region failure must be in another Region."]
    return []


def _key_problems(key_region: str | None, where: str | None) -> list[str]:
    """What is wrong with the Region of a replica's KMS key (``<unknown>``: nothing yet)."""
    if key_region is None:
        return [f"Cross-Region read replica must set kmsKeyId to a KMS key in its own "
                f"Region ({where}); an encrypted source cannot be replicated without it."]
    if key_region != "<unknown>" and where and key_region != where:
        return [f"Read replica's KMS key is in {key_region}, but the replica is in "
                f"{where}; the key must live in the replica's Region."]
    return []


def kms_key_region(replica: Any, keys: dict[str, Any]) -> str | None:
    """Region of the replica's KMS key; ``<unknown>`` if computed with no traceable source."""
    try:
        kms = value(replica.props, "kmsKeyId")
    except Unknown:
        for dep in (replica.property_dependencies or {}).get("kmsKeyId", []):
            key = keys.get(dep.urn)
            if key is not None:
                try:
                    return region(key.props, key.provider) or "<unknown>"
                except Unknown:
                    return "<unknown>"
        return "<unknown>"
    if not kms:
        return None
    arn = parse_arn(str(kms))
    return arn.region if arn is not None and arn.service == "kms" and arn.region else "<unknown>"


def policies() -> list[Policy]:
    return [storage_encrypted(), deletion_protection(), backup_retention(),
            snapshot_not_public(), cross_region_replica()]
