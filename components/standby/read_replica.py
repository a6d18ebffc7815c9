"""Warm standby: a cross-Region RDS read replica of the primary."""

from __future__ import annotations

from components.naming import Suffix
from components.standby.base import StandbyResult, StrategyBuilder
from contract.strategies import Strategy


class Builder(StrategyBuilder):
    """Warm standby: a cross-Region RDS read replica."""

    strategy = Strategy.READ_REPLICA

    def build(self, name: str) -> StandbyResult:
        db = self.s.database
        ident = db.standby_id
        # After a failover the promoted replica is declared without a source (a standalone
        # writer); replicateSourceDb is ignored, so the refresh after promotion shows no diff.
        source = {"replicate_source_db": db.primary_instance_arn} if self.replicates_forward else {}
        replica = self.standby_instance(f"{name}-replica", **source,
                                        auto_minor_version_upgrade=True)
        (lag,) = db.spec.replication_metrics
        dims = {"DBInstanceIdentifier": ident}
        alarm = self.lag_alarm(f"{name}-replica-lag", self.n.name(Suffix.REPLICA_LAG_ALARM), lag.namespace,
                               lag.name, dims, lag.name)
        return StandbyResult(
            identifier=ident, endpoint=replica.endpoint, instance_arn=replica.arn,
            replication_alarm_names=[alarm],
            replication_alarm_metrics=[(lag.namespace, lag.name, dims)],
            failover_statements=[
                self.describe_statement(),
                {"Sid": "PromoteReplica", "Effect": "Allow", "Action": ["rds:PromoteReadReplica"],
                 "Resource": [self.standby_arn]}],
            backup_statements=[self.snapshot_standby_statement()])
