"""The RTO and RPO a drill achieved, term by term, by the shared model (:mod:`rto_rpo.model`).

* RTO achieved = the fastest detection path the scenario leaves (modelled from config: the
  emulator cannot wait for Route 53's checkers) + the failover as run on the emulator, from
  the failure to the handler's completion (measured) + any simulated wait (modelled, e.g. a
  crashed invocation's heartbeat-renewed lock lease: at most one
  ``handlers.failover.state.LEASE_SECONDS``) + the gate alarm's evaluation window (modelled) +
  promotion (modelled: the emulator promotes at once) + DNS TTL (modelled: clients cache one
  TTL).
* RPO achieved = the recovery-point age at the failure: replication lag (strategies with
  replication metrics) or the age of the newest cross-Region copy, as read by the drill.
"""

from __future__ import annotations

from components.budgets import planned_rpo, planned_rto
from contract.names import GATE_ALARM_EVALUATION_PERIODS, GATE_ALARM_PERIOD_SECONDS, Role
from drill.context import DrillContext
from rto_rpo.model import (
    Basis,
    Estimate,
    Term,
    estimate_rto,
    gate_alarm_evaluation,
    health_check_detection,
    watchdog_detection,
)


def _modelled(t: Term, note_prefix: str = "") -> Term:
    note = f"{note_prefix}{t.note}" if t.note else note_prefix.rstrip("; ")
    return Term(t.name, t.seconds, t.source, Basis.MODELLED, note)


def detection_terms(ctx: DrillContext) -> list[Term]:
    """The detection paths the scenario leaves: both normally; the watchdog alone when the
    primary Region (and its health-check alarm forwarder) is down."""
    s = ctx.settings
    hc = health_check_detection(interval_seconds=s.health_check.interval_seconds,
                                failure_threshold=s.health_check.failure_threshold,
                                source="ecommerce-dr:healthCheck")
    wd = watchdog_detection(rate_seconds=s.failover.watchdog_rate_minutes * 60,
                            consecutive_failures=s.failover.consecutive_failures,
                            probe_timeout_seconds=s.failover.probe_timeout_seconds,
                            source="ecommerce-dr:failover.watchdogRateMinutes")
    paths = [wd] if ctx.scenario.primary_region_down else [hc, wd]
    return [_modelled(t, "AWS-side, from config: ") for t in paths]


def gate_term(ctx: DrillContext) -> Term:
    """The traffic-shift term from the deployed gate alarm's inputs (period x datapoints)."""
    period = float(GATE_ALARM_PERIOD_SECONDS)
    points = float(GATE_ALARM_EVALUATION_PERIODS)
    source = "contract.names.GATE_ALARM_PERIOD_SECONDS"
    gates = ctx.deployment.by_role(Role.GATE_ALARM) if ctx.deployment else []
    if gates:
        i = gates[0].inputs
        period = float(i.get("period", period))
        points = float(i.get("datapointsToAlarm") or i.get("evaluationPeriods") or points)
        source = gates[0].urn
    return gate_alarm_evaluation(period_seconds=period, datapoints=points, source=source)


def rto_achieved(ctx: DrillContext) -> Estimate | None:
    """The RTO achieved, or None when the failover did not run."""
    if not ctx.failover_done_at:
        return None
    measured = max(0.0, ctx.failover_done_at - ctx.failure_injected_at)
    fo = ctx.result.step("failover")
    invocations = fo.detail.get("invocations", 0) if fo else 0
    steps = [Term("failover on the emulator (failure -> handler reports completion)", measured,
                  "drill", Basis.MEASURED, f"{invocations} invocation(s), wall time on 127.0.0.1")]
    steps += [Term(w["name"], float(w["seconds"]), "drill", Basis.MODELLED, w["note"])
              for w in ctx.result.modelled_waits]
    planned = planned_rto(ctx.settings)
    promotion = next(t for t in planned.terms if t.name.startswith("promotion"))
    ttl = next(t for t in planned.terms if t.name == "DNS TTL")
    return estimate_rto(detection_paths=detection_terms(ctx), step_budgets=steps,
                        traffic_shift=gate_term(ctx),
                        promotion=_modelled(promotion, "AWS-side (the emulator promotes at "
                                                       "once): "),
                        dns_ttl=_modelled(ttl, "AWS-side: clients cache one TTL; from "
                                               "ecommerce-dr:dns.ttlSeconds"),
                        target_seconds=ctx.settings.rto_seconds)


def rpo_achieved(ctx: DrillContext) -> Estimate | None:
    """The RPO achieved, or None without a recovery-point reading at the failure."""
    r = ctx.result.recovery_point
    if not r or r.get("seconds") is None:
        return None
    return Estimate("RPO", (Term("recovery-point age at the failure", float(r["seconds"]),
                                 str(r.get("source", "drill")), Basis.MEASURED,
                                 str(r.get("note", ""))),),
                    float(ctx.settings.rpo_seconds))


def measure(ctx: DrillContext) -> None:
    """Fill the result's RTO/RPO achieved and planned (``components.budgets``)."""
    ctx.result.rto = rto_achieved(ctx)
    ctx.result.rpo = rpo_achieved(ctx)
    ctx.result.rto_planned = planned_rto(ctx.settings)
    ctx.result.rpo_planned = planned_rpo(ctx.settings)
