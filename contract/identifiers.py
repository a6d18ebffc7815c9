"""AWS identifier and ARN rules, written once for the program, the handlers and the pack.

Sources:

* RDS DB instance identifiers - Amazon RDS User Guide, "Naming constraints in Amazon RDS"
  (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.Constraints):
  1-63 letters, digits or hyphens; the first a letter; no trailing hyphen and no two hyphens in a
  row. RDS stores identifiers in lowercase (Amazon RDS API Reference, ModifyDBInstance,
  DBInstanceIdentifier: "stored as a lowercase string"). Aurora DB cluster identifiers follow
  the same rule (same page, "DB cluster identifier").
* ARN format - AWS General Reference, "Amazon Resource Names (ARNs)"
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html):
  ``arn:<partition>:<service>:<region>:<account>:<resource>``. An RDS DB instance is
  ``...:db:<id>``, an Aurora DB cluster ``...:cluster:<id>`` (Service Authorization Reference,
  "Resource types defined by Amazon RDS",
  https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html).
* Secrets Manager secret ARNs - AWS Secrets Manager User Guide, "What's in a Secrets Manager
  secret?" (https://docs.aws.amazon.com/secretsmanager/latest/userguide/whats-in-a-secret.html):
  ``arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 random characters>``;
  the name is at most 512 ASCII letters, digits or ``/_+=.@-`` (AWS Secrets Manager API
  Reference, "CreateSecret", Name,
  https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html), and a
  secret RDS manages is named ``rds!<type>-<id>`` (Amazon RDS User Guide, "Password management
  with Amazon RDS and AWS Secrets Manager",
  https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html), so ``!``
  is accepted too.
* Region codes - :data:`rto_rpo.figures.AWS_REGIONS`.
* DB subnet group names - Amazon RDS API Reference, "CreateDBSubnetGroup", DBSubnetGroupName
  (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html):
  at most 255 letters, digits, periods, underscores, spaces or hyphens; not ``default``. A
  blank name, or one starting or ending with a space, is refused too (a padded name is a
  typo, and would not name the group the operator made).
* Security group IDs - Amazon EC2 User Guide, "Resource IDs"
  (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html): the ``sg-``
  prefix, a hyphen, then 8 or 17 characters (lowercase hexadecimal).
* DB instance classes - Amazon RDS User Guide, "DB instance classes"
  (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.html):
  ``db.<class family>.<size>``, like ``db.r6g.large`` or ``db.t4g.micro`` (Aurora uses the same
  names: Amazon Aurora User Guide, "Aurora DB instance classes").
* Lambda function references - AWS Lambda API Reference, "Invoke", FunctionName
  (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html): a function name (at most 64
  letters, digits, hyphens and underscores), or its ARN
  ``arn:<partition>:lambda:<region>:<account>:function:<name>``, either with an optional
  ``:<version or alias>`` qualifier (``$LATEST``, or letters, digits, hyphens, underscores).
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

_DB_ID = re.compile(rf"^{DB_IDENTIFIER_RULE}\Z")
_ARN = re.compile(r"^arn:(?P<partition>aws[a-z-]*):(?P<service>[a-z0-9-]+):(?P<region>[a-z0-9-]*):"
                  r"(?P<account>\d{12}|):(?P<resource>.+)\Z")
_RDS_DB = re.compile(rf"^db:(?P<id>{DB_IDENTIFIER_RULE})\Z")
_RDS_CLUSTER = re.compile(rf"^cluster:(?P<id>{DB_IDENTIFIER_RULE})\Z")
#: DB subnet group names (see the module doc) and security group IDs, with their help texts.
_SUBNET_GROUP = re.compile(r"^[A-Za-z0-9._ -]{1,255}\Z")
SUBNET_GROUP_HELP: Final[str] = ("a DB subnet group name: 1-255 letters, digits, periods, "
                                 "underscores, spaces or hyphens, not starting or ending with a "
                                 "space, not 'default'")
_SECURITY_GROUP = re.compile(r"^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})\Z")
SECURITY_GROUP_HELP: Final[str] = ("a security group ID: sg- and 8 or 17 lowercase hexadecimal "
                                   "characters, like sg-0123456789abcdef0")
#: Secret names (see the module doc); the ARN's resource is ``secret:<name>``.
_SECRET = re.compile(r"^secret:[A-Za-z0-9/_+=.@!-]{1,512}\Z")
SECRET_ARN_HELP: Final[str] = ("a Secrets Manager secret ARN: arn:<partition>:secretsmanager:"
                               "<region>:<12-digit account>:secret:<name>, like "
                               "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-AbCdEf")
#: DB instance classes (see the module doc).
_DB_INSTANCE_CLASS = re.compile(r"^db\.[a-z0-9]+\.[a-z0-9]+\Z")
DB_INSTANCE_CLASS_HELP: Final[str] = ("a DB instance class db.<class family>.<size>, like "
                                      "db.r6g.large")
#: Key ids are UUIDs; multi-Region keys add an ``mrk-`` prefix.
_KMS_KEY = re.compile(r"^key/[a-zA-Z0-9-]+\Z")


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


@dataclass(frozen=True)
class RdsClusterArn(Arn):
    """An Aurora DB cluster ARN (``arn:aws:rds:<region>:<account>:cluster:<id>``);
    ``identifier`` is the cluster id as written (compared case-insensitively)."""

    identifier: str = ""


def parse_arn(value: str) -> Arn | None:
    """The parts of ``value``, or None when it is not an ARN."""
    m = _ARN.match(value)
    return Arn(**m.groupdict()) if m else None


def is_db_identifier(value: str) -> bool:
    """Whether ``value`` follows the RDS DB instance identifier rule."""
    return bool(_DB_ID.match(value))


def is_db_instance_class(value: str) -> bool:
    """Whether ``value`` has the form of a DB instance class (``db.<family>.<size>``)."""
    return isinstance(value, str) and _DB_INSTANCE_CLASS.match(value) is not None


def is_db_subnet_group_name(value: str) -> bool:
    """Whether ``value`` follows the DB subnet group name rule (``default`` is reserved; no
    blank or space-padded name)."""
    return (bool(_SUBNET_GROUP.match(value)) and value == value.strip()
            and value.lower() != "default")


def is_security_group_id(value: str) -> bool:
    """Whether ``value`` is an EC2 security group ID (``sg-`` and 8 or 17 hex characters)."""
    return bool(_SECURITY_GROUP.match(value))


def _rds_identifier(value: str, form: re.Pattern[str]) -> tuple[Arn, str] | None:
    """``value`` as an RDS ARN in a known Region whose resource matches ``form``, with the
    identifier it names; else None."""
    arn = parse_arn(value)
    if arn is None or arn.service != "rds" or arn.region not in AWS_REGIONS or not arn.account:
        return None
    m = form.match(arn.resource)
    return (arn, m["id"]) if m else None


def parse_rds_instance_arn(value: str) -> RdsInstanceArn | None:
    """``value`` as an RDS DB instance ARN in a known Region, or None."""
    found = _rds_identifier(value, _RDS_DB)
    return RdsInstanceArn(**vars(found[0]), identifier=found[1]) if found else None


def parse_rds_cluster_arn(value: str) -> RdsClusterArn | None:
    """``value`` as an Aurora DB cluster ARN in a known Region, or None."""
    found = _rds_identifier(value, _RDS_CLUSTER)
    return RdsClusterArn(**vars(found[0]), identifier=found[1]) if found else None


def parse_rds_arn(value: str) -> RdsInstanceArn | RdsClusterArn | None:
    """``value`` as an RDS DB instance or Aurora DB cluster ARN, or None."""
    return parse_rds_instance_arn(value) or parse_rds_cluster_arn(value)


def is_kms_key_arn(value: str) -> bool:
    """Whether ``value`` is a KMS key ARN (``arn:aws:kms:<region>:<account>:key/<id>``)."""
    arn = parse_arn(value)
    return bool(arn and arn.service == "kms" and arn.region in AWS_REGIONS and arn.account
                and _KMS_KEY.match(arn.resource))


def is_secret_arn(value: str) -> bool:
    """Whether ``value`` is a whole Secrets Manager secret ARN in a known Region and a
    12-digit account (:data:`SECRET_ARN_HELP`), with nothing around it."""
    arn = parse_arn(value)
    return bool(arn and arn.service == "secretsmanager" and arn.region in AWS_REGIONS
                and arn.account and _SECRET.match(arn.resource))


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


# --- physical names ---------------------------------------------------------------------------

@dataclass(frozen=True)
class NameRule:
    """What one AWS service accepts as a resource name.

    Attributes:
        service: what the name names, for messages (``"S3 bucket"``).
        min_length, max_length: length bounds, in characters.
        charset: a regular-expression character class body of the allowed characters.
        charset_help: the same in words (``"lowercase letters, digits, dots and hyphens"``).
        edges: a character class body the first and last characters must be in, or None.
        first: a character class body the first character must be in, or None.
        no_double_hyphen, no_trailing_hyphen: the RDS / DMS identifier rules.
        prefix: a prefix the name must have (``"alias/"``), or "".
        reserved_prefixes, reserved_suffixes: what the name must not start or end with.
        source: the AWS page (title and URL) the rule comes from.
    """

    service: str
    min_length: int
    max_length: int
    charset: str
    charset_help: str
    source: str
    edges: str | None = None
    first: str | None = None
    no_double_hyphen: bool = False
    no_trailing_hyphen: bool = False
    prefix: str = ""
    reserved_prefixes: tuple[str, ...] = ()
    reserved_suffixes: tuple[str, ...] = ()
    no_ip_address: bool = False
    no_double_dot: bool = False

    def describe(self) -> str:
        """The rule in words: ``"3-63 characters: lowercase letters, ..."``."""
        edge = (f"; starting and ending with {self._class_words(self.edges)}" if self.edges else
                f"; starting with {self._class_words(self.first)}" if self.first else "")
        if self.no_trailing_hyphen or self.no_double_hyphen:
            edge += "; no trailing or double hyphen"
        if self.prefix:
            edge += f"; after {self.prefix!r}"
        return f"{self.min_length}-{self.max_length} characters: {self.charset_help}{edge}"

    @staticmethod
    def _class_words(cls: str | None) -> str:
        return {"a-z0-9": "a lowercase letter or digit", "a-zA-Z": "a letter"}.get(cls or "", cls or "")

    def problems(self, name: str) -> list[str]:
        """What is wrong with ``name`` under this rule (empty when it is valid)."""
        out: list[str] = []
        n = len(name)
        if n > self.max_length:
            out.append(f"is {n} characters, over the limit of {self.max_length}")
        elif n < self.min_length:
            out.append(f"is {n} characters, under the minimum of {self.min_length}")
        if self.prefix and not name.startswith(self.prefix):
            out.append(f"must start with {self.prefix!r}")
        body = name[len(self.prefix):] if self.prefix and name.startswith(self.prefix) else name
        bad = sorted(set(re.sub(f"[{self.charset}]", "", body)))
        if bad:
            out.append(f"has characters {self.service} names do not allow: {', '.join(map(repr, bad))}")
        out += self._form_problems(body)
        out += [f"must not start with {p!r}" for p in self.reserved_prefixes if name.startswith(p)]
        out += [f"must not end with {x!r}" for x in self.reserved_suffixes if name.endswith(x)]
        return out

    def _form_problems(self, name: str) -> list[str]:
        out: list[str] = []
        if name and self.edges and not (re.match(f"[{self.edges}]", name[0])
                                        and re.match(f"[{self.edges}]", name[-1])):
            out.append(f"must start and end with {self._class_words(self.edges)}")
        if name and self.first and not re.match(f"[{self.first}]", name[0]):
            out.append(f"must start with {self._class_words(self.first)}")
        if self.no_trailing_hyphen and name.endswith("-"):
            out.append("must not end with a hyphen")
        if self.no_double_hyphen and "--" in name:
            out.append("must not contain two hyphens in a row")
        if self.no_double_dot and ".." in name:
            out.append("must not contain two dots in a row")
        if self.no_ip_address and re.fullmatch(r"\d+\.\d+\.\d+\.\d+", name):
            out.append("must not look like an IP address")
        return out

    def is_valid(self, name: str) -> bool:
        return not self.problems(name)


_RDS_FORM = {"first": "a-zA-Z", "no_double_hyphen": True, "no_trailing_hyphen": True}

_RDS_NAMING = ('Amazon RDS User Guide, "Naming constraints in Amazon RDS" '
               "(https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html"
               "#RDS_Limits.Constraints)")


#: API references the rules cite: key -> (title, path under https://docs.aws.amazon.com/).
_REFERENCES: Final = {
    "cloudwatch": ("Amazon CloudWatch API Reference", "AmazonCloudWatch/latest/APIReference"),
    "cloudwatchlogs": ("Amazon CloudWatch Logs API Reference", "AmazonCloudWatchLogs/latest/APIReference"),
    "dms": ("AWS DMS API Reference", "dms/latest/APIReference"),
    "eventbridge": ("Amazon EventBridge API Reference", "eventbridge/latest/APIReference"),
    "iam": ("AWS Identity and Access Management API Reference", "IAM/latest/APIReference"),
    "kms": ("AWS KMS API Reference", "kms/latest/APIReference"),
    "lambda": ("AWS Lambda API Reference", "lambda/latest/api"),
    "rds": ("Amazon RDS API Reference", "AmazonRDS/latest/APIReference"),
    "route53": ("Amazon Route 53 API Reference", "Route53/latest/APIReference"),
    "sns": ("Amazon SNS API Reference", "sns/latest/api"),
}


def _api(reference: str, operation: str, field: str) -> str:
    """The source of a rule read from an API reference (a key of :data:`_REFERENCES`):
    ``'<title>, "<operation>", <field> (https://docs.aws.amazon.com/<path>/API_<operation>.html)'``."""
    title, path = _REFERENCES[reference]
    return f'{title}, "{operation}", {field} (https://docs.aws.amazon.com/{path}/API_{operation}.html)'


def _identifier(service: str, max_length: int, source: str) -> NameRule:
    """An RDS-style identifier: letters, digits and hyphens, a letter first, no trailing or
    double hyphen (RDS and DMS share the form)."""
    return NameRule(service, 1, max_length, r"A-Za-z0-9\-", "letters, digits and hyphens", source,
                    **_RDS_FORM)


#: Character sets several services share: (regular-expression class body, the same in words).
_WORD = (r"A-Za-z0-9_\-", "letters, digits, hyphens and underscores")
_DOTTED = (r"A-Za-z0-9._\-", "letters, digits, dots, hyphens and underscores")


#: Amazon S3 User Guide, "General purpose bucket naming rules".
S3_BUCKET: Final = NameRule(
    "S3 bucket", 3, 63, "a-z0-9.-", "lowercase letters, digits, dots and hyphens",
    'Amazon S3 User Guide, "General purpose bucket naming rules" '
    "(https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html)",
    edges="a-z0-9", no_ip_address=True, no_double_dot=True,
    reserved_prefixes=("xn--", "sthree-", "amzn-s3-demo-"),
    reserved_suffixes=("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"))
EVENTBRIDGE_RULE: Final = NameRule(
    "EventBridge rule", 1, 64, *_DOTTED,
    _api("eventbridge", "PutRule", "Name"))
#: Amazon EventBridge API Reference, "CreateEventBus" (Name; a custom bus has no "/").
EVENTBRIDGE_BUS: Final = NameRule(
    "EventBridge event bus", 1, 256, *_DOTTED,
    _api("eventbridge", "CreateEventBus", "Name"))
#: AWS Systems Manager User Guide, "Working with parameter hierarchies" / "Requirements and
#: constraints for parameter names" (fully qualified name at most 1011 characters; letters,
#: digits and . - _ /; not beginning with aws or ssm).
SSM_PARAMETER: Final = NameRule(
    "SSM parameter", 1, 1011, r"A-Za-z0-9._\-/",
    "letters, digits, dots, hyphens, underscores and slashes",
    'AWS Systems Manager User Guide, "Requirements and constraints for parameter names" '
    "(https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html)",
    reserved_prefixes=("aws", "ssm", "/aws", "/ssm"))
#: AWS Lambda API Reference, "CreateFunction" (FunctionName: a bare name is at most 64).
LAMBDA_FUNCTION: Final = NameRule(
    "Lambda function", 1, 64, *_WORD,
    _api("lambda", "CreateFunction", "FunctionName"))
#: Amazon DynamoDB Developer Guide, "Supported data types and naming rules".
DYNAMODB_TABLE: Final = NameRule(
    "DynamoDB table", 3, 255, r"A-Za-z0-9_.\-", "letters, digits, underscores, dots and hyphens",
    'Amazon DynamoDB Developer Guide, "Supported data types and naming rules in Amazon '
    'DynamoDB" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/'
    "HowItWorks.NamingRulesDataTypes.html)")
#: Amazon CloudWatch API Reference, "PutMetricAlarm" (AlarmName: 1-255, no control characters).
CLOUDWATCH_ALARM: Final = NameRule(
    "CloudWatch alarm", 1, 255, r"^\x00-\x1f\x7f", "any characters but ASCII control characters",
    _api("cloudwatch", "PutMetricAlarm", "AlarmName"))
CLOUDWATCH_DASHBOARD: Final = NameRule(
    "CloudWatch dashboard", 1, 255, *_WORD,
    _api("cloudwatch", "PutDashboard", "DashboardName"))
LOG_GROUP: Final = NameRule(
    "CloudWatch Logs log group", 1, 512, r"A-Za-z0-9._/#\-",
    "letters, digits, dots, underscores, slashes, hashes and hyphens",
    _api("cloudwatchlogs", "CreateLogGroup", "logGroupName"))
SNS_TOPIC: Final = NameRule("SNS topic", 1, 256, *_WORD, _api("sns", "CreateTopic", "Name"))
#: AWS KMS API Reference, "CreateAlias" (AliasName: "alias/" + name; "alias/aws/" is AWS's).
KMS_ALIAS: Final = NameRule(
    "KMS alias", 1, 256, r"A-Za-z0-9/_\-", "letters, digits, slashes, underscores and hyphens",
    _api("kms", "CreateAlias", "AliasName"),
    prefix="alias/", reserved_prefixes=("alias/aws/",))
IAM_ROLE: Final = NameRule(
    "IAM role", 1, 64, r"\w+=,.@\-", "letters, digits and + = , . @ _ -",
    _api("iam", "CreateRole", "RoleName"))
#: See the module docstring ("DB instance identifier" and "DB cluster identifier").
RDS_DB_INSTANCE: Final = _identifier("RDS DB instance", 63, _RDS_NAMING)
RDS_DB_CLUSTER: Final = _identifier("RDS DB cluster", 63, _RDS_NAMING)
#: Held to the DB cluster identifier rule, the strictest RDS gives for cluster names.
RDS_GLOBAL_CLUSTER: Final = _identifier(
    "Aurora global database", 63, _api("rds", "CreateGlobalCluster", "GlobalClusterIdentifier"))
RDS_CLUSTER_PARAMETER_GROUP: Final = _identifier(
    "RDS DB cluster parameter group", 255,
    _api("rds", "CreateDBClusterParameterGroup", "DBClusterParameterGroupName"))
RDS_DB_CLUSTER_SNAPSHOT: Final = _identifier(
    "RDS DB cluster snapshot", 255, _api("rds", "CreateDBClusterSnapshot", "DBClusterSnapshotIdentifier"))
RDS_DB_SNAPSHOT: Final = _identifier(
    "RDS DB snapshot", 255, _api("rds", "CreateDBSnapshot", "DBSnapshotIdentifier"))
DMS_REPLICATION_INSTANCE: Final = _identifier(
    "DMS replication instance", 63,
    _api("dms", "CreateReplicationInstance", "ReplicationInstanceIdentifier"))
#: 255 as the provider documents.
DMS_ENDPOINT: Final = _identifier("DMS endpoint", 255, _api("dms", "CreateEndpoint", "EndpointIdentifier"))
DMS_REPLICATION_TASK: Final = _identifier(
    "DMS replication task", 255, _api("dms", "CreateReplicationTask", "ReplicationTaskIdentifier"))
#: ResourceIdentifier is "up to 31 characters": the end of the task ARN and the metrics'
#: ReplicationTaskIdentifier dimension.
DMS_RESOURCE_IDENTIFIER: Final = _identifier(
    "DMS task resource identifier", 31, _api("dms", "CreateReplicationTask", "ResourceIdentifier"))
#: Amazon Route 53 API Reference, "ResourceRecordSet" (SetIdentifier: 1-128).
ROUTE53_SET_IDENTIFIER: Final = NameRule(
    "Route 53 record set identifier", 1, 128, r"^\x00-\x1f\x7f", "printable characters",
    _api("route53", "ResourceRecordSet", "SetIdentifier"))
#: Route 53's CallerReference is at most 64 characters (Amazon Route 53 API Reference,
#: "CreateHealthCheck"); the provider appends "-" and a 26-character unique id to a health
#: check's ``referenceName``, so that is at most 38 (hashicorp/terraform-provider-aws#12873).
ROUTE53_HEALTH_CHECK_REFERENCE: Final = NameRule(
    "Route 53 health check reference name", 1, 38, r"^\x00-\x1f\x7f", "printable characters",
    'Amazon Route 53 API Reference, "CreateHealthCheck", CallerReference '
    "(https://docs.aws.amazon.com/Route53/latest/APIReference/API_CreateHealthCheck.html), "
    "less the provider's 27-character suffix (hashicorp/terraform-provider-aws#12873)")


# --- Lambda function references ---------------------------------------------------------------

#: A version or alias after a function name or ARN (AWS Lambda API Reference, "Invoke").
_QUALIFIER = re.compile(r"^(?:\$LATEST|[a-zA-Z0-9_-]{1,128})\Z")
LAMBDA_FUNCTION_REF_HELP: Final[str] = (
    "a Lambda function name (1-64 letters, digits, hyphens and underscores, like shop-warmer) "
    "or its full ARN arn:aws:lambda:<standbyRegion>:<account>:function:<name>, either with an "
    "optional :<version or alias>; no wildcards")


@dataclass(frozen=True)
class LambdaFunctionRef:
    """A parsed Lambda function reference; ``arn`` is None for a bare name."""

    name: str
    qualifier: str
    arn: Arn | None


def parse_lambda_function_ref(value: str) -> LambdaFunctionRef | None:
    """``value`` as a function name or full function ARN (see the module doc), or None when it
    is neither (a partial ARN, a wildcard, another service's ARN)."""
    if not isinstance(value, str):
        return None
    arn = parse_arn(value) if value.startswith("arn:") else None
    if value.startswith("arn:"):
        if arn is None or arn.service != "lambda" or not arn.region or not arn.account:
            return None
        kind, _, rest = arn.resource.partition(":")
        if kind != "function":
            return None
    else:
        rest = value
    name, _, qualifier = rest.partition(":")
    if arn is None and qualifier and re.fullmatch(r"\d{12}", name):
        return None  # <account>:<name>, a partial ARN: Lambda reads it so, not as name:qualifier
    if not LAMBDA_FUNCTION.is_valid(name) or (qualifier and not _QUALIFIER.match(qualifier)):
        return None
    return LambdaFunctionRef(name, qualifier, arn)
