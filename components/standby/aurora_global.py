"""Warm standby on Aurora Global Database: a secondary cluster in the standby Region.

The site's existing Aurora cluster (``database.primaryClusterArn``) stays outside this program.
Declared:

* ``aws.rds.GlobalCluster`` built around that cluster (``source_db_cluster_identifier``; the
  engine and version come from it), deletion protection on;
* in the standby Region, the secondary ``aws.rds.Cluster`` (``global_cluster_identifier``),
  encrypted with the standby Region's KMS key (an encrypted global database needs a key in
  each secondary's Region), automated backups kept, deletion protection, a final snapshot; and
  its ``aws.rds.ClusterInstance`` (s), class and count from ``database.aurora`` (a secondary
  without an instance cannot be promoted: Amazon Aurora User Guide, "Using switchover or
  failover in Amazon Aurora Global Database", note on headless clusters);
* the lag alarms (:func:`contract.aurora.lag_metrics`), thresholds in milliseconds;
* a DB cluster parameter group for the secondary that keeps ``rds.global_db_rpo`` at its
  default, and, when ``database.aurora.managedRpoSeconds`` is set, one in the primary Region
  that sets it (see :meth:`Builder.parameter_groups` for why the operator attaches it).

Pinned against the provider's known traps. pulumi-aws is generated from the Terraform AWS
provider, whose users report a later apply detaching a secondary from its global cluster,
``replication_source_identifier`` churn and state that no longer matches after a failover
(hashicorp/terraform-provider-aws#28746, #33020, #43214; cloudposse/terraform-aws-rds-cluster#281).
After a managed failover or a switchover AWS itself changes the writer, so a refresh reads a
global cluster whose source is another cluster and a secondary that is now the primary. So:
``ignore_changes`` on the arguments AWS changes at failover (:data:`GLOBAL_IGNORED`,
:data:`CLUSTER_IGNORED`), and ``protect`` plus ``retain_on_delete`` on the global cluster and
the secondary cluster: no deploy may replace or delete a database that holds data, and
removing the resource from the program must leave the cluster in AWS.

Sources: Amazon Aurora User Guide, "Using switchover or failover in Amazon Aurora Global
Database"
(https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html);
Amazon RDS API Reference, "FailoverGlobalCluster", "SwitchoverGlobalCluster"; Service
Authorization Reference, "Actions, resources, and condition keys for Amazon RDS"
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html).
"""

from __future__ import annotations

from typing import Any, Final

import pulumi
import pulumi_aws as aws

from components.common import child, tags
from components.naming import Suffix
from components.safety import kept_options, kept_tags
from components.settings import AuroraSettings
from components.standby.base import StandbyResult, StrategyBuilder
from contract import aurora as rules
from contract.deploy_safety import CLUSTER_REPLACING, GLOBAL_REPLACING
from contract.names import Role
from contract.strategies import Strategy

#: GlobalCluster and Cluster arguments ignored (:mod:`contract.deploy_safety`): what AWS changes
#: at failover, switchover and rejoin, and what would replace the cluster.
GLOBAL_IGNORED: Final[list[str]] = list(GLOBAL_REPLACING)
CLUSTER_IGNORED: Final[list[str]] = list(CLUSTER_REPLACING)


