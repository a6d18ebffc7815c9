"""The drill's verifier against deliberately broken failover handlers.

Each test breaks one behaviour of the real failover orchestrator (patched here, in test code:
the handler modules are untouched), runs a whole drill on the emulator and asserts that the
verdict is ``fail`` because of exactly one check, named, with the detail that shows the
broken behaviour. ``test_primary_recovers_passes_with_the_real_handlers`` runs the same
scenario with the real handlers and sees the same checks pass, so each failure comes from the
break and not from the scenario.

One drill per test, each in its own data directory; the recorded plan is reused within a
process.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from drill.options import DrillOptions
from drill.pipeline import run_drill
from drill.result import DrillResult

PROMOTION = "exactly one promotion request (rds:PromoteReadReplica)"
NO_ROUTE53 = "no Route 53 API call on the failover path"
GATE_LATCHED = ("gate left tripped (raw FailoverGateEngaged datapoints in the standby Region, "
                "in the order published: the latest is 1)")
GATE_AFTER_RECOVERY = ("gate still published as tripped after recovery (raw datapoints read "
                       "from the emulator: no 0 after the failover)")
NO_FAILBACK = "after the primary recovers, traffic stays on the standby (no failback)"


@pytest.fixture
def data_dir(data_dir_for: Callable[[str], Path], request: pytest.FixtureRequest) -> Path:
    """This test's own data directory: the tests run in parallel, one drill each."""
    return data_dir_for(request.node.name)


def _drill(scenario: str, data_dir: Path) -> DrillResult:
    return run_drill(DrillOptions(stack="prod", scenario=scenario, reports_dir=None,
                                  data_dir=data_dir, policy_gate=False, progress=False))


def _check(result: DrillResult, name: str) -> tuple[bool, str]:
    hits = [c for c in result.checks if c.name == name]
    assert len(hits) == 1, [c.name for c in result.checks]
    return hits[0].passed, hits[0].detail


def _published(detail: str) -> list[float]:
    """The gate datapoints a gate check's detail lists (``published 0, 1``), in order."""
    assert detail.startswith("published "), detail
    return [float(v) for v in detail.removeprefix("published ").split(", ")]


def _only_failure(result: DrillResult, name: str) -> str:
    """The verdict is fail, the named check is the only reason, and its detail."""
    failed = [(c.name, c.detail) for c in result.checks if not c.passed]
    assert result.verdict == "fail"
    assert [n for n, _ in failed] == [name], failed
    assert result.failures == [f"check failed: {name} ({failed[0][1]})"], result.failures
    return failed[0][1]


# -- the broken handlers -----------------------------------------------------------------------

def _promote_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    """The read-replica promotion retried without consulting its one-time request record."""
    from handlers.failover.strategies import read_replica

    real = read_replica._request

    def twice(ctx: Any, req: Any, inst: dict[str, Any]) -> None:
        real(ctx, req, inst)
        ctx.standby("rds").promote_read_replica(
            DBInstanceIdentifier=ctx.settings.standby_db_identifier)

    monkeypatch.setattr(read_replica, "_request", twice)


def _route53_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """move_traffic first tries to flip the failover record through the Route 53 control plane
    (the call fails; the error is swallowed), then trips the gate as the real step does."""
    from handlers.failover import steps

    real = steps.STEPS["move_traffic"]

    def via_route53(ctx: Any) -> Any:
        with contextlib.suppress(BotoCoreError, ClientError):
            ctx.clients("route53", "us-east-1").change_resource_record_sets(
                HostedZoneId="Z0DRILLBROKENHANDLER", ChangeBatch={"Changes": [{
                    "Action": "UPSERT", "ResourceRecordSet": {
                        "Name": "shop.example.com.", "Type": "CNAME", "TTL": 60,
                        "ResourceRecords": [{"Value": "shop-usw2.example.com"}]}}]})
        return real(ctx)

    monkeypatch.setitem(steps.STEPS, "move_traffic", via_route53)


def _gate_pulse(monkeypatch: pytest.MonkeyPatch) -> None:
    """move_traffic trips the gate, then publishes 0 (a pulse, not a latch): in AWS the gate
    alarm returns to OK one period later and traffic goes back to the failed primary."""
    from handlers.failover import gate, steps

    real = steps.STEPS["move_traffic"]

    def pulse(ctx: Any) -> Any:
        out = real(ctx)
        gate.publish(ctx.standby("cloudwatch"), ctx.settings.stack_name, 0)
        return out

    monkeypatch.setitem(steps.STEPS, "move_traffic", pulse)


