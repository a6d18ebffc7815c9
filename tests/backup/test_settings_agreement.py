"""The program's config validation and the handler's settings agree: every stack config the
program accepts yields a backup environment the handler accepts, with the same databases.

The environment is built the way the program builds it (``components.backup_orchestrator``
``protected_databases`` plus the values ``__main__`` puts in the common env), from
``Pulumi.prod.yaml`` with changes. Gaps found (program accepts, handler must reject) are
pinned in ``test_program_rejects_what_the_handler_would_refuse``: the program rejects them too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from components.backup_orchestrator import protected_databases
from components.settings import DrSettings, read_stack_file, settings_from_raw
from handlers.backup.settings import BackupSettings

STACK_FILE = Path(__file__).resolve().parents[2] / "Pulumi.prod.yaml"
P = "ecommerce-dr:"
ACCOUNT = "123456789012"
DMS_SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:shop-dms-source-AbCdEf"


def db_arn(identifier: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:rds:us-east-1:{account}:db:{identifier}"


def program(**sections: dict[str, Any] | float) -> DrSettings:
    """``Pulumi.prod.yaml``'s config with object sections updated key by key (None removes a
    key) and scalars replaced, validated by the program."""
    raw = {k[len(P):]: v for k, v in read_stack_file(STACK_FILE).items() if k.startswith(P)}
    for name, change in sections.items():
        if isinstance(change, dict):
            merged = {**(raw.get(name) or {}), **change}
            raw[name] = {k: v for k, v in merged.items() if v is not None}
        else:
            raw[name] = change
    return settings_from_raw(raw)


def handler_env(s: DrSettings) -> dict[str, str]:
    """The backup function's environment as the program sets it (deploy-time outputs - topic
    ARNs, KMS key, DMS task, bucket - replaced by well-formed placeholders)."""
    return {
        "PRIMARY_REGION": s.primary_region, "STANDBY_REGION": s.standby_region,
        "STACK_NAME": "prod", "DB_STRATEGY": s.database.strategy,
        "RPO_SECONDS": str(s.rpo_seconds),
        "ALERT_TOPIC_ARNS": json.dumps({r: f"arn:aws:sns:{r}:{ACCOUNT}:alerts"
                                        for r in (s.primary_region, s.standby_region)}),
        "STANDBY_KMS_KEY_ARN": f"arn:aws:kms:{s.standby_region}:{ACCOUNT}:key/k",
        "DMS_TASK_ARN": (f"arn:aws:dms:{s.standby_region}:{ACCOUNT}:task:T"
                         if s.database.strategy == "dms" else ""),
        "PROTECTED_DATABASES": json.dumps(protected_databases(s)),
        "METADATA_BUCKET": "ecommerce-dr-prod-rp", "CADENCE_MINUTES": str(s.backup.cadence_minutes),
        "RETENTION_HOURS": str(s.backup.retention_hours),
        "KEEP_NEWEST": str(s.backup.keep_newest),
        "SNAPSHOT_QUOTA": str(s.backup.manual_snapshot_quota),
    }


ACCEPTED = {
    "prod": {},
    "dms": {"database": {"strategy": "dms", "dms": {"sourceSecretArn": DMS_SECRET}}},
    "snapshot-restore": {"database": {"strategy": "snapshot-restore"}},
    "cadence 1440 (the most both allow)": {"rpoMinutes": 1440,
                                           "backup": {"cadenceMinutes": 1440,
                                                      "retentionHours": 48}},
    "cadence 5 (program minimum)": {"backup": {"cadenceMinutes": 5, "retentionHours": 2}},
    "default standby identifier": {"database": {"standbyIdentifier": None}},
    "mixed-case identifiers": {"database": {"primaryInstanceArn": db_arn("Shop-Primary"),
                                            "standbyIdentifier": "Shop-Standby"}},
    "three protected databases": {"backup": {"protectedDatabaseArns": [
        db_arn("shop-primary"), db_arn("orders"), db_arn("users")], "retentionHours": 8}},
}


@pytest.mark.parametrize("changes", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_every_config_the_program_accepts_the_handler_accepts(changes: dict) -> None:
    s = program(**changes)
    h = BackupSettings.parse(handler_env(s))
    assert [d.identifier for d in h.protected_databases] == [
        a.rsplit(":", 1)[1].lower() for a in s.protected_database_arns]
    assert h.cadence_minutes == s.backup.cadence_minutes <= 24 * 60
    assert h.rpo_seconds == s.rpo_seconds > 0
    expected_standby = s.database.standby_id.lower() if s.has_standby_instance else None
    assert h.protected_databases[0].standby == expected_standby
    assert (h.retention_hours, h.keep_newest, h.snapshot_quota) == (
        s.backup.retention_hours, s.backup.keep_newest, s.backup.manual_snapshot_quota)


def test_mixed_case_identifiers_are_lowercased_as_rds_stores_them() -> None:
    h = BackupSettings.parse(handler_env(program(**ACCEPTED["mixed-case identifiers"])))
    [db] = h.protected_databases
    assert (db.identifier, db.standby) == ("shop-primary", "shop-standby")


GAPS = {
    # database.standbyIdentifier unset: the program derives "<primary>-standby" (68 chars
    # here) and validates only an explicit standbyIdentifier
    "derived standby identifier over 63 characters": (
        {"database": {"primaryInstanceArn": db_arn("a" * 60), "standbyIdentifier": None}},
        "ecommerce-dr:database.standbyIdentifier"),
    # program: entries unique as ARN strings; the same instance in two accounts (or in two
    # spellings of case) is one identifier to the handler, which works in one account
    "same identifier in two accounts": (
        {"backup": {"protectedDatabaseArns": [db_arn("shop-primary"),
                                              db_arn("shop-primary", "210987654321")]}},
        "ecommerce-dr:backup.protectedDatabaseArns"),
    "same identifier in two spellings of case": (
        {"backup": {"protectedDatabaseArns": [db_arn("shop-primary"), db_arn("SHOP-primary")]}},
        "ecommerce-dr:backup.protectedDatabaseArns"),
    # program's ARN pattern allows a trailing / double hyphen that no RDS identifier has
    "trailing hyphen in a protected ARN": (
        {"backup": {"protectedDatabaseArns": [db_arn("shop-primary"), db_arn("orders-")]}},
        "ecommerce-dr:backup.protectedDatabaseArns"),
}


@pytest.mark.parametrize(("changes", "key"), GAPS.values(), ids=GAPS.keys())
def test_program_rejects_what_the_handler_would_refuse(changes: dict, key: str) -> None:
    """Configs the handler refuses at cold start (``message``): the program rejects them
    before declaring anything, so no stack can deploy a backup orchestrator that cannot start."""
    with pytest.raises(ValueError) as e:
        program(**changes)   # the program's config validation rejects it too: the two agree
    assert key in str(e.value)
