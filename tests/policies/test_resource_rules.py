"""Each resource rule: a passing case next to a failing one, as direct validate calls."""

from __future__ import annotations

import json

import pytest

from contract.env import Env
from policies.rules import compute, database, dns, naming, recovery, security, storage
from tests.policies.helpers import UNKNOWN, Outcome, run_resource, run_valid, run_valid_in, valid

# --- route53-health-check-timing ------------------------------------------------------------

HC = dns.health_check_timing()


def test_health_check_timing_passes_on_valid_check() -> None:
    assert run_valid(HC, "endpoint-hc") == Outcome()


@pytest.mark.parametrize("interval", [10, 30])
def test_health_check_timing_accepts_both_route53_intervals(interval: int) -> None:
    assert run_valid(HC, "endpoint-hc", requestInterval=interval).violations == []


def test_health_check_timing_rejects_other_interval() -> None:
    assert run_valid(HC, "endpoint-hc", requestInterval=20).violations == [
        "Route 53 health check requestInterval must be one of 10, 30 seconds, got 20."]


@pytest.mark.parametrize("threshold", [0, 11])
def test_health_check_timing_rejects_threshold_out_of_range(threshold: int) -> None:
    assert run_valid(HC, "endpoint-hc", failureThreshold=threshold).violations == [
        f"Route 53 health check failureThreshold must be between 1 and 10, got {threshold}."]


def test_health_check_timing_not_applicable_to_calculated_checks() -> None:
    out = run_valid(HC, "endpoint-hc", type="CALCULATED")
    assert out == Outcome([], "health check of type CALCULATED has no request interval")


def test_health_check_timing_setting_narrows_intervals() -> None:
    strict = dns.health_check_timing(allowedIntervalsSeconds=[10])
    assert run_valid(strict, "endpoint-hc", requestInterval=30).violations == [
        "Route 53 health check requestInterval must be one of 10 seconds, got 30."]


def test_bad_setting_fails_when_the_pack_is_built() -> None:
    with pytest.raises(ValueError, match="unknown setting 'interval'"):
        dns.health_check_timing(interval=10)
    with pytest.raises(ValueError, match="must be of type integer"):
        dns.health_check_timing(maxFailureThreshold="10")


# --- route53-failover-primary-health-check --------------------------------------------------

REC = dns.primary_record_health_check()


def test_primary_record_with_computed_health_check_passes() -> None:
    # healthCheckId is the health check's id: unknown during preview, but set.
    assert run_valid(REC, "primary-record") == Outcome()


def test_primary_record_without_health_check_fails() -> None:
    assert run_valid(REC, "primary-record", healthCheckId=None).violations == [
        "Route 53 PRIMARY failover record must have a healthCheckId; without one Route 53 "
        "treats the primary as always healthy and never fails over."]


def test_secondary_record_needs_no_health_check() -> None:
    assert run_valid(REC, "secondary-record").violations == []


def test_failover_record_without_set_identifier_fails() -> None:
    assert run_valid(REC, "secondary-record", setIdentifier=None).violations == [
        "Route 53 failover record must have a setIdentifier."]


# --- cloudwatch-health-check-alarm-region ---------------------------------------------------

ALARM = dns.health_alarm_region()


def test_health_alarm_in_us_east_1_passes() -> None:
    assert run_valid(ALARM, "health-alarm") == Outcome()


def test_health_alarm_elsewhere_fails() -> None:
    assert run_valid_in("us-west-2", ALARM, "health-alarm").violations == [
        "CloudWatch alarm on AWS/Route53 HealthCheckStatus must be created in us-east-1 (the "
        "metric exists only there), got us-west-2; elsewhere it stays INSUFFICIENT_DATA and "
        "never fires."]


def test_health_alarm_resource_region_input_wins_over_provider() -> None:
    # pulumi-aws v7 resources take their own `region` input.
    assert run_valid(ALARM, "health-alarm", region="eu-west-1").violations != []


def test_health_alarm_rule_ignores_other_alarms() -> None:
    type_, props = valid("replication-alarm")
    assert run_resource(ALARM, type_, props).not_applicable == \
        "not an alarm on AWS/Route53 HealthCheckStatus"


# --- RDS instance rules ---------------------------------------------------------------------

STORAGE = database.storage_encrypted()
PRIMARY_KEY = "arn:aws:kms:us-west-2:123456789012:key/5f1c2e8a-7b3d-4c9e-a1f0-2d6b8e4c7a91"


def test_rds_storage_encrypted_passes_and_fails() -> None:
    assert run_valid(STORAGE, "standby-database") == Outcome()
    assert run_valid(STORAGE, "standby-database", storageEncrypted=False, kmsKeyId=None).violations == [
        "RDS instance must have storage encryption enabled: storageEncrypted is false (a "
        "kmsKeyId does not turn it on)."]


