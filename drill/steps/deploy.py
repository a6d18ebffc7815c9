"""Step 2b: deploy the plan recorded under mocks into the emulator, subscribe SQS queues to
the alert topics, and make the orchestrators invocable. The drill stops (and fails) when the
plan lacks a piece it needs."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable

from contract.names import Role
from drill.apply import ApplyContext, Deployment, apply_plan
from drill.context import DrillContext
from drill.observe import ALARM, alarm_evaluator
from drill.options import FAILOVER_RECORD_TYPES, HANDLERS, REQUIRED_ROLES, Abort
from drill.plans import plan_for
from drill.result import StepRecord
from drill.step import Step
from emulator.lambda_runtime import FunctionRuntime

_URL = re.compile(r"https?://(?P<host>[A-Za-z0-9.-]+)(?::\d+)?")


def _env_substitute(ctx: DrillContext) -> Callable[[str, str], str | None]:
    """Site FQDNs in env values point at the loopback endpoints (the drill's DNS for the
    site's own names); nothing else is changed."""
    site, s = ctx.need_site(), ctx.settings.site
    bases = {s.primary_endpoint_fqdn: site.primary.url(""), s.standby_endpoint_fqdn: site.standby.url(""),
             s.failover_fqdn: site.primary.url("")}

    def substitute(_key: str, value: str) -> str | None:
        new = _URL.sub(lambda m: bases.get(m["host"], m[0]), value)
        return new if new != value else None
    return substitute


def _missing(ctx: DrillContext, d: Deployment) -> list[str]:
    """Pieces the drill needs that were not applied (with whether they were planned)."""
    out = []
    for role in REQUIRED_ROLES:
        if not d.by_role(role):
            planned = [r.urn for r in ctx.plan.by_role(role)]
            why = ("planned but not applied: " + ", ".join(planned) if planned
                   else "not in the plan")
            out.append(f"{role} ({why})")
    kinds = {(a.inputs.get("failoverRoutingPolicies") or [{}])[0].get("type")
             for a in d.by_type("aws:route53/record:Record")}
    out += [f"{kind} failover record (not applied)" for kind in FAILOVER_RECORD_TYPES
            if kind not in kinds]
    return out


def _subscribe_alert_queues(ctx: DrillContext, d: Deployment) -> None:
    builder = ctx.builder()
    for topic in d.by_role(Role.ALERT_TOPIC):
        ctx.alert_queues.update(builder.subscribe_queues(
            {topic.region: topic.arn}, queue_name=f"drill-alerts-{topic.region}"))


def _runtimes(ctx: DrillContext, d: Deployment) -> None:
    for role in (Role.FAILOVER_ORCHESTRATOR, Role.BACKUP_ORCHESTRATOR):
        fns = d.by_role(role)
        if len(fns) != 1:
            continue
        try:
            importlib.import_module(HANDLERS[role].rsplit(".", 1)[0])
        except ImportError as e:
            ctx.result.missing.append(f"{HANDLERS[role]} cannot be imported ({e})")
            continue
        runtime = FunctionRuntime(
            lambda_client=ctx.client("lambda", fns[0].region), function_name=fns[0].physical_name,
            region=fns[0].region, handler_path=HANDLERS[role], endpoint_url=ctx.emulator.url)
        if role is Role.FAILOVER_ORCHESTRATOR:
            ctx.failover_fn = runtime
        else:
            ctx.backup_fn = runtime


def run(ctx: DrillContext, rec: StepRecord) -> None:
    """Record (or reuse) the plan, apply it, note what is missing, subscribe queues."""
    plan, reused = plan_for(ctx)
    rec.detail["plan_reused_in_process"] = reused
    # what the preview counts and the applier deploys: no components, no providers
    ctx.result.planned_resources = len(plan.custom_resources)
    s = ctx.settings
    d = ctx.deployment = apply_plan(plan.resources, ApplyContext(
        client=ctx.client, site=ctx.need_site(), deployment=Deployment(),
        env_substitute=_env_substitute(ctx), primary_region=s.primary_region,
        standby_region=s.standby_region))
    ctx.result.missing += _missing(ctx, d)
    rec.detail.update(planned_resources=len(plan.custom_resources), **d.summary())
    if d.failed:
        ctx.result.notes.append(f"{len(d.failed)} planned resource(s) failed to apply; "
                                "see deployment.failed")
    ev = alarm_evaluator(ctx)
    for a in d.by_type(ALARM):
        ev.as_created(a.physical_name, a.region)
    _subscribe_alert_queues(ctx, d)
    _runtimes(ctx, d)


def require_complete(ctx: DrillContext) -> None:
    """Stop the drill when the plan lacks a piece it needs (run after the deploy step).

    Raises:
        Abort: naming each missing piece.
    """
    if ctx.result.missing:
        raise Abort("the plan lacks resources the drill needs: " + "; ".join(ctx.result.missing))


STEP = Step("deploy", "Deploy the plan recorded under mocks into the emulator", run,
            then=require_complete)
