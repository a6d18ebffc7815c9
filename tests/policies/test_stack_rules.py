"""Stack rules (failover pairs, cross-Region replica, S3 companions, IAM on Lambda roles): a
passing case next to each failing one, as direct validate calls on a built DR stack."""

from __future__ import annotations

import json

import pytest

from engine.pack import Resource
from policies.rules import database, dns, security, storage
from tests.policies.helpers import (
    BUCKET_URN,
    DB_URN,
    HC_URN,
    POLICY_URN,
    PRIMARY_URN,
    ROLE_URN,
    SECONDARY_URN,
    UNKNOWN,
    VERSIONING_URN,
    another,
    dr_stack,
    run_stack,
    urn,
)

PAIRS = dns.failover_set_identifiers()
REPLICA = database.cross_region_replica()
IAM = security.no_wildcard_actions()



# --- route53-failover-distinct-set-identifiers ----------------------------------------------

def test_failover_pair_passes() -> None:
    out = run_stack(PAIRS, dr_stack())
    assert out.violations == [] and out.not_applicable is None


def test_failover_pair_sharing_set_identifier_fails_on_both_records() -> None:
    out = run_stack(PAIRS, dr_stack(**{"secondary-record": {"setIdentifier": "prod-primary-us-east-1"}}))
    msg = ("Failover records for shop.example.com (CNAME) share setIdentifier "
           "'prod-primary-us-east-1'; each record of a failover pair needs its own.")
    assert out.violations == [(msg, PRIMARY_URN), (msg, SECONDARY_URN)]


def test_failover_name_without_secondary_fails() -> None:
    out = run_stack(PAIRS, dr_stack(**{"secondary-record": None}))
    assert out.violations == [
        ("shop.example.com (CNAME) in zone Z1 has failover record(s) ['PRIMARY'] but needs one "
         "PRIMARY and one SECONDARY.", PRIMARY_URN)]


@pytest.mark.parametrize(("edit", "path"), [
    ({"failoverRoutingPolicies": UNKNOWN}, "failoverRoutingPolicies"),
    ({"failoverRoutingPolicies": [UNKNOWN]}, "failoverRoutingPolicies.0"),
    ({"failoverRoutingPolicies": [{"type": UNKNOWN}]}, "failoverRoutingPolicies.0.type"),
    ({"setIdentifier": UNKNOWN}, "setIdentifier"),
])
def test_computed_failover_pair_inputs_are_not_applicable(edit: dict, path: str) -> None:
    # Used to crash (computed routing policies) or to report a false pair error.
    out = run_stack(PAIRS, dr_stack(**{"primary-record": edit}))
    assert out.violations == []
    assert out.not_applicable == f"can't be known during preview: {PRIMARY_URN}: {path}"


# --- route53-health-check-not-on-failover-name ----------------------------------------------

ON_NAME = dns.health_check_not_on_failover_name()


def on_name_message(fqdn: str) -> str:
    return (f"Route 53 health check probes {fqdn}, the name of the failover records: it follows "
            "whichever Region answers, so it never sees the primary fail and never triggers a "
            "failover. Probe the primary Region's own endpoint name instead.")


def test_health_check_on_the_primary_endpoint_name_passes() -> None:
    out = run_stack(ON_NAME, dr_stack())
    assert out.violations == [] and out.not_applicable is None


@pytest.mark.parametrize(("fqdn", "record"), [
    ("shop.example.com", "shop.example.com"),
    ("Shop.Example.com.", "shop.example.com"),
    ("shop.example.com", "SHOP.example.com."),
])
def test_health_check_on_the_failover_name_fails(fqdn: str, record: str) -> None:
    stack = dr_stack(**{"endpoint-hc": {"fqdn": fqdn}, "primary-record": {"name": record},
                        "secondary-record": {"name": record}})
    out = run_stack(ON_NAME, stack)
    assert out.violations == [(on_name_message(fqdn), HC_URN)]
    assert out.not_applicable is None


def test_check_by_ip_address_does_not_follow_the_failover_name() -> None:
    # With ipAddress set, Route 53 probes that address; fqdn is only the Host header / SNI.
    edit = {"fqdn": "shop.example.com", "ipAddress": "192.0.2.10"}
    assert run_stack(ON_NAME, dr_stack(**{"endpoint-hc": edit})).violations == []