def test_rds_storage_encrypted_false_fails_even_with_a_kms_key() -> None:
    # The unsafe direction: a key does not encrypt storage that is switched off.
    assert run_valid(STORAGE, "standby-database", storageEncrypted=False,
                     kmsKeyId=PRIMARY_KEY).violations == [
        "RDS instance must have storage encryption enabled: storageEncrypted is false (a "
        "kmsKeyId does not turn it on)."]
    assert run_valid(STORAGE, "standby-database", storageEncrypted=True,
                     kmsKeyId=PRIMARY_KEY) == Outcome()


def test_rds_replica_with_a_kms_key_and_no_storage_encrypted_passes() -> None:
    # A cross-Region replica is encrypted with its kmsKeyId (the provider ignores
    # storageEncrypted for it); a computed key counts as set.
    assert run_valid(STORAGE, "standby-database", storageEncrypted=None) == Outcome()
    assert run_valid(STORAGE, "standby-database", storageEncrypted=None, kmsKeyId=None).violations == [
        "RDS read replica must be encrypted: set storageEncrypted: true or a kmsKeyId in its "
        "own Region."]


def test_rds_instance_that_is_no_replica_needs_storage_encrypted_true() -> None:
    # A DMS target or a restored instance: storageEncrypted decides, a key alone does not.
    assert run_valid(STORAGE, "standby-database", replicateSourceDb=None,
                     storageEncrypted=None, kmsKeyId=PRIMARY_KEY).violations == [
        "RDS instance must have storage encryption enabled (storageEncrypted: true)."]
    assert run_valid(STORAGE, "standby-database", replicateSourceDb=None) == Outcome()


def test_rds_storage_encrypted_unknown_is_not_applicable() -> None:
    assert run_valid(STORAGE, "standby-database", storageEncrypted=UNKNOWN) == Outcome(
        [], "storageEncrypted can't be known during preview")


# --- kms-key-rotation-enabled ---------------------------------------------------------------

ROTATION = security.kms_key_rotation()


def test_kms_key_with_rotation_passes() -> None:
    assert run_valid(ROTATION, "standby-kms-key") == Outcome()


@pytest.mark.parametrize("rotation", [False, None])
def test_kms_key_without_rotation_fails(rotation: bool | None) -> None:
    assert run_valid(ROTATION, "standby-kms-key", enableKeyRotation=rotation).violations == [
        "KMS key must have automatic rotation enabled (enableKeyRotation: true)."]


def test_kms_key_rotation_unknown_is_not_applicable() -> None:
    assert run_valid(ROTATION, "standby-kms-key", enableKeyRotation=UNKNOWN) == Outcome(
        [], "enableKeyRotation can't be known during preview")


@pytest.mark.parametrize(("spec", "usage"), [("RSA_2048", None), ("SYMMETRIC_DEFAULT", "GENERATE_VERIFY_MAC"),
                                             ("HMAC_256", "GENERATE_VERIFY_MAC")])
def test_kms_key_that_cannot_rotate_is_not_applicable(spec: str, usage: str | None) -> None:
    # AWS rotates only symmetric encryption keys with KMS-made key material.
    out = run_valid(ROTATION, "standby-kms-key", enableKeyRotation=None,
                    customerMasterKeySpec=spec, keyUsage=usage)
    assert out.violations == [] and out.not_applicable is not None
    assert "automatic rotation applies only to symmetric encryption keys" in out.not_applicable


def test_kms_rotation_period_out_of_range_fails() -> None:
    assert run_valid(ROTATION, "standby-kms-key", rotationPeriodInDays=3650).violations == [
        "KMS key rotationPeriodInDays must be between 90 and 2560, got 3650."]
    assert run_valid(ROTATION, "standby-kms-key", rotationPeriodInDays=90) == Outcome()


def test_rds_deletion_protection_passes_and_fails() -> None:
    rule = database.deletion_protection()
    assert run_valid(rule, "standby-database") == Outcome()
    assert run_valid(rule, "standby-database", deletionProtection=False).violations == [
        "RDS instance must have deletionProtection enabled."]


def test_rds_backup_retention_passes_and_fails() -> None:
    rule = database.backup_retention()
    assert run_valid(rule, "standby-database") == Outcome()
    assert run_valid(rule, "standby-database", backupRetentionPeriod=0).violations == [
        "RDS instance must retain automated backups for at least 1 day(s) "
        "(backupRetentionPeriod), got 0."]
    # Omitted means the replica default, 0: no point-in-time recovery after promotion.
    assert run_valid(rule, "standby-database", backupRetentionPeriod=None).violations != []


# --- rds-snapshot-not-public ----------------------------------------------------------------

