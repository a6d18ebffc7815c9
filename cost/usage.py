"""Usage the plan cannot know, with documented defaults (in the manner of Infracost's usage
file). Each default is a round, stated assumption for a mid-sized shop; set your own in the
``usage:`` section of an override file (:mod:`cost.files`), merged key by key, e.g.::

    usage:
      database: {data_gib: 400, change_percent_per_day: 1.5}
      route53: {queries_per_month: 25000000}
      free_tier: {cloudwatch_dashboards: 3}

What the plan does say is read from it, not from here: schedules (watchdog rate, backup
cadence) give invocations, the functions' memory and architecture give GB-seconds, the
backup orchestrator's environment gives the cadence, retention and protected databases,
instance classes, storage and Multi-AZ come from the planned instances.

Free tiers: AWS's free allowances that are shared by the whole account (the first 3
CloudWatch dashboards, the first 50 AWS-endpoint health checks, and the Lambda, CloudWatch,
SNS, KMS free tiers) are NOT deducted by default: the estimate assumes the account's other
resources already use them, so it prices what this stack adds. :class:`FreeTierUsage` says
how much of the first two is free for this stack; the others are never deducted.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from contract.identifiers import is_region
from cost.files import CostFileError, OverrideSource, deep_merge, read_override, validation_errors

#: Hours in a month, the convention of AWS's pricing pages and calculator (8,760 / 12).
HOURS_PER_MONTH = 730.0
#: Days in a month under the same convention (730 / 24).
DAYS_PER_MONTH = HOURS_PER_MONTH / 24


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseUsage(_Section):
    """The protected database (each protected database, when there are several)."""

    engine: Literal["postgres", "mysql"] = Field(
        "postgres", description="engine of a standby the plan does not name (a read replica "
        "inherits its source's engine)")
    allocated_storage_gib: float = Field(
        100.0, gt=0, description="provisioned storage, GiB, of a standby whose plan does not "
        "set it (a read replica inherits its source's)")
    storage_type: Literal["gp2", "gp3", "io1", "io2"] = Field(
        "gp2", description="storage type of a standby whose plan does not set it")
    data_gib: float = Field(80.0, gt=0, description="data held, GiB: the size of a full "
                            "snapshot (the first snapshot and first cross-Region copy)")
    change_gib_per_day: float = Field(2.0, ge=0, description="distinct data changed per day, "
                                      "GiB: what incremental snapshots and copies add")
    change_percent_per_day: float | None = Field(
        None, ge=0, le=100, description="the change rate as % of data_gib per day; when set it "
        "replaces change_gib_per_day")
    growth_gib_per_month: float = Field(2.0, ge=0, description="growth of the data, GiB per "
                                        "month; the month's mean size is data + growth / 2")
    replication_gib_per_day: float = Field(
        4.0, ge=0, description="change stream shipped to the standby Region, GiB per day (WAL or "
        "binlog for a replica, CDC for DMS); usually larger than the distinct change")

    @property
    def change_per_day_gib(self) -> float:
        """Distinct change per day, GiB (the percentage when set, else the GiB figure)."""
        if self.change_percent_per_day is not None:
            return self.data_gib * self.change_percent_per_day / 100
        return self.change_gib_per_day

    @property
    def mean_data_gib(self) -> float:
        """Mean data size over the month, GiB: ``data_gib + growth_gib_per_month / 2``."""
        return self.data_gib + self.growth_gib_per_month / 2


class AuroraUsage(_Section):
    """An Aurora Global Database (strategy aurora-global): the I/O its prices count."""

    write_ios_per_month: float = Field(
        50_000_000.0, ge=0, description="write I/Os of the primary cluster per month; each is "
        "replicated to the secondary and billed once more as a replicated write I/O (Amazon "
        "Aurora pricing; the AuroraGlobalDBReplicatedWriteIO metric counts them)")
    secondary_read_ios_per_month: float = Field(
        5_000_000.0, ge=0, description="read I/Os served by the secondary cluster per month "
        "(Aurora Standard bills I/O in each Region)")


class SnapshotUsage(_Section):
    """Manual snapshots the backup orchestrator keeps, and their cross-Region copies."""

    share_automated_backups: bool = Field(
        False, description="bill an instance's manual snapshot series in its own Region for its "
        "changes only, as sharing the full data with the instance's automated backups; default "
        "false: each series holds a full copy (an upper bound). Copies in the standby Region "
        "always hold one")
    count_initial_full_copy: bool = Field(
        False, description="add the one-off full first copy (data_gib) to the month's transfer")
    free_backup_gib: dict[str, float] = Field(
        default_factory=dict, description="Region -> GiB of the free RDS backup allowance left "
        "for manual snapshots after the instances' automated backups (default none)")

    @model_validator(mode="after")
    def _regions(self) -> SnapshotUsage:
        bad = [k for k in self.free_backup_gib if not is_region(k)]
        if bad:
            raise ValueError(f"free_backup_gib: not Region codes: {', '.join(bad)}")
        if any(v < 0 for v in self.free_backup_gib.values()):
            raise ValueError("free_backup_gib: GiB must be >= 0")
        return self


class LambdaUsage(_Section):
    """The orchestrators' run times and the invocations the schedules do not give."""

    watchdog_run_seconds: float = Field(1.5, gt=0, description="mean duration of a watchdog "
                                        "run, seconds (a healthy probe, state reads and writes)")
    backup_run_seconds: float = Field(20.0, gt=0, description="mean duration of a backup run, "
                                      "seconds")
    alarm_run_seconds: float = Field(3.0, gt=0, description="mean duration of a run started by "
                                     "a forwarded health alarm, seconds")
    log_kib_per_run: float = Field(2.0, ge=0, description="log written per run, KiB (Lambda's "
                                   "START/END/REPORT lines, the handler's JSON lines, EMF)")
    invocations_per_month: dict[str, float] = Field(
        default_factory=dict, description="function logical name -> invocations a month, for "
        "functions no DR schedule invokes")
    other_run_seconds: float = Field(1.0, gt=0, description="mean duration, seconds, of the "
                                     "invocations given in invocations_per_month")


