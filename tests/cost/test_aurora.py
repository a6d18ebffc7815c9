"""Aurora Global Database resources, hand-computed (cost/pricing/aurora.py)."""

import pytest

from cost import Basis
from engine.mocks import UNKNOWN
from tests.cost.fakes import charge_usd, line, res, run

GLOBAL = "aws:rds/globalCluster:GlobalCluster"
CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
PARAMS = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
SOURCE = "arn:aws:rds:us-east-1:123456789012:cluster:shop-aurora"
DAYS = 730 / 24


def _global(**inputs: object) -> object:
    given = {"globalClusterIdentifier": "shop-global", "sourceDbClusterIdentifier": SOURCE,
             **inputs}
    return res(GLOBAL, "global", region="us-east-1", **given)


def _secondary(gid: object = "shop-global") -> object:
    return res(CLUSTER, "secondary", engine="aurora-postgresql", globalClusterIdentifier=gid,
               storageEncrypted=True, backupRetentionPeriod=7)


def test_cluster_instance_is_instance_hours_by_class():
    ln = line(run(res(INSTANCE, "secondary-1", instanceClass="db.r6g.large")), "secondary-1")
    # 730 h x $0.26 (us-west-2: an estimate equal to the published us-east-1 figure)
    assert charge_usd(ln, "instance-hours db.r6g.large") == pytest.approx(730 * 0.26)
    assert ln.monthly_usd == pytest.approx(189.8)
    assert ln.charges[0].standing == "estimate"


def test_secondary_cluster_is_its_copy_of_the_volume_and_its_read_io():
    ln = line(run(_global(), _secondary()), "secondary")
    # mean data 80 GiB + 2 GiB/month / 2 = 81 GiB x $0.10
    assert charge_usd(ln, "storage") == pytest.approx(81 * 0.10)
    # 5 million read I/Os x $0.20 per million
    assert charge_usd(ln, "read I/O") == pytest.approx(1.0)
    assert ln.monthly_usd == pytest.approx(9.1)
    assert "automated backups are not priced" in ln.reason


def test_global_cluster_is_replicated_write_io_and_transfer_billed_in_the_primary_region():
    ln = line(run(_global(), _secondary()), "global")
    # 50 million write I/Os replicated to one secondary x $0.20 per million
    assert charge_usd(ln, "replicated write I/O") == pytest.approx(10.0)
    # 4 GiB/day x 30.4167 days x $0.02, sent by us-east-1
    assert charge_usd(ln, "replication transfer") == pytest.approx(4 * DAYS * 0.02)
    assert {c.region for c in ln.charges} == {"us-east-1"}
    assert ln.basis is Basis.ESTIMATED   # the replicated write I/O price is an estimate


def test_usage_override_scales_replication():
    est = run(_global(), _secondary(), override={"usage": {
        "aurora": {"write_ios_per_month": 200_000_000},
        "database": {"replication_gib_per_day": 10}}})
    ln = line(est, "global")
    assert charge_usd(ln, "replicated write I/O") == pytest.approx(40.0)
    assert charge_usd(ln, "replication transfer") == pytest.approx(10 * DAYS * 0.02)


def test_preview_membership_computed_from_the_global_cluster_still_counts():
    # During preview the secondary's globalClusterIdentifier is the global cluster's id: unknown.
    ln = line(run(_global(), _secondary(UNKNOWN)), "global")
    assert charge_usd(ln, "replicated write I/O") == pytest.approx(10.0)


def test_global_cluster_without_a_secondary_replicates_nothing():
    ln = line(run(_global()), "global")
    assert ln.basis is Basis.NO_CHARGE and ln.monthly_usd == 0
    assert "no secondary cluster" in ln.reason


def test_global_cluster_with_an_unknown_source_is_unpriced_with_the_reason():
    ln = line(run(_global(sourceDbClusterIdentifier=UNKNOWN), _secondary()), "global")
    assert ln.basis is Basis.UNPRICED and ln.monthly_usd is None
    assert "sourceDbClusterIdentifier unknown" in ln.reason


def test_instance_class_without_a_price_is_unpriced_naming_the_key():
    ln = line(run(res(INSTANCE, "big", instanceClass="db.r7g.2xlarge")), "big")
    assert ln.basis is Basis.UNPRICED
    assert 'prices."aurora/instance/db.r7g.2xlarge".regions.us-west-2' in ln.reason


def test_parameter_group_is_free():
    ln = line(run(res(PARAMS, "managed-rpo", region="us-east-1", family="aurora-postgresql16")),
              "managed-rpo")
    assert ln.basis is Basis.NO_CHARGE and ln.monthly_usd == 0
