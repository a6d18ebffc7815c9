"""Expected resources per strategy and mode; providers, Regions and parents."""

from __future__ import annotations

from collections import Counter

import pytest

from contract.names import Role
from tests.program.variants import (
    ALARM,
    DB,
    EU,
    FUNCTION,
    HEALTH_CHECK,
    PROVIDER,
    RECORD,
    all_variants,
    plan,
)

ALWAYS_ONE = (Role.ENDPOINT_HEALTH_CHECK, Role.GATE_HEALTH_CHECK, Role.HEALTH_ALARM,
              Role.GATE_ALARM, Role.FAILOVER_ORCHESTRATOR, Role.BACKUP_ORCHESTRATOR,
              Role.WATCHDOG_SCHEDULE, Role.BACKUP_SCHEDULE, Role.ALARM_FORWARDER,
              Role.RECOVERY_POINT_ALARM, Role.STATE_TABLE, Role.METADATA_BUCKET,
              Role.STANDBY_KMS_KEY)
PER_STRATEGY = {  # role -> count
    "read-replica": {Role.STANDBY_DATABASE: 1, Role.REPLICATION_ALARM: 1},
    "dms": {Role.STANDBY_DATABASE: 1, Role.REPLICATION_ALARM: 2},
    "snapshot-restore": {Role.STANDBY_DATABASE: 0, Role.REPLICATION_ALARM: 0},
    # the placeholder engine is Aurora PostgreSQL: one AuroraGlobalDBRPOLag alarm
    "aurora-global": {Role.STANDBY_DATABASE: 1, Role.REPLICATION_ALARM: 1,
                      Role.GLOBAL_DATABASE: 1, Role.STANDBY_INSTANCE: 1},
}
COMPONENT_TOKENS = {
    "ecommerce-dr:alerts:AlertTopics", "ecommerce-dr:failover_dns:FailoverDns",
    "ecommerce-dr:database:StandbyDatabase",
    "ecommerce-dr:failover_orchestrator:FailoverOrchestrator",
    "ecommerce-dr:backup_orchestrator:BackupOrchestrator", "ecommerce-dr:monitoring:Monitoring",
    "ecommerce-dr:write_switch:WriteSwitchParameters",
}
#: role -> the component that must own it
OWNER = {
    **dict.fromkeys((Role.ENDPOINT_HEALTH_CHECK, Role.GATE_HEALTH_CHECK, Role.COMBINED_HEALTH_CHECK,
                     Role.HEALTH_ALARM, Role.GATE_ALARM), "failover_dns"),
    **dict.fromkeys((Role.FAILOVER_ORCHESTRATOR, Role.WATCHDOG_SCHEDULE, Role.ALARM_FORWARDER,
                     Role.STATE_TABLE), "failover_orchestrator"),
    **dict.fromkeys((Role.BACKUP_ORCHESTRATOR, Role.BACKUP_SCHEDULE, Role.METADATA_BUCKET),
                    "backup_orchestrator"),
    **dict.fromkeys((Role.STANDBY_DATABASE, Role.STANDBY_KMS_KEY, Role.REPLICATION_ALARM), "database"),
    Role.RECOVERY_POINT_ALARM: "monitoring", Role.ALERT_TOPIC: "alerts", Role.WRITE_SWITCH: "write_switch",
}
#: role -> Region it must be in (prod: us-east-1 -> us-west-2)
REGION = {
    **dict.fromkeys((Role.HEALTH_ALARM, Role.ALARM_FORWARDER), "us-east-1"),
    **dict.fromkeys((Role.GATE_ALARM, Role.FAILOVER_ORCHESTRATOR, Role.BACKUP_ORCHESTRATOR,
                     Role.WATCHDOG_SCHEDULE, Role.BACKUP_SCHEDULE, Role.STANDBY_DATABASE,
                     Role.STANDBY_KMS_KEY, Role.REPLICATION_ALARM, Role.RECOVERY_POINT_ALARM,
                     Role.STATE_TABLE, Role.METADATA_BUCKET), "us-west-2"),
}


