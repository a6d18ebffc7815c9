"""Every stack-config error the issue lists, with its message; and the program stops first."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.settings import ConfigError, settings_from_raw
from engine.plan import PlanConfigError, record_plan
from tests.program.variants import BASE, P


def raw(**changes: Any) -> dict[str, Any]:
    """The prod config (keys without the prefix) with top-level ``changes``; nested keys as
    ``section__key``; a value of None removes the key."""
    cfg = {k[len(P) + 1:]: (dict(v) if isinstance(v, dict) else v)
           for k, v in BASE.items() if k.startswith(f"{P}:")}
    for key, value in changes.items():
        section, _, sub = key.partition("__")
        if sub:
            cfg[section] = {**cfg.get(section, {}), sub: value}
        elif value is None:
            cfg.pop(section, None)
        else:
            cfg[section] = value
    return cfg


def errors_of(**changes: Any) -> list[str]:
    with pytest.raises(ConfigError) as e:
        settings_from_raw(raw(**changes))
    return e.value.errors


def test_prod_config_is_valid() -> None:
    s = settings_from_raw(raw())
    assert (s.primary_region, s.standby_region, s.rto_seconds, s.rpo_seconds) == (
        "us-east-1", "us-west-2", 14400, 3600)


@pytest.mark.parametrize(("changes", "expected"), [
    ({"standbyRegion": "us-east-1"},
     "ecommerce-dr:standbyRegion: must differ from primaryRegion (us-east-1)"),
    ({"standbyRegion": "us-west-9"},
     "ecommerce-dr:standbyRegion: 'us-west-9' is not an AWS Region; allowed: af-south-1, "),
    ({"primaryRegion": "mars-east-1"},
     "ecommerce-dr:primaryRegion: 'mars-east-1' is not an AWS Region; allowed: "),
    ({"healthCheck__intervalSeconds": 20},
     "ecommerce-dr:healthCheck.intervalSeconds: must be 10 or 30 (Route 53 request intervals), "
     "got 20"),
    ({"healthCheck__failureThreshold": 0},
     "ecommerce-dr:healthCheck.failureThreshold: must be between 1 and 10, got 0"),
    ({"healthCheck__failureThreshold": 11},
     "ecommerce-dr:healthCheck.failureThreshold: must be between 1 and 10, got 11"),
    ({"dns__ttlSeconds": 30},
     "ecommerce-dr:dns.ttlSeconds: must be at least 60 seconds for failover records"),
    ({"rtoMinutes": 0}, "ecommerce-dr:rtoMinutes: must be a number of minutes from 1/60 (= 1 s: "
                        "the orchestrators take whole seconds, at least 1) to 10080, got 0"),
    ({"rpoMinutes": -5}, "ecommerce-dr:rpoMinutes: must be a number of minutes from 1/60"),
    ({"backup__cadenceMinutes": 90},
     "ecommerce-dr:backup.cadenceMinutes: must be at most rpoMinutes (60): a backup every 90 min "
     "cannot hold a 60-min RPO"),
    ({"backup__cadenceMinutes": 30, "backup__retentionHours": 48},
     "ecommerce-dr:backup.retentionHours: cadence 30 min x retention 48 h keeps "),
    ({"alertEmail": None},
     "ecommerce-dr:alertEmail: is required: an email address for the alert topics"),
    ({"database__strategy": "aurora-galactic"},
     "ecommerce-dr:database.strategy: unknown strategy 'aurora-galactic'; allowed: read-replica, "
     "dms, snapshot-restore, aurora-global"),
    # found by review: configs the orchestrators could not run with
    ({"failover__probeWindowMinutes": 1},
     "ecommerce-dr:failover.probeWindowMinutes: must be at least watchdogRateMinutes x "
     "consecutiveFailures = 3 min, got 1"),
    ({"rpoMinutes": 3000, "backup__cadenceMinutes": 2000},
     "ecommerce-dr:backup.cadenceMinutes: Input should be less than or equal to 1440"),
    ({"backup__protectedDatabaseArns": ["arn:aws:rds:eu-west-1:123456789012:db:shop"]},
     "ecommerce-dr:backup.protectedDatabaseArns[0]: is in eu-west-1; protected databases must "
     "be in primaryRegion (us-east-1)"),
    ({"database__standbyIdentifier": "1bad_id!"},
     "ecommerce-dr:database.standbyIdentifier: must be an RDS instance identifier"),
    ({"rtoMinutes": float("inf")}, "ecommerce-dr:rtoMinutes: Input should be a finite number"),
    ({"rtoMinutes": True},
     "ecommerce-dr:rtoMinutes: must be a number 0.0166667-10080, not a boolean (got True)"),
    ({"failover__warmUrls": ["https://"]},
     "ecommerce-dr:failover.warmUrls: warm URLs must be https:// URLs with a host"),
    ({"healthCheck__path": "/a b"},
     "ecommerce-dr:healthCheck.path: must be a URL path starting with '/' and without spaces"),
    ({"database__primaryKmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/0a1b"},
     "ecommerce-dr:database.primaryKmsKeyArn: must be a key in primaryRegion (us-east-1)"),
    ({"database__reverseSubnetGroupName": "default"},
     "ecommerce-dr:database.reverseSubnetGroupName: must be a DB subnet group name: 1-255 "
     "letters, digits, periods, underscores, spaces or hyphens, not starting or ending with a "
     "space, not 'default' (got 'default')"),
    ({"database__reverseSubnetGroupName": "dr/private"},
     "ecommerce-dr:database.reverseSubnetGroupName: must be a DB subnet group name"),
    ({"database__reverseSecurityGroupIds": ["sg-123"]},
     "ecommerce-dr:database.reverseSecurityGroupIds: each entry must be a security group ID: "
     "sg- and 8 or 17 lowercase hexadecimal characters, like sg-0123456789abcdef0 (got "
     "['sg-123'])"),
    ({"database__reverseSecurityGroupIds": ["sg-0123abcd", "sg-0123abcd"]},
     "ecommerce-dr:database.reverseSecurityGroupIds: lists a security group twice"),
    ({"database__standbySecurityGroupIds": ["default"]},
     "ecommerce-dr:database.standbySecurityGroupIds: each entry must be a security group ID"),
])
def test_config_error_names_the_key_and_what_is_allowed(changes: dict[str, Any],
                                                        expected: str) -> None:
    errors = errors_of(**changes)
    assert any(e.startswith(expected) for e in errors), errors


def test_snapshot_quota_error_names_the_remedies_and_the_quota_is_configurable() -> None:
    (err,) = errors_of(backup__cadenceMinutes=30, backup__retentionHours=48)
    assert "over backup.manualSnapshotQuota (100)" in err
    assert "shorten retentionHours, lengthen cadenceMinutes, or raise the quota" in err
    cfg = raw(backup__cadenceMinutes=30, backup__retentionHours=48,
              backup__manualSnapshotQuota=250)
    assert settings_from_raw(cfg).backup.manual_snapshot_quota == 250


def test_config_values_arrive_as_strings_like_the_cli_delivers_them() -> None:
    # The CLI hands every value over as a string (objects as JSON); the model accepts that.
    cfg = {k: (v if isinstance(v, str) else json.dumps(v))
           for k, v in raw().items()}
    assert settings_from_raw(cfg).health_check.interval_seconds == 10


def test_program_stops_before_declaring_any_resource() -> None:
    with pytest.raises(PlanConfigError) as e:
        record_plan("prod", preview=True, config_overrides={
            f"{P}:healthCheck": {"intervalSeconds": 20},
            f"{P}:alertEmail": None})
    assert e.value.resources_declared == 0
    assert "ecommerce-dr:healthCheck.intervalSeconds: must be 10 or 30" in str(e.value)


def test_misspelt_namespace_is_an_error_naming_the_right_one() -> None:
    from components.settings import check_namespaces

    with pytest.raises(ConfigError) as e:
        check_namespaces(["aws:region", "ecommerce_dr:rtoMinutes", "ecommerce-dr:rpoMinutes"])
    assert e.value.errors == [
        "ecommerce_dr:rtoMinutes: unknown namespace 'ecommerce_dr'; did you mean "
        "ecommerce-dr:rtoMinutes?"]
    check_namespaces(["aws:region", "pulumi:template", "datadog:apiKey"])  # others are fine


@pytest.mark.parametrize(("rate", "k"), [(1, 3), (5, 2)])
def test_probe_window_lower_bound_is_exactly_rate_times_k(rate: int, k: int) -> None:
    # K failures one watchdog period apart span rate x K minutes: that window holds them, one
    # minute less cannot.
    base = {"watchdogRateMinutes": rate, "consecutiveFailures": k}
    ok = settings_from_raw(raw(failover={**base, "probeWindowMinutes": rate * k}))
    assert ok.failover.probe_window == rate * k
    assert errors_of(failover={**base, "probeWindowMinutes": rate * k - 1}) == [
        f"ecommerce-dr:failover.probeWindowMinutes: must be at least watchdogRateMinutes x "
        f"consecutiveFailures = {rate * k} min, got {rate * k - 1}"]


SAME_NAME = ("must be the primary Region's own name, not the shared failoverFqdn: a health "
             "check on the failover name follows whichever Region answers and never fails over "
             "(names compare without case and trailing dot)")


@pytest.mark.parametrize(("failover", "primary"), [
    ("shop.example.com", "shop.example.com"),
    ("shop.example.com", "Shop.Example.com."),
    ("SHOP.example.com.", "shop.example.com"),
])
def test_health_check_on_the_failover_name_is_refused(failover: str, primary: str) -> None:
    assert errors_of(site__failoverFqdn=failover, site__primaryEndpointFqdn=primary) == [
        f"ecommerce-dr:site.primaryEndpointFqdn: {SAME_NAME}"]


def test_standby_endpoint_on_the_failover_name_or_the_primary_name_is_refused() -> None:
    assert errors_of(site__standbyEndpointFqdn="Shop.example.COM.") == [
        "ecommerce-dr:site.standbyEndpointFqdn: must be the standby Region's own name, not the "
        "shared failoverFqdn: the SECONDARY record would answer with itself (names compare "
        "without case and trailing dot)"]
    assert errors_of(site__standbyEndpointFqdn="SHOP-use1.example.com") == [
        "ecommerce-dr:site.standbyEndpointFqdn: must differ from primaryEndpointFqdn (names "
        "compare without case and trailing dot)"]


def test_distinct_names_differing_only_in_case_elsewhere_pass() -> None:
    s = settings_from_raw(raw(site__primaryEndpointFqdn="Shop-USE1.example.com."))
    # The name is kept as written, without the trailing dot (Route 53 accepts either).
    assert s.site.primary_endpoint_fqdn == "Shop-USE1.example.com"


SUBNET_HELP = ("must be a DB subnet group name: 1-255 letters, digits, periods, underscores, "
               "spaces or hyphens, not starting or ending with a space, not 'default'")
SG_HELP = ("must be a list of strings, each a security group ID: sg- and 8 or 17 lowercase "
           "hexadecimal characters, like sg-0123456789abcdef0")
SECRET_HELP = ("must be a Secrets Manager secret ARN: arn:<partition>:secretsmanager:<region>:"
               "<12-digit account>:secret:<name>, like "
               "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-AbCdEf")
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-dms-source-AbCdEf"


def _dms(**dms: Any) -> dict[str, Any]:
    return {"database__strategy": "dms",
            "database__dms": {"sourceSecretArn": SECRET, "engine": "postgres", **dms}}


@pytest.mark.parametrize(("changes", "expected"), [
    ({"database__reverseSubnetGroupName": "   "},
     f"ecommerce-dr:database.reverseSubnetGroupName: {SUBNET_HELP} (got '   ')"),
    ({"database__standbySubnetGroupName": " dr-private"},
     f"ecommerce-dr:database.standbySubnetGroupName: {SUBNET_HELP} (got ' dr-private')"),
    ({"database__reverseSubnetGroupName": "dr-private "},
     f"ecommerce-dr:database.reverseSubnetGroupName: {SUBNET_HELP} (got 'dr-private ')"),
    ({"database__reverseSubnetGroupName": "dr-private\n"},
     f"ecommerce-dr:database.reverseSubnetGroupName: {SUBNET_HELP} (got 'dr-private\\n')"),
    ({"database__reverseSubnetGroupName": 12},
     f"ecommerce-dr:database.reverseSubnetGroupName: {SUBNET_HELP} (got 12)"),
    ({"database__reverseSecurityGroupIds": "sg-0123abcd"},
     f"ecommerce-dr:database.reverseSecurityGroupIds: {SG_HELP} (got 'sg-0123abcd')"),
    ({"database__reverseSecurityGroupIds": 5},
     f"ecommerce-dr:database.reverseSecurityGroupIds: {SG_HELP} (got 5)"),
    ({"database__standbySecurityGroupIds": [5]},
     f"ecommerce-dr:database.standbySecurityGroupIds: {SG_HELP} (got [5])"),
    ({"database__reverseSecurityGroupIds": ["sg-0123abcd\n"]},
     "ecommerce-dr:database.reverseSecurityGroupIds: each entry must be a security group ID: "
     "sg- and 8 or 17 lowercase hexadecimal characters, like sg-0123456789abcdef0 (got "
     "['sg-0123abcd\\n'])"),
    (_dms(sourceSecretArn="arn:aws:secretsmanager:"),
     f"ecommerce-dr:database.dms.sourceSecretArn: {SECRET_HELP} (got 'arn:aws:secretsmanager:')"),
    (_dms(sourceSecretArn=SECRET + "\n"),
     f"ecommerce-dr:database.dms.sourceSecretArn: {SECRET_HELP} (got {SECRET + chr(10)!r})"),
    (_dms(sourceSecretArn=SECRET.replace("us-east-1", "nowhere")),
     f"ecommerce-dr:database.dms.sourceSecretArn: {SECRET_HELP} "
     f"(got {SECRET.replace('us-east-1', 'nowhere')!r})"),
    (_dms(sourceSecretArn=SECRET.replace("123456789012", "1234")),
     f"ecommerce-dr:database.dms.sourceSecretArn: {SECRET_HELP} "
     f"(got {SECRET.replace('123456789012', '1234')!r})"),
    (_dms(sourceSecretArn=SECRET.replace(":secret:", ":key:")),
     f"ecommerce-dr:database.dms.sourceSecretArn: {SECRET_HELP} "
     f"(got {SECRET.replace(':secret:', ':key:')!r})"),
    (_dms(sourceSecretArn=SECRET + " x"),
     f"ecommerce-dr:database.dms.sourceSecretArn: {SECRET_HELP} (got {SECRET + ' x'!r})"),
    (_dms(sourceSecretArn=7),
     f"ecommerce-dr:database.dms.sourceSecretArn: {SECRET_HELP} (got 7)"),
    (_dms(targetSecretArn="arn:aws:secretsmanager:us-west-2:123456789012:secret:"),
     f"ecommerce-dr:database.dms.targetSecretArn: {SECRET_HELP} "
     "(got 'arn:aws:secretsmanager:us-west-2:123456789012:secret:')"),
], ids=lambda v: repr(v)[:60] if isinstance(v, dict) else "")
def test_dms_and_network_keys_name_what_is_allowed(changes: dict[str, Any],
                                                   expected: str) -> None:
    assert errors_of(**changes) == [expected]


@pytest.mark.parametrize("changes", [
    {"database__reverseSubnetGroupName": "dr private.1_a"},
    {"database__standbySecurityGroupIds": ["sg-0123abcd", "sg-0123456789abcdef0"]},
    _dms(),
    _dms(sourceSecretArn="arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0a1b2c",
         targetSecretArn="arn:aws:secretsmanager:us-west-2:123456789012:secret:a/b+c=d.e@f_g-h"),
], ids=lambda v: repr(v)[:60])
def test_dms_and_network_keys_accept_valid_values(changes: dict[str, Any]) -> None:
    settings_from_raw(raw(**changes))


def test_a_bad_secret_arn_stops_the_program_before_any_resource() -> None:
    db = dict(BASE[f"{P}:database"], strategy="dms",
              dms={"sourceSecretArn": "arn:aws:secretsmanager:", "engine": "postgres"})
    with pytest.raises(PlanConfigError) as e:
        record_plan("prod", preview=True, config_overrides={f"{P}:database": db})
    assert e.value.resources_declared == 0
    assert (f"ecommerce-dr:database.dms.sourceSecretArn: {SECRET_HELP} "
            "(got 'arn:aws:secretsmanager:')") in str(e.value)


# --- targets, booleans, instance classes, reserved tags, warm functions, object keys ----------

def test_the_smallest_target_is_the_one_whose_seconds_are_at_least_one() -> None:
    # The orchestrators get round(minutes x 60) whole seconds (RTO_SECONDS / RPO_SECONDS,
    # at least 1): 1/60 min is 1 s and accepted; anything less is refused by key.
    s = settings_from_raw(raw(rtoMinutes=1 / 60))
    assert s.rto_seconds == 1
    for key in ("rtoMinutes", "rpoMinutes"):
        (err,) = errors_of(**{key: 0.016})
        assert err == (f"ecommerce-dr:{key}: must be a number of minutes from 1/60 (= 1 s: the "
                       "orchestrators take whole seconds, at least 1) to 10080, got 0.016")


@pytest.mark.parametrize(("changes", "expected"), [
    ({"healthCheck__port": True},
     "ecommerce-dr:healthCheck.port: must be an integer 1-65535, not a boolean (got True)"),
    ({"healthCheck__failureThreshold": False},
     "ecommerce-dr:healthCheck.failureThreshold: must be an integer, not a boolean (got False)"),
    ({"dns__ttlSeconds": True}, "ecommerce-dr:dns.ttlSeconds: must be an integer, not a boolean"),
    ({"failover__consecutiveFailures": True},
     "ecommerce-dr:failover.consecutiveFailures: must be an integer 1-10, not a boolean"),
    ({"failover__probeWindowMinutes": True},
     "ecommerce-dr:failover.probeWindowMinutes: must be an integer >= 1, not a boolean"),
    ({"failover__probeTimeoutSeconds": True},
     "ecommerce-dr:failover.probeTimeoutSeconds: must be a number > 0 and <= 30, not a boolean (got True)"),
    ({"failover__stepBudgetsSeconds": {"promote": True}},
     "ecommerce-dr:failover.stepBudgetsSeconds: values must be numbers, not booleans (got "
     "['promote'])"),
    ({"backup__keepNewest": True}, "ecommerce-dr:backup.keepNewest: must be an integer >= 1, "
                                   "not a boolean (got True)"),
    ({"database__replicationLagAlarmSeconds": True},
     "ecommerce-dr:database.replicationLagAlarmSeconds: must be an integer > 0, not a "
     "boolean (got True)"),
    ({"database__backupRetentionDays": True},
     "ecommerce-dr:database.backupRetentionDays: must be an integer 1-35, not a boolean"),
], ids=lambda v: next(iter(v)) if isinstance(v, dict) else "")
def test_a_boolean_is_refused_for_every_number_key(changes: dict[str, Any], expected: str) -> None:
    errors = errors_of(**changes)
    assert any(e.startswith(expected) for e in errors), errors


def test_number_keys_still_accept_numbers_written_as_text() -> None:
    # Objects come from YAML, where "443" may be quoted; the CLI hands top-level values over
    # as text: neither is a boolean.
    s = settings_from_raw(raw(healthCheck__port="8443", rtoMinutes="120"))
    assert (s.health_check.port, s.rto_minutes) == (8443, 120)


INSTANCE_CLASS_HELP = "must be a DB instance class db.<class family>.<size>, like db.r6g.large"


@pytest.mark.parametrize("bad", ["banana", "r6g.large", "db.r6g", "db.R6G.large", "db.r6g.large ",
                                 7])
def test_the_standby_instance_class_has_the_rds_form(bad: Any) -> None:
    assert errors_of(database__instanceClass=bad) == [
        f"ecommerce-dr:database.instanceClass: {INSTANCE_CLASS_HELP} (got {bad!r})"]


@pytest.mark.parametrize("good", ["db.r6g.large", "db.t4g.micro", "db.x2iedn.24xlarge"])
def test_valid_instance_classes_pass_for_both_keys(good: str) -> None:
    assert settings_from_raw(raw(database__instanceClass=good)).database.instance_class == good
    from components.settings import AuroraSettings

    aurora = AuroraSettings.model_validate({"engineVersion": "16.4", "instanceClass": good})
    assert aurora.instance_class == good
    with pytest.raises(ValueError, match="must be a DB instance class db.<class family>"):
        AuroraSettings.model_validate({"engineVersion": "16.4", "instanceClass": "banana"})


@pytest.mark.parametrize("key", ["dr:role", "DR:Stack", "dr:retain-on-delete", "managed-by",
                                 "Managed-By"])
def test_the_programs_own_tag_keys_are_refused(key: str) -> None:
    assert errors_of(tags={"app": "shop", key: "x"}) == [
        f"ecommerce-dr:tags: tag keys [{key!r}] are the program's own: keys starting with 'dr:' "
        "(any case) and 'managed-by' are reserved for the tags the program sets itself; "
        "choose another key"]


def test_every_tag_key_the_program_sets_is_reserved() -> None:
    from contract.names import is_reserved_tag_key
    from tests.program import variants

    given = set(BASE[f"{P}:tags"])
    keys = {k for s in variants.STRATEGIES for r in variants.plan(s).resources
            for k in r.tags} - given
    # Name labels a health check in the console; the program's own Name wins over a config one.
    assert {k for k in keys if not is_reserved_tag_key(k)} == {"Name"}
    assert {"dr:role", "dr:stack", "dr:retain-on-delete"} <= keys


ACCOUNT = "123456789012"
WARM_HELP = ("each entry must be a Lambda function name (1-64 letters, digits, hyphens and "
             "underscores, like shop-warmer) or its full ARN arn:aws:lambda:<standbyRegion>:"
             "<account>:function:<name>, either with an optional :<version or alias>; no "
             "wildcards")


@pytest.mark.parametrize("bad", [
    "*", "shop-*", "shop-warm?", "arn:aws:lambda:*:*:function:*",
    f"arn:aws:lambda:us-west-2:{ACCOUNT}:function:*",
    f"arn:aws:lambda:us-west-2:{ACCOUNT}:function:shop:*",
    f"{ACCOUNT}:function:shop-warm", f"{ACCOUNT}:shop-warm", "us-west-2:shop-warm:1:2",
    "arn:aws:lambda:us-west-2::function:shop-warm", "arn:aws:s3:::shop-warm",
    f"arn:aws:lambda:us-west-2:{ACCOUNT}:layer:shop-warm", "a" * 65, "shop.warm", "",
])
def test_a_warm_function_must_be_a_name_or_a_full_function_arn(bad: str) -> None:
    assert errors_of(failover__warmFunctions=["shop-warm", bad]) == [
        f"ecommerce-dr:failover.warmFunctions: entry 1 ({bad!r}): {WARM_HELP}"]


@pytest.mark.parametrize(("arn", "where"), [
    (f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:warm", f"us-east-1, account {ACCOUNT}"),
    ("arn:aws:lambda:us-west-2:210987654321:function:warm", "us-west-2, account 210987654321"),
])
def test_a_warm_function_arn_must_be_in_the_standby_region_and_account(arn: str,
                                                                       where: str) -> None:
    assert errors_of(failover__warmFunctions=[arn]) == [
        f"ecommerce-dr:failover.warmFunctions[0]: {arn!r} is in {where}; a warm function must "
        f"be in standbyRegion (us-west-2) and the stack's account ({ACCOUNT}): give its name or "
        "its ARN there"]


def test_warm_function_names_and_standby_arns_pass() -> None:
    good = ["shop-warm", "shop_warm:prod", "shop-warm:$LATEST", "shop-warm:3",
            f"arn:aws:lambda:us-west-2:{ACCOUNT}:function:catalog-warm",
            f"arn:aws:lambda:us-west-2:{ACCOUNT}:function:catalog-warm:live"]
    assert settings_from_raw(raw(failover__warmFunctions=good)).failover.warm_functions == good


KEYS = ("must be an object (a YAML mapping of key: value) with keys from: ")


@pytest.mark.parametrize(("changes", "expected"), [
    ({"database": [1, 2]}, f"ecommerce-dr:database: {KEYS}strategy, primaryInstanceArn, "),
    ({"database": "5"}, f"ecommerce-dr:database: {KEYS}strategy, "),
    ({"healthCheck": ["/health"]},
     f"ecommerce-dr:healthCheck: {KEYS}path, port, intervalSeconds, failureThreshold; got list "
     "['/health']"),
    ({"tags": ["app"]},
     "ecommerce-dr:tags: must be an object (a YAML mapping of key: value); got list ['app']"),
    ({"database__aurora": 3}, f"ecommerce-dr:database.aurora: {KEYS}engine, engineVersion, "),
    ({"failover__stepBudgetsSeconds": [30]},
     "ecommerce-dr:failover.stepBudgetsSeconds: must be an object (a YAML mapping of key: "
     "value); got list [30]"),
], ids=lambda v: next(iter(v)) if isinstance(v, dict) else "")
def test_an_object_key_given_a_list_or_scalar_names_the_key(changes: dict[str, Any],
                                                            expected: str) -> None:
    errors = errors_of(**changes)
    assert any(e.startswith(expected) for e in errors), errors


@pytest.mark.parametrize("database", ["[1, 2]", "5", "null", "{", '"text"'])
def test_the_recorder_reads_any_database_shape_and_the_program_reports_it(database: str) -> None:
    from engine.mocks import DEFAULT_ACCOUNT
    from engine.recorder import _account_from_config

    assert _account_from_config({f"{P}:database": database}) == DEFAULT_ACCOUNT
    arn = json.dumps({"primaryInstanceArn": "arn:aws:rds:us-east-1:210987654321:db:x"})
    assert _account_from_config({f"{P}:database": arn}) == "210987654321"
