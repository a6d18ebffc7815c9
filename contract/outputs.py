"""The stack outputs: a contract other stacks read through ``StackReference``.

This table is the one source: ``__main__.py`` exports exactly these names (it fails under
mocks otherwise), and tests check that the README's "Stack outputs (contract)" table says the
same. Seconds are integers; USD figures are numbers rounded to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Output:
    """One stack output.

    Attributes:
        name: the output name.
        type: its type as the README states it (``string``, ``integer, seconds``, ...).
        meaning: one sentence.
        python: the Python types a reader gets (``None`` where the type says null).
    """

    name: str
    type: str
    meaning: str
    python: tuple[type, ...] = (str,)


OUTPUTS: Final[tuple[Output, ...]] = (
    Output("failoverFqdn", "string", "the shared name clients use (`site.failoverFqdn`)"),
    Output("primaryRegion", "string", "Region code of the primary"),
    Output("standbyRegion", "string", "Region code of the standby"),
    Output("databaseStrategy", "string",
           "`read-replica`, `dms`, `snapshot-restore` or `aurora-global`"),
    Output("standbyDatabaseEndpoint", "string or null",
           "`host:port` of the running standby (the secondary cluster's reader endpoint for "
           "`aurora-global`); `null` for `snapshot-restore` (pilot light: nothing runs until "
           "failover)", (str, type(None))),
    Output("standbyDatabaseIdentifier", "string",
           "the standby instance id (the restore target for `snapshot-restore`; the secondary "
           "cluster id for `aurora-global`)"),
    Output("globalWriterEndpoint", "string or null",
           "`aurora-global`: the Aurora global writer endpoint (`GlobalCluster.endpoint`), which "
           "follows the writer across failover and switchover, so the app's connection string "
           "never changes; `null` for the other strategies", (str, type(None))),
    Output("alertTopicArns", "map Region → string", "SNS alert topic ARN in each Region", (dict,)),
    Output("metadataBucketName", "string",
           "S3 bucket of recovery-point run records (standby Region)"),
    Output("failoverOrchestratorArn", "string", "failover Lambda ARN (standby Region)"),
    Output("backupOrchestratorArn", "string", "backup Lambda ARN (standby Region)"),
    Output("failoverStateTableName", "string", "DynamoDB state and lock table (standby Region)"),
    Output("failoverGateAlarmName", "string",
           "the gate alarm (standby Region); `ALARM` means traffic is on the standby"),
    Output("healthAlarmName", "string",
           "the us-east-1 alarm on the primary endpoint's health check"),
    Output("rtoBudgetSeconds", "integer, seconds", "RTO target (`rtoMinutes` × 60)", (int,)),
    Output("rpoBudgetSeconds", "integer, seconds", "RPO target (`rpoMinutes` × 60)", (int,)),
    Output("plannedRtoSeconds", "integer, seconds",
           "worst-case RTO of this config, from `rto_rpo.model`", (int,)),
    Output("plannedRpoSeconds", "integer, seconds",
           "worst-case RPO of this config, from `rto_rpo.model`", (int,)),
    Output("dashboardNames", "map `rto`/`rpo` → string", "CloudWatch dashboards (standby Region)", (dict,)),
    Output("estimatedMonthlyCostUsd", "number, USD/month",
           "modelled monthly cost of every declared resource, from `cost` (README, \"Cost estimate\"); "
           "a lower bound when a resource is unpriced", (float, int)),
)

#: The output names, in contract order.
OUTPUT_NAMES: Final[tuple[str, ...]] = tuple(o.name for o in OUTPUTS)


def check_exports(values: dict[str, object]) -> None:
    """Raise if ``values`` does not export exactly :data:`OUTPUT_NAMES`.

    Raises:
        ValueError: naming the missing and the unexpected outputs.
    """
    missing = [n for n in OUTPUT_NAMES if n not in values]
    extra = sorted(set(values) - set(OUTPUT_NAMES))
    if missing or extra:
        raise ValueError(f"stack outputs differ from contract.outputs: missing {missing}, "
                         f"not in the contract {extra}")