def test_only_failover_records_and_endpoint_checks_count() -> None:
    plain = another("secondary-record", "plain-record", name="www.example.com",
                    failoverRoutingPolicies=None, setIdentifier=None)
    www_check = another("endpoint-hc", "www-hc", fqdn="www.example.com")
    gate = another("endpoint-hc", "gate-hc", type="CLOUDWATCH_METRIC", fqdn=None)
    out = run_stack(ON_NAME, [*dr_stack(), plain, www_check, gate])
    assert out.violations == [] and out.not_applicable is None


@pytest.mark.parametrize(("key", "edit", "path"), [
    ("endpoint-hc", {"fqdn": UNKNOWN}, f"{HC_URN}: fqdn"),
    ("endpoint-hc", {"type": UNKNOWN}, f"{HC_URN}: type"),
    ("endpoint-hc", {"ipAddress": UNKNOWN}, f"{HC_URN}: ipAddress"),
    ("primary-record", {"name": UNKNOWN}, f"{PRIMARY_URN}: name"),
])
def test_unknown_names_are_not_applicable_naming_the_input(key: str, edit: dict, path: str) -> None:
    out = run_stack(ON_NAME, dr_stack(**{key: edit}))
    assert out.violations == []
    assert out.not_applicable == f"can't be known during preview: {path}"


def test_unknown_inputs_with_nothing_to_compare_decide_nothing() -> None:
    # No failover record: an unknown fqdn cannot matter (route53-failover-distinct-set-
    # identifiers and the RTO/RPO rule report the missing records).
    no_records = dr_stack(**{"endpoint-hc": {"fqdn": UNKNOWN}, "primary-record": None,
                             "secondary-record": None})
    assert run_stack(ON_NAME, no_records).not_applicable is None
    # No endpoint check: an unknown record name cannot matter either.
    no_checks = dr_stack(**{"endpoint-hc": None, "primary-record": {"name": UNKNOWN}})
    assert run_stack(ON_NAME, no_checks).not_applicable is None


def test_unknown_check_does_not_hide_a_known_violation() -> None:
    bad = another("endpoint-hc", "bad-hc", fqdn="shop.example.com")
    out = run_stack(ON_NAME, [*dr_stack(**{"endpoint-hc": {"fqdn": UNKNOWN}}), bad])
    assert out.violations == [(on_name_message("shop.example.com"), bad.urn)]
    assert out.not_applicable == f"can't be known during preview: {HC_URN}: fqdn"


# --- rds-cross-region-replica ---------------------------------------------------------------

def test_replica_with_arn_source_and_standby_key_passes() -> None:
    # kmsKeyId is unknown during preview: followed to the key by property dependency.
    out = run_stack(REPLICA, dr_stack())
    assert out.violations == [] and out.not_applicable is None


@pytest.mark.parametrize(("standby", "message"), [
    pytest.param({"replicateSourceDb": "shop-primary"},
                 "Read replica must name its source as an RDS ARN (arn:aws:rds:<region>:<account>:db:"
                 "<id>), got 'shop-primary'; a cross-Region replica cannot use an identifier.",
                 id="source-as-identifier"),
    pytest.param({"kmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/"
                               "1234abcd-12ab-34cd-56ef-1234567890ab"},
                 "Read replica's KMS key is in us-east-1, but the replica is in us-west-2; the key "
                 "must live in the replica's Region.", id="key-in-another-region"),
    pytest.param({"kmsKeyId": None},
                 "Cross-Region read replica must set kmsKeyId to a KMS key in its own Region "
                 "(us-west-2); an encrypted source cannot be replicated without it.",
                 id="without-key"),
])
def test_misconfigured_replica_fails(standby: dict, message: str) -> None:
    out = run_stack(REPLICA, dr_stack(**{"standby-database": standby}))
    assert out.violations == [(message, DB_URN)]


def test_replica_key_dependency_in_another_region_fails() -> None:
    stack = dr_stack()
    key = next(r for r in stack if r.name == "standby-kms-key")
    key.inputs = {**key.inputs, "region": "us-east-1"}  # v7 per-resource Region
    out = run_stack(REPLICA, stack)
    assert [u for _, u in out.violations] == [DB_URN]
    assert "KMS key is in us-east-1" in out.violations[0][0]


