"""The standby database, chosen by ``database.strategy``: the one strategy seam.

Each strategy's builder is ``Builder`` in the module its spec names
(:attr:`contract.strategies.StrategySpec.program_builder`, ``components/standby/<x>.py``);
nothing else in the program branches on the strategy. Adding one means a spec in
:mod:`contract.strategies` and a builder module here.

* ``read-replica`` (default, warm standby): a cross-Region read replica of the primary, the
  source given as its ARN (Amazon RDS User Guide, "Creating a read replica in a different AWS
  Region": a cross-Region source must be named by its ARN), encrypted with
  a KMS key in the standby Region (an encrypted source needs a key in the replica's Region),
  backups on (so a promoted replica keeps PITR), deletion protection, and a ``ReplicaLag``
  alarm at ``settings.replication_lag_alarm_seconds`` (configured, or a quarter of the RPO).
* ``dms`` (the original design's choice): a DMS replication instance, source and target
  endpoints (credentials from Secrets Manager via a role DMS assumes), a full-load-and-CDC
  task into a standalone encrypted standby instance (RDS-managed master password), and two
  alarms, ``CDCLatencySource`` and ``CDCLatencyTarget`` (seconds), at the same threshold.
* ``snapshot-restore`` (pilot light): no running standby. Failover restores the newest
  cross-Region snapshot copy (made by the backup orchestrator) as ``standby_identifier``.
* ``aurora-global`` (warm standby): an Aurora Global Database around the site's Aurora cluster
  and a secondary cluster in the standby Region (:mod:`components.standby.aurora_global`).

Every strategy gets the standby-Region KMS key (role ``standby-kms-key``): replica storage,
the DMS target, and cross-Region snapshot copies are all encrypted with it.
"""


import importlib

import pulumi
import pulumi_aws as aws

from components.alerts import key_policy
from components.common import child, tags
from components.naming import Suffix
from components.settings import DrSettings
from components.standby.base import StandbyDatabaseArgs, StrategyBuilder
from components.standby.reverse import ReverseResult, reverse_replica
from contract.names import Role
from contract.phases import Phase

__all__ = ["StandbyDatabase", "StandbyDatabaseArgs", "builder_for"]


def builder_for(strategy: str) -> type[StrategyBuilder]:
    """The program builder of ``strategy``: ``Builder`` in its spec's ``program_builder``.

    Raises:
        ValueError: not a strategy (settings validation prevents this).
    """
    from contract.strategies import spec

    return importlib.import_module(spec(strategy).program_builder).Builder  # type: ignore[no-any-return]


def reverse_identifier(s: DrSettings, declared: ReverseResult | None) -> str:
    """``REVERSE_REPLICA_IDENTIFIER`` for the failover orchestrator: the declared reverse
    replica's identifier (dms: the reverse task's ARN), ``""`` when none is declared (another
    phase, or aurora-global)."""
    if declared is not None:
        return declared.handle
    return ""


class StandbyDatabase(pulumi.ComponentResource):
    """The standby-Region KMS key and the strategy's standby database.

    Outputs:
        strategy: the strategy name (str).
        key_arn: ARN of the standby KMS key (``Output[str]``).
        identifier: the standby DB identifier (str, also the restore target for
            snapshot-restore).
        endpoint: ``Output[str]`` ``host:port``, or ``None`` for snapshot-restore.
        instance_arn: ARN of the running standby, or ``None``.
        dms_task_arn: the CDC task ARN, ``""`` unless dms.
        reverse: the reverse replica (phase reverse-replicating, instance standby), or None.
        reverse_replica_identifier: see :func:`reverse_identifier`.
        replication_alarm_names: list of alarm names (empty for snapshot-restore).
        global_writer_endpoint: the Aurora global writer endpoint (``Output[str]``), ``None``
            unless aurora-global.

    Raises:
        KeyError: the strategy has no builder (settings validation prevents this).
    """

    def __init__(self, name: str, args: StandbyDatabaseArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ecommerce-dr:database:StandbyDatabase", name, None, opts)
        s, p, n = args.settings, args.providers, args.naming
        self.strategy = s.database.strategy
        key = aws.kms.Key(
            f"{name}-key",
            description=f"{n.prefix}: standby database, snapshot copies and DR state in "
                        f"{p.standby_region}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=key_policy(n),
            tags=tags(s, Role.STANDBY_KMS_KEY),
            opts=child(self, p.standby))
        self.key_alias = n.key_alias(Suffix.STANDBY_KEY)
        aws.kms.Alias(f"{name}-key-alias", name=self.key_alias,
                      target_key_id=key.key_id, opts=child(self, p.standby))
        builder = builder_for(self.strategy)(self, args, key)
        result = builder.build(name)
        self.reverse = result.reverse or (reverse_replica(builder, name)
                                          if s.phase is Phase.REVERSE_REPLICATING
                                          and builder.declares_reverse_replica else None)
        self.key_arn = key.arn
        self.identifier = result.identifier
        self.endpoint = result.endpoint
        self.instance_arn = result.instance_arn
        self.dms_task_arn = result.dms_task_arn
        self.replication_alarm_names = result.replication_alarm_names
        self.replication_alarm_metrics = result.replication_alarm_metrics
        self.failover_statements = result.failover_statements
        self.backup_statements = result.backup_statements
        self.global_writer_endpoint = result.global_writer_endpoint
        self.reverse_replica_identifier = reverse_identifier(s, self.reverse)
        self.register_outputs({"strategy": self.strategy, "keyArn": key.arn,
                               "identifier": self.identifier, "endpoint": self.endpoint,
                               "dmsTaskArn": self.dms_task_arn,
                               "reverseReplicaIdentifier": self.reverse_replica_identifier})
