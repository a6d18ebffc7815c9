"""The traffic gate: a metric in the standby Region that a CloudWatch alarm and an
alarm-based (CLOUDWATCH_METRIC) Route 53 health check follow.

Publishing 1 trips the gate: the alarm goes to ALARM, the PRIMARY record's health check turns
unhealthy and Route 53 answers with the SECONDARY record - through the data plane only, with
no Route 53 API call: the Route 53 control plane is in us-east-1 only (AWS Networking &
Content Delivery Blog, "Creating Disaster Recovery Mechanisms Using Amazon Route 53",
https://aws.amazon.com/blogs/networking-and-content-delivery/creating-disaster-recovery-mechanisms-using-amazon-route-53/).
With ``treat_missing_data = ignore`` the alarm keeps its state while no data arrives
(Amazon CloudWatch User Guide, "Configuring how CloudWatch alarms treat missing data",
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data),
and the health check follows the alarm's state (Amazon Route 53 Developer Guide, "How Amazon
Route 53 determines whether a health check is healthy",
https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html),
so the gate is a latch; re-publishing on every watchdog run makes it sturdier.

The latch is also kept in the state table (``pk = "gate"``): once tripped, only an operator
failback releases it; :func:`republish` never leaves 0 published while it is tripped, nor 1
after a failback released it (``generation``, see :func:`republish`).
"""

from __future__ import annotations

from typing import Any

from contract.names import (
    GATE_ALARM_PERIOD_SECONDS,
    GATE_METRIC,
    GATE_NAMESPACE,
    gate_storage_resolution,
)
from handlers.failover import clock
from handlers.failover.records import GateLatch
from handlers.failover.state import StateStore


def publish(cloudwatch: Any, stack: str, value: int,
            period_seconds: int = GATE_ALARM_PERIOD_SECONDS) -> None:
    """PutMetricData ``GATE_NAMESPACE/GATE_METRIC{Stack=stack} = value`` (0 or 1), at high
    resolution (``StorageResolution=1``) when the gate alarm's period (``GATE_PERIOD_SECONDS``)
    is under 60 s: CloudWatch evaluates a 10 or 30 s alarm only over a high-resolution metric
    (:func:`contract.names.gate_storage_resolution`)."""
    cloudwatch.put_metric_data(Namespace=GATE_NAMESPACE, MetricData=[{
        "MetricName": GATE_METRIC, "Dimensions": [{"Name": "Stack", "Value": stack}],
        "Value": float(value), "Unit": "Count",
        "StorageResolution": gate_storage_resolution(period_seconds)}])


def _bump(latch: GateLatch) -> None:
    latch.generation = (latch.generation or 0) + 1


def trip(store: StateStore, cloudwatch: Any, stack: str, failover_id: str,
         period_seconds: int = GATE_ALARM_PERIOD_SECONDS) -> GateLatch:
    """Latch the gate in the table first (so a crash still leaves it latched for the
    watchdog to re-publish), then publish 1. Runs under the failover lock."""
    latch = store.gate()
    if not latch.tripped:
        latch.tripped, latch.tripped_at, latch.failover_id = True, clock.iso(), failover_id
        _bump(latch)
    latch.last_published, latch.last_published_at = 1, clock.iso()
    store.save_gate(latch)
    publish(cloudwatch, stack, 1, period_seconds)
    return latch


#: Re-reads of the latch by one :func:`republish` before it gives up chasing a latch that
#: keeps changing (trip and release each need the lock, so two rounds settle any race).
REPUBLISH_ROUNDS = 3


def republish(store: StateStore, cloudwatch: Any, stack: str,
              period_seconds: int = GATE_ALARM_PERIOD_SECONDS) -> int:
    """Publish the latched state (1 if tripped, else 0); returns the last value published.

    Runs on every watchdog tick WITHOUT the lock, so a trip or an operator failback can land
    between its read and its publish. :func:`trip` and :func:`release` write the table
    before they publish and bump ``generation``; so after publishing, the latch is read
    again (strongly consistent) and, if it changed, the new state is published. A tick's
    stale value is therefore always followed by the current one: a failback's 0 is never
    left overridden by a 1 read before it (nor a trip's 1 by a 0). ``last_published`` is
    written only if the generation is still the one published.
    """
    latch = store.gate()
    value = 1 if latch.tripped else 0
    for _ in range(REPUBLISH_ROUNDS):
        publish(cloudwatch, stack, value, period_seconds)
        again = store.gate()
        latest = 1 if again.tripped else 0
        if again.generation == latch.generation and latest == value:
            break
        # A trip or release landed while we published: publish what is latched now.
        latch, value = again, latest
    store.update(GateLatch.PK, if_equal=("generation", latch.generation),
                 last_published=value, last_published_at=clock.iso())
    return value


def release(store: StateStore, cloudwatch: Any, stack: str, reason: str,
            period_seconds: int = GATE_ALARM_PERIOD_SECONDS) -> GateLatch:
    """Operator failback only (under the lock): unlatch, bump ``generation``, publish 0."""
    latch = store.gate()
    latch.tripped, latch.released_at, latch.release_reason = False, clock.iso(), reason
    latch.last_published, latch.last_published_at = 0, clock.iso()
    _bump(latch)
    store.save_gate(latch)
    publish(cloudwatch, stack, 0, period_seconds)
    return latch
