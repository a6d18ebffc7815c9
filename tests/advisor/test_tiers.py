"""The tier advisor on stacks whose answer is known: prod (warm standby recommended; pilot
light needs backups every 30 min), a lax target (the cheapest tier wins), a tight RPO (only the
replica tiers qualify), targets no tier meets (said so, exit 1) and bad config (exit 2). Each
variant is recorded under mocks and judged by the policy pack over gRPC."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import yaml

import cost
from advisor import plot
from advisor.advise import AdvisorConfigError, advise
from advisor.render import render_text
from advisor.result import Advice
from cli import main as cli_main
from cli.exit_codes import ExitCode
from contract.strategies import STRATEGIES
from engine.paths import stack_file
from engine.plan import PlanRequest, record_plans
from tests.advisor.stacks import prod_advice, prod_with

#: One xdist worker runs this module and the other reader of the advisor's prod run
#: (tests/advisor/stacks.py: ``prod_advice``, once per process), so that run happens once.
pytestmark = pytest.mark.xdist_group("advisor-prod-advice")


@pytest.fixture(scope="module")
def prod() -> Advice:
    return prod_advice()


def _by(a: Advice) -> dict[str, object]:
    return {o.strategy: o for o in a.tiers}


def test_prod_compares_every_strategy_and_recommends_the_cheapest_that_meets(prod: Advice) -> None:
    assert sorted(o.strategy for o in prod.tiers) == sorted(STRATEGIES)
    assert [o.monthly_usd for o in prod.tiers] == sorted(o.monthly_usd for o in prod.tiers)
    tiers = _by(prod)
    assert {s: (o.rto.total_seconds, o.rpo.total_seconds, o.meets) for s, o in tiers.items()} == {
        "read-replica": (1140, 900, True), "dms": (840, 900, True),
        "snapshot-restore": (4140, 5400, False),
        # the tools' placeholders: 90 detection + 330 steps + 300 Aurora failover + 60 + 60
        "aurora-global": (840, 900, True)}
    assert prod.targets == (14400, 3600)
    snap = tiers["snapshot-restore"]
    assert snap.mandatory == ["rto-rpo-objectives"]
    assert snap.breaks == ["RPO 90 min > 60 min: backup cadence 60 min + cross-Region snapshot copy 30 min"]
    assert prod.recommended is tiers["read-replica"]
    assert prod.recommended.monthly_usd == pytest.approx(222.08, abs=0.005)


def test_prod_suggestion_value_and_price_delta(prod: Advice) -> None:
    (s,) = prod.suggestions
    assert s.strategy == "snapshot-restore" and s.confirmed
    assert [(c.path, c.old, c.new) for c in s.changes] == [("backup.cadenceMinutes", 60, 30)]
    assert s.outcome.rpo.total_seconds == 3600 and s.outcome.mandatory == []
    # the same two configs recorded and priced independently of the advisor
    cfg = yaml.safe_load(stack_file("prod").read_text())["config"]
    db = {**cfg["ecommerce-dr:database"], "strategy": "snapshot-restore"}
    backup = {**cfg["ecommerce-dr:backup"], "cadenceMinutes": 30}
    base, changed = record_plans([
        PlanRequest("prod", config_overrides={"ecommerce-dr:database": db}),
        PlanRequest("prod", config_overrides={"ecommerce-dr:database": db, "ecommerce-dr:backup": backup})])
    before, after = cost.estimate(base.resources), cost.estimate(changed.resources)
    assert s.delta_usd == pytest.approx(after.total_usd - before.total_usd)
    assert s.delta_usd > 0
    # only the backup component changes: twice the runs, so twice the function's requests
    diff = {k: after.by_component()[k] - v for k, v in before.by_component().items()}
    assert s.delta_usd == pytest.approx(diff["backup"])
    assert all(abs(v) < 1e-9 for k, v in diff.items() if k != "backup")
    requests = [c for c in after.line(resource="backup-function").charges if c.what == "requests"]
    assert requests[0].quantity == 2 * 730
    text = render_text(prod)
    assert (f"snapshot-restore (pilot light) meets a 60 min RPO with backup.cadenceMinutes 30 "
            f"(now 60): +${s.delta_usd:,.2f}/month") in text
    assert "Recommended: read-replica (warm standby), $222.08/month" in text


def test_table_shows_the_claim_as_a_claim(prod: Advice) -> None:
    text = render_text(prod)
    row = next(ln for ln in text.splitlines() if "original design (claim)" in ln)
    for cell in ("8.5 min (claimed)", "<= 60 min (claimed)", "$12.95 (claimed)"):
        assert cell in row
    assert "a claim, not a measurement" in text
    d = prod.to_dict()
    assert d["claim"]["basis"] == "claim" and d["claim"]["monthly_usd"] == 12.95


def test_plot_has_one_point_per_tier_the_suggestion_the_claim_and_the_targets(
        prod: Advice, tmp_path: Path) -> None:
    fig = plot.figure(prod)
    axes = fig.get_axes()
    assert len(axes) == 2
    for ax, kind, target in zip(axes, ("RTO", "RPO"), (240, 60), strict=True):
        groups = {c.get_gid(): c.get_offsets().tolist() for c in ax.collections}
        assert len(groups["tiers"]) == len(STRATEGIES) == 4
        assert len(groups["suggestions"]) == 1 and len(groups["claim"]) == 1
        xs = sorted(x for x, _ in groups["tiers"])
        want = sorted((o.rto if kind == "RTO" else o.rpo).total_seconds / 60 for o in prod.tiers)
        assert xs == pytest.approx(want)
        cx, cy = groups["claim"][0]
        assert (cx, cy) == pytest.approx((8.5 if kind == "RTO" else 60, 12.95))
        (line,) = [ln for ln in ax.get_lines() if ln.get_gid() == "target"]
        assert line.get_xdata()[0] == target
    out = plot.write(prod, tmp_path / "sub" / "tiers.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_lax_target_the_cheapest_tier_wins(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = prod_with(tmp_path, "lax", rpoMinutes=120)
    policy = tmp_path / "policy.yaml"
    policy.write_text(yaml.safe_dump({"rto-rpo-objectives": {"rpoMinutes": 120}}))
    png = tmp_path / "lax.png"
    code = cli_main.main(["tiers", "--stack-file", str(f), "--policy-config", str(policy),
                          "--json", "--plot", str(png)])
    doc = json.loads(capsys.readouterr().out)
    assert code == ExitCode.OK
    assert doc["targets"]["rpo_seconds"] == 7200
    assert doc["recommended"]["strategy"] == "snapshot-restore"
    cheapest = min(doc["tiers"], key=lambda t: t["monthly_usd"])
    assert cheapest["strategy"] == "snapshot-restore" and cheapest["meets"] is True
    assert all(t["meets"] for t in doc["tiers"]) and doc["suggestions"] == []
    assert doc["plot"] == str(png) and png.is_file()


def test_tight_rpo_only_the_replica_tiers_qualify(tmp_path: Path) -> None:
    f = prod_with(tmp_path, "tight", rpoMinutes=20, backup__cadenceMinutes=20,
                  backup__retentionHours=12)
    a = advise("prod", stack_file=f)
    assert a.targets[1] == 1200    # the stack's own, stricter than the pack's 60 min
    assert {o.strategy for o in a.tiers if o.meets} == {"read-replica", "dms", "aurora-global"}
    assert a.recommended.strategy == "read-replica"
    (s,) = a.suggestions
    assert s.strategy == "snapshot-restore" and not s.changes and s.outcome is None
    # the modelled 30-min copy alone exceeds 20 min: no backup cadence can help
    assert s.reason == ("no single config change meets the RPO target of 20 min: even "
                        "backup.cadenceMinutes 5 leaves RPO 35 min")


def test_no_tier_meets_says_so_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = prod_with(tmp_path, "impossible", rtoMinutes=10)
    code = cli_main.main(["tiers", "--stack-file", str(f), "--no-plot"])
    out = capsys.readouterr().out
    assert code == ExitCode.FAILED
    assert "No tier meets the targets (RTO 10 min and RPO 60 min)." in out
    assert "Recommended" not in out
    # each tier says what breaks it; the fastest (dms, 14 min) cannot reach 10 min by one key
    assert "dms (warm standby): no single config change meets the RTO target of 10 min" in out
    assert "dns.ttlSeconds is at its lowest, 60 s" in out


def test_bad_config_exits_2_naming_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = prod_with(tmp_path, "bad", backup__cadenceMinutes=2)
    assert cli_main.main(["tiers", "--stack-file", str(f), "--no-plot"]) == ExitCode.CANNOT_RUN
    assert "backup.cadenceMinutes" in capsys.readouterr().err
    assert cli_main.main(["tiers", "--stack", "no-such-stack"]) == ExitCode.CANNOT_RUN
    assert "Pulumi.no-such-stack.yaml" in capsys.readouterr().err
    with pytest.raises(AdvisorConfigError):
        advise("prod", stack_file=tmp_path / "missing.yaml")
    policy = tmp_path / "policy.yaml"
    policy.write_text(yaml.safe_dump({"no-such-policy": {"x": 1}}))
    assert cli_main.main(["tiers", "--policy-config", str(policy), "--no-plot"]) == ExitCode.CANNOT_RUN
    assert "unknown policies ['no-such-policy']" in capsys.readouterr().err


def test_costs_add_up(prod: Advice) -> None:
    for o in prod.tiers:
        assert o.cost.complete
        assert o.monthly_usd == pytest.approx(math.fsum(o.cost.by_component().values()))


def test_a_suggestion_whose_changed_config_fails_says_every_problem() -> None:
    # An RPO of 5 min: the read replica would need a 5 min backup cadence, which keeps more
    # manual snapshots than the quota allows; the reason must say so, not only the heading.
    adv = advise("prod", policy_config={"rto-rpo-objectives": {"rpoMinutes": 5}})
    reasons = [s.reason for s in adv.suggestions if s.reason and "changed config fails" in s.reason]
    assert reasons, [s.reason for s in adv.suggestions]
    assert all("invalid stack config: " in r and "manualSnapshotQuota" in r for r in reasons), reasons