def test_replica_in_source_region_fails() -> None:
    src = "arn:aws:rds:us-west-2:123456789012:db:shop-primary"
    out = run_stack(REPLICA, dr_stack(**{"standby-database": {"replicateSourceDb": src}}))
    assert out.messages == [
        "Read replica is in us-west-2, the same Region as its source; a standby for a Region "
        "failure must be in another Region."]


def test_replica_key_untraceable_is_not_applicable_not_a_pass() -> None:
    stack = dr_stack()
    db = next(r for r in stack if r.name == "standby-database")
    db.property_dependencies = {}
    out = run_stack(REPLICA, stack)
    assert out.not_applicable == f"the KMS key Region of {DB_URN} can't be known during preview"


# --- S3 bucket rules ------------------------------------------------------------------------

def test_bucket_with_companions_passes_all_three() -> None:
    stack = dr_stack()
    for rule in (storage.bucket_encrypted(), storage.bucket_versioned(),
                 storage.bucket_public_access_blocked()):
        assert run_stack(rule, stack).violations == [], rule.name


def test_bucket_without_encryption_fails() -> None:
    out = run_stack(storage.bucket_encrypted(), dr_stack(**{"bucket-sse": None}))
    assert out.violations == [
        ("S3 bucket must have default encryption: declare a BucketServerSideEncryptionConfiguration "
         "with a rule for it.", BUCKET_URN)]


def test_bucket_with_suspended_versioning_fails() -> None:
    out = run_stack(storage.bucket_versioned(),
                    dr_stack(**{"bucket-versioning": {"versioningConfiguration": {"status": "Suspended"}}}))
    assert out.violations == [
        ("S3 bucket must have versioning enabled: declare a BucketVersioning with "
         "versioningConfiguration.status \"Enabled\" for it.", BUCKET_URN)]


def test_bucket_companion_matched_by_literal_name() -> None:
    stack = dr_stack(**{"bucket-versioning": {"bucket": "prod-dr-metadata"}})
    next(r for r in stack if r.name == "bucket-versioning").property_dependencies = {}
    assert run_stack(storage.bucket_versioned(), stack).violations == []


SSE_URN = urn("aws:s3/bucketServerSideEncryptionConfiguration:"
              "BucketServerSideEncryptionConfiguration", "bucket-sse")


def test_unknown_versioning_status_is_not_applicable_not_a_pass() -> None:
    out = run_stack(storage.bucket_versioned(),
                    dr_stack(**{"bucket-versioning": {"versioningConfiguration": {"status": UNKNOWN}}}))
    assert out.violations == []
    assert out.not_applicable == (f"can't be known during preview: {VERSIONING_URN}: "
                                  "versioningConfiguration.status")


def test_unknown_inline_versioning_is_not_applicable_not_a_pass() -> None:
    out = run_stack(storage.bucket_versioned(),
                    dr_stack(**{"bucket-versioning": None, "bucket": {"versioning": {"enabled": UNKNOWN}}}))
    assert out.violations == []
    assert out.not_applicable == f"can't be known during preview: {BUCKET_URN}: versioning.enabled"


def test_known_enabled_companion_decides_despite_another_unknown() -> None:
    stack = dr_stack(**{"bucket": {"versioning": {"enabled": UNKNOWN}}})
    out = run_stack(storage.bucket_versioned(), stack)
    assert out.violations == [] and out.not_applicable is None


def test_unknown_encryption_rules_are_not_applicable_not_a_pass() -> None:
    out = run_stack(storage.bucket_encrypted(), dr_stack(**{"bucket-sse": {"rules": UNKNOWN}}))
    assert out.violations == []
    assert out.not_applicable == f"can't be known during preview: {SSE_URN}: rules"


def test_undecided_bucket_does_not_hide_another_buckets_violation() -> None:
    stack = dr_stack(**{"bucket-versioning": {"versioningConfiguration": {"status": UNKNOWN}}})
    other = Resource(urn=urn("aws:s3/bucket:Bucket", "other"), type="aws:s3/bucket:Bucket",
                     name="other", inputs={"bucket": "other"}, provider=stack[0].provider)
    out = run_stack(storage.bucket_versioned(), [*stack, other])
    assert out.violations == [
        ("S3 bucket must have versioning enabled: declare a BucketVersioning with "
         "versioningConfiguration.status \"Enabled\" for it.", other.urn)]
    assert out.not_applicable is not None


