"""What a drill produced: its step records, checks and measurements (:class:`DrillResult`).

The pipeline fills a :class:`DrillResult` while the steps run and finishes it with the RTO and
RPO achieved (:mod:`drill.measure`); the report (:mod:`drill.report`) reads nothing else.
Seconds are wall seconds; *measured* figures come from the emulator run, *modelled* ones from
config and :mod:`rto_rpo.figures` (each :class:`rto_rpo.model.Term` says which).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from rto_rpo.model import Estimate


@dataclass
class StepRecord:
    """One drill step as it ran.

    Attributes:
        name, title: the step's id and its one-line description.
        started_offset: seconds after the drill started.
        seconds: how long it took (measured on the emulator).
        status: ``ok``, ``failed`` or ``skipped``.
        detail: what the step saw (JSON-serialisable).
        api_calls: handlers' requests the emulator served, ``"<service>:<Operation>" -> n``.
        harness_calls: the drill's own requests the emulator served.
        handler_calls: calls the handlers' clients attempted (also unreachable ones).
        throttled: requests answered ``Throttling`` during the step.
    """

    name: str
    title: str
    started_offset: float = 0.0
    seconds: float = 0.0
    status: str = "ok"
    detail: dict[str, Any] = field(default_factory=dict)
    api_calls: dict[str, int] = field(default_factory=dict)
    harness_calls: dict[str, int] = field(default_factory=dict)
    handler_calls: dict[str, int] = field(default_factory=dict)
    throttled: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.name, "title": self.title, "basis": "measured",
                "started_offset_seconds": round(self.started_offset, 4),
                "seconds": round(self.seconds, 4), "status": self.status,
                "api_calls_total": sum(self.api_calls.values()) + sum(self.harness_calls.values()),
                "api_calls": self.api_calls, "harness_calls": self.harness_calls,
                "handler_calls": self.handler_calls, "throttled_responses": self.throttled,
                "detail": self.detail}


@dataclass
class Check:
    """One check made from outside the handlers: its name, verdict and what was seen."""

    name: str
    passed: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


@dataclass
class BridgeUse:
    """How an emulator-gap bridge acted during the drill (see :mod:`emulator.bridges`)."""

    name: str
    why: str
    acted: int
    actions: list[str]


@dataclass
class DrillResult:
    """Everything one drill produced.

    Attributes:
        stack, scenario, scenario_description, strategy, target: what was drilled.
        started_at: UTC start; ``wall_seconds``: the whole drill, measured.
        planned_resources: resources in the recorded plan the applier deploys (as the preview
            counts them: components and providers left out).
        failover_status: the failover handler's last status (``not-run`` if never invoked).
        missing: resources or handlers the drill needed and did not find.
        steps, checks: step records and outside checks, in order.
        invocations: every handler invocation (function, trigger, seconds, status, error,
            crashed, offset_seconds).
        recovery_point: the drill's reading of the recovery point at the failure (seconds,
            source, note, and the backup orchestrator's own figures).
        modelled_waits: simulated waits (name, seconds, note), e.g. a crashed lock lease.
        rto, rpo: achieved estimates (None when the failover did not run / no reading).
        rto_planned, rpo_planned: the stack's planned worst cases (``components.budgets``).
        api_requests_total: requests the emulator served during the whole drill.
        route53_failover_calls: Route 53 requests served on the failover path;
        route53_handler_calls: Route 53 calls the handlers' clients attempted then.
        bridges: how each bridge acted.
        deployment: the plan applier's summary (``drill.apply.Deployment.summary``) of the
            deploy step (a DR cycle's later deploys are in ``cycle``).
        notes: free-text notes (a skipped gate, an early stop with its traceback).
        expected: what the scenario expects of the failover: ``failover`` (it completes),
            ``refusal`` (readiness refuses and nothing fails over) or ``forced`` (it refuses,
            the drill forces it, and the data lost beyond the RPO is the measured outcome).
        refusal: the readiness refusal met (``status``, ``reasons``, ``at``), or None.
        data: the data section: orders, loss, lag, outage, measured from the real databases
            (:func:`drill.data.loss.data_section`), or None when the data plane did not run.
        clock_skips: the waits the drill skipped on its clock (:mod:`drill.clock`), modelled.
        data_plane_seconds: wall seconds the drill spent blocked in data-plane work, by kind.
    """

    stack: str
    scenario: str
    scenario_description: str
    strategy: str
    started_at: dt.datetime
    target: str = "emulator (moto server on 127.0.0.1)"
    wall_seconds: float = 0.0
    planned_resources: int = 0
    failover_status: str = "not-run"
    missing: list[str] = field(default_factory=list)
    steps: list[StepRecord] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    invocations: list[dict[str, Any]] = field(default_factory=list)
    recovery_point: dict[str, Any] = field(default_factory=dict)
    modelled_waits: list[dict[str, Any]] = field(default_factory=list)
    rto: Estimate | None = None
    rpo: Estimate | None = None
    rto_planned: Estimate | None = None
    rpo_planned: Estimate | None = None
    api_requests_total: int = 0
    route53_failover_calls: int = 0
    route53_handler_calls: int = 0
    bridges: list[BridgeUse] = field(default_factory=list)
    deployment: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    expected: str = "failover"
    refusal: dict[str, Any] | None = None
    data: dict[str, Any] | None = None
    cycle: dict[str, Any] | None = None
    clock_skips: list[dict[str, Any]] = field(default_factory=list)
    data_plane_seconds: dict[str, float] = field(default_factory=dict)

    def step(self, name: str) -> StepRecord | None:
        """The record of step ``name``, or None if it did not run."""
        return next((s for s in self.steps if s.name == name), None)

    @property
    def failures(self) -> list[str]:
        """Why the drill fails: failed checks and steps, a missed or unmeasured target, a
        planned worst case that misses its target. Empty when it passes."""
        out = [f"check failed: {c.name} ({c.detail})" for c in self.checks if not c.passed]
        out += [f"step {s.name} {s.status}" for s in self.steps if s.status == "failed"]
        refused = self.expected == "refusal" and self.refusal is not None
        if self.rto is None:
            if not refused:
                out.append("RTO not achieved: the failover did not run")
        elif not self.rto.met:
            out.append(f"RTO target missed: {self.rto.total_seconds:.0f} s > "
                       f"{self.rto.target_seconds:.0f} s")
        if self.rpo is None:
            if not refused:
                out.append("RPO not measured: no data-loss reading from the new writer")
        elif not self.rpo.met and self.expected != "forced":
            out.append(f"RPO target missed: {self.rpo.total_seconds:.0f} s > "
                       f"{self.rpo.target_seconds:.0f} s")
        for e in (self.rto_planned, self.rpo_planned):
            if e is not None and not e.met:
                out.append(f"planned worst-case {e.kind} misses its target "
                           f"({e.total_seconds:.0f} s > {e.target_seconds:.0f} s): this drill's "
                           f"failure came at a lucky moment; see {e.kind.lower()}.planned")
        return out

    @property
    def expected_findings(self) -> list[str]:
        """What missed a target because the scenario asked for it (a forced failover past
        readiness loses data beyond the RPO); shown, never counted as failures."""
        if self.expected == "forced" and self.rpo is not None and not self.rpo.met:
            return [f"RPO target missed as forced: {self.rpo.total_seconds:.0f} s > "
                    f"{self.rpo.target_seconds:.0f} s (readiness refused; --force)"]
        return []

    @property
    def verdict(self) -> str:
        """``pass`` when there are no :attr:`failures`, else ``fail``."""
        return "fail" if self.failures else "pass"

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"
