"""Entry point the Pulumi CLI runs (``python -m pulumi.policy <engine> <this folder>``).

It only builds the PolicyPack; the policies live in :mod:`policies.rules` so tests can import
them (``PolicyPack(...)`` serves gRPC forever and must not be imported by tests).
"""

import sys
from pathlib import Path

# runpy puts this folder on sys.path; the rules are imported as the `policies` package and
# the shared RTO/RPO model as `rto_rpo`, both from the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

from policies.rules import all_policies  # noqa: E402

PolicyPack(
    name="ecommerce-dr",
    policies=all_policies(),
    enforcement_level=EnforcementLevel.MANDATORY,
    description="RTO/RPO objectives computed from planned inputs, plus durability and security "
                "rules for the ecommerce-dr disaster-recovery program.",
)
