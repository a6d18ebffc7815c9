"""State table, metadata bucket, alert topics, recovery-point alarm, dashboards."""

from __future__ import annotations

import json

from contract.names import METRIC_NAMESPACE, Metric, Role
from tests.program.variants import BUCKET, plan, policy_doc


def of_bucket(p, type_: str) -> list:
    (bucket,) = p.by_type(BUCKET)
    return [r for r in p.by_type(type_) if r.property_dependencies.get("bucket") == [bucket.urn]]


def test_state_table() -> None:
    (t,) = plan().by_role(Role.STATE_TABLE)
    i = t.inputs
    assert t.region == "us-west-2"
    assert i["hashKey"] == "pk" and i["attributes"] == [{"name": "pk", "type": "S"}]
    assert "rangeKey" not in i
    assert i["pointInTimeRecovery"] == {"enabled": True}
    assert i["serverSideEncryption"]["enabled"] is True


def test_metadata_bucket_is_versioned_encrypted_private_tls_only_and_expires() -> None:
    p = plan()
    (bucket,) = p.by_role(Role.METADATA_BUCKET)
    assert bucket.type == BUCKET and bucket.region == "us-west-2"
    (v,) = of_bucket(p, "aws:s3/bucketVersioning:BucketVersioning")
    assert v.inputs["versioningConfiguration"]["status"] == "Enabled"
    (enc,) = of_bucket(p, "aws:s3/bucketServerSideEncryptionConfiguration:"
                          "BucketServerSideEncryptionConfiguration")
    default = enc.inputs["rules"][0]["applyServerSideEncryptionByDefault"]
    assert default["sseAlgorithm"] == "aws:kms"
    (key,) = p.by_role(Role.STANDBY_KMS_KEY)
    assert enc.property_dependencies["rules"] == [key.urn]
    (pab,) = of_bucket(p, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert all(pab.inputs[k] is True for k in ("blockPublicAcls", "blockPublicPolicy",
                                               "ignorePublicAcls", "restrictPublicBuckets"))
    (pol,) = of_bucket(p, "aws:s3/bucketPolicy:BucketPolicy")
    (st,) = policy_doc(pol)["Statement"]
    assert st["Effect"] == "Deny"
    assert st["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    arn = f"arn:aws:s3:::{bucket.inputs['bucket']}"
    assert set(st["Resource"]) == {arn, f"{arn}/*"}
    (life,) = of_bucket(p, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    (rule,) = life.inputs["rules"]
    assert rule["status"] == "Enabled" and rule["expiration"]["days"] == 400


def test_alert_topics_are_encrypted_with_email_in_both_regions() -> None:
    p = plan()
    topics = p.by_role(Role.ALERT_TOPIC)
    subs = p.by_type("aws:sns/topicSubscription:TopicSubscription")
    assert sorted(t.region for t in topics) == ["us-east-1", "us-west-2"]
    for t in topics:
        assert t.property_dependencies["kmsMasterKeyId"], f"{t.urn} is not encrypted"
        (sub,) = [s for s in subs if s.property_dependencies["topic"] == [t.urn]]
        assert (sub.inputs["protocol"], sub.inputs["endpoint"]) == ("email",
                                                                    "sre-oncall@example.com")
        assert sub.region == t.region


def test_topic_keys_let_cloudwatch_publish() -> None:
    p = plan()
    for t in p.by_role(Role.ALERT_TOPIC):
        (key_urn,) = t.property_dependencies["kmsMasterKeyId"]
        doc = policy_doc(p.get(key_urn))
        principals = [s["Principal"] for s in doc["Statement"]]
        assert {"Service": ["cloudwatch.amazonaws.com", "events.amazonaws.com"]} in principals
        for s in doc["Statement"]:
            assert all("*" not in a for a in s["Action"])


def test_recovery_point_age_alarm_holds_the_rpo() -> None:
    (a,) = plan().by_role(Role.RECOVERY_POINT_ALARM)
    i = a.inputs
    assert (i["namespace"], i["metricName"], i["dimensions"]) == (
        METRIC_NAMESPACE, str(Metric.RECOVERY_POINT_AGE), {"Stack": "prod"})
    assert (i["comparisonOperator"], i["threshold"]) == ("GreaterThanThreshold", 3600)
    assert i["treatMissingData"] == "breaching"
    assert a.region == "us-west-2"


def test_backup_failure_alarm() -> None:
    p = plan()
    (a,) = [x for x in p.by_type("aws:cloudwatch/metricAlarm:MetricAlarm")
            if x.inputs["metricName"] == str(Metric.BACKUP_FAILURE)]
    assert a.inputs["namespace"] == METRIC_NAMESPACE and a.inputs["threshold"] == 1
    assert a.inputs["alarmActions"]


def test_dashboards_show_detection_steps_duration_and_recovery_point_lag_backups() -> None:
    p = plan(preview=False)
    boards = {d.inputs["dashboardName"]: json.loads(d.inputs["dashboardBody"])
              for d in p.by_type("aws:cloudwatch/dashboard:Dashboard")}
    rto, rpo = boards["ecommerce-dr-prod-rto"], boards["ecommerce-dr-prod-rpo"]

    def metrics(board) -> set[str]:
        return {m[1] for w in board["widgets"] for m in w["properties"]["metrics"]}

    assert {"HealthCheckStatus", str(Metric.PRIMARY_PROBE_FAILED), str(Metric.STEP_DURATION),
            str(Metric.FAILOVER_DURATION)} <= metrics(rto)
    assert {str(Metric.RECOVERY_POINT_AGE), str(Metric.REPLICATION_LAG), "ReplicaLag",
            str(Metric.BACKUP_SUCCESS), str(Metric.BACKUP_FAILURE)} <= metrics(rpo)
    (hc,) = [w for w in rto["widgets"] if w["properties"]["metrics"][0][1] == "HealthCheckStatus"]
    assert hc["properties"]["region"] == "us-east-1"
    lines = {a["label"]: a["value"] for w in rpo["widgets"]
             for a in w["properties"].get("annotations", {}).get("horizontal", [])}
    assert lines["RPO target"] == 3600 and lines["lag alarm"] == 900


def test_dms_dashboard_shows_cdc_latency() -> None:
    p = plan("dms")
    (rpo,) = [json.loads(d.inputs["dashboardBody"])
              for d in p.by_type("aws:cloudwatch/dashboard:Dashboard")
              if d.inputs["dashboardName"].endswith("-rpo")]
    names = {m[1] for w in rpo["widgets"] for m in w["properties"]["metrics"]}
    assert {"CDCLatencySource", "CDCLatencyTarget"} <= names


def test_emf_count_dimensions_match_the_failover_handler() -> None:
    from components.common import FAILOVER_SERVICE_DIMENSION
    from handlers.failover.observability import SERVICE

    assert FAILOVER_SERVICE_DIMENSION == SERVICE
    p = plan()
    (a,) = [x for x in p.by_type("aws:cloudwatch/metricAlarm:MetricAlarm")
            if x.inputs["metricName"] == str(Metric.ORCHESTRATOR_ERROR)]
    assert a.inputs["dimensions"] == {"Stack": "prod", "service": SERVICE}
    assert a.region == "us-west-2" and a.inputs["alarmActions"]
