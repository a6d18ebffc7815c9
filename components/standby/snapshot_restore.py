"""Pilot light: nothing runs; failover restores the newest cross-Region snapshot copy."""

from __future__ import annotations

from components.standby.base import StandbyResult, StrategyBuilder
from contract.strategies import Strategy


class Builder(StrategyBuilder):
    """Pilot light: nothing runs; failover restores the newest cross-Region snapshot copy."""

    strategy = Strategy.SNAPSHOT_RESTORE

    def build(self, name: str) -> StandbyResult:
        snapshots = self.n.arn("rds", self.p.standby_region, "snapshot:*")
        return StandbyResult(
            identifier=self.s.database.standby_id,
            failover_statements=[
                self.describe_statement(),
                {"Sid": "FindSnapshotCopies", "Effect": "Allow",
                 "Action": ["rds:DescribeDBSnapshots", "rds:ListTagsForResource"],
                 "Resource": [snapshots]},
                # RestoreDBInstanceFromDBSnapshot authorises the instance, the snapshot and the
                # option group, parameter group and subnet group it uses (Service Authorization
                # Reference, "Actions defined by Amazon RDS").
                {"Sid": "RestoreStandby", "Effect": "Allow",
                 "Action": ["rds:RestoreDBInstanceFromDBSnapshot", "rds:AddTagsToResource"],
                 "Resource": [self.standby_arn, snapshots,
                              *(self.n.arn("rds", self.p.standby_region, f"{kind}:*")
                                for kind in ("og", "pg", "subgrp"))]},
                self.n.key_statement("UseStandbyKeyForRestore",
                                     ["kms:CreateGrant", "kms:DescribeKey"],
                                     [(self.p.standby_region, self.n.key_alias("standby"))])])


#: The strategy seam: ``database.strategy`` -> builder. Keys equal rto_rpo.model.STRATEGIES.
