"""The RTO and RPO a drill achieved, term by term, built as one
:class:`rto_rpo.inputs.EstimateInputs` (the way :mod:`rto_rpo.model` describes for a drill)
and estimated by :func:`rto_rpo.inputs.estimate`.

* RTO achieved = the fastest detection path the scenario leaves (modelled from config: the
  emulator cannot wait for Route 53's checkers) + the failover as run on the emulator, from
  the failure to the handler's completion (measured; PostgreSQL's own promotion is inside it)
  + any simulated wait the RTO counts (modelled, e.g. a crashed invocation's heartbeat-renewed
  lock lease: at most one ``handlers.failover.state.LEASE_SECONDS``) + the gate alarm's
  evaluation window (modelled) + promotion (modelled: an RDS promotion, DMS cutover or restore
  takes far longer than PostgreSQL on 127.0.0.1) + DNS TTL (modelled: clients cache one TTL).
* RPO achieved = the data-loss window measured from the new writer (oldest acknowledged order
  it lacks, to the failure; :mod:`drill.data.loss`): the RPO as customers felt it. When the
  window spans a wait the drill skipped on its clock, the term says so and is modelled.
"""

from __future__ import annotations

from components.budgets import planned_inputs, planned_rpo, planned_rto
from contract.names import GATE_ALARM_EVALUATION_PERIODS, GATE_ALARM_PERIOD_SECONDS, Role
from drill.context import DrillContext
from rto_rpo.inputs import EstimateInputs, RpoInputs, RtoInputs, estimate
from rto_rpo.model import (
    Basis,
    Estimate,
    Term,
    fastest,
    gate_alarm_evaluation,
    health_check_detection,
    watchdog_detection,
)


def _modelled(t: Term, note_prefix: str = "") -> Term:
    note = f"{note_prefix}{t.note}" if t.note else note_prefix.rstrip("; :")
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


def _aws_terms(ctx: DrillContext) -> tuple[Term, Term]:
    """The program's planned promotion and DNS TTL terms, labelled modelled (AWS-side)."""
    planned = planned_inputs(ctx.settings).rto
    assert planned is not None
    promotion, ttl = planned.promotion, planned.dns_ttl
    assert isinstance(promotion, Term) and isinstance(ttl, Term)
    return (_modelled(promotion, "AWS-side (PostgreSQL on 127.0.0.1 promotes in well under a "
                                 "second; the figure is the AWS one): "),
            _modelled(ttl, "AWS-side: clients cache one TTL; "))


def modelled_aws_terms(ctx: DrillContext) -> list[Term]:
    """The AWS-side terms kept beside the measured customer outage: the fastest detection
    path, promotion, the gate's traffic shift and DNS TTL (all modelled)."""
    promotion, ttl = _aws_terms(ctx)
    return [fastest(detection_terms(ctx)), promotion, gate_term(ctx), ttl]


def rto_inputs(ctx: DrillContext) -> RtoInputs | None:
    """The RTO's terms, or None when the failover did not run."""
    if not ctx.failover_done_at:
        return None
    measured = max(0.0, ctx.failover_done_at - ctx.failure_injected_at)
    fo = ctx.result.step("failover")
    invocations = fo.detail.get("invocations", 0) if fo else 0
    steps = [Term("failover on the emulator (failure -> handler reports completion)", measured,
                  "drill", Basis.MEASURED, f"{invocations} invocation(s), wall time on 127.0.0.1")]
    steps += [Term(w["name"], float(w["seconds"]), "drill", Basis.MODELLED, w["note"])
              for w in ctx.result.modelled_waits]
    promotion, ttl = _aws_terms(ctx)
    return RtoInputs(target_seconds=ctx.settings.rto_seconds, detection=tuple(detection_terms(ctx)),
                     steps=tuple(steps), promotion=promotion, dns_ttl=ttl,
                     traffic_shift=gate_term(ctx))


def recovery_point_term(ctx: DrillContext) -> Term | None:
    """The data-loss window measured from the new writer, or None without a count."""
    data = ctx.result.data or {}
    if not data.get("counted") or not data.get("failed_over", True):
        return None
    window, seconds = data["data_loss_window"], float(data["data_loss_window_seconds"])
    writer = data["new_writer"]
    lost = data["orders"]["lost"]
    source = f"drill: orders read from {writer['server']} ({writer['region']})"
    if window.get("skipped_seconds"):
        return Term("data-loss window (oldest lost acknowledged order -> failure)", seconds, source,
                    Basis.MODELLED, f"{lost} order(s) lost; {window['measured_seconds']} s "
                    f"measured on the emulator + {window['skipped_seconds']} s the drill skipped "
                    f"on its clock ({', '.join(window['skipped'])})")
    return Term("data-loss window (oldest lost acknowledged order -> failure)", seconds, source,
                Basis.MEASURED, f"{lost} acknowledged order(s) lost")


def rpo_inputs(ctx: DrillContext) -> RpoInputs | None:
    """The RPO's one term (the measured recovery point), or None without it."""
    term = recovery_point_term(ctx)
    if term is None:
        return None
    return RpoInputs(target_seconds=float(ctx.settings.rpo_seconds),
                     strategy=str(ctx.spec.strategy), recovery_point=term)


def rto_achieved(ctx: DrillContext) -> Estimate | None:
    """The RTO achieved, or None when the failover did not run."""
    return estimate(EstimateInputs(rto=rto_inputs(ctx))).rto


def rpo_achieved(ctx: DrillContext) -> Estimate | None:
    """The RPO achieved, or None without a data-loss count from the new writer."""
    return estimate(EstimateInputs(rpo=rpo_inputs(ctx))).rpo


def measure(ctx: DrillContext) -> None:
    """Fill the result's RTO/RPO achieved and planned (``components.budgets``)."""
    achieved = estimate(EstimateInputs(rto=rto_inputs(ctx), rpo=rpo_inputs(ctx)))
    ctx.result.rto, ctx.result.rpo = achieved.rto, achieved.rpo
    ctx.result.rto_planned = planned_rto(ctx.settings)
    ctx.result.rpo_planned = planned_rpo(ctx.settings)
