"""Steps 1-2: the policy gate, the emulator and the site, and deploying the plan into it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from contract.names import Role

from .applier import Applier
from .bridges import AlarmEvaluator
from .records import (
    FAILOVER_RECORD_TYPES,
    HANDLERS,
    REQUIRED_ROLES,
    ROOT,
    DrillError,
    StepSkipped,
)
from .runtime import FunctionRuntime
from .site import stand_up_site

#: Plans recorded in this process, by stack, stack file and overrides: recording runs the
#: program in a subprocess (~2 s), and one process (tests, bench) drills the same config
#: several times. Applying a plan never changes it.
_PLAN_CACHE: dict[str, Any] = {}


class SetupSteps:
    """Mixin of :class:`offline.drill.runner.Drill` (shares its state)."""

    # -- step 1 -----------------------------------------------------------------------------
    def _policy_gate(self) -> None:
        with self.step("policy-gate", "Policy gate: offline preview with the policy pack") as rec:
            if not self.opts.policy_gate:
                raise StepSkipped("turned off by --no-policy-gate (the report says so)")
            cmd = [sys.executable, "-m", "offline.preview", "--stack", self.opts.stack]
            if self.opts.stack_file:
                cmd += ["--stack-file", str(self.opts.stack_file)]
            with tempfile.TemporaryDirectory() as tmp:
                if self.overrides:
                    # the drill deploys the overridden config: check exactly that plan
                    from offline.plan import record_plan

                    plan_file = Path(tmp) / "plan.json"
                    plan_file.write_text(record_plan(
                        self.opts.stack, stack_file=self.opts.stack_file,
                        config_overrides=self.overrides, preview=True).to_json())
                    cmd += ["--plan-file", str(plan_file)]
                    rec.detail["overrides"] = self.overrides
                proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                                      timeout=300, check=False)
            rec.detail.update(command=" ".join(cmd[1:]), exit_code=proc.returncode,
                              output_tail=(proc.stdout + proc.stderr).strip().splitlines()[-8:])
            if proc.returncode != 0:
                rec.status = "failed"
                missing = "No module named offline.preview" in proc.stderr
                raise DrillError("policy gate failed: " + (
                    "offline.preview is not available" if missing else
                    f"`{' '.join(cmd[1:])}` exited {proc.returncode}:\n"
                    + "\n".join(rec.detail["output_tail"])))

    # -- step 2 -----------------------------------------------------------------------------
    def _start(self) -> None:
        self.emulator.start()
        self.faults.closed_port_url = self.emulator.closed_port.url
        self.site = stand_up_site(self.settings, self.client)
        rec = self.steps[-1]
        rec.detail = {"emulator": self.emulator.url,
                      "primary_endpoint": self.site.primary.url(),
                      "standby_endpoint": self.site.standby.url(),
                      "hosted_zone": f"{self.site.configured_zone_id} -> {self.site.hosted_zone_id}",
                      "primary_db_arn": self.site.primary_db_arn}

    def _deploy(self) -> None:
        with self.step("deploy", "Deploy the plan recorded under mocks into the emulator") as rec:
            try:
                from offline.plan import PlanConfigError, record_plan
            except ImportError as e:
                raise DrillError(f"offline.plan is not available: {e}") from None
            key = json.dumps([self.opts.stack, str(self.opts.stack_file), self.overrides],
                             sort_keys=True)
            rec.detail["plan_reused_in_process"] = key in _PLAN_CACHE
            try:
                plan = _PLAN_CACHE.get(key) or record_plan(
                    self.opts.stack, stack_file=self.opts.stack_file,
                    config_overrides=self.overrides or None, preview=True)
                _PLAN_CACHE[key] = plan
            except PlanConfigError as e:
                raise DrillError(f"the program rejected the stack config: {e}") from None
            self.plan_resources = len(plan.resources)
            assert self.site is not None
            applier = Applier(self.client, self.site, env_substitute=self._env_substitute,
                              primary_region=self.settings.primary_region,
                              standby_region=self.settings.standby_region)
            self.deployment = applier.apply(plan.resources)
            d = self.deployment
            for role in REQUIRED_ROLES:
                if not d.by_role(role):
                    planned = [r.urn for r in plan.by_role(role)]
                    why = ("planned but not applied: " + ", ".join(planned) if planned
                           else "not in the plan")
                    self.missing.append(f"{role} ({why})")
            kinds = {(a.inputs.get("failoverRoutingPolicies") or [{}])[0].get("type")
                     for a in d.applied.values() if a.type == "aws:route53/record:Record"}
            for kind in FAILOVER_RECORD_TYPES:
                if kind not in kinds:
                    self.missing.append(f"{kind} failover record (not applied)")
            rec.detail = {"planned_resources": len(plan.resources), **d.summary()}
            if d.failed:
                self.notes.append(f"{len(d.failed)} planned resource(s) failed to apply; "
                                  "see deployment.failed")
            ev = AlarmEvaluator(self.client, self.bridges)
            for a in d.applied.values():
                if a.type == "aws:cloudwatch/metricAlarm:MetricAlarm":
                    ev.as_created(a.physical_name, a.region)
            self._subscribe_alert_queues()
            self._make_runtimes()

    _URL = re.compile(r"https?://(?P<host>[A-Za-z0-9.-]+)(?::\d+)?")

    def _env_substitute(self, key: str, value: str) -> str | None:
        """Site FQDNs in env values point at the loopback endpoints (the drill's DNS for
        the site's own names); nothing else is changed."""
        assert self.site is not None
        bases = {self.settings.site.primary_endpoint_fqdn: self.site.primary.url(""),
                 self.settings.site.standby_endpoint_fqdn: self.site.standby.url(""),
                 self.settings.site.failover_fqdn: self.site.primary.url("")}
        new = self._URL.sub(lambda m: bases.get(m["host"], m[0]), value)
        return new if new != value else None

    def _subscribe_alert_queues(self) -> None:
        assert self.deployment is not None
        for topic in self.deployment.by_role(Role.ALERT_TOPIC):
            sqs = self.client("sqs", topic.region)
            url = sqs.create_queue(QueueName=f"drill-alerts-{topic.region}")["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"]
                                           )["Attributes"]["QueueArn"]
            self.client("sns", topic.region).subscribe(
                TopicArn=topic.arn, Protocol="sqs", Endpoint=arn,
                Attributes={"RawMessageDelivery": "true"})
            self.queues[topic.region] = url

    def _make_runtimes(self) -> None:
        assert self.deployment is not None
        for role, attr in ((Role.FAILOVER_ORCHESTRATOR, "failover_fn"),
                           (Role.BACKUP_ORCHESTRATOR, "backup_fn")):
            fns = self.deployment.by_role(role)
            if len(fns) != 1:
                continue
            fn = fns[0]
            module = HANDLERS[role].rsplit(".", 1)[0]
            try:
                __import__(module)
            except ImportError as e:
                self.missing.append(f"{HANDLERS[role]} cannot be imported ({e})")
                continue
            setattr(self, attr, FunctionRuntime(
                lambda_client=self.client("lambda", fn.region), function_name=fn.physical_name,
                region=fn.region, handler_path=HANDLERS[role], endpoint_url=self.emulator.url))