def test_bucket_with_partial_public_access_block_fails() -> None:
    out = run_stack(storage.bucket_public_access_blocked(),
                    dr_stack(**{"bucket-pab": {"restrictPublicBuckets": False}}))
    assert out.violations == [
        ("S3 bucket's public access block must set restrictPublicBuckets to true.", BUCKET_URN)]


def test_bucket_without_public_access_block_fails() -> None:
    out = run_stack(storage.bucket_public_access_blocked(), dr_stack(**{"bucket-pab": None}))
    assert out.messages == [
        "S3 bucket must block public access: declare a BucketPublicAccessBlock with all of "
        "blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets set to true for it."]


# --- iam-lambda-policy-no-wildcard-action ---------------------------------------------------

def _policy(*actions: str) -> str:
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]})


def test_lambda_policy_with_listed_actions_passes() -> None:
    out = run_stack(IAM, dr_stack())
    assert out.violations == [] and out.not_applicable is None


def test_lambda_policy_with_star_action_fails() -> None:
    out = run_stack(IAM, dr_stack(**{"role-policy": {"policy": _policy("rds:DescribeDBInstances", "*")}}))
    assert out.violations == [
        ("IAM policy on a Lambda function's role must not grant wildcard actions; found *. List "
         "the actions the function calls.", POLICY_URN)]


def test_lambda_policy_with_service_wildcard_fails() -> None:
    out = run_stack(IAM, dr_stack(**{"role-policy": {"policy": _policy("rds:*")}}))
    assert "found rds:*" in out.messages[0]


def test_wildcard_on_a_non_lambda_role_is_out_of_scope() -> None:
    stack = dr_stack(**{"role-policy": {"policy": _policy("*")},
                        "lambda-role": {"assumeRolePolicy": json.dumps(
                            {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                            "Principal": {"Service": "ec2.amazonaws.com"}}]})},
                        "failover-orchestrator": None})
    assert run_stack(IAM, stack).violations == []


def test_computed_policy_document_is_not_applicable() -> None:
    out = run_stack(IAM, dr_stack(**{"role-policy": {"policy": UNKNOWN}}))
    assert out.not_applicable == f"can't be known during preview: {POLICY_URN}: policy"


def test_wildcard_actions_reads_statement_shapes() -> None:
    assert security.wildcard_actions({"Statement": {"Effect": "Allow", "Action": "s3:*"}}) == ["s3:*"]
    assert security.wildcard_actions({"Statement": [{"Effect": "Deny", "Action": "*"}]}) == []
    assert security.wildcard_actions({"Statement": [{"Effect": "Allow", "NotAction": "iam:*"}]}) == [
        "NotAction iam:*"]


# --- every way a policy reaches a Lambda role, and every way an action is broad ---------------

WILDCARD = ("IAM policy on a Lambda function's role must not grant wildcard actions; found {}. "
            "List the actions the function calls.")


def _managed(arn: str) -> str:
    return (f"Lambda function's role must not have the AWS managed policy {arn} attached: it "
            "grants whole services or the account. Attach a policy that lists the actions the "
            "function calls.")


def _with(stack: list, type_: str, name: str, inputs: dict, deps: dict[str, str]) -> list:
    r = Resource(urn=urn(type_, name), type=type_, name=name, inputs=inputs,
                 provider=stack[0].provider)
    for prop, target in deps.items():
        r.property_dependencies[prop] = [target]
        r.dependencies.append(target)
    return [*stack, r]