def _momentary_failback(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first watchdog tick that sees the primary healthy after the failover publishes 0
    (traffic may go back to the primary), later ticks publish 1 again."""
    from handlers.failover import gate

    real, flapped = gate.republish, []

    def republish(store: Any, cloudwatch: Any, stack: str, *period: int) -> int:
        value = real(store, cloudwatch, stack, *period)
        if value == 1 and store.watchdog().last_probe_ok and not flapped:
            flapped.append(True)
            gate.publish(cloudwatch, stack, 0, *period)
            return 0
        return value

    monkeypatch.setattr(gate, "republish", republish)


# -- broken handlers fail the drill, on the check that guards the behaviour ---------------------

def test_a_second_promotion_request_fails_exactly_one_promotion(
        monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    _promote_twice(monkeypatch)
    result = _drill("happy-path", data_dir)
    assert _only_failure(result, PROMOTION) == "2 PromoteReadReplica"
    # the handler still reports success and the database looks right: only the count tells
    assert result.failover_status == "completed"
    verify = result.step("verify")
    assert verify is not None and verify.detail["database"]["replica_source"] is None


def test_a_failed_route53_call_fails_the_no_route53_check(monkeypatch: pytest.MonkeyPatch,
                                                         data_dir: Path) -> None:
    """With the primary Region down the Route 53 API (us-east-1) is unreachable: the call
    never reaches the emulator, only the handler's client saw it."""
    _route53_first(monkeypatch)
    result = _drill("primary-region-down", data_dir)
    detail = _only_failure(result, NO_ROUTE53)
    assert detail == "0 served by the emulator, 1 attempted by handler clients"
    fo = result.step("failover")
    assert fo is not None and fo.handler_calls["route53:ChangeResourceRecordSets"] == 1
    assert result.failover_status == "completed"


def test_a_gate_pulse_fails_the_gate_latch_check(monkeypatch: pytest.MonkeyPatch,
                                                 data_dir: Path) -> None:
    _gate_pulse(monkeypatch)
    result = _drill("happy-path", data_dir)
    published = _published(_only_failure(result, GATE_LATCHED))
    # the baseline tick's 0, the trip's 1, then the pulse's 0 left as the latest value
    assert published == [0.0, 1.0, 0.0]
    # what CloudWatch aggregates per minute still says ALARM, so traffic looks moved
    assert _check(result, "gate alarm in ALARM (after the alarm-evaluation bridge)")[0]


def test_a_momentary_failback_fails_the_gate_after_recovery_check(
        monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    _momentary_failback(monkeypatch)
    result = _drill("primary-recovers", data_dir)
    published = _published(_only_failure(result, GATE_AFTER_RECOVERY))
    # one 0 among 1s: "was 1 at some point after recovery" would have passed it
    assert published.count(0.0) == 1 and published.count(1.0) >= 4, published
    assert _check(result, NO_FAILBACK)[0]


# -- the same checks pass with the real handlers -----------------------------------------------

def test_primary_recovers_passes_with_the_real_handlers(data_dir: Path) -> None:
    result = _drill("primary-recovers", data_dir)
    assert result.verdict == "pass", result.failures
    assert _check(result, PROMOTION) == (True, "1 PromoteReadReplica")
    assert _check(result, NO_ROUTE53) == (True, "0 served by the emulator, 0 attempted by "
                                                "handler clients")
    latched, published = _check(result, GATE_LATCHED)
    assert latched and _published(published)[-1] == 1.0
    recovered = result.step("primary-recovers")
    assert recovered is not None and recovered.status == "ok"
    ticks = recovered.detail["ticks"]
    assert len(ticks) == 4   # consecutiveFailures (3) + 1 watchdog ticks after recovery
    assert all(t["status"] == "healthy" and t["gate"] == 1 for t in ticks), ticks
    assert recovered.detail["dns_answer"]["answer"] == "SECONDARY"
    after = recovered.detail["gate_datapoints_after_recovery"]
    assert len(after) >= 4 and set(after) == {1.0}
    latched_after, detail = _check(result, GATE_AFTER_RECOVERY)
    assert latched_after and _published(detail) == after
    assert _check(result, NO_FAILBACK) == (True, "shop.example.com -> SECONDARY")
    # the recovered primary's probes were served: the watchdog saw it healthy, not a timeout
    assert all(t["consecutive_failures"] == 0 for t in ticks)
