"""The app-facing write switch: the SSM parameter ``/ecommerce-dr/<stack>/writes``
(:func:`contract.names.write_switch_parameter`) in the primary and the standby Region.

The program creates each with ``open`` and never changes its value afterwards
(``ignoreChanges`` on ``value``): the failover orchestrator sets it to ``paused`` during the
planned failback and back to ``open`` (:class:`contract.phases.WriteSwitch`), and a deploy in
between must not undo that. The shop reads the parameter of its own Region.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.common import Naming, Providers, child, tags
from components.settings import DrSettings
from contract.names import Role, write_switch_parameter
from contract.phases import WriteSwitch


@dataclass
class WriteSwitchArgs:
    """Inputs of :class:`WriteSwitchParameters`: settings (tags), the Region providers and
    the physical names (ARNs)."""

    settings: DrSettings
    providers: Providers
    naming: Naming


class WriteSwitchParameters(pulumi.ComponentResource):
    """One String parameter per Region, value ``open``, value ignored after creation.

    Outputs:
        parameter_name: str, the same in both Regions.
        statements: IAM statements for the failover orchestrator (GetParameter, PutParameter
            on both).
    """

    def __init__(self, name: str, args: WriteSwitchArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ecommerce-dr:write_switch:WriteSwitchParameters", name, None, opts)
        p, n = args.providers, args.naming
        self.parameter_name = write_switch_parameter(pulumi.get_stack())
        for kind, region, provider in (("primary", p.primary_region, p.primary),
                                       ("standby", p.standby_region, p.standby)):
            aws.ssm.Parameter(
                f"{name}-{kind}", name=self.parameter_name, type="String",
                value=str(WriteSwitch.OPEN),
                description=f"{n.prefix}: the shop in {region} takes writes while 'open' "
                            "(set by the failover orchestrator during a failback)",
                tags=tags(args.settings, Role.WRITE_SWITCH),
                opts=child(self, provider, ignore_changes=["value"]))
        arns = [n.arn("ssm", region, f"parameter{self.parameter_name}")
                for region in (p.primary_region, p.standby_region)]
        self.statements: list[dict[str, Any]] = [
            {"Sid": "WriteSwitch", "Effect": "Allow",
             "Action": ["ssm:GetParameter", "ssm:PutParameter"], "Resource": arns}]
        self.register_outputs({"parameterName": self.parameter_name})