class FailoverUsage(_Section):
    alarm_state_changes_per_month: float = Field(
        4.0, ge=0, description="state changes of the Route 53 health alarm a month: each is one "
        "cross-Region event and one orchestrator run")
    event_metric_hours_per_month: float = Field(
        4.0, ge=0, description="hours a month in which each event-driven metric (probe failures, "
        "errors, failover durations) is published")


class DynamoDbUsage(_Section):
    reads_per_watchdog_run: float = Field(4.0, ge=0, description="strongly consistent reads "
                                          "of items <= 4 KB per watchdog run (watchdog, failover, "
                                          "gate twice)")
    writes_per_watchdog_run: float = Field(2.0, ge=0, description="writes of items <= 1 KB per "
                                           "watchdog run (watchdog state, gate last-published)")
    table_gib: float = Field(0.001, ge=0, description="table size, GiB")


class S3Usage(_Section):
    run_record_kib: float = Field(8.0, gt=0, description="size of one backup run record, KiB")


class SnsUsage(_Section):
    notifications_per_topic_month: float = Field(
        20.0, ge=0, description="messages published to each alert topic a month (alarm state "
        "changes, partial backup runs); each reaches every subscription")


class KmsUsage(_Section):
    requests_per_key_month: float = Field(
        10_000.0, ge=0, description="KMS requests per key a month (DynamoDB, SNS, S3 and RDS "
        "calls that use it; the services cache data keys)")


class Route53Usage(_Section):
    queries_per_month: float = Field(
        1_000_000.0, ge=0, description="DNS queries a month per failover record name. The site's "
        "queries are paid for with or without DR; set 0 to count only what DR adds")
    endpoints_in_aws: bool = Field(True, description="whether health-checked endpoints run in "
                                   "AWS (AWS-endpoint prices apply)")
    non_aws_endpoints: list[str] = Field(default_factory=list, description="FQDNs or IPs priced "
                                         "as endpoints outside AWS")


class FreeTierUsage(_Section):
    cloudwatch_dashboards: int = Field(0, ge=0, le=3, description="how many of the account's 3 "
                                       "free dashboards this stack may use")
    route53_aws_endpoint_health_checks: int = Field(
        0, ge=0, le=50, description="how many of the account's 50 free AWS-endpoint health "
        "checks this stack may use")


class Usage(_Section):
    """Every usage figure the pricing functions read (sections as attributes)."""

    database: DatabaseUsage = DatabaseUsage()
    aurora: AuroraUsage = AuroraUsage()
    snapshots: SnapshotUsage = SnapshotUsage()
    lambda_: LambdaUsage = Field(LambdaUsage(), alias="lambda")
    failover: FailoverUsage = FailoverUsage()
    dynamodb: DynamoDbUsage = DynamoDbUsage()
    s3: S3Usage = S3Usage()
    sns: SnsUsage = SnsUsage()
    kms: KmsUsage = KmsUsage()
    route53: Route53Usage = Route53Usage()
    free_tier: FreeTierUsage = FreeTierUsage()

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def to_dict(self) -> dict[str, Any]:
        """Every figure in force, by section (``lambda`` under its file name)."""
        return self.model_dump(by_alias=True, mode="json")


@lru_cache(maxsize=1)
def defaults() -> Usage:
    """The documented defaults."""
    return Usage()


def load_usage(override: OverrideSource = None) -> Usage:
    """The defaults with the override's ``usage:`` section merged in, key by key.

    Args:
        override: an override file (path) or its parsed mapping.

    Raises:
        CostFileError: a key is unknown or a value is out of range; each line names the key
            (``usage.database.data_gib``).
    """
    where, data = read_override(override)
    section = data.get("usage", {})
    if not isinstance(section, Mapping):
        raise CostFileError(where, ["usage: must be a mapping of section -> figures"])
    merged = deep_merge(defaults().to_dict(), section)
    try:
        return Usage.model_validate(merged)
    except ValidationError as e:
        raise CostFileError(where, validation_errors(e, ("usage",))) from None
