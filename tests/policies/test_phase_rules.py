"""The DR-cycle rules (policies/rules/phase.py) on the program's own recorded plans, in each
failover phase, driven over the analyzer gRPC protocol: the plans pass; each plan broken in
one way fails with the rule's message."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from contract.deploy_safety import RETAIN_TAG
from contract.env import Env
from contract.names import Role
from engine.pack import PackProcess, Resource, resources_from_plan
from tests.program import variants

F = variants.BASE["ecommerce-dr:failover"]
RULES = {"database-deploy-safety", "failover-phase-consistency"}


#: The module's tests run on one xdist worker, so its module-scoped fixtures are built once.
pytestmark = pytest.mark.xdist_group("tests/policies/test_phase_rules.py")


@pytest.fixture(scope="module")
def pack() -> Iterator[PackProcess]:
    with PackProcess() as p:
        yield p


def resources(strategy: str, phase: str) -> list[Resource]:
    return resources_from_plan(variants.plan(strategy, failover=dict(F, phase=phase)))


def by_role(rs: list[Resource], r: Role, type_: str | None = None) -> Resource:
    (found,) = [x for x in rs if (x.inputs.get("tags") or {}).get("dr:role") == str(r)
                and (type_ is None or x.type == type_)]
    return found


def phase_messages(pack: PackProcess, rs: list[Resource]) -> list[str]:
    return sorted(v.message.split("\n", 1)[-1] for v in pack.evaluate(rs).violations
                  if v.policy in RULES)


@pytest.mark.parametrize("strategy", variants.STRATEGIES)
@pytest.mark.parametrize("phase", ["normal", "failed-over", "reverse-replicating"])
def test_the_program_passes_in_every_phase(pack: PackProcess, strategy: str, phase: str) -> None:
    report = pack.evaluate(resources(strategy, phase))
    assert [v for v in report.violations if v.policy in RULES] == []
    assert not [n for n in report.not_applicable if n.policy in RULES]


def _edit(r: Resource, *, inputs: dict[str, Any] | None = None,
          options: dict[str, Any] | None = None, drop_tag: str | None = None) -> None:
    new = copy.deepcopy(dict(r.inputs))
    new.update(inputs or {})
    if drop_tag:
        new["tags"].pop(drop_tag)
    r.inputs = {k: v for k, v in new.items() if v is not None}
    r.options = {**r.options, **(options or {})}


Breaker = Callable[[list[Resource]], None]
DB, CLUSTER = "aws:rds/instance:Instance", "aws:rds/cluster:Cluster"


def _moved(r: Resource, where: str) -> Resource:
    """A copy of ``r`` declared in Region ``where`` (a second one, beside ``r``)."""
    twin = copy.deepcopy(r)
    twin.name, twin.urn = f"{r.name}-2", f"{r.urn}-2"
    twin.inputs = {**twin.inputs, "region": where, "identifier": f"{r.inputs['identifier']}-2"}
    return twin


def _standby(rs: list[Resource]) -> Resource:
    return by_role(rs, Role.STANDBY_DATABASE)


BROKEN: list[tuple[str, str, Breaker, str]] = [
    ("read-replica", "normal", lambda rs: _edit(_standby(rs), drop_tag=RETAIN_TAG),
     "must be declared with retainOnDelete and tagged dr:retain-on-delete=true"),
    ("read-replica", "normal", lambda rs: _edit(_standby(rs), options={"ignoreChanges": []}),
     "must ignore changes to replicateSourceDb, snapshotIdentifier"),
    ("read-replica", "failed-over", lambda rs: _edit(_standby(rs), options={"protect": False}),
     "must be declared with protect: true in phase failed-over, which keeps it"),
    ("read-replica", "reverse-replicating",
     lambda rs: _edit(_standby(rs), options={"protect": True}),
     "must not be protected in phase reverse-replicating"),
    ("read-replica", "normal",
     lambda rs: _edit(_standby(rs), options={"protect": False}, drop_tag="dr:role"),
     "must be declared with protect: true in every phase"),
    ("aurora-global", "failed-over",
     lambda rs: _edit(by_role(rs, Role.STANDBY_DATABASE, CLUSTER), options={"protect": False}),
     "must be declared with protect: true in every phase"),
    ("aurora-global", "normal",
     lambda rs: _edit(by_role(rs, Role.GLOBAL_DATABASE), drop_tag=RETAIN_TAG),
     "must be declared with retainOnDelete"),
    ("read-replica", "normal", lambda rs: _edit(_standby(rs), inputs={"replicateSourceDb": None}),
     "phase normal, but the standby standby-database-replica is a standalone instance"),
    ("read-replica", "failed-over",
     lambda rs: _edit(_standby(rs), inputs={"replicateSourceDb": "arn:aws:rds:us-east-1:"
                                            "123456789012:db:shop-primary"}),
     "phase failed-over, but the standby standby-database-replica names a replicateSourceDb"),
    ("read-replica", "reverse-replicating",
     lambda rs: rs.remove(by_role(rs, Role.REVERSE_REPLICA)),
     "phase reverse-replicating, but no reverse replica"),
    ("snapshot-restore", "reverse-replicating",
     lambda rs: _edit(by_role(rs, Role.REVERSE_REPLICA), inputs={"replicateSourceDb": None}),
     "phase reverse-replicating, but no reverse replica"),
    ("read-replica", "reverse-replicating",
     lambda rs: _edit(by_role(rs, Role.REVERSE_REPLICA), inputs={
         "replicateSourceDb": "arn:aws:rds:us-west-2:123456789012:db:some-other-db"}),
     "replicates from 'arn:aws:rds:us-west-2:123456789012:db:some-other-db', not the promoted "
     "standby 'shop-standby'"),
    ("read-replica", "reverse-replicating",
     lambda rs: rs.append(_moved(by_role(rs, Role.REVERSE_REPLICA), "us-west-2")),
     "is in us-west-2: it belongs in the primary Region (us-east-1)"),
    ("read-replica", "failed-over",
     lambda rs: _edit(by_role(rs, Role.GATE_HEALTH_CHECK),
                      inputs={"insufficientDataHealthStatus": "Healthy"}),
     "phase failed-over: the gate health check failover-dns-gate must have "
     "insufficientDataHealthStatus Unhealthy or LastKnownStatus (got 'Healthy')"),
    ("read-replica", "normal",
     lambda rs: _edit(by_role(rs, Role.GATE_HEALTH_CHECK),
                      inputs={"insufficientDataHealthStatus": "Unhealthy"}),
     "insufficientDataHealthStatus Healthy or LastKnownStatus (got 'Unhealthy')"),
]


def _set_env(rs: list[Resource], **values: str) -> None:
    fn = by_role(rs, Role.FAILOVER_ORCHESTRATOR)
    env = copy.deepcopy(dict(fn.inputs))
    env["environment"]["variables"].update(values)
    fn.inputs = env


BROKEN += [
    # the plan of one phase, the orchestrator told another
    ("read-replica", "normal", lambda rs: _set_env(rs, **{Env.FAILOVER_PHASE: "failed-over"}),
     "phase failed-over, but the standby standby-database-replica names a replicateSourceDb"),
    ("read-replica", "failed-over", lambda rs: _set_env(rs, **{Env.FAILOVER_PHASE: "normal"}),
     "phase normal, but the standby standby-database-replica is a standalone instance"),
    ("read-replica", "reverse-replicating",
     lambda rs: _set_env(rs, **{Env.REVERSE_REPLICA_IDENTIFIER: "someone-else"}),
     "REVERSE_REPLICA_IDENTIFIER 'someone-else' is not the declared reverse replica"),
    ("read-replica", "reverse-replicating",
     lambda rs: _set_env(rs, **{Env.FAILOVER_PHASE: "normal"}),
     "phase normal, but a reverse replica (standby-database-reverse) is declared."),
]


TASK, ENDPOINT = "aws:dms/replicationTask:ReplicationTask", "aws:dms/endpoint:Endpoint"


def _reverse_task(rs: list[Resource]) -> Resource:
    return by_role(rs, Role.REVERSE_CDC_TASK, TASK)


def _retarget(rs: list[Resource], to: str) -> None:
    """The reverse task's target endpoint reads the secret of ``to``: the old primary's
    (the forward source endpoint's secret) or the promoted standby's."""
    task = _reverse_task(rs)
    (target_urn,) = task.property_dependencies["targetEndpointArn"]
    (target,) = [r for r in rs if r.urn == target_urn]
    forward = {r.inputs["endpointType"]: r for r in rs if r.type == ENDPOINT
               and (r.inputs.get("tags") or {}).get("dr:role") is None}
    donor = forward["source" if to == "old-primary" else "target"]
    _edit(target, inputs={"secretsManagerArn": donor.inputs["secretsManagerArn"]})
    target.property_dependencies = dict(donor.property_dependencies)


def _reverse_source(rs: list[Resource]) -> Resource:
    (urn,) = _reverse_task(rs).property_dependencies["sourceEndpointArn"]
    (found,) = [r for r in rs if r.urn == urn]
    return found


def _swap_forward_endpoint(rs: list[Resource]) -> None:
    """The reverse task reads through the forward source endpoint (the swapped reuse)."""
    task = _reverse_task(rs)
    (source,) = [r for r in rs if r.type == ENDPOINT and r.inputs["endpointType"] == "source"
                 and (r.inputs.get("tags") or {}).get("dr:role") is None]
    task.property_dependencies = {**task.property_dependencies, "targetEndpointArn": [source.urn]}


def _regrant(rs: list[Resource], resources: list[str]) -> None:
    """The failover role's ReverseCdcTask statement granted on ``resources`` instead."""
    import json

    for r in rs:
        if r.type == "aws:iam/rolePolicy:RolePolicy" and "ReverseCdcTask" in str(
                r.inputs.get("policy")):
            doc = json.loads(r.inputs["policy"])
            for st in doc["Statement"]:
                if st.get("Sid") == "ReverseCdcTask":
                    st["Resource"] = resources
            _edit(r, inputs={"policy": json.dumps(doc)})
            return
    raise AssertionError("no ReverseCdcTask statement in the plan")


def _endpoint_read(rs: list[Resource], action: str | None) -> None:
    """The failover role's ReadCdcEndpoints statement with ``action`` instead (None: dropped)."""
    import json

    for r in rs:
        if r.type == "aws:iam/rolePolicy:RolePolicy" and "ReadCdcEndpoints" in str(
                r.inputs.get("policy")):
            doc = json.loads(r.inputs["policy"])
            kept = [st for st in doc["Statement"] if st.get("Sid") != "ReadCdcEndpoints"]
            if action is not None:
                kept.append({"Sid": "ReadCdcEndpoints", "Effect": "Allow", "Action": [action],
                             "Resource": ["*"]})
            _edit(r, inputs={"policy": json.dumps({**doc, "Statement": kept})})
            return
    raise AssertionError("no ReadCdcEndpoints statement in the plan")


NO_ENDPOINT_READ = ("the failover orchestrator's role may not call dms:DescribeEndpoints on "
                    "'*': after a failback, failover readiness could not tell")


@pytest.mark.parametrize("action", ["DMS:describeEndpoints", "dms:Describe*", "dms:*"])
def test_an_endpoint_read_grant_in_any_spelling_passes(pack: PackProcess, action: str) -> None:
    rs = resources("dms", "normal")
    _endpoint_read(rs, action)
    assert not [m for m in phase_messages(pack, rs) if NO_ENDPOINT_READ in m]


BROKEN += [
    ("dms", "normal", lambda rs: _endpoint_read(rs, None), NO_ENDPOINT_READ),
    ("dms", "reverse-replicating", lambda rs: _endpoint_read(rs, None), NO_ENDPOINT_READ),
    ("dms", "normal", lambda rs: _endpoint_read(rs, "dms:DescribeEndpointTypes"),
     NO_ENDPOINT_READ),
    ("dms", "reverse-replicating",
     lambda rs: _regrant(rs, ["arn:aws:dms:us-west-2:123456789012:task:*"]),
     "the failover orchestrator's role grants dms:StopReplicationTask on "
     "'arn:aws:dms:us-west-2:123456789012:task:*': only the named tasks"),
    ("dms", "reverse-replicating",
     lambda rs: _regrant(rs, ["arn:aws:dms:us-west-2:123456789012:task:someone-elses"]),
     "the failover orchestrator's role may not stop the reverse DMS task "
     "'arn:aws:dms:us-west-2:123456789012:task:ecommerce-dr-prod-rcdc'"),
    ("dms", "reverse-replicating", lambda rs: rs.remove(_reverse_task(rs)),
     "phase reverse-replicating, but 0 reverse DMS tasks (tagged reverse-cdc-task) are declared"),
    ("dms", "reverse-replicating", lambda rs: rs.remove(by_role(rs, Role.REVERSE_REPLICA)),
     "phase reverse-replicating, but no reverse target (a fresh RDS instance tagged "
     "reverse-replica) is declared in the primary Region (us-east-1)."),
    ("dms", "reverse-replicating",
     lambda rs: _edit(by_role(rs, Role.REVERSE_REPLICA), inputs={
         "replicateSourceDb": "arn:aws:rds:us-west-2:123456789012:db:shop-standby"}),
     "the reverse target standby-database-reverse names a replicateSourceDb"),
    ("dms", "reverse-replicating",
     lambda rs: rs.append(_moved(by_role(rs, Role.REVERSE_REPLICA), "us-west-2")),
     "the reverse target standby-database-reverse-2 is in us-west-2: it belongs in the primary "
     "Region (us-east-1)"),
    ("dms", "reverse-replicating",
     lambda rs: _edit(_reverse_task(rs), inputs={"startReplicationTask": False}),
     "the reverse DMS task standby-database-reverse-cdc is not started"),
    ("dms", "reverse-replicating", lambda rs: _retarget(rs, "old-primary"),
     "the reverse DMS task standby-database-reverse-cdc writes through "
     "standby-database-reverse-target, which does not read the secret of the reverse target "
     "standby-database-reverse: it would write into another database"),
    ("dms", "reverse-replicating", _swap_forward_endpoint,
     "the reverse DMS task standby-database-reverse-cdc has no target endpoint of its own"),
    ("dms", "reverse-replicating",
     lambda rs: _edit(_reverse_source(rs), inputs={
         "secretsManagerArn": "arn:aws:secretsmanager:us-west-2:123456789012:secret:x"}),
     "the reverse DMS task standby-database-reverse-cdc reads through "
     "standby-database-reverse-source, whose secret is not the promoted standby's"),
    ("dms", "reverse-replicating",
     lambda rs: _set_env(rs, **{Env.REVERSE_REPLICA_IDENTIFIER:
                                "arn:aws:dms:us-west-2:123456789012:task:ecommerce-dr-prod-cdc"}),
     "REVERSE_REPLICA_IDENTIFIER 'arn:aws:dms:us-west-2:123456789012:task:ecommerce-dr-prod-cdc' "
     "is not the declared reverse DMS task (resource identifier 'ecommerce-dr-prod-rcdc')"),
    ("dms", "reverse-replicating",
     lambda rs: _set_env(rs, **{Env.FAILOVER_PHASE: "failed-over"}),
     "phase failed-over, but a reverse DMS ReplicationTask (standby-database-reverse-cdc) is "
     "declared."),
    ("dms", "reverse-replicating",
     lambda rs: _edit(by_role(rs, Role.REVERSE_REPLICA), options={"protect": True}),
     "Database resource standby-database-reverse (aws:rds/instance:Instance) must not be "
     "protected in phase reverse-replicating"),
    ("dms", "reverse-replicating",
     lambda rs: _edit(by_role(rs, Role.REVERSE_REPLICA), drop_tag=RETAIN_TAG),
     "Database resource standby-database-reverse (aws:rds/instance:Instance) must be declared "
     "with retainOnDelete"),
]


@pytest.mark.parametrize(("strategy", "phase", "breaker", "message"), BROKEN,
                         ids=[f"{s}-{p}-{i}" for i, (s, p, _, _) in enumerate(BROKEN)])
def test_each_rule_fails_a_broken_plan(pack: PackProcess, strategy: str, phase: str,
                                       breaker: Breaker, message: str) -> None:
    rs = resources(strategy, phase)
    breaker(rs)
    found = phase_messages(pack, rs)
    assert any(message in m for m in found), found


def _add_statement(rs: list[Resource], statement: dict[str, Any]) -> None:
    """A statement added to the failover role's policy, beside its named grants."""
    import json

    (policy,) = [r for r in rs if r.type == "aws:iam/rolePolicy:RolePolicy"
                 and "ReverseCdcTask" in str(r.inputs.get("policy"))]
    doc = json.loads(policy.inputs["policy"])
    doc["Statement"].append({"Sid": "Added", **statement})
    _edit(policy, inputs={"policy": json.dumps(doc)})


def _second_fresh_target(rs: list[Resource]) -> None:
    rs.append(_moved(by_role(rs, Role.REVERSE_REPLICA, DB), "us-east-1"))


def _second_fresh_target_and_old_primary(rs: list[Resource]) -> None:
    _second_fresh_target(rs)
    _retarget(rs, "old-primary")


REVERSE_TASK = "arn:aws:dms:us-west-2:123456789012:task:ecommerce-dr-prod-rcdc"
_TASK_ARN = "arn:aws:dms:us-west-2:123456789012:task:"
_WIDE = ("the failover orchestrator's role grants dms:StopReplicationTask on {}: only the named "
         "tasks (the forward task and the reverse task REVERSE_REPLICA_IDENTIFIER) may be "
         "stopped.")
_TWO_FRESH = ("phase reverse-replicating, but 2 fresh reverse targets (standby-database-reverse, "
              "standby-database-reverse-2) are declared in the primary Region (us-east-1); the "
              "failback promotes exactly one.")

#: dms reverse-replicating plans broken in one way -> every message of the phase rules.
DMS_REVERSE_BROKEN: list[tuple[str, Breaker, list[str]]] = [
    ("stop granted in another case on *", lambda rs: _add_statement(
        rs, {"Effect": "Allow", "Action": "DMS:stopreplicationtask", "Resource": "*"}),
     [_WIDE.format("'*'")]),
    ("stop granted by a wildcard action on another task", lambda rs: _add_statement(
        rs, {"Effect": "Allow", "Action": ["dms:Stop*"], "Resource": f"{_TASK_ARN}other"}),
     [_WIDE.format(repr(f"{_TASK_ARN}other"))]),
    ("stop granted on task:???? (the ? wildcard)", lambda rs: _add_statement(
        rs, {"Effect": "Allow", "Action": "dms:StopReplicationTas?",
             "Resource": _TASK_ARN + "?" * 22}),
     [_WIDE.format(repr(_TASK_ARN + "?" * 22))]),
    ("stop granted with NotResource", lambda rs: _add_statement(
        rs, {"Effect": "Allow", "Action": "dms:StopReplicationTask",
             "NotResource": f"{_TASK_ARN}nothing"}),
     [_WIDE.format(f"every resource but ['{_TASK_ARN}nothing'] (NotResource)")]),
    ("stop granted by a NotAction that does not list it", lambda rs: _add_statement(
        rs, {"Effect": "Allow", "NotAction": ["s3:*"], "Resource": ["*"]}),
     [_WIDE.format("'*'")]),
    ("a second fresh reverse target", _second_fresh_target, [_TWO_FRESH]),
    ("a second fresh reverse target, the task writing into the old primary",
     _second_fresh_target_and_old_primary,
     [_TWO_FRESH,
      "the reverse DMS task standby-database-reverse-cdc writes through "
      "standby-database-reverse-target, which does not read the secret of the reverse target "
      "standby-database-reverse or standby-database-reverse-2: it would write into another "
      "database (the old primary may hold the only copy of the orders the failover lost)."]),
]


@pytest.mark.parametrize(("breaker", "messages"), [c[1:] for c in DMS_REVERSE_BROKEN],
                         ids=[c[0] for c in DMS_REVERSE_BROKEN])
def test_dms_reverse_rules_name_each_fault(pack: PackProcess, breaker: Breaker,
                                           messages: list[str]) -> None:
    rs = resources("dms", "reverse-replicating")
    breaker(rs)
    assert phase_messages(pack, rs) == sorted(messages)


#: Statements that cannot stop any task but the named ones.
DMS_GRANTS_PASSING: dict[str, dict[str, Any]] = {
    "exact grant in another case": {"Effect": "Allow", "Action": "DMS:stopreplicationtask",
                                    "Resource": REVERSE_TASK},
    "NotAction listing the stop": {"Effect": "Allow", "NotAction": ["dms:Stop*", "s3:*"],
                                   "Resource": "*"},
    "a Deny on every task": {"Effect": "Deny", "Action": "dms:*", "Resource": f"{_TASK_ARN}*"},
    "another action on *": {"Effect": "Allow", "Action": "dms:DescribeReplicationTasks",
                            "Resource": "*"},
}


@pytest.mark.parametrize("name", list(DMS_GRANTS_PASSING))
def test_dms_reverse_grants_reaching_only_named_tasks_pass(pack: PackProcess, name: str) -> None:
    rs = resources("dms", "reverse-replicating")
    _add_statement(rs, DMS_GRANTS_PASSING[name])
    assert phase_messages(pack, rs) == []
