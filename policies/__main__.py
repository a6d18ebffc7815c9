"""Entry point the Pulumi CLI runs (``python -m pulumi.policy <engine> <this folder>``).

It only builds the PolicyPack; the policies live in :mod:`policies.rules` so tests can import
them (``PolicyPack(...)`` serves gRPC forever and must not be imported by tests).
"""

from pulumi_policy import EnforcementLevel, PolicyPack

from policies.rules import all_policies

PolicyPack(
    name="ecommerce-dr",
    policies=all_policies(),
    enforcement_level=EnforcementLevel.MANDATORY,
    description="RTO/RPO objectives computed from planned inputs, plus durability and security "
                "rules for the ecommerce-dr disaster-recovery program.",
)
