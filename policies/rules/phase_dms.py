"""The ``dms`` part of ``failover-phase-consistency`` (:mod:`policies.rules.phase`) in phase
``reverse-replicating``: the plan declares the reverse CDC pipeline the failback checks and
stops (:mod:`components.standby.dms_reverse`).

* exactly one reverse target: an RDS instance tagged ``reverse-replica`` in the primary
  Region, fresh (no ``replicateSourceDb``: it is written by the reverse task, not replicated);
* a reverse task tagged ``reverse-cdc-task``, started, whose target endpoint reads the
  reverse target's secret (so it writes into the fresh instance, never into the old primary,
  which may hold the only copy of the orders an unplanned failover lost) and whose source
  endpoint reads the same secret as the forward task's target endpoint (the promoted
  standby);
* REVERSE_REPLICA_IDENTIFIER names that task (``...:task:<resourceIdentifier>``): the
  failback checks and stops only the task it names; the failover orchestrator's role grants
  ``dms:StopReplicationTask`` on that ARN, and on no other task but the forward one
  (``DMS_TASK_ARN``). Statements are read as IAM reads them: action names without case,
  ``*`` and ``?`` wildcards in actions and resources, ``NotAction`` (every action but the
  listed) and ``NotResource`` (every resource but the listed) (IAM User Guide, "IAM JSON
  policy elements: Action" and "...: NotResource",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html).

A secret that is unknown during preview is compared by what it is computed from (its
property dependencies); when neither tells, the check is left to the next preview.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import StackValidationArgs

from contract.env import Env
from contract.names import STOP_TASK_ACTION, Role
from policies.resource_types import (
    DMS_ENDPOINT,
    DMS_REPLICATION_TASK,
    RDS_INSTANCE,
)
from policies.rules.common import Unknown, by_type, is_unknown, region, role, value
from policies.rules.role_grants import allows, failover_statements, listed

_SECRET = "secretsManagerArn"
_STOP = STOP_TASK_ACTION


def _tagged(args: StackValidationArgs, type_: str, kind: Role) -> list[Any]:
    return [r for r in by_type(args.resources, type_) if role(r.props) == kind]


def _known(r: Any, key: str) -> Any:
    """The input ``key`` of ``r``, or :class:`Unknown` itself when it is computed."""
    try:
        return value(r.props, key)
    except Unknown:
        return Unknown


def _sources(r: Any, key: str) -> set[str]:
    return {d.urn for d in r.property_dependencies.get(key, [])}


def _endpoint(task: Any, key: str) -> Any | None:
    found = [d for d in task.property_dependencies.get(key, []) if d.resource_type == DMS_ENDPOINT]
    return found[0] if len(found) == 1 else None


def _same_secret(a: Any, b: Any) -> bool | None:
    """Whether endpoints ``a`` and ``b`` read one secret (None: the plan cannot tell yet)."""
    va, vb = _known(a, _SECRET), _known(b, _SECRET)
    if va is not Unknown and vb is not Unknown:
        return bool(va) and va == vb
    sa, sb = _sources(a, _SECRET), _sources(b, _SECRET)
    return (sa == sb) if sa and sb else None


def _target_problem(task: Any, fresh: list[Any]) -> str | None:
    """The reverse task's target endpoint must read the secret of the one fresh reverse
    target; anything else (the old primary, an endpoint of no fresh target) is a violation,
    whatever else the plan declares."""
    target = _endpoint(task, "targetEndpointArn")
    if target is None or _known(target, "endpointType") != "target":
        return (f"the reverse DMS task {task.name} has no target endpoint of its own in the "
                "plan (an endpoint's type is fixed: the forward endpoints cannot be reused "
                "swapped).")
    # reading one of several fresh targets: the count is reported on its own
    if any(f.urn in _sources(target, _SECRET) for f in fresh):
        return None
    if _known(target, _SECRET) is Unknown and not _sources(target, _SECRET):
        return None
    names = " or ".join(f.name for f in fresh) or "(none declared)"
    return (f"the reverse DMS task {task.name} writes through {target.name}, which does not "
            f"read the secret of the reverse target {names}: it would write into another "
            "database (the old primary may hold the only copy of the orders the failover "
            "lost).")


def _source_problem(args: StackValidationArgs, task: Any) -> str | None:
    source = _endpoint(task, "sourceEndpointArn")
    forward_targets = [e for t in by_type(args.resources, DMS_REPLICATION_TASK)
                       if role(t.props) != Role.REVERSE_CDC_TASK
                       for e in [_endpoint(t, "targetEndpointArn")] if e is not None]
    if source is None or _known(source, "endpointType") != "source":
        return (f"the reverse DMS task {task.name} has no source endpoint of its own in the "
                "plan.")
    if any(_same_secret(source, e) is False for e in forward_targets):
        return (f"the reverse DMS task {task.name} reads through {source.name}, whose secret is "
                "not the promoted standby's (the forward task's target endpoint's).")
    return None


def _identifier_problem(task: Any, wanted: Any) -> str | None:
    rid = _known(task, "resourceIdentifier")
    if rid is Unknown or is_unknown(wanted):
        return None
    if not isinstance(wanted, str) or ":task:" not in wanted or wanted.rsplit(":", 1)[-1] != rid:
        return (f"{Env.REVERSE_REPLICA_IDENTIFIER} {wanted!r} is not the declared reverse DMS "
                f"task (resource identifier {rid!r}): the failback would check another task.")
    return None


def reverse_problems(args: StackValidationArgs, variables: dict[str, Any]) -> Iterator[str]:
    """The problems of the dms reverse pipeline in phase reverse-replicating (module doc)."""
    primary = variables.get(Env.PRIMARY_REGION)
    fresh = []
    for r in _tagged(args, RDS_INSTANCE, Role.REVERSE_REPLICA):
        try:
            where = region(r.props, r.provider)
        except Unknown:
            continue
        if where != primary:
            yield (f"the reverse target {r.name} is in {where}: it belongs in the primary Region "
                   f"({primary}), where it becomes the primary at the failback.")
        elif _known(r, "replicateSourceDb"):
            yield (f"the reverse target {r.name} names a replicateSourceDb: it must be a fresh "
                   "instance the reverse DMS task writes into.")
        else:
            fresh.append(r)
    tasks = _tagged(args, DMS_REPLICATION_TASK, Role.REVERSE_CDC_TASK)
    if not fresh:
        yield (f"phase reverse-replicating, but no reverse target (a fresh RDS instance tagged "
               f"{Role.REVERSE_REPLICA}) is declared in the primary Region ({primary}).")
    elif len(fresh) > 1:
        yield (f"phase reverse-replicating, but {len(fresh)} fresh reverse targets "
               f"({', '.join(r.name for r in fresh)}) are declared in the primary Region "
               f"({primary}); the failback promotes exactly one.")
    if len(tasks) != 1:
        yield (f"phase reverse-replicating, but {len(tasks)} reverse DMS tasks (tagged "
               f"{Role.REVERSE_CDC_TASK}) are declared; the failback needs exactly one.")
        return
    (task,) = tasks
    if _known(task, "startReplicationTask") is not True:
        yield (f"the reverse DMS task {task.name} is not started (startReplicationTask): "
               "nothing would copy the promoted standby's writes back.")
    problems = [_target_problem(task, fresh),
                _source_problem(args, task),
                _identifier_problem(task, variables.get(Env.REVERSE_REPLICA_IDENTIFIER))]
    yield from (p for p in problems if p)
    yield from grant_problems(args, variables)


def _stray_grants(st: dict[str, Any], named: set[str]) -> Iterator[str]:
    """What a statement granting the stop reaches beyond the ``named`` task ARNs."""
    if "NotResource" in st:
        yield f"every resource but {listed(st['NotResource'])} (NotResource)"
        return
    for res in listed(st.get("Resource", [])):
        if res not in named:
            yield repr(res)


def grant_problems(args: StackValidationArgs, variables: dict[str, Any]) -> Iterator[str]:
    """The failover role may stop the declared reverse task and the forward task, by their
    exact ARNs, and nothing else: a grant on ``*``, ``task:*``, ``task:????``, another task or
    ``NotResource`` would let a bug stop another stack's replication."""
    wanted = variables.get(Env.REVERSE_REPLICA_IDENTIFIER)
    statements = failover_statements(args)
    if statements is None or is_unknown(wanted):
        return
    forward = variables.get(Env.DMS_TASK_ARN)
    named = {x for x in (wanted, forward) if isinstance(x, str) and x and not is_unknown(x)}
    granted: set[str] = set()
    for st in (s for s in statements if isinstance(s, dict) and allows(s, _STOP)):
        for reach in _stray_grants(st, named):
            yield (f"the failover orchestrator's role grants {_STOP} on {reach}: only the "
                   "named tasks (the forward task and the reverse task "
                   f"{Env.REVERSE_REPLICA_IDENTIFIER}) may be stopped.")
        if "NotResource" not in st:
            granted |= set(listed(st.get("Resource", [])))
    if wanted and wanted not in granted:
        yield (f"the failover orchestrator's role may not stop the reverse DMS task {wanted!r} "
               f"({_STOP}): the failback would pause writes and then be denied the stop.")


def stray_problems(args: StackValidationArgs, phase: Any) -> Iterator[str]:
    """Outside reverse-replicating no reverse DMS task or endpoint is declared."""
    for kind, type_ in ((Role.REVERSE_CDC_TASK, DMS_REPLICATION_TASK),
                        (Role.REVERSE_CDC_ENDPOINT, DMS_ENDPOINT)):
        for r in _tagged(args, type_, kind):
            yield f"phase {phase}, but a reverse DMS {type_.rsplit(':', 1)[-1]} ({r.name}) is declared."