class Builder(StrategyBuilder):
    """Warm standby: an Aurora Global Database secondary cluster in the standby Region."""

    strategy = Strategy.AURORA_GLOBAL
    #: Aurora adds the old primary cluster back as a secondary itself: nothing new.
    declares_reverse_replica = False

    @property
    def aurora(self) -> AuroraSettings:
        assert self.s.database.aurora is not None  # validated for this strategy
        return self.s.database.aurora

    def build(self, name: str) -> StandbyResult:
        db, aurora = self.s.database, self.aurora
        ident = db.standby_id
        global_db = aws.rds.GlobalCluster(
            f"{name}-global",
            global_cluster_identifier=db.global_cluster_id,
            source_db_cluster_identifier=db.primary_arn,
            deletion_protection=True,
            force_destroy=False,
            tags=kept_tags(self.s, Role.GLOBAL_DATABASE),
            # The global database and the secondary are kept in every phase (Aurora rejoins
            # the old primary itself), so always protected.
            opts=kept_options(self.c, self.p.primary, protect=True, ignore=GLOBAL_IGNORED))
        secondary_group = self.parameter_groups(name)
        cluster = aws.rds.Cluster(
            f"{name}-secondary",
            cluster_identifier=ident,
            engine=aurora.engine,
            engine_version=aurora.engine_version,
            global_cluster_identifier=global_db.id,
            db_cluster_parameter_group_name=secondary_group.name,
            kms_key_id=self.key.arn,
            storage_encrypted=True,
            backup_retention_period=aurora.backup_retention_days,
            copy_tags_to_snapshot=True,
            deletion_protection=True,
            skip_final_snapshot=False,
            final_snapshot_identifier=self.n.final_snapshot(ident),
            db_subnet_group_name=db.standby_subnet_group_name,
            vpc_security_group_ids=db.standby_security_group_ids or None,
            tags=kept_tags(self.s, Role.STANDBY_DATABASE),
            opts=kept_options(self.c, self.p.standby, protect=True, ignore=CLUSTER_IGNORED))
        for i in range(1, aurora.instance_count + 1):
            aws.rds.ClusterInstance(
                f"{name}-secondary-{i}",
                identifier=self.n.cluster_instance(ident, i),
                cluster_identifier=cluster.id,
                engine=aurora.engine,
                instance_class=aurora.instance_class,
                db_subnet_group_name=db.standby_subnet_group_name,
                publicly_accessible=False,
                auto_minor_version_upgrade=True,
                promotion_tier=i - 1,
                tags=tags(self.s, Role.STANDBY_INSTANCE),
                opts=child(self.c, self.p.standby, ignore_changes=["engineVersion"]))
        alarms, metrics = self.alarms(name, ident)
        return StandbyResult(
            identifier=ident,
            endpoint=pulumi.Output.concat(cluster.reader_endpoint, ":",
                                          cluster.port.apply(lambda p: str(int(p)))),
            instance_arn=cluster.arn, replication_alarm_names=alarms,
            replication_alarm_metrics=metrics,
            failover_statements=self.failover_statements(),
            backup_statements=self.backup_statements(),
            global_writer_endpoint=global_db.endpoint)

    def parameter_groups(self, name: str) -> aws.rds.ClusterParameterGroup:
        """The secondary's cluster parameter group, and the managed-RPO group for the primary.

        The secondary keeps ``rds.global_db_rpo`` at its default: "in a global database with
        only two AWS Regions, we recommend keeping the rds.global_db_rpo parameter's default
        value in the secondary Region's parameter group. Otherwise, performing a failover due
        to a loss of the primary AWS Region could cause Aurora to pause transactions" (Aurora
        User Guide, Managing RPOs). Its ``parameters`` are the operator's to change once the
        old Region is rebuilt, so the program does not revert them.

        The primary cluster is not managed here, so the program cannot attach a parameter
        group to it; it declares the group with ``rds.global_db_rpo`` set (in the primary
        Region, the same family as the engine) and the operator attaches it to the primary
        cluster (README, runbook). Until then the managed RPO is not in force: the policy pack
        and the planned RPO count it as configured.
        """
        aurora = self.aurora
        family = rules.parameter_group_family(aurora.engine, aurora.engine_version)
        secondary = aws.rds.ClusterParameterGroup(
            f"{name}-secondary-parameters",
            name=self.n.name(Suffix.SECONDARY_PARAMETERS), family=family,
            description=f"{self.n.prefix}: Aurora secondary; {rules.MANAGED_RPO_PARAMETER} left at "
                        "its default (two-Region global database)",
            tags=tags(self.s),
            opts=child(self.c, self.p.standby, ignore_changes=["parameters"]))
        if aurora.managed_rpo_seconds is not None:
            aws.rds.ClusterParameterGroup(
                f"{name}-managed-rpo",
                name=self.n.name(Suffix.MANAGED_RPO_PARAMETERS), family=family,
                description=f"{self.n.prefix}: attach to the primary Aurora cluster; "
                            f"{rules.MANAGED_RPO_PARAMETER} = {aurora.managed_rpo_seconds} s",
                parameters=[{"name": rules.MANAGED_RPO_PARAMETER,
                             "value": str(aurora.managed_rpo_seconds),
                             "apply_method": "immediate"}],
                tags=tags(self.s, Role.MANAGED_RPO_PARAMETERS),
                opts=child(self.c, self.p.primary))
        return secondary

    def alarms(self, name: str, ident: str
               ) -> tuple[list[str], list[tuple[str, str, dict[str, str]]]]:
        """One alarm per lag metric of the engine version (milliseconds): the authoritative
        one breaches on missing data, the others do not (AWS does not publish them for it)."""
        lag = self.aurora.lag_metrics
        dims = {rules.LAG_DIMENSION: ident}
        names = []
        for m in lag.all:
            authoritative = m == lag.authoritative
            note = "" if authoritative else (
                f" Aurora does not publish {m.name} for {self.aurora.engine_version}; "
                f"{lag.authoritative.name} is watched instead.")
            names.append(self.lag_alarm(f"{name}-{m.name.lower()}", self.n.lag_alarm(m.name),
                                        m.namespace, m.name, dims, f"Aurora {m.name}",
                                        per_second=m.per_second, missing_breaches=authoritative,
                                        note=note))
        return names, [(m.namespace, m.name, dims) for m in lag.all]

    def _cluster_arns(self) -> list[str]:
        return [self.s.database.primary_arn,
                self.n.cluster_arn(self.p.standby_region, self.s.database.standby_id)]

    def failover_statements(self) -> list[dict[str, Any]]:
        """Read the global database and both clusters; fail over to, and switch over between,
        them (FailoverGlobalCluster and SwitchoverGlobalCluster authorise the global cluster
        and the clusters: Service Authorization Reference, Amazon RDS)."""
        global_arn = self.n.global_cluster_arn(self.s.database.global_cluster_id)
        return [
            {"Sid": "ReadGlobalDatabase", "Effect": "Allow",
             "Action": ["rds:DescribeGlobalClusters", "rds:DescribeDBClusters"],
             "Resource": [global_arn, *self._cluster_arns()]},
            {"Sid": "FailOverAndSwitchOver", "Effect": "Allow",
             "Action": ["rds:FailoverGlobalCluster", "rds:SwitchoverGlobalCluster"],
             "Resource": [global_arn, *self._cluster_arns()]}]

    def backup_statements(self) -> list[dict[str, Any]]:
        """Snapshot the secondary cluster in its own Region (once it is the writer), read the
        global database and its clusters (whether the secondary is the writer)."""
        standby_snaps = self.n.arn("rds", self.p.standby_region, "cluster-snapshot:*")
        return [
            {"Sid": "SnapshotStandbyCluster", "Effect": "Allow",
             "Action": ["rds:CreateDBClusterSnapshot", "rds:AddTagsToResource"],
             "Resource": [self._cluster_arns()[1], standby_snaps]},
            {"Sid": "ReadClusters", "Effect": "Allow",
             "Action": ["rds:DescribeDBClusters", "rds:DescribeGlobalClusters"],
             "Resource": [self.n.global_cluster_arn(self.s.database.global_cluster_id),
                          *self._cluster_arns()]}]
