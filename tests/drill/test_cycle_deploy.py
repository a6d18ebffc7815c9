"""Deploys over an earlier deploy (drill.cycle.diff, drill.cycle.deploy): what a phase change
does to each resource, Pulumi's refusals, and the in-place updates made on moto."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws

from drill.apply import ApplyContext, apply_plan
from drill.apply.common import Applied, Deployment
from drill.cycle.deploy import copy_deployment, deploy_phase, unreachable_in
from drill.cycle.diff import Change, change_of, changes, gone, top_level
from engine.mocks import UNKNOWN
from engine.plan import PlannedResource

RDS = "aws:rds/instance:Instance"
EAST, WEST = "us-east-1", "us-west-2"


def _r(name: str, inputs: dict[str, Any], type_: str = RDS, region: str = WEST,
       **options: Any) -> PlannedResource:
    return PlannedResource(urn=f"urn:pulumi:prod::ecommerce-dr::{type_}::{name}", type=type_,
                           name=name, custom=True, parent=None, provider=None, region=region,
                           inputs=inputs, options=options)


def _deployed(r: PlannedResource, inputs: dict[str, Any] | None = None) -> Applied:
    return Applied(urn=r.urn, type=r.type, name=r.name, region=r.region or WEST, role=None,
                   id=r.name, inputs=dict(r.inputs if inputs is None else inputs))


def _change(new: PlannedResource, old_inputs: dict[str, Any],
            state: dict[str, Any] | None = None) -> Change:
    """``new`` over what was deployed with ``old_inputs`` and ``state`` options (default:
    the same options as now)."""
    return change_of(new, new.inputs, _deployed(new, old_inputs), WEST,
                     new.options if state is None else state)


def test_ops_of_a_planned_resource() -> None:
    base = {"identifier": "shop-standby", "replicateSourceDb": "arn:src", "kmsKeyId": "k1",
            "backupRetentionPeriod": 0}
    assert _change(_r("db", base), base).op == "same"
    assert change_of(_r("db", base), base, None, WEST).op == "create"
    promoted = {**base, "backupRetentionPeriod": 7}
    promoted.pop("replicateSourceDb")
    upd = _change(_r("db", promoted), base)
    assert (upd.op, upd.differs, upd.replacing) == ("update", ["backupRetentionPeriod",
                                                               "replicateSourceDb"], [])
    ignored = _change(_r("db", promoted, ignoreChanges=["replicateSourceDb"]), base)
    assert (ignored.op, ignored.differs, ignored.ignored) == (
        "update", ["backupRetentionPeriod"], ["replicateSourceDb"])
    rekeyed = {**base, "kmsKeyId": "k2"}
    assert _change(_r("db", rekeyed), base).op == "replace"
    refused = _change(_r("db", rekeyed, protect=True), base)
    assert (refused.op, refused.replacing) == ("refused", ["kmsKeyId"])
    assert _change(_r("db", rekeyed, protect=True, ignoreChanges=["kmsKeyId"]), base).op == "same"
    # Pulumi allows unprotecting and replacing in one update: refused only if both protect
    unprotected_before = _change(_r("db", rekeyed, protect=True), base, state={})
    assert (unprotected_before.op, unprotected_before.retained) == ("replace", False)
    kept = _change(_r("db", rekeyed), base, state={"protect": True, "retainOnDelete": True})
    assert (kept.op, kept.retained) == ("replace", True) and "retained" in kept.why
    renamed = {**base, "identifier": "shop-standby-2"}
    assert _change(_r("db", renamed), base).op == "update"   # in place: a rename
    assert _change(_r("db", renamed, protect=True, replaceOnChanges=["identifier"]),
                   base).op == "refused"


def test_unknown_planned_values_are_not_differences() -> None:
    old = {"identifier": "x", "kmsKeyId": "arn:key"}
    c = _change(_r("db", {"identifier": "x", "kmsKeyId": UNKNOWN}, protect=True), old)
    assert (c.op, c.unknown) == ("same", ["kmsKeyId"])


def test_resources_no_longer_declared_are_retained_refused_or_deleted() -> None:
    a = _deployed(_r("old", {}))
    assert gone(a, {"retainOnDelete": True}).op == "retain"
    assert gone(a, {"protect": True, "retainOnDelete": True}).op == "refused"
    assert gone(a, {}).op == "delete"
    kept, dropped = _r("kept", {}), _r("dropped", {})
    out = changes([kept], {}, {kept.urn: _deployed(kept), dropped.urn: _deployed(dropped)},
                  {dropped.urn: {"retainOnDelete": True}}, EAST)
    assert [(c.name, c.op) for c in out] == [("kept", "same"), ("dropped", "retain")]


def test_top_level_paths() -> None:
    assert top_level(["tags.app", "ingress[0].cidr", "kmsKeyId", "*"]) == {
        "tags", "ingress", "kmsKeyId", "*"}


class _Site:
    primary_db_arn = "arn:aws:rds:us-east-1:123456789012:db:shop-primary"


def _ctx(d: Deployment, client: Any = None) -> ApplyContext:
    return ApplyContext(client=client or (lambda s, r: boto3.client(s, region_name=r)),
                        site=_Site(), deployment=d,  # type: ignore[arg-type]
                        env_substitute=lambda k, v: None, primary_region=EAST,
                        standby_region=WEST)


@pytest.fixture
def standby() -> Any:
    """The primary in us-east-1 (made by hand) and the standby replica the first deploy made."""
    with mock_aws():
        primary = boto3.client("rds", region_name=EAST).create_db_instance(
            DBInstanceIdentifier="shop-primary", Engine="postgres", DBInstanceClass="db.r6g.large",
            AllocatedStorage=100, MasterUsername="shop", MasterUserPassword="password-123",
            BackupRetentionPeriod=7)["DBInstance"]
        planned = _r("standby", {"identifier": "shop-standby", "instanceClass": "db.r6g.large",
                                 "replicateSourceDb": primary["DBInstanceArn"]},
                     protect=True, retainOnDelete=True)
        d = apply_plan([planned], _ctx(Deployment()))
        assert not d.failed, d.failed
        yield planned, d


def _rds(identifier: str) -> dict[str, Any]:
    return boto3.client("rds", region_name=WEST).describe_db_instances(
        DBInstanceIdentifier=identifier)["DBInstances"][0]


def test_failed_over_phase_updates_the_promoted_standby_in_place(standby: Any) -> None:
    planned, d = standby
    resource_id = _rds("shop-standby")["DbiResourceId"]
    boto3.client("rds", region_name=WEST).promote_read_replica(DBInstanceIdentifier="shop-standby")
    inputs = {"identifier": "shop-standby", "instanceClass": "db.r6g.large",
              "backupRetentionPeriod": 7, "deletionProtection": True}
    phase = _r("standby", inputs, protect=True, retainOnDelete=True,
               ignoreChanges=["replicateSourceDb"])
    out = deploy_phase("failed-over", [phase], _ctx(copy_deployment(d)),
                       deployed_options={planned.urn: planned.options}, settle=lambda: None)
    assert out.ok and out.ops() == {"update": 1}, out.to_dict()
    (change,) = out.changes
    assert change.differs == ["backupRetentionPeriod", "deletionProtection"]
    assert change.ignored == ["replicateSourceDb"]
    db = _rds("shop-standby")
    assert db["DbiResourceId"] == resource_id           # the same database, not a new one
    assert db["BackupRetentionPeriod"] == 7 and db["DeletionProtection"] is True


def test_a_protected_replacement_is_refused_and_nothing_changes(standby: Any) -> None:
    planned, d = standby
    phase = _r("standby", {**planned.inputs, "kmsKeyId": "arn:aws:kms:us-west-2:1:key/x",
                           "deletionProtection": True}, protect=True)
    out = deploy_phase("failed-over", [phase], _ctx(copy_deployment(d)),
                       deployed_options={planned.urn: planned.options}, settle=lambda: None)
    assert out.refused and not out.ok and out.ops() == {"refused": 1}
    assert _rds("shop-standby")["DeletionProtection"] is False


def test_an_unreachable_region_fails_the_deploy_of_anything_there(standby: Any) -> None:
    planned, d = standby
    alarm = _r("lag", {"namespace": "AWS/RDS", "metricName": "ReplicaLag", "evaluationPeriods": 1,
                       "comparisonOperator": "GreaterThanThreshold", "threshold": 900},
               type_="aws:cloudwatch/metricAlarm:MetricAlarm", region=EAST)
    client = unreachable_in(lambda s, r: boto3.client(s, region_name=r), frozenset({EAST}),
                            "http://127.0.0.1:9")
    out = deploy_phase("failed-over", [planned, alarm], _ctx(copy_deployment(d), client),
                       deployed_options={planned.urn: planned.options}, settle=lambda: None)
    assert out.ops() == {"create": 1, "same": 1}
    assert not out.ok and [f["urn"] for f in out.failed] == [alarm.urn]


def test_a_resource_the_applier_skipped_before_is_not_created_again() -> None:
    dash = _r("dashboard", {"dashboardBody": UNKNOWN}, type_="aws:cloudwatch/dashboard:Dashboard")
    (c,) = changes([dash], {}, {}, {}, EAST, skipped=[dash.urn])
    assert (c.op, c.why) == ("same", "skipped by the drill's applier, as before")


def test_a_region_down_leaves_global_services_unless_their_control_plane_goes_too() -> None:
    made: list[tuple[str, str]] = []

    def factory(service: str, region: str) -> Any:
        made.append((service, region))
        return "reachable"

    regional = unreachable_in(factory, frozenset({EAST}), "http://127.0.0.1:9")
    assert regional("rds", WEST) == regional("route53", EAST) == regional("iam", EAST) == "reachable"
    assert regional("rds", EAST).meta.endpoint_url == "http://127.0.0.1:9"
    east_down = unreachable_in(factory, frozenset({EAST}), "http://127.0.0.1:9",
                               global_control_plane=True)
    for service in ("route53", "iam", "rds"):
        assert east_down(service, EAST).meta.endpoint_url == "http://127.0.0.1:9"
    west_down = unreachable_in(factory, frozenset({WEST}), "http://127.0.0.1:9",
                               global_control_plane=True)
    assert west_down("route53", EAST) == "reachable"
    assert made == [("rds", WEST), ("route53", EAST), ("iam", EAST), ("route53", EAST)]


def test_a_retained_replacement_creates_the_new_instance_and_leaves_the_old(standby: Any) -> None:
    planned, d = standby
    old_id = _rds("shop-standby")["DbiResourceId"]
    fresh = _r("standby", {**planned.inputs, "identifier": "shop-standby-2"}, protect=False,
               retainOnDelete=True, replaceOnChanges=["identifier"])
    out = deploy_phase("normal", [fresh], _ctx(copy_deployment(d)),
                       deployed_options={planned.urn: planned.options}, settle=lambda: None)
    assert out.ok and out.ops() == {"replace": 1} and out.changes[0].retained, out.to_dict()
    assert _rds("shop-standby")["DbiResourceId"] == old_id          # left in AWS
    assert _rds("shop-standby-2")["ReadReplicaSourceDBInstanceIdentifier"]


DMS_ENDPOINT, DMS_TASK = "aws:dms/endpoint:Endpoint", "aws:dms/replicationTask:ReplicationTask"
SOURCE_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:old-primary"
NEW_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:new-primary"


def _dms(name: str, inputs: dict[str, Any], type_: str, deps: dict[str, list[str]],
         **options: Any) -> PlannedResource:
    r = _r(name, inputs, type_, **options)
    r.property_dependencies = deps
    return r


def _pipeline(standby_id: str, source_secret: str) -> list[PlannedResource]:
    """A dms forward pipeline as the program declares it: the standby (managed master secret),
    a source endpoint on ``source_secret``, a target endpoint on the standby's secret, the task."""
    target = _r("target", {"identifier": standby_id, "engine": "postgres",
                           "manageMasterUserPassword": True}, retainOnDelete=True,
                replaceOnChanges=["identifier"])
    endpoint = {"engineName": "postgres", "databaseName": "shop"}
    source_ep = _dms("source-ep", {**endpoint, "endpointId": "shop-source", "endpointType": "source",
                                   "secretsManagerArn": source_secret}, DMS_ENDPOINT, {},
                     replaceOnChanges=["secretsManagerArn"])
    target_ep = _dms("target-ep", {**endpoint, "endpointId": "shop-target", "endpointType": "target",
                                   "secretsManagerArn": UNKNOWN}, DMS_ENDPOINT,
                     {"secretsManagerArn": [target.urn]}, replaceOnChanges=["secretsManagerArn"])
    task = _dms("cdc", {"replicationTaskId": "shop-cdc", "sourceEndpointArn": UNKNOWN,
                        "targetEndpointArn": UNKNOWN, "replicationInstanceArn": "arn:rep",
                        "startReplicationTask": False}, DMS_TASK,
                {"sourceEndpointArn": [source_ep.urn], "targetEndpointArn": [target_ep.urn]},
                replaceOnChanges=["sourceEndpointArn", "targetEndpointArn"])
    return [target, source_ep, target_ep, task]


