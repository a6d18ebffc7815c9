"""Terms of moving traffic: the failover gate alarm's evaluation window and the DNS TTL.

* Traffic shift: after the orchestrator publishes the gate metric, the gate alarm
  (``dr:role=failover-gate-alarm``) needs ``period x (datapointsToAlarm or
  evaluationPeriods)`` to fire; the PRIMARY record's health check follows it. The slowest
  gate alarm counts.
* DNS TTL: the largest TTL of the failover records (Route 53 records take no tags, so they
  are found by ``failoverRoutingPolicies``); clients may cache one TTL after the flip.
"""

from __future__ import annotations

from contract.names import Role
from policies.inventory.detection import Window, slowest
from policies.inventory.survey import COMPUTED, Survey
from policies.resource_types import METRIC_ALARM, RECORD
from policies.rules.common import is_set
from rto_rpo.inputs import TermInput, Unknown
from rto_rpo.model import Basis, Term, gate_alarm_evaluation

NO_GATE = ("No failover gate alarm: declare the standby-Region alarm on the gate metric tagged "
           f"dr:role={Role.GATE_ALARM}; the PRIMARY record's health check follows it, so without "
           "it traffic cannot be moved to the standby.")
GATE_UNBOUNDED = ("Failover gate alarm must declare period and evaluationPeriods (> 0); without "
                  "them its evaluation time, part of the RTO, is unbounded.")
NO_RECORDS = ("No failover records: declare the PRIMARY and SECONDARY Route 53 records "
              "(failoverRoutingPolicies); without them traffic never moves.")


def traffic_shift(sv: Survey) -> TermInput | None:
    """The slowest gate alarm's evaluation window; None (and a violation) when there is no
    gate alarm or none declares its window."""
    gates = sv.with_role(METRIC_ALARM, Role.GATE_ALARM)
    if not gates:
        sv.problem(NO_GATE)
        return None
    mark = sv.mark()
    windows: list[Window] = []
    for g in gates:
        period = sv.num(g, "period")
        datapoints = sv.num(g, "datapointsToAlarm")
        evaluations = sv.num(g, "evaluationPeriods")
        if any(v is COMPUTED for v in (period, datapoints, evaluations)):
            continue
        count = datapoints or evaluations
        if not period or not count or period < 0 or count < 0:
            sv.problem(GATE_UNBOUNDED, g.urn)
            continue
        windows.append((period, count, g.urn))
    if sv.since(mark):
        return Unknown("traffic shift", sv.since(mark), why="gate alarm computed")
    worst = slowest(windows)
    if worst is None:
        return None
    return gate_alarm_evaluation(period_seconds=worst[0], datapoints=worst[1], source=worst[2])


def dns_ttl(sv: Survey) -> TermInput | None:
    """The largest known TTL of the failover records (an alias record has none: 0 s); None
    (and a violation) when there is no failover record."""
    records = [r for r in sv.of_type(RECORD) if is_set(r.props, "failoverRoutingPolicies")]
    if not records:
        sv.problem(NO_RECORDS)
        return None
    mark = sv.mark()
    ttls = [(sv.num(r, "ttl", default=0.0), r.urn) for r in records]
    known = [(t, u) for t, u in ttls if t is not COMPUTED]
    if not known:
        return Unknown("DNS TTL", sv.since(mark))
    seconds, urn = max(known)
    return Term("DNS TTL", seconds, urn, Basis.CONFIGURED, "clients may cache one TTL after the flip")