@pytest.mark.parametrize("arn", [
    "arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/PowerUserAccess",
    "arn:aws:iam::aws:policy/IAMFullAccess", "arn:aws:iam::aws:policy/AmazonRDSFullAccess",
    "arn:aws-us-gov:iam::aws:policy/AdministratorAccess",
    "arn:aws:iam::aws:policy/job-function/AdministratorAccess-Amplify",
])
def test_aws_managed_broad_policy_attached_to_a_lambda_role_fails(arn: str) -> None:
    att = urn("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "admin")
    stack = _with(dr_stack(), "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "admin",
                  {"role": UNKNOWN, "policyArn": arn}, {"role": ROLE_URN})
    assert run_stack(IAM, stack).violations == [(_managed(arn), att)]


def test_narrow_aws_managed_policy_passes() -> None:
    arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    stack = _with(dr_stack(), "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "basic",
                  {"role": UNKNOWN, "policyArn": arn}, {"role": ROLE_URN})
    out = run_stack(IAM, stack)
    assert out.violations == [] and out.not_applicable is None


def test_role_managed_policy_arns_are_checked() -> None:
    arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    out = run_stack(IAM, dr_stack(**{"lambda-role": {"managedPolicyArns": [arn]}}))
    assert out.violations == [(_managed(arn), ROLE_URN)]


def test_role_inline_policies_are_checked() -> None:
    stack = dr_stack(**{"lambda-role": {"inlinePolicies": [
        {"name": "ok", "policy": _policy("rds:DescribeDBInstances")},
        {"name": "all", "policy": json.dumps({"Statement": {"Effect": "Allow", "Action": "*",
                                                            "Resource": "*"}})}]}})
    assert run_stack(IAM, stack).violations == [(WILDCARD.format("*"), ROLE_URN)]


def test_unknown_inline_policy_is_not_applicable() -> None:
    out = run_stack(IAM, dr_stack(**{"lambda-role": {"inlinePolicies": [{"name": "x", "policy": UNKNOWN}]}}))
    assert out.violations == []
    assert out.not_applicable == f"can't be known during preview: {ROLE_URN}: inlinePolicies.0.policy"


def test_policy_attachment_with_roles_list_is_followed() -> None:
    pol = urn("aws:iam/policy:Policy", "broad")
    stack = _with(dr_stack(), "aws:iam/policy:Policy", "broad",
                  {"name": "broad", "policy": _policy("*")}, {})
    stack = _with(stack, "aws:iam/policyAttachment:PolicyAttachment", "attach",
                  {"roles": [UNKNOWN], "policyArn": UNKNOWN}, {"roles": ROLE_URN, "policyArn": pol})
    assert run_stack(IAM, stack).violations == [(WILDCARD.format("*"), pol)]


def test_customer_policy_attached_by_literal_arn_and_role_name_is_followed() -> None:
    pol = urn("aws:iam/policy:Policy", "broad")
    stack = dr_stack(**{"lambda-role": {"name": "shop-fn"}})
    stack = _with(stack, "aws:iam/policy:Policy", "broad",
                  {"name": "broad", "policy": _policy("s3:*")}, {})
    stack = _with(stack, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "attach",
                  {"role": "shop-fn", "policyArn": "arn:aws:iam::123456789012:policy/broad"}, {})
    assert run_stack(IAM, stack).violations == [(WILDCARD.format("s3:*"), pol)]


def test_computed_policy_arn_that_leads_nowhere_is_not_applicable() -> None:
    att = urn("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "attach")
    stack = _with(dr_stack(), "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "attach",
                  {"role": UNKNOWN, "policyArn": UNKNOWN}, {"role": ROLE_URN})
    out = run_stack(IAM, stack)
    assert out.violations == []
    assert out.not_applicable == f"can't be known during preview: {att}: policyArn"


@pytest.mark.parametrize(("action", "found"), [
    ("*", "*"), ("s3:Get*", "s3:Get*"), ("iam:*Policy*", "iam:*Policy*"),
    ("rds:Describe?BInstances", "rds:Describe?BInstances"),
])
def test_string_and_partial_wildcard_actions_fail(action: str, found: str) -> None:
    doc = json.dumps({"Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})
    out = run_stack(IAM, dr_stack(**{"role-policy": {"policy": doc}}))
    assert out.violations == [(WILDCARD.format(found), POLICY_URN)]


def test_allow_with_not_action_fails() -> None:
    doc = json.dumps({"Statement": [{"Effect": "Allow", "NotAction": ["iam:CreateUser"],
                                     "Resource": "*"}]})
    out = run_stack(IAM, dr_stack(**{"role-policy": {"policy": doc}}))
    assert out.violations == [(WILDCARD.format("NotAction ['iam:CreateUser']"), POLICY_URN)]


def test_computed_trust_policy_is_not_applicable() -> None:
    stack = dr_stack(**{"lambda-role": {"assumeRolePolicy": UNKNOWN}, "failover-orchestrator": None})
    out = run_stack(IAM, stack)
    assert out.not_applicable == f"can't be known during preview: {ROLE_URN}: assumeRolePolicy"