def test_private_snapshot_passes_public_fails() -> None:
    rule = database.snapshot_not_public()
    assert run_valid(rule, "snapshot") == Outcome()
    assert run_valid(rule, "snapshot", sharedAccounts=["210987654321", "all"]).violations == [
        "RDS snapshot must never be public: sharedAccounts includes \"all\"."]


def test_snapshot_attribute_with_all_fails() -> None:
    rule = database.snapshot_not_public()
    assert run_valid(rule, "snapshot", attributes={"restore": ["all"]}).violations == [
        "RDS snapshot must never be public: attributes includes \"all\"."]


# --- sns-topic-encrypted --------------------------------------------------------------------

def test_sns_topic_encrypted_passes_and_fails() -> None:
    rule = storage.topic_encrypted()
    assert run_valid(rule, "topic") == Outcome()
    assert run_valid(rule, "topic", kmsMasterKeyId=UNKNOWN) == Outcome()  # computed key: set
    assert run_valid(rule, "topic", kmsMasterKeyId=None).violations == [
        "SNS topic must be encrypted: set kmsMasterKeyId (e.g. alias/aws/sns or a customer "
        "managed key)."]


# --- lambda-orchestrator-in-standby-region --------------------------------------------------

ORCH = compute.orchestrator_in_standby_region()


def test_orchestrator_in_standby_region_passes() -> None:
    assert run_valid(ORCH, "failover-orchestrator") == Outcome()


def test_orchestrator_in_primary_region_fails() -> None:
    assert run_valid_in("us-east-1", ORCH, "failover-orchestrator").violations == [
        "Failover orchestrator must run in the standby Region us-west-2, but it is in "
        "us-east-1; it would fail with the primary."]


def test_one_region_stack_fails_orchestrator_rule() -> None:
    type_, props = valid("failover-orchestrator")
    props["environment"]["variables"][Env.STANDBY_REGION] = "us-east-1"
    assert run_resource(ORCH, type_, props, region="us-east-1").violations == [
        "Standby Region us-east-1 equals the primary Region; disaster recovery needs the "
        "standby in another Region."]


# --- backup-schedule-within-rpo -------------------------------------------------------------

SCHED = recovery.backup_schedule_within_rpo()


@pytest.mark.parametrize("expr", ["rate(1 hour)", "rate(30 minutes)", "cron(0 * * * ? *)",
                                  "cron(0/15 * * * ? *)"])
def test_backup_schedule_within_rpo_passes(expr: str) -> None:
    assert run_valid(SCHED, "backup-schedule", scheduleExpression=expr) == Outcome()


def test_backup_schedule_slower_than_rpo_fails() -> None:
    assert run_valid(SCHED, "backup-schedule", scheduleExpression="rate(2 hours)").violations == [
        "Backup schedule rate(2 hours) runs every 120 min, less than once per RPO of 60 min; a "
        "failure just before a run loses more data than the RPO allows."]


def test_backup_schedule_cron_with_gap_fails() -> None:
    # 00:00 and 12:00 only: a 12-hour gap.
    assert run_valid(SCHED, "backup-schedule", scheduleExpression="cron(0 0,12 * * ? *)"
                     ).violations != []


def test_backup_schedule_unbounded_cron_is_not_applicable() -> None:
    out = run_valid(SCHED, "backup-schedule", scheduleExpression="cron(0 3 ? * MON *)")
    assert out == Outcome([], "schedule 'cron(0 3 ? * MON *)' has no bounded period")


# --- snapshot-retention-within-quota --------------------------------------------------------

QUOTA = recovery.retention_within_quota()


def _backup_env(**changes: str) -> dict:
    type_, props = valid("backup-orchestrator")
    props["environment"]["variables"].update(changes)
    return props


def test_retention_within_quota_passes() -> None:
    # 24 runs x 1 database; standby holds copy + replica snapshot = 48 <= 100.
    type_, _ = valid("backup-orchestrator")
    assert run_resource(QUOTA, type_, _backup_env()) == Outcome()


def test_retention_over_quota_fails() -> None:
    type_, _ = valid("backup-orchestrator")
    out = run_resource(QUOTA, type_, _backup_env(**{Env.RETENTION_HOURS: "168"}))
    assert out.violations == [
        "Snapshot retention keeps 336 manual snapshots in one Region ({'primary': 168, "
        "'standby': 336}: every 60 min for 168 h, 1 database(s)), over the quota of 100; "
        "shorten RETENTION_HOURS or lengthen CADENCE_MINUTES."]


def test_retention_counts_every_protected_database() -> None:
    type_, _ = valid("backup-orchestrator")
    dbs = [{"primaryArn": f"arn:aws:rds:us-east-1:123456789012:db:db{i}", "standbyIdentifier": None}
           for i in range(5)]
    out = run_resource(QUOTA, type_, _backup_env(**{Env.PROTECTED_DATABASES: json.dumps(dbs),
                                                    Env.DB_STRATEGY: "snapshot-restore"}))
    assert out.violations and "120 manual snapshots" in out.violations[0]


