"""Each aurora-global config error, with its message; and the program stops before any
resource. Every case is ``Pulumi.aurora.yaml`` with one change."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from components.settings import ConfigError, settings_from_raw
from engine.paths import ROOT
from engine.plan import PlanConfigError, record_plan

P = "ecommerce-dr"
BASE = {k[len(P) + 1:]: v for k, v in
        yaml.safe_load((ROOT / "Pulumi.aurora.yaml").read_text())["config"].items()
        if k.startswith(f"{P}:")}
DB, AURORA = BASE["database"], BASE["database"]["aurora"]


def with_db(**changes: Any) -> dict[str, Any]:
    """The stack's config with ``database`` keys changed (``aurora__x`` for ``aurora.x``; None
    removes the key)."""
    db = {**DB, "aurora": dict(AURORA)}
    for key, value in changes.items():
        target, sub = (db["aurora"], key.removeprefix("aurora__")) if key.startswith("aurora__") \
            else (db, key)
        if value is None:
            target.pop(sub, None)
        else:
            target[sub] = value
    return {**BASE, "database": db}


def errors(cfg: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as e:
        settings_from_raw(cfg)
    return e.value.errors


def test_the_stack_file_is_valid() -> None:
    s = settings_from_raw(BASE)
    assert (s.database.strategy, s.database.primary_arn, s.database.standby_id,
            s.database.global_cluster_id, s.database.managed_rpo_seconds) == (
        "aurora-global", "arn:aws:rds:us-east-1:123456789012:cluster:shop-aurora",
        "shop-aurora-usw2", "shop-global", 20)
    assert s.failover.gate_alarm_period_seconds == 10


def test_identifiers_default_from_the_primary_cluster() -> None:
    s = settings_from_raw(with_db(aurora__globalClusterIdentifier=None,
                                  aurora__secondaryClusterIdentifier=None))
    assert (s.database.standby_id, s.database.global_cluster_id) == (
        "shop-aurora-standby", "shop-aurora-global")


C = f"{P}:database"


@pytest.mark.parametrize(("changes", "expected"), [
    ({"primaryInstanceArn": "arn:aws:rds:us-east-1:123456789012:db:shop"},
     f"{C}.primaryInstanceArn: does not apply to strategy aurora-global; use "
     "database.primaryClusterArn"),
    ({"instanceClass": "db.r6g.large"},
     f"{C}.instanceClass: does not apply to strategy aurora-global; use "
     "database.aurora.instanceClass"),
    ({"standbyIdentifier": "shop-dr"},
     f"{C}.standbyIdentifier: does not apply to strategy aurora-global; use "
     "database.aurora.secondaryClusterIdentifier"),
    ({"backupRetentionDays": 3},
     f"{C}.backupRetentionDays: does not apply to strategy aurora-global; use "
     "database.aurora.backupRetentionDays"),
    ({"reverseSubnetGroupName": "dr-private"},
     f"{C}.reverseSubnetGroupName: does not apply to strategy aurora-global; use nothing: "
     "Aurora rejoins the old primary cluster to the global database itself"),
    ({"primaryClusterArn": None}, f"{C}.primaryClusterArn: is required for strategy aurora-global"),
    ({"aurora": None}, f"{C}.aurora.engineVersion: is required for strategy aurora-global"),
    ({"aurora__engineVersion": None}, f"{C}.aurora.engineVersion: is required"),
    ({"primaryClusterArn": "arn:aws:rds:us-east-1:123456789012:db:shop-aurora"},
     f"{C}.primaryClusterArn: must be an Aurora DB cluster ARN like "
     "arn:aws:rds:us-east-1:123456789012:cluster:shop (got "
     "'arn:aws:rds:us-east-1:123456789012:db:shop-aurora')"),
    ({"primaryClusterArn": "arn:aws:rds:eu-west-1:123456789012:cluster:shop-aurora"},
     f"{C}.primaryClusterArn: is in eu-west-1 but primaryRegion is us-east-1"),
    ({"aurora__engineVersion": "sixteen"},
     f"{C}.aurora.engineVersion: must be an Aurora PostgreSQL version like 16.4 (got 'sixteen')"),
    ({"aurora__engine": "aurora-mysql", "aurora__engineVersion": "8.0.32",
      "aurora__managedRpoSeconds": None},
     f"{C}.aurora.engineVersion: must be an Aurora MySQL version like 8.0.mysql_aurora.3.05.2 "
     "(got '8.0.32')"),
    ({"aurora__engine": "aurora"},
     f"{C}.aurora.engine: Input should be 'aurora-postgresql' or 'aurora-mysql' (got 'aurora')"),
    ({"aurora__managedRpoSeconds": 10},
     f"{C}.aurora.managedRpoSeconds: Input should be greater than or equal to 20"),
    ({"aurora__engine": "aurora-mysql", "aurora__engineVersion": "8.0.mysql_aurora.3.05.2"},
     f"{C}.aurora.managedRpoSeconds: applies to Aurora PostgreSQL only (rds.global_db_rpo); "
     "engine is aurora-mysql: remove it"),
    ({"aurora__instanceCount": 0}, f"{C}.aurora.instanceCount: Input should be greater than or "
                                   "equal to 1"),
    ({"aurora__instanceCount": 17}, f"{C}.aurora.instanceCount: Input should be less than or "
                                    "equal to 16"),
    ({"aurora__instanceClass": "r6g.large"},
     f"{C}.aurora.instanceClass: must be a DB instance class db.<class family>.<size>, like "
     "db.r6g.large (got 'r6g.large')"),
    ({"aurora__backupRetentionDays": 0}, f"{C}.aurora.backupRetentionDays: Input should be "
                                         "greater than or equal to 1"),
    ({"aurora__globalClusterIdentifier": "1-global"},
     f"{C}.aurora.globalClusterIdentifier: must be an RDS instance identifier"),
    ({"aurora__secondaryClusterIdentifier": None, "aurora__globalClusterIdentifier": None,
      "primaryClusterArn": "arn:aws:rds:us-east-1:123456789012:cluster:" + "s" * 60},
     f"{C}.aurora.secondaryClusterIdentifier: the derived standby identifier"),
    ({"aurora__sizeGib": 100}, f"{C}.aurora.sizeGib: unknown key"),
])
def test_aurora_config_error_names_the_key(changes: dict[str, Any], expected: str) -> None:
    found = errors(with_db(**changes))
    assert any(e.startswith(expected) for e in found), found


def test_aurora_keys_are_refused_for_instance_strategies() -> None:
    cfg = with_db(strategy="read-replica",
                  primaryInstanceArn="arn:aws:rds:us-east-1:123456789012:db:shop")
    assert errors(cfg) == [
        f"{C}.primaryClusterArn: applies to strategy aurora-global only (strategy is read-replica)",
        f"{C}.aurora: applies to strategy aurora-global only (strategy is read-replica)"]


@pytest.mark.parametrize(("period", "ok"), [(10, True), (30, True), (60, True), (20, False),
                                            (120, False)])
def test_gate_alarm_period_is_60_or_a_high_resolution_period(period: int, ok: bool) -> None:
    cfg = {**BASE, "failover": {**BASE["failover"], "gateAlarmPeriodSeconds": period}}
    if ok:
        assert settings_from_raw(cfg).failover.gate_alarm_period_seconds == period
    else:
        assert errors(cfg) == [f"{P}:failover.gateAlarmPeriodSeconds: must be one of 10, 30, 60 "
                               f"seconds (10 and 30 need a high-resolution metric), got {period}"]


def test_program_stops_before_any_resource() -> None:
    with pytest.raises(PlanConfigError) as e:
        record_plan("aurora", config_overrides={
            f"{P}:database": {**DB, "aurora": {**AURORA, "managedRpoSeconds": 5}}})
    assert "database.aurora.managedRpoSeconds: Input should be greater than or equal to 20" \
        in str(e.value)
    assert e.value.resources_declared == 0
