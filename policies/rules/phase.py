"""DR-cycle rules: no deploy may replace or delete a database that holds data, and the plan
says what the configured failover phase says.

The phase is the failover orchestrator's ``FAILOVER_PHASE`` (the program renders
``failover.phase`` there); the pack never guesses it.

* ``database-deploy-safety``: every database resource (RDS instance, Aurora cluster, global
  database, recovery points) carries the retain tag (:data:`contract.deploy_safety.RETAIN_TAG`,
  the stand-in for ``retainOnDelete``, which the analyzer protocol does not carry) and
  ``ignoreChanges`` on its type's replacing arguments (:mod:`contract.deploy_safety`); the
  standby is protected where the phase keeps it (:attr:`contract.phases.Phase.keeps_standby`)
  and not protected where the next phase lets it go (a protected resource the next program
  stops declaring stops that deploy); clusters and the global database are always protected.
* ``failover-phase-consistency``: in ``normal`` a read-replica standby names its source and no
  reverse replica is declared; after a failover no standby instance names a source (it is the
  writer: a source would make the provider demote nothing and replace it); in
  ``reverse-replicating`` an instance standby (not dms) has a reverse replica in the primary
  Region, replicating, named by ``REVERSE_REPLICA_IDENTIFIER`` (dms: the reverse CDC
  pipeline, :mod:`policies.rules.phase_dms`), and no reverse DMS task or endpoint outside
  it; dms, in every phase: the failover orchestrator's role may read DMS endpoints
  (``dms:DescribeEndpoints``, :mod:`policies.rules.dms_reads`); the gate's health check
  keeps traffic where the phase says when its alarm has no data (``Healthy`` or
  ``LastKnownStatus`` in normal, ``Unhealthy`` or ``LastKnownStatus`` after a failover: a
  re-created gate alarm starts in INSUFFICIENT_DATA).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import Policy, ReportViolation, StackValidationArgs

from contract.deploy_safety import (
    CLUSTER_REPLACING,
    GLOBAL_REPLACING,
    INSTANCE_REPLACING,
    RETAIN_TAG,
    RETAIN_VALUE,
)
from contract.env import Env
from contract.names import Role
from contract.phases import Phase
from contract.strategies import Standby, Strategy, spec
from policies.resource_types import HEALTH_CHECK, RDS_CLUSTER, RDS_GLOBAL_CLUSTER, RDS_INSTANCE, RDS_SNAPSHOTS
from policies.rules import dms_reads, phase_dms
from policies.rules.common import Unknown, by_type, env, is_unknown, region, role, value
from policies.rules.declare import not_applicable, stack_policy

#: Database resource type -> the arguments it must ignore.
REPLACING: dict[str, tuple[str, ...]] = {
    RDS_INSTANCE: INSTANCE_REPLACING, RDS_CLUSTER: CLUSTER_REPLACING,
    RDS_GLOBAL_CLUSTER: GLOBAL_REPLACING, **dict.fromkeys(RDS_SNAPSHOTS, ())}


def _orchestrator_env(args: StackValidationArgs) -> dict[str, Any]:
    """The failover orchestrator's variables; not applicable without one or while its phase
    is unknown."""
    for r in args.resources:
        if role(r.props) == Role.FAILOVER_ORCHESTRATOR:
            try:
                variables = env(r.props)
            except Unknown:
                break
            if is_unknown(variables.get(Env.FAILOVER_PHASE)):
                break
            return variables
    not_applicable(f"no failover orchestrator with a known {Env.FAILOVER_PHASE} in the plan")
    raise AssertionError  # not reached: not_applicable raises


def _phase(variables: dict[str, Any], report: ReportViolation) -> Phase | None:
    raw = variables.get(Env.FAILOVER_PHASE, str(Phase.NORMAL))
    try:
        return Phase(raw)
    except ValueError:
        report(f"{Env.FAILOVER_PHASE} {raw!r} is not a failover phase (one of "
               f"{', '.join(str(p) for p in Phase)}).")
        return None


def _tags(r: Any) -> dict[str, Any]:
    try:
        t = value(r.props, "tags", default={})
    except Unknown:
        return {}
    return t if isinstance(t, dict) else {}


def _protect_problem(r: Any, phase: Phase) -> str | None:
    """Whether ``r``'s ``protect`` fits the phase (None when it does)."""
    kind, protected = role(r.props), bool(r.opts.protect)
    # An instance without a role is not one the phases account for: protected, to fail closed.
    always = (r.resource_type in (RDS_CLUSTER, RDS_GLOBAL_CLUSTER)
              or (kind is None and r.resource_type == RDS_INSTANCE))
    if always or (kind == Role.STANDBY_DATABASE and phase.keeps_standby):
        if not protected:
            why = "in every phase" if always else f"in phase {phase}, which keeps it"
            return (f"must be declared with protect: true {why}; no deploy may replace or "
                    "delete a database that holds data.")
    elif protected and kind in (Role.STANDBY_DATABASE, Role.REVERSE_REPLICA):
        return (f"must not be protected in phase {phase}: the next phase's program no longer "
                "declares it (it stays in AWS through retainOnDelete), and a protected "
                "resource would stop that deploy.")
    return None