@pytest.mark.parametrize(("name", "raw", "message"), [
    (Env.KEEP_NEWEST, "0", "Backup orchestrator's KEEP_NEWEST '0' is invalid; allowed: an integer >= 1."),
    (Env.RETENTION_HOURS, None, "Backup orchestrator declares no RETENTION_HOURS (hours >= 1)."),
    (Env.CADENCE_MINUTES, "1", "Backup orchestrator's CADENCE_MINUTES '1' is invalid; allowed: an "
                               "integer 5-1440, minutes."),
])
def test_retention_reads_the_backup_contract(name: str, raw: str | None, message: str) -> None:
    type_, props = valid("backup-orchestrator")
    variables = props["environment"]["variables"]
    if raw is None:
        del variables[name]
    else:
        variables[name] = raw
    assert run_resource(QUOTA, type_, props) == Outcome([message])


def test_retention_with_unknown_variable_is_not_applicable() -> None:
    type_, _ = valid("backup-orchestrator")
    out = run_resource(QUOTA, type_, _backup_env(**{Env.RETENTION_HOURS: UNKNOWN}))
    assert out == Outcome([], "environment.variables.RETENTION_HOURS can't be known during preview")


# --- aws-physical-name-valid ----------------------------------------------------------------

NAMES = naming.physical_names_valid()
S3_RULE = ("S3 bucket names: 3-63 characters: lowercase letters, digits, dots and hyphens; "
           "starting and ending with a lowercase letter or digit (Amazon S3 User Guide, "
           '"General purpose bucket naming rules" '
           "(https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html)).")


def test_valid_physical_names_pass() -> None:
    assert run_valid(NAMES, "bucket") == Outcome()
    assert run_valid(NAMES, "failover-orchestrator", name="ecommerce-dr-prod-failover") == Outcome()


def test_bucket_name_with_uppercase_fails() -> None:
    assert run_valid(NAMES, "bucket", bucket="ecommerce-dr-Prod-Blue-rp").violations == [
        "S3 bucket name 'ecommerce-dr-Prod-Blue-rp' (bucket) has characters S3 bucket names do "
        f"not allow: 'B', 'P'; {S3_RULE}"]


def test_long_names_fail_with_the_limit() -> None:
    bucket = "ecommerce-dr-payments-platform-eu-west-canary-rp-123456789012-us-west-2"
    assert run_valid(NAMES, "bucket", bucket=bucket).violations == [
        f"S3 bucket name '{bucket}' (bucket) is 71 characters, over the limit of 63; {S3_RULE}"]
    rule = "ecommerce-dr-payments-platform-eu-west-canary-health-alarm-forwarder"
    (message,) = run_valid(NAMES, "watchdog-schedule", name=rule).violations
    assert message.startswith(f"EventBridge rule name '{rule}' (name) is 68 characters, over "
                              "the limit of 64; EventBridge rule names: 1-64 characters")
    (message,) = run_valid(NAMES, "failover-orchestrator", name="f" * 65).violations
    assert message.startswith(f"Lambda function name '{'f' * 65}' (name) is 65 characters")


def test_each_named_input_of_a_resource_is_checked() -> None:
    task = ("aws:dms/replicationTask:ReplicationTask",
            {"replicationTaskId": "ecommerce-dr-checkout-canary-cdc",
             "resourceIdentifier": "ecommerce-dr-checkout-canary-cdc"})
    (message,) = run_resource(NAMES, *task).violations
    assert message.startswith("DMS task resource identifier name 'ecommerce-dr-checkout-canary-cdc' "
                              "(resourceIdentifier) is 32 characters, over the limit of 31")


def test_auto_named_resources_pass() -> None:
    assert run_valid(NAMES, "lambda-role") == Outcome()
    assert run_valid(NAMES, "topic") == Outcome()


def test_unknown_name_is_not_applicable_and_hides_no_known_problem() -> None:
    assert run_valid(NAMES, "bucket", bucket=UNKNOWN) == Outcome(
        [], "bucket can't be known during preview")
    _, props = valid("standby-database")
    out = run_resource(NAMES, "aws:rds/instance:Instance",
                       {**props, "identifier": UNKNOWN, "finalSnapshotIdentifier": "bad_final"})
    assert out.violations == [
        "RDS DB snapshot name 'bad_final' (finalSnapshotIdentifier) has characters RDS DB "
        "snapshot names do not allow: '_'; RDS DB snapshot names: 1-255 characters: letters, "
        "digits and hyphens; starting with a letter; no trailing or double hyphen (Amazon RDS "
        'API Reference, "CreateDBSnapshot", DBSnapshotIdentifier '
        "(https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSnapshot.html))."]
    assert out.not_applicable == "identifier can't be known during preview"
