"""The AWS naming rules in ``contract.identifiers``: a valid name next to each broken one."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from contract import identifiers as ids
from contract.identifiers import NameRule, is_db_identifier

LONG_STACK = "payments-platform-eu-west-canary"   # 32 characters
assert len(LONG_STACK) == 32


@pytest.mark.parametrize(("rule", "name", "problems"), [
    # S3: lowercase only, 3-63, letter/digit at both ends, no "..", no IP form, reserved affixes
    (ids.S3_BUCKET, "ecommerce-dr-prod-rp-123456789012-us-west-2", []),
    (ids.S3_BUCKET, "ecommerce-dr-Prod-Blue-rp-123456789012-us-west-2",
     ["has characters S3 bucket names do not allow: 'B', 'P'"]),
    (ids.S3_BUCKET, f"ecommerce-dr-{LONG_STACK}-rp-123456789012-us-west-2",
     ["is 71 characters, over the limit of 63"]),
    (ids.S3_BUCKET, "ab", ["is 2 characters, under the minimum of 3"]),
    (ids.S3_BUCKET, "ecommerce-dr-prod_blue-rp",
     ["has characters S3 bucket names do not allow: '_'"]),
    (ids.S3_BUCKET, "-bucket.", ["must start and end with a lowercase letter or digit"]),
    (ids.S3_BUCKET, "a..b", ["must not contain two dots in a row"]),
    (ids.S3_BUCKET, "192.168.5.4", ["must not look like an IP address"]),
    (ids.S3_BUCKET, "xn--bucket", ["must not start with 'xn--'"]),
    (ids.S3_BUCKET, "bucket-s3alias", ["must not end with '-s3alias'"]),
    # EventBridge rules: 64
    (ids.EVENTBRIDGE_RULE, f"ecommerce-dr-{LONG_STACK}-health-alarm-forwarder",
     ["is 68 characters, over the limit of 64"]),
    (ids.EVENTBRIDGE_RULE, "ecommerce-dr-Prod.Blue_x-watchdog", []),
    (ids.EVENTBRIDGE_RULE, "a/b", ["has characters EventBridge rule names do not allow: '/'"]),
    (ids.EVENTBRIDGE_BUS, "ecommerce-dr-prod-alarms", []),
    (ids.EVENTBRIDGE_BUS, "my/bus", ["has characters EventBridge event bus names do not allow: '/'"]),
    # Lambda 64, no dots
    (ids.LAMBDA_FUNCTION, "ecommerce-dr-prod_blue-failover", []),
    (ids.LAMBDA_FUNCTION, "ecommerce-dr-prod.blue-failover",
     ["has characters Lambda function names do not allow: '.'"]),
    (ids.LAMBDA_FUNCTION, "f" * 65, ["is 65 characters, over the limit of 64"]),
    # DynamoDB 3-255
    (ids.DYNAMODB_TABLE, "ecommerce-dr-prod.blue-failover-state", []),
    (ids.DYNAMODB_TABLE, "ab", ["is 2 characters, under the minimum of 3"]),
    (ids.DYNAMODB_TABLE, "t" * 256, ["is 256 characters, over the limit of 255"]),
    # CloudWatch alarms 255, no control characters; dashboards 255, no dots
    (ids.CLOUDWATCH_ALARM, "ecommerce-dr-prod failover gate (é)", []),
    (ids.CLOUDWATCH_ALARM, "a" * 256, ["is 256 characters, over the limit of 255"]),
    (ids.CLOUDWATCH_ALARM, "bad\nname", ["has characters CloudWatch alarm names do not allow: '\\n'"]),
    (ids.CLOUDWATCH_DASHBOARD, "ecommerce-dr-prod_blue-rto", []),
    (ids.CLOUDWATCH_DASHBOARD, "ecommerce-dr-prod.blue-rto",
     ["has characters CloudWatch dashboard names do not allow: '.'"]),
    (ids.LOG_GROUP, "/aws/lambda/ecommerce-dr-prod-failover", []),
    (ids.LOG_GROUP, "/aws/lambda/bad name", ["has characters CloudWatch Logs log group names do "
                                            "not allow: ' '"]),
    # SNS 256, no dots
    (ids.SNS_TOPIC, "ecommerce-dr-prod-alerts", []),
    (ids.SNS_TOPIC, "ecommerce-dr-prod.blue-alerts",
     ["has characters SNS topic names do not allow: '.'"]),
    (ids.SNS_TOPIC, "t" * 257, ["is 257 characters, over the limit of 256"]),
    # KMS alias: alias/ prefix, not alias/aws/, no dots
    (ids.KMS_ALIAS, "alias/ecommerce-dr-prod-standby", []),
    (ids.KMS_ALIAS, "ecommerce-dr-prod-standby", ["must start with 'alias/'"]),
    (ids.KMS_ALIAS, "alias/aws/standby", ["must not start with 'alias/aws/'"]),
    (ids.KMS_ALIAS, "alias/ecommerce-dr-prod.blue-standby",
     ["has characters KMS alias names do not allow: '.'"]),
    # IAM role 64
    (ids.IAM_ROLE, "failover-fn-role-1a2b3c4", []),
    (ids.IAM_ROLE, "r" * 65, ["is 65 characters, over the limit of 64"]),
    (ids.IAM_ROLE, "role/name", ["has characters IAM role names do not allow: '/'"]),
    # RDS / DMS identifiers: letter first, no trailing or double hyphen
    (ids.RDS_DB_INSTANCE, "shop-standby", []),
    (ids.RDS_DB_INSTANCE, "1shop--standby-",
     ["must start with a letter", "must not end with a hyphen",
      "must not contain two hyphens in a row"]),
    (ids.RDS_DB_INSTANCE, "s" * 64, ["is 64 characters, over the limit of 63"]),
    (ids.RDS_DB_SNAPSHOT, "shop-standby-final", []),
    (ids.RDS_DB_SNAPSHOT, "shop_standby-final",
     ["has characters RDS DB snapshot names do not allow: '_'"]),
    (ids.DMS_REPLICATION_INSTANCE, "ecommerce-dr-prod-dms", []),
    (ids.DMS_REPLICATION_INSTANCE, "ecommerce-dr-prod.blue-dms",
     ["has characters DMS replication instance names do not allow: '.'"]),
    (ids.DMS_ENDPOINT, "ecommerce-dr-prod-dms-source", []),
    (ids.DMS_REPLICATION_TASK, "ecommerce-dr-prod-cdc", []),
    (ids.DMS_RESOURCE_IDENTIFIER, "ecommerce-dr-prod-cdc", []),
    (ids.DMS_RESOURCE_IDENTIFIER, "ecommerce-dr-prod-blue-green-cdc",
     ["is 32 characters, over the limit of 31"]),
    # Systems Manager
    (ids.SSM_PARAMETER, "/ecommerce-dr/prod/writes", []),
    (ids.SSM_PARAMETER, "/ecommerce-dr/prod/wr ites",
     ["has characters SSM parameter names do not allow: ' '"]),
    (ids.SSM_PARAMETER, "ssm-writes", ["must not start with 'ssm'"]),
    # Route 53
    (ids.ROUTE53_SET_IDENTIFIER, "prod-primary-us-east-1", []),
    (ids.ROUTE53_SET_IDENTIFIER, "s" * 129, ["is 129 characters, over the limit of 128"]),
    (ids.ROUTE53_HEALTH_CHECK_REFERENCE, "prod-primary", []),
    (ids.ROUTE53_HEALTH_CHECK_REFERENCE, "r" * 39, ["is 39 characters, over the limit of 38"]),
    # Aurora
    (ids.RDS_DB_CLUSTER, "shop-aurora-dr", []),
    (ids.RDS_DB_CLUSTER, "c" * 64, ["is 64 characters, over the limit of 63"]),
    (ids.RDS_GLOBAL_CLUSTER, "ecommerce-dr-prod-global", []),
    (ids.RDS_GLOBAL_CLUSTER, "1global", ["must start with a letter"]),
    (ids.RDS_CLUSTER_PARAMETER_GROUP, "ecommerce-dr-prod-managed-rpo", []),
    (ids.RDS_CLUSTER_PARAMETER_GROUP, "rpo--group", ["must not contain two hyphens in a row"]),
    (ids.RDS_DB_CLUSTER_SNAPSHOT, "shop-aurora-dr-final", []),
    (ids.RDS_DB_CLUSTER_SNAPSHOT, "final_", [
        "has characters RDS DB cluster snapshot names do not allow: '_'"]),
])
def test_name_rule(rule: NameRule, name: str, problems: list[str]) -> None:
    assert rule.problems(name) == problems
    assert rule.is_valid(name) == (problems == [])


def test_every_rule_cites_an_aws_page() -> None:
    rules = [v for v in vars(ids).values() if isinstance(v, NameRule)]
    assert len(rules) == 24
    assert all("https://docs.aws.amazon.com/" in r.source for r in rules)


@pytest.mark.parametrize("name", ["shop", "a", "shop-standby", "Shop-1", "1shop", "shop-",
                                  "shop--x", "s" * 63, "s" * 64, "shop_x", ""])
def test_rds_rule_agrees_with_the_identifier_check(name: str) -> None:
    assert ids.RDS_DB_INSTANCE.is_valid(name) == is_db_identifier(name)


def test_describe_states_the_rule() -> None:
    assert ids.S3_BUCKET.describe() == (
        "3-63 characters: lowercase letters, digits, dots and hyphens; starting and ending with "
        "a lowercase letter or digit")
    assert ids.DMS_RESOURCE_IDENTIFIER.describe() == (
        "1-31 characters: letters, digits and hyphens; starting with a letter; no trailing or "
        "double hyphen")


@pytest.mark.parametrize(("value", "valid"), [
    ("arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-AbCdEf", True),
    ("arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0a1b2c", True),
    ("arn:aws:secretsmanager:us-west-2:123456789012:secret:a/b+c=d.e@f_g-h", True),
    ("arn:aws:secretsmanager:", False),
    ("arn:aws:secretsmanager:us-east-1:123456789012:secret:", False),
    ("arn:aws:secretsmanager:nowhere:123456789012:secret:shop", False),
    ("arn:aws:secretsmanager:us-east-1:1234:secret:shop", False),
    ("arn:aws:secretsmanager:us-east-1::secret:shop", False),
    ("arn:aws:kms:us-east-1:123456789012:secret:shop", False),
    ("arn:aws:secretsmanager:us-east-1:123456789012:key:shop", False),
    ("arn:aws:secretsmanager:us-east-1:123456789012:secret:shop\n", False),
    ("arn:aws:secretsmanager:us-east-1:123456789012:secret:sh op", False),
    (" arn:aws:secretsmanager:us-east-1:123456789012:secret:shop", False),
])
def test_secret_arn_rule(value: str, valid: bool) -> None:
    assert ids.is_secret_arn(value) is valid


@pytest.mark.parametrize(("check", "value"), [
    (ids.is_db_subnet_group_name, "dr-private"),
    (ids.is_security_group_id, "sg-0123abcd"),
    (ids.is_db_identifier, "shop"),
    (ids.is_kms_key_arn, "arn:aws:kms:us-east-1:123456789012:key/0a1b"),
    (lambda v: ids.parse_rds_instance_arn(v) is not None, "arn:aws:rds:us-east-1:123456789012:db:shop"),
])
def test_a_trailing_newline_is_refused(check: Callable[[str], bool], value: str) -> None:
    assert check(value)
    assert not check(value + "\n")


@pytest.mark.parametrize(("name", "valid"), [
    ("dr private", True), ("   ", False), (" dr", False), ("dr ", False), ("Default", False)])
def test_subnet_group_names_are_not_blank_or_padded(name: str, valid: bool) -> None:
    assert ids.is_db_subnet_group_name(name) is valid