@pytest.mark.parametrize(("strategy", "mode"), all_variants())
def test_expected_resources_are_declared(strategy: str, mode: str) -> None:
    p = plan(strategy, mode)
    roles = Counter(r.role for r in p.resources if r.role)
    for role in ALWAYS_ONE:
        assert roles[role] == 1, f"{strategy}/{mode}: {role} x{roles[role]}"
    for role, n in PER_STRATEGY[strategy].items():
        assert roles[role] == n, f"{strategy}/{mode}: {role} x{roles[role]}, expected {n}"
    assert roles[Role.COMBINED_HEALTH_CHECK] == (1 if mode == "automatic" else 0)
    assert roles[Role.ALERT_TOPIC] == 2
    assert len(p.by_type(RECORD)) == 2
    assert len(p.by_type(FUNCTION)) == 2
    assert len(p.by_type(DB)) == (0 if strategy in ("snapshot-restore", "aurora-global") else 1)
    assert len(p.by_type("aws:rds/cluster:Cluster")) == (strategy == "aurora-global")
    dms_types = {r.type for r in p.resources if r.type.startswith("aws:dms/")}
    assert dms_types == ({"aws:dms/replicationInstance:ReplicationInstance",
                          "aws:dms/endpoint:Endpoint", "aws:dms/replicationTask:ReplicationTask"}
                         if strategy == "dms" else set())
    # orchestrator error alarm, backup-failure alarm, backup error alarm
    alarm_names = {r.inputs["name"] for r in p.by_type(ALARM)}
    assert {"ecommerce-dr-prod-failover-errors", "ecommerce-dr-prod-backup-failed",
            "ecommerce-dr-prod-backup-errors"} <= alarm_names


@pytest.mark.parametrize(("strategy", "mode"), all_variants())
def test_no_resource_uses_the_default_provider(strategy: str, mode: str) -> None:
    p = plan(strategy, mode)
    provider_urns = {r.urn for r in p.providers}
    for r in p.custom_resources:
        assert r.provider in provider_urns, f"{r.urn} uses the default provider"
        assert r.region in ("us-east-1", "us-west-2"), r.urn


def test_one_provider_per_region_and_us_east_1_reused() -> None:
    p = plan()
    assert sorted(r.inputs["region"] for r in p.providers) == ["us-east-1", "us-west-2"]
    assert [r.type for r in p.providers] == [PROVIDER, PROVIDER]


def test_third_provider_for_route53_metrics_when_neither_region_is_us_east_1() -> None:
    p = plan(**EU)
    assert sorted(r.inputs["region"] for r in p.providers) == ["eu-central-1", "eu-west-1",
                                                                 "us-east-1"]
    by_role = {r.role: r for r in p.resources if r.role}
    assert by_role[Role.HEALTH_ALARM].region == "us-east-1"
    assert by_role[Role.ALARM_FORWARDER].region == "us-east-1"
    assert by_role[Role.GATE_ALARM].region == "eu-central-1"
    assert by_role[Role.GATE_HEALTH_CHECK].inputs["cloudwatchAlarmRegion"] == "eu-central-1"
    assert by_role[Role.STANDBY_DATABASE].region == "eu-central-1"
    assert sorted(t.region for t in p.by_role(Role.ALERT_TOPIC)) == [
        "eu-central-1", "eu-west-1", "us-east-1"]
    assert p.outputs["primaryRegion"] == "eu-west-1"


@pytest.mark.parametrize(("strategy", "mode"), all_variants())
def test_each_role_is_in_its_region(strategy: str, mode: str) -> None:
    p = plan(strategy, mode)
    for role, region in REGION.items():
        for r in p.by_role(role):
            assert r.region == region, f"{r.urn} in {r.region}, expected {region}"
    assert sorted(t.region for t in p.by_role(Role.ALERT_TOPIC)) == ["us-east-1", "us-west-2"]
    # Route 53 is global; its resources use the us-east-1 provider, where its API lives.
    for r in p.by_type(HEALTH_CHECK) + p.by_type(RECORD):
        assert r.region == "us-east-1", r.urn


@pytest.mark.parametrize(("strategy", "mode"), all_variants())
def test_parents_are_the_owning_components(strategy: str, mode: str) -> None:
    p = plan(strategy, mode)
    stack_urn = "urn:pulumi:prod::ecommerce-dr::pulumi:pulumi:Stack::ecommerce-dr-prod"
    components = {r.urn: r for r in p.resources if not r.custom}
    assert {c.type for c in components.values()} == COMPONENT_TOKENS
    for c in components.values():
        assert c.parent == stack_urn, c.urn
    for r in p.providers:
        assert r.parent == stack_urn, r.urn
    for r in p.custom_resources:
        assert r.parent in components, f"{r.urn} is not parented by a component"
    for role, module in OWNER.items():
        for r in p.by_role(role):
            assert components[r.parent].type.split(":")[1] == module, r.urn
