"""DynamoDB, S3, SNS, KMS and EventBridge, hand-computed (a test per type)."""

import pytest

from cost import Basis
from tests.cost.fakes import backup_function, charge_usd, line, res, run, schedule

WATCHDOG = schedule("watchdog", "rate(1 minute)", "watchdog-schedule")
RUNS = 730 * 60   # watchdog runs a month


def test_dynamodb_state_table_on_demand():
    table = res("aws:dynamodb/table:Table", "state", role="failover-state-table",
                billingMode="PAY_PER_REQUEST", pointInTimeRecovery={"enabled": True})
    ln = line(run(table, WATCHDOG), "state")
    # 43,800 runs x 2 writes x $0.625/M; x 4 reads x $0.125/M; 0.001 GiB x $0.25 and x $0.20 (PITR)
    assert charge_usd(ln, "write") == pytest.approx(RUNS * 2 * 0.625 / 1e6)
    assert charge_usd(ln, "read") == pytest.approx(RUNS * 4 * 0.125 / 1e6)
    assert charge_usd(ln, "storage") == pytest.approx(0.001 * 0.25)
    assert charge_usd(ln, "point-in-time") == pytest.approx(0.001 * 0.20)


def test_dynamodb_provisioned_table_is_unpriced():
    table = res("aws:dynamodb/table:Table", "state", role="failover-state-table",
                billingMode="PROVISIONED")
    assert line(run(table, WATCHDOG), "state").basis is Basis.UNPRICED


def _bucket_plan(lifecycle_days: int | None):
    fn = backup_function()
    rule = schedule("backup-schedule", "rate(60 minutes)", "backup-schedule")
    bucket = res("aws:s3/bucket:Bucket", "runs", role="recovery-point-metadata", bucket="runs-bucket")
    out = [fn, rule, bucket]
    if lifecycle_days is not None:
        out.append(res("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "lc",
                       bucket="runs-bucket",
                       rules=[{"status": "Enabled", "expiration": {"days": lifecycle_days}}]))
    return out


def test_s3_run_record_bucket():
    ln = line(run(*_bucket_plan(400)), "runs")
    # 730 PUTs x $0.005 per 1,000
    assert charge_usd(ln, "PUT") == pytest.approx(730 * 0.005 / 1000)
    # 730 records a month held 400 days = 730 x 400 / 30.4167 = 9,600 records x 8 KiB, at $0.023/GB-month
    records = 730 * 400 / (730 / 24)
    assert records == pytest.approx(9600)
    assert charge_usd(ln, "Standard storage") == pytest.approx(records * 8 / 1024**2 * 0.023)


def test_s3_lifecycle_found_during_preview_when_its_bucket_input_is_unknown():
    plan = _bucket_plan(400)
    plan[-1].inputs["bucket"] = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"   # bucket.id, not known yet
    records = 730 * 400 / (730 / 24)
    assert charge_usd(line(run(*plan), "runs"), "Standard storage") == pytest.approx(
        records * 8 / 1024**2 * 0.023)


def test_s3_bucket_without_expiry_is_unpriced():
    assert line(run(*_bucket_plan(None)), "runs").basis is Basis.UNPRICED


def test_sns_topic_and_email_subscription():
    topic = res("aws:sns/topic:Topic", "alerts", role="alert-topic")
    email = res("aws:sns/topicSubscription:TopicSubscription", "email", protocol="email",
                endpoint="oncall@example.com")
    est = run(topic, email)
    # 20 publishes (usage) x $0.50/M; 20 deliveries x $2.00 per 100,000
    assert line(est, "alerts").monthly_usd == pytest.approx(20 * 0.50 / 1e6)
    assert line(est, "email").monthly_usd == pytest.approx(20 * 2.00 / 100_000)


def test_sns_lambda_subscription_is_free_and_http_unpriced():
    est = run(res("aws:sns/topicSubscription:TopicSubscription", "fn", protocol="lambda"),
              res("aws:sns/topicSubscription:TopicSubscription", "hook", protocol="https"))
    assert line(est, "fn").basis is Basis.NO_CHARGE
    assert line(est, "hook").basis is Basis.UNPRICED


def test_kms_key():
    est = run(res("aws:kms/key:Key", "key", region="us-east-1", enableKeyRotation=True))
    ln = line(est, "key")
    # $1.00 key-month + 10,000 requests x $0.03 per 10,000
    assert ln.monthly_usd == pytest.approx(1.00 + 10_000 * 0.03 / 10_000)
    assert "rotation" in ln.reason


def test_eventbridge_forwarder_cross_region_events():
    forwarder = res("aws:cloudwatch/eventRule:EventRule", "forwarder", region="us-east-1",
                    role="alarm-forwarder", eventPattern="{}")
    ln = line(run(forwarder), "forwarder")
    # 4 alarm state changes (usage) x $1.00 per million, billed in the sending Region
    assert ln.monthly_usd == pytest.approx(4 * 1.00 / 1e6)
    assert ln.charges[0].region == "us-east-1"


def test_eventbridge_forwarding_found_by_its_target_without_a_role():
    rule = res("aws:cloudwatch/eventRule:EventRule", "fwd", region="us-east-1", name="fwd",
               eventPattern="{}")
    target = res("aws:cloudwatch/eventTarget:EventTarget", "fwd-target", region="us-east-1",
                 rule="fwd", arn="arn:aws:events:us-west-2:123456789012:event-bus/alarms")
    est = run(rule, target)
    assert line(est, "fwd").monthly_usd == pytest.approx(4 / 1e6)
    assert line(est, "fwd-target").basis is Basis.NO_CHARGE


def test_eventbridge_schedule_is_an_explicit_estimated_zero_and_receiver_no_charge():
    receiver = res("aws:cloudwatch/eventRule:EventRule", "receiver", eventPattern="{}",
                   eventBusName="alarms")
    est = run(WATCHDOG, receiver)
    sched = line(est, "watchdog")
    assert sched.basis is Basis.ESTIMATED and sched.monthly_usd == 0.0
    assert sched.charges[0].quantity == pytest.approx(RUNS)
    assert line(est, "receiver").basis is Basis.NO_CHARGE
