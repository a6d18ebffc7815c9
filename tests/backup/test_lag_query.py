"""The recovery-point lag read counts a datapoint published in the last moments before the
read (the query's end reaches one period past now, so rounding its end time to the second or
the period leaves nothing out)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
from moto import mock_aws

from handlers.backup.recovery_point import latest_values

DIMS = [{"Name": "DBInstanceIdentifier", "Value": "shop-standby"}]


@mock_aws
def test_a_datapoint_from_the_same_second_as_the_read_counts() -> None:
    cw = boto3.client("cloudwatch", region_name="us-west-2")
    now = datetime.now(UTC).replace(microsecond=900_000)
    cw.put_metric_data(Namespace="AWS/RDS", MetricData=[
        {"MetricName": "ReplicaLag", "Value": 7.0, "Unit": "Seconds", "Dimensions": DIMS,
         "Timestamp": now - timedelta(minutes=3)},
        {"MetricName": "ReplicaLag", "Value": 2.5, "Unit": "Seconds", "Dimensions": DIMS,
         "Timestamp": now - timedelta(milliseconds=400)}])
    got = latest_values(cw, {"lag": ("AWS/RDS", "ReplicaLag", DIMS)}, now)
    assert got == {"lag": 2.5}


@mock_aws
def test_no_datapoint_in_the_lookback_reads_nothing() -> None:
    cw = boto3.client("cloudwatch", region_name="us-west-2")
    now = datetime.now(UTC)
    cw.put_metric_data(Namespace="AWS/RDS", MetricData=[
        {"MetricName": "ReplicaLag", "Value": 7.0, "Unit": "Seconds", "Dimensions": DIMS,
         "Timestamp": now - timedelta(minutes=30)}])
    assert latest_values(cw, {"lag": ("AWS/RDS", "ReplicaLag", DIMS)}, now) == {}
