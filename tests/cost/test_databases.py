"""RDS standby instances and DMS, hand-computed."""

import pytest

from cost import Basis
from tests.cost.fakes import backup_function, charge_usd, line, res, run, schedule

INSTANCE = "aws:rds/instance:Instance"
DAYS = 730 / 24


def test_cross_region_read_replica_with_inherited_engine_and_storage():
    replica = res(INSTANCE, "replica", role="standby-database", instanceClass="db.r6g.large",
                  backupRetentionPeriod=7,
                  replicateSourceDb="arn:aws:rds:us-east-1:123456789012:db:shop-primary")
    ln = line(run(replica), "replica")
    # 730 h x $0.225 (PostgreSQL db.r6g.large: an estimate, engine from usage)
    assert charge_usd(ln, "instance-hours") == pytest.approx(730 * 0.225)
    # 100 GiB (usage) x $0.115 gp2
    assert charge_usd(ln, "storage") == pytest.approx(100 * 0.115)
    # automated backups: 81 GiB mean data + 2 GiB/day x 7 days = 95 GiB < 100 GiB free -> $0
    assert charge_usd(ln, "automated backups") == pytest.approx(0.0)
    # replication: 4 GiB/day x 30.4167 days x $0.02, billed by us-east-1
    assert charge_usd(ln, "replication transfer") == pytest.approx(4 * DAYS * 0.02)
    assert ln.monthly_usd == pytest.approx(730 * 0.225 + 11.5 + 4 * DAYS * 0.02)
    assert ln.basis is Basis.ESTIMATED
    assert ln.charges[0].standing == "estimate"


def test_multi_az_mysql_target_with_backups_beyond_the_allowance():
    target = res(INSTANCE, "target", instanceClass="db.r6g.large", engine="mysql", multiAz=True,
                 allocatedStorage=200, storageType="gp3", backupRetentionPeriod=7,
                 manageMasterUserPassword=True)
    est = run(target, override={"usage": {"database": {"data_gib": 300, "growth_gib_per_month": 0}}})
    ln = line(est, "target")
    assert charge_usd(ln, "instance-hours") == pytest.approx(730 * 2 * 0.215)   # two instances
    assert charge_usd(ln, "storage") == pytest.approx(200 * 2 * 0.115)
    # 300 GiB + 2 GiB/day x 7 days - 200 GiB free = 114 GiB x $0.095
    assert charge_usd(ln, "automated backups") == pytest.approx((300 + 14 - 200) * 0.095)
    assert charge_usd(ln, "master password secret") == pytest.approx(0.40)


def test_instance_class_without_a_price_is_unpriced_naming_the_key():
    ln = line(run(res(INSTANCE, "big", instanceClass="db.m6g.large", engine="postgres")), "big")
    assert ln.basis is Basis.UNPRICED and ln.monthly_usd is None
    assert 'prices."rds/instance/postgres/db.m6g.large".regions.us-west-2' in ln.reason


def test_dms_replication_instance_and_cdc_transfer():
    fn = backup_function(strategy="dms")
    rule = schedule("backup-schedule", "rate(60 minutes)", "backup-schedule")
    inst = res("aws:dms/replicationInstance:ReplicationInstance", "dms",
               replicationInstanceClass="dms.t3.medium", allocatedStorage=50, multiAz=False)
    task = res("aws:dms/replicationTask:ReplicationTask", "cdc", migrationType="full-load-and-cdc")
    endpoint = res("aws:dms/endpoint:Endpoint", "source", endpointType="source")
    est = run(fn, rule, inst, task, endpoint)
    ln = line(est, "dms")
    # 730 h x $0.082 + 50 GiB x $0.115 (no included storage in the table)
    assert charge_usd(ln, "instance-hours") == pytest.approx(730 * 0.082)
    assert charge_usd(ln, "storage") == pytest.approx(50 * 0.115)
    # CDC: 4 GiB/day x 30.4167 days x $0.02 out of us-east-1
    assert line(est, "cdc").monthly_usd == pytest.approx(4 * DAYS * 0.02)
    assert line(est, "cdc").charges[0].region == "us-east-1"
    assert line(est, "source").basis is Basis.NO_CHARGE


def test_dms_included_storage_allowance_from_an_override():
    inst = res("aws:dms/replicationInstance:ReplicationInstance", "dms",
               replicationInstanceClass="dms.t3.medium", allocatedStorage=50)
    allowance = {"dms/included-storage/dms.t3.medium": {
        "description": "storage included", "amount": 50, "unit": "GiB per instance",
        "scope": "instance", "standing": "user", "source": "our AWS account team",
        "recorded": "2026-12-01"}}
    est = run(inst, override={"allowances": allowance})
    assert charge_usd(line(est, "dms"), "storage") == pytest.approx(0.0)
