"""The traffic gate: a metric in the standby Region that a CloudWatch alarm and an
alarm-based (CLOUDWATCH_METRIC) Route 53 health check follow.

Publishing 1 trips the gate: the alarm goes to ALARM, the PRIMARY record's health check turns
unhealthy and Route 53 answers with the SECONDARY record - through the data plane only, with
no Route 53 API call (field-notes: the Route 53 control plane lives in us-east-1 only).
With ``treat_missing_data = ignore`` the alarm keeps its state, so the gate is a latch;
re-publishing on every watchdog run makes it sturdier (field-notes, "Gate latching").

The latch is also kept in the state table (``pk = "gate"``): once tripped, only an operator
failback releases it, and :func:`republish` never publishes 0 while it is tripped.
"""

from __future__ import annotations

from typing import Any

from handlers.failover import clock
from handlers.failover.state import GATE_PK, StateStore, update_fields
from rto_rpo.contract import GATE_METRIC, GATE_NAMESPACE


def publish(cloudwatch: Any, stack: str, value: int) -> None:
    """PutMetricData ``GATE_NAMESPACE/GATE_METRIC{Stack=stack} = value`` (0 or 1)."""
    cloudwatch.put_metric_data(Namespace=GATE_NAMESPACE, MetricData=[{
        "MetricName": GATE_METRIC, "Dimensions": [{"Name": "Stack", "Value": stack}],
        "Value": float(value), "Unit": "Count"}])


def trip(store: StateStore, cloudwatch: Any, stack: str, failover_id: str) -> dict[str, Any]:
    """Latch the gate in the table first (so a crash still leaves it latched for the
    watchdog to re-publish), then publish 1."""
    gate = store.gate()
    if not gate.get("tripped"):
        gate.update(tripped=True, tripped_at=clock.iso(), failover_id=failover_id)
    gate.update(last_published=1, last_published_at=clock.iso())
    store.put(gate)
    publish(cloudwatch, stack, 1)
    return gate


def republish(store: StateStore, cloudwatch: Any, stack: str) -> int:
    """Publish the latched state (1 if tripped, else 0); returns the value published."""
    value = 1 if store.gate().get("tripped") else 0
    publish(cloudwatch, stack, value)
    if value == 0 and store.gate().get("tripped"):
        # A failover tripped the gate while we published 0: publish 1 again, so the latch
        # never ends on 0 after a failover.
        value = 1
        publish(cloudwatch, stack, value)
    update_fields(store, GATE_PK, last_published=value, last_published_at=clock.iso())
    return value


def release(store: StateStore, cloudwatch: Any, stack: str, reason: str) -> dict[str, Any]:
    """Operator failback only: unlatch and publish 0."""
    gate = store.gate()
    gate.update(tripped=False, released_at=clock.iso(), release_reason=reason,
                last_published=0, last_published_at=clock.iso())
    store.put({**gate, "pk": GATE_PK})
    publish(cloudwatch, stack, 0)
    return gate