def _endpoint(ident: str) -> dict[str, Any]:
    (ep,) = boto3.client("dms", region_name=WEST).describe_endpoints(
        Filters=[{"Name": "endpoint-id", "Values": [ident]}])["Endpoints"]
    return ep


def test_a_dms_pipeline_repointed_is_replaced_delete_first_and_names_the_new_databases() -> None:
    with mock_aws():
        first = _pipeline("shop-standby", SOURCE_SECRET)
        d = apply_plan(first, _ctx(Deployment()))
        assert not d.failed, d.failed
        old_secret = _rds("shop-standby")["MasterUserSecret"]["SecretArn"]
        assert _endpoint("shop-target")["PostgreSQLSettings"]["SecretsManagerSecretId"] == old_secret
        out = deploy_phase("normal", _pipeline("shop-standby-2", NEW_SECRET), _ctx(copy_deployment(d)),
                           deployed_options={r.urn: r.options for r in first}, settle=lambda: None)
        assert out.ok, out.to_dict()
        ops = {c.name: (c.op, c.retained) for c in out.changes}
        assert ops == {"target": ("replace", True), "source-ep": ("replace", False),
                       "target-ep": ("replace", False), "cdc": ("replace", False)}
        # the endpoint on the replaced standby and the task on replaced endpoints: replaced
        # because what they name is new, though under mocks it was unknown
        assert [c.name for c in out.changes if "creates or replaces" in c.why] == ["target-ep", "cdc"]
        assert [c.why.rsplit("(", 1)[-1] for c in out.changes[1:]] == [
            "DeleteEndpoint)", "DeleteEndpoint)", "DeleteReplicationTask)"]
        new_secret = _rds("shop-standby-2")["MasterUserSecret"]["SecretArn"]
        assert new_secret != old_secret and _rds("shop-standby")["DBInstanceStatus"]  # retained
        assert _endpoint("shop-target")["PostgreSQLSettings"]["SecretsManagerSecretId"] == new_secret
        assert _endpoint("shop-source")["PostgreSQLSettings"]["SecretsManagerSecretId"] == NEW_SECRET
        (task,) = boto3.client("dms", region_name=WEST).describe_replication_tasks()["ReplicationTasks"]
        assert (task["SourceEndpointArn"], task["TargetEndpointArn"]) == (
            _endpoint("shop-source")["EndpointArn"], _endpoint("shop-target")["EndpointArn"])


def test_a_renewed_dependency_replaces_only_through_replace_on_changes() -> None:
    dep = _r("dep", {"identifier": "x"})
    plain = _dms("plain", {"secretsManagerArn": UNKNOWN}, DMS_ENDPOINT,
                 {"secretsManagerArn": [dep.urn]})
    kept = _dms("kept", {"secretsManagerArn": UNKNOWN}, DMS_ENDPOINT,
                {"secretsManagerArn": [dep.urn]}, protect=True, replaceOnChanges=["secretsManagerArn"])
    deployed = {r.urn: _deployed(r) for r in (plain, kept)}
    out = changes([dep, plain, kept], {}, deployed, {kept.urn: {"protect": True}}, WEST)
    assert [(c.name, c.op) for c in out] == [("dep", "create"), ("plain", "same"),
                                             ("kept", "refused")]
