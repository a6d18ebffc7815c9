"""The real pack, started as the CLI starts it and driven over the analyzer gRPC protocol."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.pack import PackError, PackProcess
from policies.rules import all_policies
from tests.policies.helpers import UNKNOWN, dr_stack, urn

#: The module's tests run on one xdist worker, so its module-scoped fixtures are built once.
pytestmark = pytest.mark.xdist_group("tests/policies/test_pack_grpc.py")


@pytest.fixture(scope="module")
def pack() -> Iterator[PackProcess]:
    with PackProcess() as p:
        yield p


def test_pack_reports_every_policy_with_schema_defaults(pack: PackProcess) -> None:
    infos = {p["name"]: p for p in pack.policies()}
    assert sorted(infos) == sorted(p.name for p in all_policies())
    assert all(p["description"].startswith("Checks whether") for p in infos.values())
    schema = infos["rto-rpo-objectives"]["configSchema"]
    assert schema["rtoMinutes"]["default"] == 240 and schema["rpoMinutes"]["default"] == 60
    assert schema["promotionSeconds"]["default"] == {"read-replica": 600, "dms": 300,
                                                     "snapshot-restore": 3600,
                                                     "aurora-global": 300}
    assert infos["rto-rpo-objectives"]["type"] == "stack"
    assert infos["rto-rpo-objectives"]["enforcementLevel"] == "mandatory"


def test_configure_fills_in_schema_defaults(pack: PackProcess) -> None:
    sent = pack.configure({"rto-rpo-objectives": {"rtoMinutes": 120}})
    assert sent["rto-rpo-objectives"]["rtoMinutes"] == 120
    assert sent["rto-rpo-objectives"]["rpoMinutes"] == 60
    assert sent["route53-health-check-timing"]["allowedIntervalsSeconds"] == [10, 30]


def test_configure_rejects_unknown_policy_and_setting(pack: PackProcess) -> None:
    with pytest.raises(PackError, match="unknown policies"):
        pack.configure({"no-such-policy": {}})
    with pytest.raises(PackError, match="unknown setting"):
        pack.configure({"rto-rpo-objectives": {"rto": 1}})


def test_valid_stack_has_no_violation_over_grpc(pack: PackProcess) -> None:
    report = pack.evaluate(dr_stack())
    assert report.violations == []
    assert report.analyze_calls == len(dr_stack())


def test_weakened_stack_fails_mandatory_over_grpc(pack: PackProcess) -> None:
    stack = dr_stack(**{"backup-schedule": {"scheduleExpression": "rate(2 hours)"}})
    report = pack.evaluate(stack)
    by_policy = {(v.policy, v.level) for v in report.mandatory}
    assert by_policy == {("rto-rpo-objectives", "mandatory"),
                         ("backup-schedule-within-rpo", "mandatory")}
    rule = next(v for v in report.violations if v.policy == "backup-schedule-within-rpo")
    assert rule.urn == urn("aws:cloudwatch/eventRule:EventRule", "backup-schedule")
    stack_msgs = [v.message for v in report.violations if v.policy == "rto-rpo-objectives"]
    assert any("runs less than once per RPO target of 3600 s" in m for m in stack_msgs)
    # the schedule no longer matches the handler's CADENCE_MINUTES (60) either
    assert any("CADENCE_MINUTES is 60" in m for m in stack_msgs) and len(stack_msgs) == 2


def test_enforcement_level_can_be_lowered_by_config(pack: PackProcess) -> None:
    stack = dr_stack(**{"topic": {"kmsMasterKeyId": None}})
    report = pack.evaluate(stack, {"sns-topic-encrypted": {"enforcementLevel": "advisory"}})
    assert [(v.policy, v.level) for v in report.violations] == [("sns-topic-encrypted", "advisory")]
    assert report.mandatory == []


def test_unknown_inputs_give_not_applicable_not_a_flood_of_advisories(pack: PackProcess) -> None:
    stack = dr_stack(**{"endpoint-hc": {"requestInterval": UNKNOWN, "failureThreshold": UNKNOWN}})
    report = pack.evaluate(stack)
    assert report.violations == []  # no "can't run policy during preview" advisories
    reasons = {(n.policy, n.reason) for n in report.not_applicable
               if not n.reason.startswith("not ")}
    hc = urn("aws:route53/healthCheck:HealthCheck", "endpoint-hc")
    assert reasons == {
        ("route53-health-check-timing", "requestInterval can't be known during preview"),
        ("rto-rpo-objectives", f"RTO/RPO can't be decided during preview: {hc}: requestInterval; "
                               f"{hc}: failureThreshold"),
    }
