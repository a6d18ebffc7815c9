"""The drill's pipeline over its explicit context: step records, stop rules, the result's
verdict, and the report written from a result alone (no drill run)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from contract.strategies import Strategy
from drill.context import CYCLE_STRATEGIES, DrillContext
from drill.cycle.tiers import TIERS
from drill.options import Abort, DrillError, DrillOptions, StepSkipped
from drill.pipeline import run_steps
from drill.report import as_dict, write
from drill.result import Check, DrillResult, StepRecord
from drill.step import Step
from drill.steps import PIPELINE
from rto_rpo.model import Basis, Estimate, Term


@pytest.fixture
def ctx() -> DrillContext:
    return DrillContext.create(DrillOptions(policy_gate=False, progress=False, reports_dir=None))


def _ok(ctx: DrillContext, rec: StepRecord) -> None:
    rec.detail["ran"] = True


def _abort(ctx: DrillContext, rec: StepRecord) -> None:
    raise Abort("the plan lacks x")


def _boom(ctx: DrillContext, rec: StepRecord) -> None:
    raise KeyError("no such thing")


def _skip(ctx: DrillContext, rec: StepRecord) -> None:
    raise StepSkipped("turned off")


def test_pipeline_runs_the_drill_steps_in_order() -> None:
    assert [s.name for s in PIPELINE] == ["policy-gate", "emulator", "deploy", "data-plane",
                                          "baseline", "backup", "inject", "failover", "verify",
                                          "verify-data", "primary-recovers", "data-loss",
                                          "cycle-start", "deploy-failed-over", "region-recovers",
                                          "deploy-reverse-replicating", "failback",
                                          "deploy-normal", "second-failover", "cycle-verify",
                                          "aurora-failback"]
    assert [s.name for s in PIPELINE if s.setup] == ["policy-gate", "emulator", "data-plane"]


def test_the_cycle_runs_only_in_its_scenario_and_for_the_strategies_it_has_hooks_for() -> None:
    cycle = [s for s in PIPELINE if s.name.startswith(("cycle-", "deploy-", "region-"))
             or s.name in ("failback", "second-failover")]
    assert len(cycle) == 8
    other = DrillContext.create(DrillOptions(scenario="primary-region-down", progress=False,
                                             reports_dir=None))
    full = DrillContext.create(DrillOptions(scenario="full-cycle", progress=False,
                                            reports_dir=None))
    assert not any(s.applies(other) for s in cycle) and all(s.applies(full) for s in cycle)
    assert full.scenario.primary_region_down and not full.scenario.alarm_trigger
    assert set(TIERS) == set(CYCLE_STRATEGIES) == set(Strategy)
    dms = DrillContext.create(DrillOptions(scenario="full-cycle", strategy="dms", progress=False,
                                           reports_dir=None))
    assert all(s.applies(dms) for s in cycle)


def test_a_strategy_without_cycle_hooks_is_refused_the_full_cycle(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("drill.context.CYCLE_STRATEGIES", (Strategy.READ_REPLICA,))
    with pytest.raises(DrillError, match="full-cycle drills the strategies read-replica, not dms"):
        DrillContext.create(DrillOptions(scenario="full-cycle", strategy="dms", progress=False,
                                         reports_dir=None))


def test_context_takes_the_strategy_override_and_its_spec() -> None:
    ctx = DrillContext.create(DrillOptions(strategy="dms", progress=False, reports_dir=None))
    assert (ctx.result.strategy, ctx.spec.promotion_request) == ("dms", "dms:StopReplicationTask")
    db = ctx.overrides["ecommerce-dr:database"]
    assert db["strategy"] == "dms" and db["dms"]["sourceSecretArn"].startswith(
        "arn:aws:secretsmanager:us-east-1:")


def test_an_abort_stops_the_drill_with_a_failing_check(ctx: DrillContext) -> None:
    run_steps(ctx, (Step("a", "A", _ok), Step("b", "B", _abort), Step("c", "C", _ok)))
    r = ctx.result
    assert [(s.name, s.status) for s in r.steps] == [("a", "ok"), ("b", "failed")]
    assert r.steps[0].detail == {"ran": True}
    assert r.checks == [Check("drill ran to the end", False, "the plan lacks x")]
    assert r.notes == ["drill stopped early: the plan lacks x"]
    assert r.verdict == "fail" and "step b failed" in r.failures


def test_an_unexpected_error_is_reported_with_its_traceback(ctx: DrillContext) -> None:
    run_steps(ctx, (Step("a", "A", _boom), Step("b", "B", _ok)))
    r = ctx.result
    assert [s.name for s in r.steps] == ["a"]
    assert r.checks[0].detail == "KeyError: 'no such thing'"
    assert r.notes[0].startswith("drill stopped by an error:\nTraceback")


def test_a_setup_step_error_means_the_drill_cannot_run(ctx: DrillContext) -> None:
    with pytest.raises(DrillError, match="Start it: KeyError"):
        run_steps(ctx, (Step("start", "Start it", _boom, setup=True), Step("b", "B", _ok)))
    assert [(s.name, s.status) for s in ctx.result.steps] == [("start", "failed")]


def test_a_skipped_step_is_recorded_with_why_and_the_next_runs(ctx: DrillContext) -> None:
    run_steps(ctx, (Step("a", "A", _skip), Step("b", "B", _ok)))
    a, b = ctx.result.steps
    assert (a.status, a.detail, b.status) == ("skipped", {"skipped": "turned off"}, "ok")


def test_then_runs_after_the_record_closes_and_may_stop_the_drill(ctx: DrillContext) -> None:
    def missing(c: DrillContext) -> None:
        raise Abort("x missing")

    run_steps(ctx, (Step("deploy", "D", _ok, then=missing), Step("b", "B", _ok)))
    assert [(s.name, s.status) for s in ctx.result.steps] == [("deploy", "ok")]
    assert ctx.result.checks[0].passed is False


def test_a_step_that_does_not_apply_leaves_no_record(ctx: DrillContext) -> None:
    run_steps(ctx, (Step("a", "A", _ok, applies=lambda c: c.scenario.primary_recovers),))
    assert ctx.result.steps == []


def _result(rto_seconds: float, target: float = 600) -> DrillResult:
    rto = Estimate("RTO", (Term("detection", 90, "cfg", Basis.MODELLED, ""),
                           Term("failover on the emulator", rto_seconds - 90, "drill",
                                Basis.MEASURED, "")), target)
    rpo = Estimate("RPO", (Term("recovery-point age at the failure", 5, "drill", Basis.MEASURED, ""),),
                   3600)
    return DrillResult(stack="prod", scenario="happy-path", scenario_description="d",
                       strategy="read-replica", started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                       steps=[StepRecord("failover", "Fail over", seconds=1.5,
                                         api_calls={"rds:PromoteReadReplica": 1})],
                       checks=[Check("gate published", True, "max 1")], rto=rto, rpo=rpo,
                       rto_planned=rto, rpo_planned=rpo)


def test_verdict_passes_only_within_targets() -> None:
    assert _result(300).verdict == "pass" and _result(300).failures == []
    missed = _result(900)
    assert missed.verdict == "fail"
    assert "RTO target missed: 900 s > 600 s" in missed.failures
    assert any(f.startswith("planned worst-case RTO misses its target") for f in missed.failures)
    unmeasured = _result(300)
    unmeasured.rpo = None
    assert unmeasured.failures == ["RPO not measured: no data-loss reading from the new writer"]


def test_report_is_written_from_the_result_alone(tmp_path: Path) -> None:
    r = _result(900)
    r.checks.append(Check("standby promoted", False, "0 calls"))
    paths = write(r, tmp_path)
    on_disk = json.loads(paths["json"].read_text())
    assert on_disk == json.loads(json.dumps(as_dict(r), default=str))
    assert on_disk["verdict"] == "fail"
    assert "check failed: standby promoted (0 calls)" in on_disk["failures"]
    assert on_disk["modelled"] == [{"name": "detection", "seconds": 90, "source": "cfg",
                                    "basis": "modelled", "note": ""}]
    assert on_disk["api_calls"]["per_step"]["failover"]["by_operation"] == {"rds:PromoteReadReplica": 1}
    md = paths["md"].read_text()
    assert "**Verdict: FAIL**" in md and "- [ ] standby promoted - 0 calls" in md
    assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