def _safety_problems(r: Any, phase: Phase) -> Iterator[str]:
    if _tags(r).get(RETAIN_TAG) != RETAIN_VALUE:
        yield (f"must be declared with retainOnDelete and tagged {RETAIN_TAG}={RETAIN_VALUE}: "
               "a resource the program stops declaring must stay in AWS.")
    missing = [k for k in REPLACING[r.resource_type] if k not in (r.opts.ignore_changes or [])]
    if missing:
        yield (f"must ignore changes to {', '.join(missing)}: a refresh after a promotion, "
               "failover or switchover would otherwise show a replacing diff.")
    problem = _protect_problem(r, phase)
    if problem:
        yield problem


def deploy_safety(**overrides: Any) -> Policy:
    """``database-deploy-safety`` (see the module doc)."""

    def check(args: StackValidationArgs, report: ReportViolation, cfg: dict[str, Any]) -> None:
        phase = _phase(_orchestrator_env(args), report)
        if phase is None:
            return
        for r in by_type(args.resources, *REPLACING):
            for problem in _safety_problems(r, phase):
                report(f"Database resource {r.name} ({r.resource_type}) {problem}", r.urn)

    return stack_policy(
        name="database-deploy-safety",
        description="Checks whether every database resource is retained on delete, ignores "
                    "its replacing arguments and is protected where the failover phase keeps "
                    "it.", check=check, overrides=overrides)


def _instances(args: StackValidationArgs, kind: Role) -> list[Any]:
    return [r for r in by_type(args.resources, RDS_INSTANCE) if role(r.props) == kind]


def _has_source(r: Any) -> bool:
    try:
        return bool(value(r.props, "replicateSourceDb"))
    except Unknown:
        return True


def _standby_problems(args: StackValidationArgs, phase: Phase, strategy: str) -> Iterator[str]:
    for r in _instances(args, Role.STANDBY_DATABASE):
        if phase is Phase.NORMAL and strategy == Strategy.READ_REPLICA and not _has_source(r):
            yield (f"phase normal, but the standby {r.name} is a standalone instance (no "
                   "replicateSourceDb): after a failover, set failover.phase failed-over; after "
                   "a failback, a fresh database.standbyIdentifier.")
        if phase is not Phase.NORMAL and _has_source(r):
            yield (f"phase {phase}, but the standby {r.name} names a replicateSourceDb: the "
                   "promoted standby is the writer and has no source.")
    if phase is not Phase.REVERSE_REPLICATING:
        for r in _instances(args, Role.REVERSE_REPLICA):
            yield f"phase {phase}, but a reverse replica ({r.name}) is declared."
        yield from phase_dms.stray_problems(args, phase)


