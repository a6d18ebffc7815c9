"""AWS identifier and ARN rules, written once for the program, the handlers and the pack.

Sources:

* RDS DB instance identifiers - Amazon RDS User Guide, "Naming constraints in Amazon RDS"
  (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.Constraints):
  1-63 letters, digits or hyphens; the first a letter; no trailing hyphen and no two hyphens in a
  row. RDS stores identifiers in lowercase (Amazon RDS API Reference, ModifyDBInstance,
  DBInstanceIdentifier: "stored as a lowercase string").
* ARN format - AWS General Reference, "Amazon Resource Names (ARNs)"
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html):
  ``arn:<partition>:<service>:<region>:<account>:<resource>``.
* Region codes - :data:`rto_rpo.figures.AWS_REGIONS`.
* DNS names - compared without case (RFC 4343, "Domain Name System (DNS) Case Insensitivity
  Clarification") and without the trailing dot, which Route 53 treats as optional (Amazon
  Route 53 Developer Guide, "DNS domain name format",
  https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from rto_rpo.figures import AWS_REGIONS

#: The RDS DB instance identifier rule, as a regular expression fragment.
DB_IDENTIFIER_RULE: Final[str] = r"(?!.*--)[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
DB_IDENTIFIER_HELP: Final[str] = ("an RDS instance identifier: 1-63 letters, digits or hyphens, starting "
                                  "with a letter, no trailing or double hyphen")

_DB_ID = re.compile(rf"^{DB_IDENTIFIER_RULE}$")
_ARN = re.compile(r"^arn:(?P<partition>aws[a-z-]*):(?P<service>[a-z0-9-]+):(?P<region>[a-z0-9-]*):"
                  r"(?P<account>\d{12}|):(?P<resource>.+)$")
_RDS_DB = re.compile(rf"^db:(?P<id>{DB_IDENTIFIER_RULE})$")
#: Key ids are UUIDs; multi-Region keys add an ``mrk-`` prefix.
_KMS_KEY = re.compile(r"^key/[a-zA-Z0-9-]+$")


@dataclass(frozen=True)
class Arn:
    """A parsed ARN. ``resource`` is everything after the account."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


@dataclass(frozen=True)
class RdsInstanceArn(Arn):
    """An RDS DB instance ARN; ``identifier`` is the instance id as written (RDS compares
    identifiers case-insensitively and stores them lowercase)."""

    identifier: str = ""


def parse_arn(value: str) -> Arn | None:
    """The parts of ``value``, or None when it is not an ARN."""
    m = _ARN.match(value)
    return Arn(**m.groupdict()) if m else None


def is_db_identifier(value: str) -> bool:
    """Whether ``value`` follows the RDS DB instance identifier rule."""
    return bool(_DB_ID.match(value))


def parse_rds_instance_arn(value: str) -> RdsInstanceArn | None:
    """``value`` as an RDS DB instance ARN in a known Region, or None."""
    arn = parse_arn(value)
    if arn is None or arn.service != "rds" or arn.region not in AWS_REGIONS or not arn.account:
        return None
    m = _RDS_DB.match(arn.resource)
    if m is None:
        return None
    return RdsInstanceArn(**vars(arn), identifier=m["id"])


def is_kms_key_arn(value: str) -> bool:
    """Whether ``value`` is a KMS key ARN (``arn:aws:kms:<region>:<account>:key/<id>``)."""
    arn = parse_arn(value)
    return bool(arn and arn.service == "kms" and arn.region in AWS_REGIONS and arn.account
                and _KMS_KEY.match(arn.resource))


def is_region(value: str) -> bool:
    """Whether ``value`` is a commercial AWS Region code (:data:`rto_rpo.figures.AWS_REGIONS`)."""
    return value in AWS_REGIONS


def dns_name_key(name: str) -> str:
    """``name`` as DNS compares it: lowercase, without the trailing dot
    (``"Shop.Example.com."`` -> ``"shop.example.com"``)."""
    return name.rstrip(".").lower()


def same_dns_name(a: str, b: str) -> bool:
    """Whether two DNS names are the same name (see :func:`dns_name_key`)."""
    return dns_name_key(a) == dns_name_key(b)


def same_db(ref: str | None, identifier: str, arn: str | None = None) -> bool:
    """True if ``ref`` (an ARN or an identifier) names the DB ``identifier`` / ``arn``.

    RDS gives a cross-Region replica's source as an ARN; emulators sometimes give an
    identifier, so both forms are accepted. Identifiers compare case-insensitively.
    """
    if not ref:
        return False
    if arn is not None and ref == arn:
        return True
    return ref.rsplit(":", 1)[-1].lower() == identifier.lower()
