"""Compute rules: the failover orchestrator runs in the standby Region.

An orchestrator in the primary Region fails with the Region it is meant to recover from.
The standby Region is the orchestrator's own ``STANDBY_REGION`` variable (set by the program
from validated config, read through :class:`contract.env.FailoverEnv`) unless the policy config
names one.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Policy, ReportViolation, ResourceValidationArgs

from contract.env import Env, FailoverEnv
from contract.names import Role
from policies.orchestrator_env import PlannedEnv
from policies.resource_types import FUNCTION
from policies.rules.common import Unknown, region, role
from policies.rules.declare import Setting, resource_rule


@resource_rule("lambda-orchestrator-in-standby-region", [FUNCTION],
               "Checks whether the failover orchestrator function is deployed in the standby Region, "
               "apart from the primary.",
               settings=[Setting("standbyRegion", "string", "",
                                 "Region the failover orchestrator must run in; empty means the "
                                 f"function's own {Env.STANDBY_REGION} variable.")])
def orchestrator_in_standby_region(args: ResourceValidationArgs,
                                   report: ReportViolation, cfg: dict[str, Any]) -> None:
    """``lambda-orchestrator-in-standby-region``."""
    if role(args.props) != Role.FAILOVER_ORCHESTRATOR:
        args.not_applicable("not the failover orchestrator")
    orch = PlannedEnv.of(args, FailoverEnv)
    standby = cfg["standbyRegion"] or orch.get(
        Env.STANDBY_REGION, problem=report, unknown=_raise_unknown,
        missing=f"Failover orchestrator must declare {Env.STANDBY_REGION} (or set this "
                "policy's standbyRegion).")
    # Only compared here: a missing or invalid PRIMARY_REGION is the handler's to refuse.
    primary = orch.get(Env.PRIMARY_REGION, problem=lambda _: None, unknown=_raise_unknown)
    where = region(args.props, args.provider)
    if not standby:
        return
    if primary and standby == primary:
        report(f"Standby Region {standby} equals the primary Region; disaster recovery "
               "needs the standby in another Region.")
    if where != standby:
        report(f"Failover orchestrator must run in the standby Region {standby}, but it is "
               f"in {where or 'the default provider Region'}; it would fail with the "
               "primary.")


def _raise_unknown(path: str) -> None:
    raise Unknown(path)


def policies() -> list[Policy]:
    return [orchestrator_in_standby_region()]