def _reverse_problem(r: Any, where: Any, primary: Any, standby: Any) -> str | None:
    """A reverse replica outside the primary Region, or replicating from anything but the
    promoted standby (None when it fits, or when the plan cannot tell yet)."""
    if where != primary:
        return (f"the reverse replica {r.name} is in {where}: it belongs in the primary Region "
                f"({primary}), where the failback promotes it.")
    try:
        source = value(r.props, "replicateSourceDb")
    except Unknown:
        return None
    if (source and isinstance(standby, str) and not is_unknown(standby)
            and str(source).rsplit(":", 1)[-1] != standby):
        return (f"the reverse replica {r.name} replicates from {source!r}, not the promoted "
                f"standby {standby!r}: the failback would promote a copy of another database.")
    return None


def _reverse_problems(args: StackValidationArgs, variables: dict[str, Any],
                      strategy: str) -> Iterator[str]:
    if spec(strategy).standby is Standby.CLUSTER:
        return
    if strategy == Strategy.DMS:
        yield from phase_dms.reverse_problems(args, variables)
        return
    primary = variables.get(Env.PRIMARY_REGION)
    wanted = variables.get(Env.REVERSE_REPLICA_IDENTIFIER)
    found = []
    for r in _instances(args, Role.REVERSE_REPLICA):
        try:
            where, ident = region(r.props, r.provider), value(r.props, "identifier")
        except Unknown:
            continue
        problem = _reverse_problem(r, where, primary, variables.get(Env.STANDBY_DB_IDENTIFIER))
        if problem:
            yield problem
        elif _has_source(r):
            found.append(ident)
    if not found:
        yield (f"phase reverse-replicating, but no reverse replica (a read replica of the "
               f"promoted standby tagged {Role.REVERSE_REPLICA}) is declared in the primary "
               f"Region ({primary}).")
    elif not is_unknown(wanted) and wanted not in found:
        yield (f"{Env.REVERSE_REPLICA_IDENTIFIER} {wanted!r} is not the declared reverse replica "
               f"({', '.join(map(str, found))}): the failback would check another instance.")


#: Gate health-check statuses while its alarm has no data that keep traffic where the phase
#: says: LastKnownStatus is healthy for a new check and keeps the failover's unhealthy.
GATE_STATUSES: dict[bool, tuple[str, ...]] = {False: ("Healthy", "LastKnownStatus"),
                                              True: ("Unhealthy", "LastKnownStatus")}


def _gate_problems(args: StackValidationArgs, phase: Phase) -> Iterator[str]:
    allowed = GATE_STATUSES[phase.traffic_on_standby]
    for r in by_type(args.resources, HEALTH_CHECK):
        if role(r.props) != Role.GATE_HEALTH_CHECK:
            continue
        got = value(r.props, "insufficientDataHealthStatus", default="Healthy")
        if not is_unknown(got) and got not in allowed:
            yield (f"phase {phase}: the gate health check {r.name} must have "
                   f"insufficientDataHealthStatus {' or '.join(allowed)} (got {got!r}); a "
                   "re-created gate alarm starts in INSUFFICIENT_DATA and must keep traffic "
                   f"{'on the standby' if phase.traffic_on_standby else 'on the primary'}.")


def phase_consistency(**overrides: Any) -> Policy:
    """``failover-phase-consistency`` (see the module doc)."""

    def check(args: StackValidationArgs, report: ReportViolation, cfg: dict[str, Any]) -> None:
        variables = _orchestrator_env(args)
        phase = _phase(variables, report)
        strategy = variables.get(Env.DB_STRATEGY)
        if phase is None or is_unknown(strategy):
            return
        problems = [*_standby_problems(args, phase, strategy), *_gate_problems(args, phase)]
        if strategy == Strategy.DMS:
            problems += dms_reads.read_grant_problems(args)
        if phase is Phase.REVERSE_REPLICATING:
            problems += _reverse_problems(args, variables, strategy)
        for message in problems:
            report(message)

    return stack_policy(
        name="failover-phase-consistency",
        description="Checks whether the plan declares what the configured failover phase says: "
                    "the standby's source, the reverse replica, the gate's insufficient-data "
                    "status.", check=check, overrides=overrides)


def policies() -> list[Policy]:
    return [deploy_safety(), phase_consistency()]
