"""The program in each failover phase (``failover.phase``), under mocks: what it declares,
where, with which options; the primary provider that calls nothing at configure time; the
gate that no deploy after a failover can release; what stays unchanged between phases."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from contract.deploy_safety import (
    CLUSTER_REPLACING,
    GLOBAL_REPLACING,
    INSTANCE_REPLACE_ON,
    INSTANCE_REPLACING,
    RETAIN_TAG,
)
from contract.names import Role, write_switch_parameter
from contract.phases import Phase
from engine.plan import Plan, PlannedResource
from tests.program.variants import BASE, DB, FUNCTION, HEALTH_CHECK, STRATEGIES, P, plan

PRIMARY, STANDBY = "us-east-1", "us-west-2"
PHASES = [str(p) for p in Phase]
SOURCE = BASE[f"{P}:database"]["primaryInstanceArn"]


def in_phase(phase: str, strategy: str = "read-replica", **failover: Any) -> Plan:
    return plan(strategy, failover=dict(BASE[f"{P}:failover"], phase=phase, **failover))


def one(p: Plan, role: Role, type_: str | None = None) -> PlannedResource:
    (found,) = [r for r in p.by_role(role) if type_ is None or r.type == type_]
    return found


def env(p: Plan) -> dict[str, str]:
    return one(p, Role.FAILOVER_ORCHESTRATOR).inputs["environment"]["variables"]


# --- the standby and the reverse replica, per phase ------------------------------------------

@pytest.mark.parametrize(("phase", "source", "protect"), [
    ("normal", SOURCE, True), ("failed-over", None, True), ("reverse-replicating", None, False)])
def test_read_replica_standby_per_phase(phase: str, source: str | None, protect: bool) -> None:
    standby = one(in_phase(phase), Role.STANDBY_DATABASE)
    assert standby.name == "standby-database-replica"        # one resource in every phase
    assert standby.region == STANDBY and standby.inputs["identifier"] == "shop-standby"
    assert standby.inputs.get("replicateSourceDb") == source
    # standalone and writable after a failover: backups and deletion protection on
    assert standby.inputs["backupRetentionPeriod"] >= 1
    assert standby.inputs["deletionProtection"] is True
    assert standby.options == {"protect": protect, "retainOnDelete": True,
                               "ignoreChanges": list(INSTANCE_REPLACING),
                               "replaceOnChanges": list(INSTANCE_REPLACE_ON)}
    assert standby.tags[RETAIN_TAG] == "true"


@pytest.mark.parametrize("strategy", ["read-replica", "snapshot-restore"])
def test_reverse_replica_in_the_primary_region(strategy: str) -> None:
    p = in_phase("reverse-replicating", strategy)
    reverse = one(p, Role.REVERSE_REPLICA)
    assert reverse.region == PRIMARY
    assert reverse.inputs["identifier"] == "shop-standby-reverse"
    assert reverse.inputs["replicateSourceDb"] == "arn:aws:rds:us-west-2:123456789012:db:shop-standby"
    key = one(p, Role.REVERSE_KMS_KEY)
    assert key.region == PRIMARY and key.inputs["enableKeyRotation"] is True
    assert reverse.property_dependencies["kmsKeyId"] == [key.urn]
    assert reverse.options == {"protect": False, "retainOnDelete": True,
                               "ignoreChanges": list(INSTANCE_REPLACING),
                               "replaceOnChanges": list(INSTANCE_REPLACE_ON)}
    assert key.options["retainOnDelete"] is True and key.tags[RETAIN_TAG] == "true"
    alarm = one(p, Role.REVERSE_REPLICATION_ALARM)
    assert alarm.region == PRIMARY
    assert (alarm.inputs["metricName"], alarm.inputs["dimensions"]) == (
        "ReplicaLag", {"DBInstanceIdentifier": "shop-standby-reverse"})
    assert env(p)["REVERSE_REPLICA_IDENTIFIER"] == "shop-standby-reverse"
    assert env(p)["FAILOVER_PHASE"] == "reverse-replicating"


def test_reverse_replica_identifier_from_config() -> None:
    p = in_phase("reverse-replicating", reverseReplicaIdentifier="shop-use1-b")
    assert one(p, Role.REVERSE_REPLICA).inputs["identifier"] == "shop-use1-b"
    assert env(p)["REVERSE_REPLICA_IDENTIFIER"] == "shop-use1-b"


def test_reverse_replica_networking_follows_config() -> None:
    db = dict(BASE[f"{P}:database"], reverseSubnetGroupName="shop-private-use1",
              reverseSecurityGroupIds=["sg-0fedcba9876543210", "sg-01234567"])
    p = plan(database=db, failover=dict(BASE[f"{P}:failover"], phase="reverse-replicating"))
    reverse = one(p, Role.REVERSE_REPLICA)
    assert reverse.region == PRIMARY
    assert reverse.inputs["dbSubnetGroupName"] == "shop-private-use1"
    assert reverse.inputs["vpcSecurityGroupIds"] == ["sg-0fedcba9876543210", "sg-01234567"]
    # the standby keeps its own (here: the default VPC's)
    assert "dbSubnetGroupName" not in one(p, Role.STANDBY_DATABASE).inputs
    default = one(in_phase("reverse-replicating"), Role.REVERSE_REPLICA)
    assert "dbSubnetGroupName" not in default.inputs
    assert "vpcSecurityGroupIds" not in default.inputs


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("phase", ["normal", "failed-over"])
def test_no_reverse_replica_before_reverse_replicating(strategy: str, phase: str) -> None:
    p = in_phase(phase, strategy)
    assert p.by_role(Role.REVERSE_REPLICA) == [] and p.by_role(Role.REVERSE_KMS_KEY) == []
    assert env(p)["FAILOVER_PHASE"] == phase and env(p)["REVERSE_REPLICA_IDENTIFIER"] == ""


def test_nothing_new_for_aurora_in_reverse_replicating() -> None:
    p = in_phase("reverse-replicating", "aurora-global")
    assert p.by_role(Role.REVERSE_REPLICA) == [] and p.by_role(Role.REVERSE_CDC_TASK) == []


TASK, ENDPOINT = "aws:dms/replicationTask:ReplicationTask", "aws:dms/endpoint:Endpoint"
REVERSE_TASK_ARN = "arn:aws:dms:us-west-2:123456789012:task:ecommerce-dr-prod-rcdc"


def test_dms_reverse_target_is_a_fresh_instance_in_the_primary_region() -> None:
    p = in_phase("reverse-replicating", "dms")
    target = one(p, Role.REVERSE_REPLICA)
    assert (target.type, target.region, target.inputs["identifier"]) == (
        DB, PRIMARY, "shop-standby-reverse")
    assert "replicateSourceDb" not in target.inputs          # a fresh writer, not a replica
    assert (target.inputs["engine"], target.inputs["dbName"]) == ("postgres", "shop")
    assert target.inputs["manageMasterUserPassword"] is True
    key = one(p, Role.REVERSE_KMS_KEY)
    assert key.region == PRIMARY
    assert target.property_dependencies["kmsKeyId"] == [key.urn]
    assert target.property_dependencies["masterUserSecretKmsKeyId"] == [key.urn]
    assert target.options == {"protect": False, "retainOnDelete": True,
                              "ignoreChanges": list(INSTANCE_REPLACING),
                              "replaceOnChanges": list(INSTANCE_REPLACE_ON)}
    assert target.tags[RETAIN_TAG] == "true"
    # nothing is declared on the old primary: only the fresh instance in its Region
    assert [r.inputs["identifier"] for r in p.by_type(DB) if r.region == PRIMARY] == [
        "shop-standby-reverse"]


def test_dms_reverse_task_reads_the_promoted_standby_and_writes_the_fresh_instance() -> None:
    p = in_phase("reverse-replicating", "dms")
    task = one(p, Role.REVERSE_CDC_TASK)
    assert task.region == STANDBY and task.inputs["startReplicationTask"] is True
    assert task.inputs["migrationType"] == "full-load-and-cdc"
    assert (task.inputs["replicationTaskId"], task.inputs["resourceIdentifier"]) == (
        "ecommerce-dr-prod-rcdc", "ecommerce-dr-prod-rcdc")
    endpoints = {r.urn: r for r in p.by_role(Role.REVERSE_CDC_ENDPOINT)}
    (source_urn,) = task.property_dependencies["sourceEndpointArn"]
    (target_urn,) = task.property_dependencies["targetEndpointArn"]
    source, target = endpoints[source_urn], endpoints[target_urn]
    assert (source.inputs["endpointType"], target.inputs["endpointType"]) == ("source", "target")
    assert {source.region, target.region} == {STANDBY}
    standby, fresh = one(p, Role.STANDBY_DATABASE), one(p, Role.REVERSE_REPLICA)
    assert source.property_dependencies["secretsManagerArn"] == [standby.urn]
    assert target.property_dependencies["secretsManagerArn"] == [fresh.urn]
    # its own endpoints: the forward ones keep their types and the old primary's secret
    (forward,) = [r for r in p.by_type(TASK) if r.urn != task.urn]
    assert forward.inputs["startReplicationTask"] is False
    assert not set(forward.property_dependencies["sourceEndpointArn"]) & set(endpoints)
    (instance,) = p.by_type("aws:dms/replicationInstance:ReplicationInstance")
    assert task.property_dependencies["replicationInstanceArn"] == [instance.urn]
    assert env(p)["REVERSE_REPLICA_IDENTIFIER"] == REVERSE_TASK_ARN


def test_dms_reverse_alarms_and_the_failback_grant() -> None:
    p = in_phase("reverse-replicating", "dms")
    alarms = sorted(p.by_role(Role.REVERSE_REPLICATION_ALARM), key=lambda r: r.inputs["name"])
    assert [(a.region, a.inputs["metricName"], a.inputs["treatMissingData"]) for a in alarms] == [
        (STANDBY, "CDCLatencySource", "breaching"), (STANDBY, "CDCLatencyTarget", "breaching")]
    assert {json.dumps(a.inputs["dimensions"], sort_keys=True) for a in alarms} == {json.dumps(
        {"ReplicationInstanceIdentifier": "ecommerce-dr-prod-dms",
         "ReplicationTaskIdentifier": "ecommerce-dr-prod-rcdc"}, sort_keys=True)}
    statements = [st for r in p.by_type("aws:iam/rolePolicy:RolePolicy")
                  for st in json.loads(r.inputs["policy"])["Statement"]]
    (stop,) = [st for st in statements if "dms:StopReplicationTask" in st["Action"]
               and st["Resource"] == [REVERSE_TASK_ARN]]
    assert stop["Sid"] == "ReverseCdcTask"
    # DMS may read the fresh instance's managed secret and decrypt it with its key
    (read,) = [st for st in statements if st.get("Sid") == "ReadEndpointSecrets"]
    assert "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-shop-standby-reverse" in (
        read["Resource"])


@pytest.mark.parametrize("phase", ["normal", "failed-over"])
def test_no_dms_reverse_pipeline_outside_reverse_replicating(phase: str) -> None:
    p = in_phase(phase, "dms")
    assert p.by_role(Role.REVERSE_CDC_TASK) == [] and p.by_role(Role.REVERSE_CDC_ENDPOINT) == []
    assert p.by_role(Role.REVERSE_REPLICATION_ALARM) == []
    assert not any(r.region == PRIMARY for r in p.by_type(DB))


@pytest.mark.parametrize("phase", PHASES)
def test_aurora_clusters_are_kept_in_every_phase(phase: str) -> None:
    p = in_phase(phase, "aurora-global")
    for r, ignored in ((one(p, Role.GLOBAL_DATABASE), GLOBAL_REPLACING),
                       (one(p, Role.STANDBY_DATABASE), CLUSTER_REPLACING)):
        assert r.options["protect"] is True and r.options["retainOnDelete"] is True, r.urn
        assert r.options["ignoreChanges"] == list(ignored) and r.tags[RETAIN_TAG] == "true"


@pytest.mark.parametrize(("phase", "start"), [("normal", True), ("failed-over", False),
                                              ("reverse-replicating", False)])
def test_dms_forward_task_runs_only_while_the_primary_writes(phase: str, start: bool) -> None:
    (task,) = [r for r in in_phase(phase, "dms").by_type("aws:dms/replicationTask:ReplicationTask")
               if r.inputs["replicationTaskId"] == "ecommerce-dr-prod-cdc"]
    assert task.inputs["startReplicationTask"] is start


def test_after_a_dms_failback_a_fresh_forward_pipeline_from_the_new_primary() -> None:
    """phase normal with the values the failback's hint gives: the forward endpoints read
    the new primary's secret and write the fresh standby; a changed secret replaces an
    endpoint and a new endpoint the task, so the task starts with a full load."""
    new_secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0a1b2c"
    db = dict(BASE[f"{P}:database"], strategy="dms",
              primaryInstanceArn="arn:aws:rds:us-east-1:123456789012:db:shop-standby-reverse",
              standbyIdentifier="shop-standby-2",
              dms={"sourceSecretArn": new_secret, "engine": "postgres"})
    p = plan("dms", failover=dict(BASE[f"{P}:failover"], phase="normal"), database=db)
    standby = one(p, Role.STANDBY_DATABASE)
    assert (standby.region, standby.inputs["identifier"]) == (STANDBY, "shop-standby-2")
    assert standby.options["protect"] is True
    (task,) = p.by_type(TASK)
    assert task.inputs["startReplicationTask"] is True
    assert task.options == {"replaceOnChanges": ["sourceEndpointArn", "targetEndpointArn"],
                            "deleteBeforeReplace": True}
    endpoints = {r.inputs["endpointType"]: r for r in p.by_type(ENDPOINT)}
    assert sorted(endpoints) == ["source", "target"]
    assert endpoints["source"].inputs["secretsManagerArn"] == new_secret
    assert endpoints["target"].property_dependencies["secretsManagerArn"] == [standby.urn]
    for e in endpoints.values():
        assert e.options == {"replaceOnChanges": ["secretsManagerArn"],
                             "deleteBeforeReplace": True}
    assert p.by_role(Role.REVERSE_REPLICA) == [] and p.by_role(Role.REVERSE_CDC_TASK) == []


def test_after_failback_a_fresh_standby_of_the_new_primary() -> None:
    new_primary = "arn:aws:rds:us-east-1:123456789012:db:shop-standby-reverse"
    db = dict(BASE[f"{P}:database"], primaryInstanceArn=new_primary,
              standbyIdentifier="shop-standby-2")
    p = plan(failover=dict(BASE[f"{P}:failover"], phase="normal"), database=db)
    standby = one(p, Role.STANDBY_DATABASE)
    # the same resource with another identifier: replaceOnChanges makes it a new instance;
    # the old writer (shop-standby, unprotected in reverse-replicating) is retained
    assert standby.inputs["identifier"] == "shop-standby-2"
    assert standby.inputs["replicateSourceDb"] == new_primary
    assert standby.options["protect"] is True and "identifier" in standby.options["replaceOnChanges"]
    assert p.by_role(Role.REVERSE_REPLICA) == []


# --- the gate ------------------------------------------------------------------------------

@pytest.mark.parametrize("phase", PHASES)
def test_a_recreated_gate_alarm_keeps_traffic_where_the_phase_says(phase: str) -> None:
    p, normal = in_phase(phase), in_phase("normal")
    gate = one(p, Role.GATE_HEALTH_CHECK, HEALTH_CHECK)
    assert gate.inputs["type"] == "CLOUDWATCH_METRIC"
    # A new or re-created gate alarm starts INSUFFICIENT_DATA; Route 53 then reports the
    # check's last known status (healthy for a new check): after a failover that is the
    # ALARM's unhealthy, so the PRIMARY record stays out and traffic stays on the standby.
    # "Healthy" here would release the gate on any deploy that re-creates the alarm.
    assert gate.inputs["insufficientDataHealthStatus"] == "LastKnownStatus"
    # The check itself is the same resource with the same inputs in every phase: never
    # re-created, so its last known status survives every deploy.
    assert (gate.urn, gate.inputs) == (one(normal, Role.GATE_HEALTH_CHECK, HEALTH_CHECK).urn,
                                       one(normal, Role.GATE_HEALTH_CHECK, HEALTH_CHECK).inputs)
    (primary_record,) = [r for r in p.by_type("aws:route53/record:Record")
                         if r.inputs["failoverRoutingPolicies"] == [{"type": "PRIMARY"}]]
    assert primary_record.property_dependencies["healthCheckId"] == [gate.urn]


# --- the primary Region while it is down ----------------------------------------------------

@pytest.mark.parametrize("phase", PHASES)
def test_primary_provider_calls_nothing_at_configure_time(phase: str) -> None:
    (primary,) = [r for r in in_phase(phase).providers if r.name == "primary"]
    # credentials (STS GetCallerIdentity), account lookup, Region validation and the EC2
    # metadata probe are the provider's configure-time calls; all four are skipped
    assert primary.inputs == {"region": PRIMARY, "skipCredentialsValidation": "true",
                              "skipRequestingAccountId": "true", "skipRegionValidation": "true",
                              "skipMetadataApiCheck": "true"}


def _in_primary(p: Plan) -> dict[str, tuple[Any, ...]]:
    return {r.urn: (r.type, r.inputs, r.options, r.provider, r.parent)
            for r in p.resources if r.region == PRIMARY}


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_failed_over_changes_nothing_in_the_primary_region(strategy: str) -> None:
    normal, failed_over = _in_primary(in_phase("normal", strategy)), _in_primary(
        in_phase("failed-over", strategy))
    assert normal and failed_over == normal


def test_the_failed_over_plan_differs_from_normal_where_it_must() -> None:
    # the comparison above can fail: the standby Region's resources do change
    normal, failed = in_phase("normal"), in_phase("failed-over")
    changed = {r.name for r in failed.resources if r.region == STANDBY
               and r.inputs != normal.get(r.urn).inputs}
    assert {"standby-database-replica", "failover-function"} <= changed


@pytest.mark.parametrize("phase", PHASES)
def test_physical_names_are_stable_across_phases(phase: str) -> None:
    def names(p: Plan) -> dict[str, Any]:
        return {r.urn: r.inputs.get("name") or r.inputs.get("identifier")
                for r in p.resources if r.custom}
    now, normal = names(in_phase(phase)), names(in_phase("normal"))
    assert {u: n for u, n in now.items() if u in normal} == normal


# --- the write switch ----------------------------------------------------------------------

@pytest.mark.parametrize("phase", PHASES)
def test_write_switch_in_both_regions(phase: str) -> None:
    p = in_phase(phase)
    switches = p.by_role(Role.WRITE_SWITCH)
    assert sorted(r.region for r in switches) == [PRIMARY, STANDBY]
    for r in switches:
        assert (r.inputs["name"], r.inputs["type"], r.inputs["value"]) == (
            write_switch_parameter("prod"), "String", "open")
        assert r.options == {"ignoreChanges": ["value"]}   # the orchestrator flips it
    fn = one(p, Role.FAILOVER_ORCHESTRATOR)
    (policy,) = [r for r in p.by_type("aws:iam/rolePolicy:RolePolicy")
                 if r.parent and r.parent == fn.parent and "WriteSwitch" in r.inputs["policy"]]
    import json
    (stmt,) = [s for s in json.loads(policy.inputs["policy"])["Statement"]
               if s["Sid"] == "WriteSwitch"]
    assert stmt["Action"] == ["ssm:GetParameter", "ssm:PutParameter"]
    assert stmt["Resource"] == [
        f"arn:aws:ssm:{r}:123456789012:parameter/ecommerce-dr/prod/writes"
        for r in (PRIMARY, STANDBY)]
    assert fn.type == FUNCTION


# --- config --------------------------------------------------------------------------------

@pytest.mark.parametrize(("failover", "message"), [
    ({"phase": "failed_over"}, "ecommerce-dr:failover.phase: Input should be 'normal', "
                               "'failed-over' or 'reverse-replicating' (got 'failed_over')"),
    ({"reverseReplicaIdentifier": "shop-primary"},
     "ecommerce-dr:failover.reverseReplicaIdentifier: 'shop-primary' is the primary's identifier"),
    ({"reverseReplicaIdentifier": "shop-standby"},
     "ecommerce-dr:failover.reverseReplicaIdentifier: 'shop-standby' is the standby's identifier"),
])
def test_bad_phase_config_stops_before_any_resource(failover: dict[str, str], message: str) -> None:
    from engine.plan import PlanConfigError

    with pytest.raises(PlanConfigError) as e:
        in_phase("normal", **failover) if "phase" not in failover else plan(
            failover=dict(BASE[f"{P}:failover"], **failover))
    assert message in str(e.value) and e.value.resources_declared == 0


def test_bad_reverse_networking_stops_before_any_resource() -> None:
    from engine.plan import PlanConfigError

    db = dict(BASE[f"{P}:database"], reverseSecurityGroupIds=["sg-xyz"])
    with pytest.raises(PlanConfigError) as e:
        plan(database=db, failover=dict(BASE[f"{P}:failover"], phase="reverse-replicating"))
    assert ("ecommerce-dr:database.reverseSecurityGroupIds: each entry must be a security group "
            "ID") in str(e.value) and e.value.resources_declared == 0


def test_mixed_case_identifiers_are_declared_lowercase_as_rds_stores_them() -> None:
    """The IAM resource of the promotion, the alarm dimension and the orchestrator's variable
    all name the instance as RDS stores it."""
    p = plan(database=dict(BASE[f"{P}:database"], standbyIdentifier="Shop-Standby"),
             failover=dict(BASE[f"{P}:failover"], phase="reverse-replicating",
                           reverseReplicaIdentifier="Shop-Rev"))
    ids = sorted(str(r.inputs.get("identifier")) for r in p.resources if r.type == DB)
    assert ids == ["shop-rev", "shop-standby"]
    env = one(p, Role.FAILOVER_ORCHESTRATOR).inputs["environment"]["variables"]
    assert (env["REVERSE_REPLICA_IDENTIFIER"], env["STANDBY_DB_IDENTIFIER"]) == (
        "shop-rev", "shop-standby")
    text = json.dumps([r.inputs for r in p.resources])
    assert "Shop-Rev" not in text and "Shop-Standby" not in text


def test_a_derived_reverse_identifier_equal_to_the_primary_is_refused() -> None:
    from engine.plan import PlanConfigError

    db = dict(BASE[f"{P}:database"], standbyIdentifier="shop-standby",
              primaryInstanceArn=SOURCE.rsplit(":", 1)[0] + ":shop-standby-reverse")
    with pytest.raises(PlanConfigError) as e:
        plan(database=db, failover=dict(BASE[f"{P}:failover"], phase="reverse-replicating"))
    assert ("ecommerce-dr:failover.reverseReplicaIdentifier: the derived identifier "
            "'shop-standby-reverse' is the primary's identifier") in str(e.value)
    assert e.value.resources_declared == 0


# --- Outputs of the component, under pulumi.runtime.test ------------------------------------

class _Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        outputs = dict(args.inputs)
        if args.typ == DB:
            ident = args.inputs["identifier"]
            outputs["arn"] = f"arn:aws:rds:x:123456789012:db:{ident}"
            if args.inputs.get("manageMasterUserPassword"):
                outputs["masterUserSecrets"] = [{"secretArn": f"secret-of-{ident}"}]
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list | None]:
        return {}, None


def _reverse_component(strategy: str) -> Any:
    from components.common import create_providers, naming
    from components.database import StandbyDatabase, StandbyDatabaseArgs
    from tests.program.test_outputs import settings_for

    pulumi.runtime.set_mocks(_Mocks(), preview=False)
    base = settings_for(strategy)
    s = base.model_copy(update={"failover": base.failover.model_copy(
        update={"phase": Phase.REVERSE_REPLICATING})})
    providers = create_providers(s)
    return StandbyDatabase("standby-database", StandbyDatabaseArgs(
        s, providers, naming(s), {PRIMARY: "arn:topic:p", STANDBY: "arn:topic:s"}))


@pytest.fixture
def reverse_component() -> Any:
    return _reverse_component("read-replica")


@pytest.fixture
def dms_reverse_component() -> Any:
    return _reverse_component("dms")


@pulumi.runtime.test
def test_dms_reverse_outputs(dms_reverse_component: Any) -> Any:
    c = dms_reverse_component
    # the mocks' stack is "stack": the task ARN ends with its fixed resource identifier
    assert c.reverse_replica_identifier == REVERSE_TASK_ARN.replace("-prod-", "-stack-")
    assert c.reverse.identifier == "shop-standby-reverse"
    assert len(c.reverse.alarm_names) == 2

    def check(values: list[str]) -> None:
        arn, secret = values
        assert arn.endswith(":db:shop-standby-reverse")
        assert secret == "secret-of-shop-standby-reverse"

    return pulumi.Output.all(c.reverse.arn, c.reverse.secret_arn).apply(check)


@pulumi.runtime.test
def test_reverse_replica_arn_output(reverse_component: Any) -> Any:
    assert reverse_component.reverse_replica_identifier == "shop-standby-reverse"

    def check(arn: str) -> None:
        assert arn.endswith(":db:shop-standby-reverse")

    return reverse_component.reverse.arn.apply(check)
