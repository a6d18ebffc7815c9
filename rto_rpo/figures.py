"""AWS figures the RTO/RPO arithmetic and the config validation rely on.

Every constant names its source. Figures AWS does not publish (promotion and copy times)
are *modelling defaults*: conservative, documented and overridable from stack config or
policy config, never presented as measurements.
"""

from __future__ import annotations

from typing import Final

#: Route 53 health-check request intervals, in seconds. Source: Route 53 Developer Guide,
#: "Values that you specify when you create or update health checks" (RequestInterval:
#: 10 = fast, 30 = standard; fixed at creation).
HEALTH_CHECK_INTERVALS_SECONDS: Final[tuple[int, ...]] = (10, 30)

#: Route 53 FailureThreshold bounds. Source: Route 53 API reference, HealthCheckConfig
#: (FailureThreshold: 1-10, default 3).
FAILURE_THRESHOLD_MIN: Final[int] = 1
FAILURE_THRESHOLD_MAX: Final[int] = 10

#: Route 53 defaults when a health check omits RequestInterval (seconds) or FailureThreshold.
#: Source: Route 53 API reference, HealthCheckConfig
#: (https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html).
DEFAULT_REQUEST_INTERVAL_SECONDS: Final[int] = 30
DEFAULT_FAILURE_THRESHOLD: Final[int] = 3

#: Minimum TTL, in seconds, AWS recommends for records that fail over. Source: Route 53
#: Developer Guide, "Values specific for failover records" / health-check best practice.
MIN_FAILOVER_TTL_SECONDS: Final[int] = 60

#: Period, in seconds, of the `AWS/Route53 HealthCheckStatus` metric (one-minute data).
#: Source: Route 53 Developer Guide, "Monitoring health checks using CloudWatch".
#: That metric exists only in us-east-1.
HEALTH_CHECK_METRIC_PERIOD_SECONDS: Final[int] = 60
HEALTH_CHECK_METRIC_REGION: Final[str] = "us-east-1"

#: Default manual DB snapshot quota per Region. Source: Amazon RDS User Guide, "Quotas in
#: Amazon RDS" (Manual DB instance snapshots: 100 per Region).
DEFAULT_MANUAL_SNAPSHOT_QUOTA: Final[int] = 100

#: Longest Lambda timeout, in seconds. Source: AWS Lambda Developer Guide, "Lambda quotas".
LAMBDA_MAX_TIMEOUT_SECONDS: Final[int] = 900

#: Modelled time, in seconds, for a cross-Region RDS read replica to accept writes after
#: ``PromoteReadReplica``. AWS publishes no figure: promotion reboots the instance and "can
#: take several minutes or longer, depending on the size of the read replica" (Amazon RDS
#: User Guide, "Promoting a read replica to be a standalone DB instance",
#: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html);
#: 10 min is our conservative model.
READ_REPLICA_PROMOTION_SECONDS: Final[int] = 600

#: Modelled time, in seconds, for a DMS target to take writes alone: draining CDC latency
#: (bounded by the RPO-derived alarm), then ``StopReplicationTask``. AWS publishes no figure;
#: 5 min is our model of the drain plus the stop.
DMS_CUTOVER_SECONDS: Final[int] = 300

#: Modelled time, in seconds, for ``RestoreDBInstanceFromDBSnapshot`` of a copied snapshot to
#: be available. Pilot light recovers in "tens of minutes" (AWS Whitepaper "Disaster Recovery
#: of Workloads on AWS", https://docs.aws.amazon.com/whitepapers/latest/disaster-recovery-workloads-on-aws/disaster-recovery-options-in-the-cloud.html);
#: 60 min is our model for a database of about 100 GiB.
SNAPSHOT_RESTORE_SECONDS: Final[int] = 3600

#: Modelled time, in seconds, for an Aurora Global Database secondary cluster to take writes
#: after ``FailoverGlobalCluster`` with ``AllowDataLoss``. AWS says "typically, the chosen
#: secondary cluster assumes the primary role within a few minutes" (Amazon Aurora User
#: Guide, "Using switchover or failover in Amazon Aurora Global Database", Performing managed
#: failovers,
#: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html)
#: and publishes no upper bound; product pages that say "under a minute" describe the typical
#: case, not the worst one. 5 min is our conservative reading of "a few minutes" (a public
#: scripted test took about 8 min end to end: keycloak/keycloak-benchmark#445). Override it
#: upwards with measured values (``failover.promotionSeconds`` can raise it, never lower it).
AURORA_GLOBAL_FAILOVER_SECONDS: Final[int] = 300

#: ``rds.global_db_rpo`` bounds, in seconds: "Valid values ... range from 20 seconds to
#: 2,147,483,647 seconds (68 years)" (Amazon Aurora User Guide, "Using switchover or failover in
#: Amazon Aurora Global Database", Managing RPOs for Aurora PostgreSQL-based global databases,
#: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html#aurora-global-database-manage-recovery).
MANAGED_RPO_MIN_SECONDS: Final[int] = 20
MANAGED_RPO_MAX_SECONDS: Final[int] = 2_147_483_647

#: CloudWatch alarm periods, in seconds, allowed for an alarm on a high-resolution metric
#: (published with ``StorageResolution=1``): "10 seconds, 30 seconds, or any multiple of 60
#: seconds" (Amazon CloudWatch User Guide, "Using Amazon CloudWatch alarms", Period,
#: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html;
#: "High-resolution metrics",
#: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/publishingMetrics.html#high-resolution-metrics).
HIGH_RESOLUTION_ALARM_PERIODS_SECONDS: Final[tuple[int, ...]] = (10, 30)
#: The finest period of an alarm on a standard-resolution (60 s) metric, in seconds.
STANDARD_ALARM_PERIOD_SECONDS: Final[int] = 60

#: Modelled time, in seconds, for a cross-Region snapshot copy to become `available`.
#: AWS publishes no figure (copies are incremental after the first); 30 min is a
#: conservative model for an incremental copy. Override it with measured values.
DEFAULT_SNAPSHOT_COPY_SECONDS: Final[int] = 1800

#: Valid commercial-partition Region codes this program accepts. Source: AWS General
#: Reference, "AWS Regions" (public commercial Regions; GovCloud/China need other partitions).
AWS_REGIONS: Final[frozenset[str]] = frozenset(
    {
        "us-east-1", "us-east-2", "us-west-1", "us-west-2",
        "af-south-1",
        "ap-east-1", "ap-east-2", "ap-south-1", "ap-south-2",
        "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
        "ap-southeast-5", "ap-southeast-7",
        "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
        "ca-central-1", "ca-west-1",
        "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3",
        "eu-south-1", "eu-south-2", "eu-north-1",
        "il-central-1", "me-south-1", "me-central-1",
        "mx-central-1", "sa-east-1",
    }
)

#: Automatic KMS key rotation period bounds, in days (default 365). Automatic rotation exists
#: only for symmetric encryption keys whose key material KMS generates (not asymmetric, HMAC,
#: imported or custom-key-store keys). Source: AWS KMS Developer Guide, "Rotate AWS KMS keys"
#: (https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html) and AWS KMS API
#: Reference, "EnableKeyRotation" (RotationPeriodInDays: 90-2560).
KMS_ROTATION_PERIOD_DAYS_MIN: Final[int] = 90
KMS_ROTATION_PERIOD_DAYS_MAX: Final[int] = 2560
