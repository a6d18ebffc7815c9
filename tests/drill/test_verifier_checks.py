"""The verifier's no-Route-53 check over hand-filled ledgers (no drill run): every Route 53
call on the failover path counts, whether it ran, was refused, was throttled or never
reached an endpoint; calls outside the failover step and other services do not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drill.context import DrillContext
from drill.options import DrillOptions
from drill.steps.verify import no_route53
from emulator.ledger import ClientCall, Request

NAME = "no Route 53 API call on the failover path"


@pytest.fixture
def ctx() -> Iterator[DrillContext]:
    c = DrillContext.create(DrillOptions(policy_gate=False, progress=False, reports_dir=None))
    yield c
    c.emulator.closed_port.close()


def _served(step: str, service: str = "route53", *, status: int = 200,
            throttled: bool = False) -> Request:
    return Request(step, "us-east-1", service, "ChangeResourceRecordSets", status,
                   throttled=throttled)


def _attempted(outcome: str, step: str = "failover", service: str = "route53") -> ClientCall:
    return ClientCall(step, "us-east-1", service, "ChangeResourceRecordSets", outcome)


@pytest.mark.parametrize(("served", "attempted", "detail"), [
    ([_served("failover", status=404)], [], "1 served by the emulator, 0 attempted"),
    ([_served("failover", status=400, throttled=True)], [], "1 served by the emulator, 0 attempted"),
    ([], [_attempted("unreachable")], "0 served by the emulator, 1 attempted"),
    ([], [_attempted("error:Throttling")], "0 served by the emulator, 1 attempted"),
    ([_served("failover")], [_attempted("ok")], "1 served by the emulator, 1 attempted"),
], ids=["refused", "throttled", "unreachable", "client-error", "succeeded"])
def test_any_route53_call_on_the_failover_path_fails_the_check(
        ctx: DrillContext, served: list[Request], attempted: list[ClientCall], detail: str) -> None:
    for r in served:
        ctx.emulator.ledger.add(r)
    for c in attempted:
        ctx.client_ledger.add(c)
    assert no_route53(ctx) is False
    (check,) = ctx.result.checks
    assert (check.name, check.passed) == (NAME, False)
    assert check.detail == f"{detail} by handler clients"


def test_route53_calls_elsewhere_and_other_services_pass_the_check(ctx: DrillContext) -> None:
    ctx.emulator.ledger.add(_served("verify"))                    # the drill's own DNS reads
    ctx.emulator.ledger.add(_served("failover", service="cloudwatch", throttled=True))
    ctx.client_ledger.add(_attempted("ok", step="primary-recovers"))
    ctx.client_ledger.add(_attempted("unreachable", service="rds"))
    assert no_route53(ctx) is True
    assert ctx.result.checks[0].detail == "0 served by the emulator, 0 attempted by handler clients"
