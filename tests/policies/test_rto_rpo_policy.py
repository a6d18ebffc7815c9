"""The mandatory ``rto-rpo-objectives`` stack policy and the preview-safety (unknown) path."""

from __future__ import annotations

import json

import pytest
from pulumi_policy.proxy import UnknownValueError

from contract.env import Env, FailoverEnv
from engine.pack import policy_resources
from policies.rules import compute, dns, recovery
from tests.policies.helpers import (
    ALARM_URN,
    BACKUP_ORCH_URN,
    BACKUP_URN,
    GATE_URN,
    HC_URN,
    LAG_URN,
    ORCH_URN,
    STEP_BUDGETS,
    UNKNOWN,
    Outcome,
    another,
    dr_stack,
    run_stack,
    run_valid,
    urn,
)

POLICY = recovery.rto_rpo_objectives()
DEFAULTS = {s.name: s.default for s in recovery.OBJECTIVE_SETTINGS}


def orch_env(**changes: str) -> dict:
    """Property edit for the failover orchestrator's environment variables."""
    from tests.policies.helpers import valid

    _, props = valid("failover-orchestrator")
    props["environment"]["variables"].update(changes)
    return {"environment": props["environment"]}


def backup_env(**changes: str | None) -> dict:
    """Property edit for the backup orchestrator's environment variables (None deletes)."""
    from tests.policies.helpers import valid

    _, props = valid("backup-orchestrator")
    variables = props["environment"]["variables"]
    for k, v in changes.items():
        if v is None:
            variables.pop(k, None)
        else:
            variables[k] = v
    return {"environment": props["environment"]}


def objectives(stack: list, **cfg: object) -> recovery.Objectives:
    return recovery.objectives(policy_resources(stack), {**DEFAULTS, **cfg})


def test_valid_stack_meets_both_objectives() -> None:
    assert run_stack(POLICY, dr_stack()).violations == []
    assert run_stack(POLICY, dr_stack()).not_applicable is None


def test_rto_terms_come_from_the_planned_inputs() -> None:
    found = objectives(dr_stack())
    rto = found.rto
    assert rto is not None and found.missing == [] and found.unknown == []
    # fastest detection: health check 10 s x 3 + alarm 60 s x 1 = 90 s (watchdog: 60 x 3 + 5)
    assert rto.terms[0].seconds == 90 and rto.terms[0].source == f"{HC_URN} + {ALARM_URN}"
    assert [t.seconds for t in rto.terms[1:7]] == list(STEP_BUDGETS.values())
    assert rto.terms[7].name == "promotion (read-replica)" and rto.terms[7].seconds == 600
    assert rto.terms[8].name == "traffic shift (gate alarm evaluation)"
    assert rto.terms[8].seconds == 60 and rto.terms[8].source == GATE_URN
    assert rto.terms[9].name == "DNS TTL" and rto.terms[9].seconds == 60
    assert rto.total_seconds == 90 + 330 + 600 + 60 + 60


def test_rpo_is_the_replica_lag_alarm_threshold() -> None:
    rpo = objectives(dr_stack()).rpo
    assert rpo is not None and rpo.total_seconds == 900 and rpo.met


def test_omitted_request_interval_is_route53s_30_second_default() -> None:
    # Route 53 checks every 30 s unless told otherwise: 30 s x 3 + 60 s x 1 = 150 s, slower
    # than the watchdog (60 s x 3 + 5 s = 185 s is slower still, so the check stays the path).
    rto = objectives(dr_stack(**{"endpoint-hc": {"requestInterval": None}})).rto
    assert rto is not None and rto.terms[0].name == "detection (health check + alarm)"
    assert rto.terms[0].seconds == 30 * 3 + 60
    assert rto.terms[0].note.startswith("30 s x 3 + 60 s x 1")


def test_slowest_of_several_health_checks_and_alarms_counts() -> None:
    # Checks of 10 s x 3, 30 s x 2 and 10 s x 8; alarms of 60 s x 1, 300 s x 1 and 60 s x 3.
    # The worst case is the slowest check (80 s) plus the slowest alarm (300 s): not the first
    # or the fastest, and not the largest interval of one with the largest count of another.
    checks = [another("endpoint-hc", "hc-a", requestInterval=30, failureThreshold=2),
              another("endpoint-hc", "hc-b", requestInterval=10, failureThreshold=8)]
    alarms = [another("health-alarm", "alarm-a", period=300, evaluationPeriods=1),
              another("health-alarm", "alarm-b", period=60, evaluationPeriods=3)]
    # A slow watchdog (10 min x 3 + 5 s), so the health-check path is the fastest.
    base = dr_stack(**{"watchdog-schedule": {"scheduleExpression": "rate(10 minutes)"}})
    for stack in ([*base, *checks, *alarms], [*alarms[::-1], *checks[::-1], *base]):
        rto = objectives(stack).rto
        assert rto is not None
        term = rto.terms[0]
        assert term.name == "detection (health check + alarm)"
        assert term.seconds == 10 * 8 + 300 * 1
        assert term.source == f"{checks[1].urn} + {alarms[0].urn}"


def test_slowest_gate_alarm_of_several_counts() -> None:
    # The fast gate (60 s x 1) and a slow one (120 s x 2, datapointsToAlarm wins over
    # evaluationPeriods): traffic waits for the slowest.
    slow = another("gate-alarm", "slow-gate", period=120, evaluationPeriods=5, datapointsToAlarm=2)
    for stack in ([*dr_stack(), slow], [slow, *dr_stack()]):
        rto = objectives(stack).rto
        assert rto is not None
        term = rto.terms[8]
        assert term.name == "traffic shift (gate alarm evaluation)"
        assert (term.seconds, term.source) == (240, slow.urn)


def test_watchdog_is_the_path_when_there_is_no_health_check_alarm() -> None:
    rto = objectives(dr_stack(**{"health-alarm": None})).rto
    assert rto is not None and rto.terms[0].name == "detection (standby watchdog)"
    assert rto.terms[0].seconds == 60 * 3 + 5


def test_missed_rto_reports_the_breakdown() -> None:
    out = run_stack(POLICY, dr_stack(), {"rtoMinutes": 10})
    assert len(out.violations) == 1
    message, where = out.violations[0]
    assert where is None
    found = objectives(dr_stack(), rtoMinutes=10)
    expected = found.rto
    assert expected is not None and message == f"{expected.breakdown()}\n  ({found.targets})"
    lines = message.splitlines()
    assert lines[0] == "RTO worst case 1140 s (19.0 min) vs target 600 s (10.0 min): MISSED"
    assert lines[1] == (f"  + detection (health check + alarm): 90 s (1.5 min) [configured] from "
                        f"{HC_URN} + {ALARM_URN} = 10 s x 3 + 60 s x 1 alarm")
    assert f"  + step promote: 120 s (2.0 min) [configured] from {ORCH_URN}" in lines


def test_promotion_figure_is_configurable() -> None:
    rto = objectives(dr_stack(), promotionSeconds={"read-replica": 1200}).rto
    assert rto is not None and rto.terms[7].seconds == 1200


def test_orchestrator_promotion_budget_counts_when_larger() -> None:
    rto = objectives(dr_stack(**{"failover-orchestrator": orch_env(**{Env.PROMOTION_SECONDS: "900"})})).rto
    assert rto is not None and rto.terms[7].seconds == 900 and rto.terms[7].source == ORCH_URN


def test_two_hour_backup_schedule_misses_a_one_hour_rpo() -> None:
    out = run_stack(POLICY, dr_stack(**{"backup-schedule": {"scheduleExpression": "rate(2 hours)"},
                                        "backup-orchestrator": backup_env(**{Env.CADENCE_MINUTES: "120"})}))
    assert len(out.violations) == 1
    assert (f"  ! backup schedule every 7200 s (2.00 h) ({BACKUP_URN}) runs less than once per "
            "RPO target of 3600 s (1.00 h)") in out.violations[0][0].splitlines()


def test_snapshot_restore_rpo_is_cadence_plus_copy() -> None:
    stack = dr_stack(**{"failover-orchestrator": orch_env(**{Env.DB_STRATEGY: "snapshot-restore"}),
                        "replication-alarm": None})
    rpo = objectives(stack).rpo
    assert rpo is not None and [t.seconds for t in rpo.terms] == [3600, 1800]
    assert run_stack(POLICY, stack).messages[0].startswith(
        "RPO worst case 5400 s (1.50 h) vs target 3600 s (1.00 h): MISSED")
    # A 90-min RPO passes only when both the pack and the stack itself accept it.
    assert len(run_stack(POLICY, stack, {"rpoMinutes": 90}).violations) == 1
    relaxed = dr_stack(**{"failover-orchestrator": orch_env(**{
        Env.DB_STRATEGY: "snapshot-restore", Env.RPO_SECONDS: "5400"}), "replication-alarm": None})
    assert run_stack(POLICY, relaxed, {"rpoMinutes": 90}).violations == []


def test_dms_needs_a_cdc_latency_alarm() -> None:
    stack = dr_stack(**{"failover-orchestrator": orch_env(**{Env.DB_STRATEGY: "dms"})})
    assert run_stack(POLICY, stack).messages == [
        "Strategy dms needs an alarm on CDCLatencySource or CDCLatencyTarget "
        "(dr:role=replication-lag-alarm) bounding the replication lag; none is declared."]
    stack = dr_stack(**{"failover-orchestrator": orch_env(**{Env.DB_STRATEGY: "dms"}),
                        "replication-alarm": {"namespace": "AWS/DMS", "metricName": "CDCLatencyTarget"}})
    assert run_stack(POLICY, stack).violations == []


def test_no_detection_path_is_a_violation_not_a_pass() -> None:
    out = run_stack(POLICY, dr_stack(**{"endpoint-hc": None, "watchdog-schedule": None}))
    assert out.messages == [
        "No detection path: declare an endpoint health check (dr:role=endpoint-health-check) "
        "with its us-east-1 alarm (dr:role=health-check-alarm), or a watchdog schedule "
        "(dr:role=watchdog-schedule) for the failover orchestrator."]


def test_no_orchestrator_is_a_violation_not_a_pass() -> None:
    out = run_stack(POLICY, dr_stack(**{"failover-orchestrator": None}))
    assert out.messages[0].startswith("No failover orchestrator: declare a Lambda function tagged "
                                      "dr:role=failover-orchestrator")


def test_no_backup_schedule_or_failover_records_are_violations() -> None:
    out = run_stack(POLICY, dr_stack(**{"backup-schedule": None, "primary-record": None,
                                        "secondary-record": None}))
    assert [m.split(":")[0] for m in out.messages] == ["No failover records", "No backup schedule"]


# --- preview safety: unknown values ----------------------------------------------------------

def test_policy_resources_use_the_sdk_unknown_checking_proxy() -> None:
    stack = dr_stack(**{"endpoint-hc": {"requestInterval": UNKNOWN}})
    hc = next(r for r in policy_resources(stack) if r.urn == HC_URN)
    with pytest.raises(UnknownValueError):
        hc.props["requestInterval"]
    with pytest.raises(UnknownValueError):
        hc.props.get("requestInterval")


def test_unknown_term_that_could_matter_makes_the_policy_not_applicable() -> None:
    out = run_stack(POLICY, dr_stack(**{"endpoint-hc": {"requestInterval": UNKNOWN}}))
    assert out.violations == []
    assert out.not_applicable == f"RTO/RPO can't be decided during preview: {HC_URN}: requestInterval"


def test_unknown_term_cannot_hide_a_definite_miss() -> None:
    # Unknown terms count as 0 s: the known ones already miss a 10-minute RTO.
    out = run_stack(POLICY, dr_stack(**{"endpoint-hc": {"requestInterval": UNKNOWN}}), {"rtoMinutes": 10})
    assert len(out.violations) == 1 and out.not_applicable is None
    assert "MISSED" in out.messages[0]
    assert out.messages[0].endswith(f"lower bound: {HC_URN}: requestInterval)")


def test_unknown_step_budgets_are_reported_by_name() -> None:
    edit = orch_env(**{Env.STEP_BUDGETS_SECONDS: UNKNOWN})
    out = run_stack(POLICY, dr_stack(**{"failover-orchestrator": edit}))
    assert out.not_applicable == (f"RTO/RPO can't be decided during preview: {ORCH_URN}: "
                                  "environment.variables.STEP_BUDGETS_SECONDS")


def test_resource_rule_on_unknown_input_is_not_applicable_not_advisory() -> None:
    assert run_valid(dns.health_check_timing(), "endpoint-hc", requestInterval=UNKNOWN) == \
        Outcome([], "requestInterval can't be known during preview")
    env = orch_env(**{Env.STANDBY_REGION: UNKNOWN})
    assert run_valid(compute.orchestrator_in_standby_region(), "failover-orchestrator", **env) == \
        Outcome([], "environment.variables.STANDBY_REGION can't be known during preview")


def test_unknown_schedule_is_not_applicable() -> None:
    out = run_valid(recovery.backup_schedule_within_rpo(), "backup-schedule", scheduleExpression=UNKNOWN)
    assert out == Outcome([], "scheduleExpression can't be known during preview")


def test_step_budgets_are_json() -> None:
    edit = orch_env(**{Env.STEP_BUDGETS_SECONDS: "[1,"})
    out = run_stack(POLICY, dr_stack(**{"failover-orchestrator": edit}))
    assert out.messages[0].startswith("Failover orchestrator's STEP_BUDGETS_SECONDS '[1,' is invalid: "
                                      "Invalid JSON")
    assert out.messages[0].endswith(f"allowed: {FailoverEnv.allowed(Env.STEP_BUDGETS_SECONDS)}.")
    assert json.loads(orch_env()["environment"]["variables"][Env.STEP_BUDGETS_SECONDS]) == STEP_BUDGETS


# --- traffic shift: the failover gate alarm --------------------------------------------------

def test_gate_alarm_evaluation_is_an_rto_term() -> None:
    edit = {"period": 60, "evaluationPeriods": 5, "datapointsToAlarm": 2}
    rto = objectives(dr_stack(**{"gate-alarm": edit})).rto
    assert rto is not None and rto.terms[8].seconds == 120
    assert rto.terms[8].note == "60 s period x 2 datapoint(s)"
    rto = objectives(dr_stack(**{"gate-alarm": {"period": 300, "evaluationPeriods": 2}})).rto
    assert rto is not None and rto.terms[8].seconds == 600


def test_no_gate_alarm_is_a_violation() -> None:
    out = run_stack(POLICY, dr_stack(**{"gate-alarm": None}))
    assert out.messages == [
        "No failover gate alarm: declare the standby-Region alarm on the gate metric tagged "
        "dr:role=failover-gate-alarm; the PRIMARY record's health check follows it, so without "
        "it traffic cannot be moved to the standby."]
    assert out.not_applicable is None


def test_gate_alarm_without_period_is_a_violation() -> None:
    out = run_stack(POLICY, dr_stack(**{"gate-alarm": {"period": None}}))
    assert out.violations == [(
        "Failover gate alarm must declare period and evaluationPeriods (> 0); without them its "
        "evaluation time, part of the RTO, is unbounded.", GATE_URN)]


def test_unknown_gate_alarm_period_is_not_applicable() -> None:
    out = run_stack(POLICY, dr_stack(**{"gate-alarm": {"period": UNKNOWN}}))
    assert out.violations == []
    assert out.not_applicable == f"RTO/RPO can't be decided during preview: {GATE_URN}: period"


# --- orchestrator variables: missing or invalid is a violation, unknown is not applicable ----

def _without(name: str) -> dict:
    edit = orch_env()
    del edit["environment"]["variables"][name]
    return edit


@pytest.mark.parametrize(("name", "allowed"), [
    (Env.CONSECUTIVE_FAILURES, "an integer 1-10"),
    (Env.PROBE_TIMEOUT_SECONDS, "seconds > 0 and <= 30"),
    (Env.PROMOTION_SECONDS, "seconds > 0"),
])
def test_missing_orchestrator_variable_is_a_violation(name: str, allowed: str) -> None:
    out = run_stack(POLICY, dr_stack(**{"failover-orchestrator": _without(name)}))
    assert out.violations == [(f"Failover orchestrator declares no {name} ({allowed}).", ORCH_URN)]
    assert out.not_applicable is None


@pytest.mark.parametrize(("name", "raw", "allowed"), [
    (Env.CONSECUTIVE_FAILURES, "-5", "an integer 1-10"),
    (Env.CONSECUTIVE_FAILURES, "0", "an integer 1-10"),
    (Env.CONSECUTIVE_FAILURES, "2.5", "an integer 1-10"),
    (Env.CONSECUTIVE_FAILURES, "three", "an integer 1-10"),
    (Env.PROBE_TIMEOUT_SECONDS, "-1", "seconds > 0 and <= 30"),
    (Env.PROBE_TIMEOUT_SECONDS, "nan", "seconds > 0 and <= 30"),
    (Env.PROMOTION_SECONDS, "0", "seconds > 0"),
    (Env.PROMOTION_SECONDS, "soon", "seconds > 0"),
])
def test_invalid_orchestrator_variable_is_a_violation(name: str, raw: str, allowed: str) -> None:
    out = run_stack(POLICY, dr_stack(**{"failover-orchestrator": orch_env(**{name: raw})}))
    assert out.violations == [(f"Failover orchestrator's {name} {raw!r} is invalid; allowed: "
                               f"{allowed}.", ORCH_URN)]


def test_negative_k_gives_no_watchdog_path() -> None:
    # K=-5 used to make a 0 s watchdog detection path; now the watchdog does not count.
    stack = dr_stack(**{"failover-orchestrator": orch_env(**{Env.CONSECUTIVE_FAILURES: "-5"}),
                        "health-alarm": None})
    found = objectives(stack)
    assert found.rto is None
    assert [m for m, _ in found.missing] == [
        "Failover orchestrator's CONSECUTIVE_FAILURES '-5' is invalid; allowed: an integer 1-10.",
        "No detection path: declare an endpoint health check (dr:role=endpoint-health-check) "
        "with its us-east-1 alarm (dr:role=health-check-alarm), or a watchdog schedule "
        "(dr:role=watchdog-schedule) for the failover orchestrator."]


def test_missing_strategy_and_step_budgets_are_violations() -> None:
    out = run_stack(POLICY, dr_stack(**{"failover-orchestrator": _without(Env.DB_STRATEGY)}))
    assert (f"Failover orchestrator declares no {Env.DB_STRATEGY}.", ORCH_URN) in out.violations
    out = run_stack(POLICY, dr_stack(**{"failover-orchestrator": _without(Env.STEP_BUDGETS_SECONDS)}))
    assert out.violations == [(f"Failover orchestrator declares no {Env.STEP_BUDGETS_SECONDS}; its "
                               "steps have no time budget.", ORCH_URN)]
    out = run_stack(POLICY, dr_stack(**{"failover-orchestrator": orch_env(
        **{Env.STEP_BUDGETS_SECONDS: json.dumps({"promote": -1})})}))
    assert out.violations == [(
        "Failover orchestrator's STEP_BUDGETS_SECONDS '{\"promote\": -1}' is invalid: each step "
        "budget must be 1-900 seconds (one Lambda invocation), got {'promote': -1}; allowed: JSON "
        "{\"<step>\": seconds}, every failover step.", ORCH_URN)]


@pytest.mark.parametrize("name", [Env.CONSECUTIVE_FAILURES, Env.PROBE_TIMEOUT_SECONDS,
                                  Env.PROMOTION_SECONDS, Env.DB_STRATEGY,
                                  Env.STEP_BUDGETS_SECONDS])
def test_unknown_orchestrator_variable_is_not_applicable_naming_it(name: str) -> None:
    out = run_stack(POLICY, dr_stack(**{"failover-orchestrator": orch_env(**{name: UNKNOWN})}))
    assert out.violations == []
    assert out.not_applicable == (f"RTO/RPO can't be decided during preview: {ORCH_URN}: "
                                  f"environment.variables.{name}")


# --- disabled schedules count for nothing ----------------------------------------------------

NO_BACKUP = ("No backup schedule: declare an EventBridge rule tagged dr:role=backup-schedule "
             "running at least once per RPO.")
NO_DETECTION = ("No detection path: declare an endpoint health check (dr:role=endpoint-health-check) "
                "with its us-east-1 alarm (dr:role=health-check-alarm), or a watchdog schedule "
                "(dr:role=watchdog-schedule) for the failover orchestrator.")


@pytest.mark.parametrize("disabled", [{"state": "DISABLED"}, {"isEnabled": False}])
def test_disabled_backup_schedule_is_no_backup_schedule(disabled: dict) -> None:
    out = run_stack(POLICY, dr_stack(**{"backup-schedule": disabled}))
    assert out.messages == [f"{NO_BACKUP} Disabled, so not counted: {BACKUP_URN}."]


@pytest.mark.parametrize("disabled", [{"state": "DISABLED"}, {"isEnabled": False}])
def test_disabled_watchdog_is_no_detection_path(disabled: dict) -> None:
    out = run_stack(POLICY, dr_stack(**{"watchdog-schedule": disabled, "health-alarm": None}))
    assert out.messages == [NO_DETECTION]


def test_enabled_states_count() -> None:
    stack = dr_stack(**{"watchdog-schedule": {"state": "ENABLED"}, "health-alarm": None,
                        "backup-schedule": {"state": "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"}})
    found = objectives(stack)
    assert found.missing == [] and found.rto is not None and found.rpo is not None
    assert found.rto.terms[0].name == "detection (standby watchdog)"


def test_unknown_schedule_state_is_not_applicable() -> None:
    out = run_stack(POLICY, dr_stack(**{"backup-schedule": {"state": UNKNOWN}}))
    assert out.violations == []
    assert out.not_applicable == f"RTO/RPO can't be decided during preview: {BACKUP_URN}: state"


def test_disabled_backup_schedule_resource_rule_is_not_applicable() -> None:
    out = run_valid(recovery.backup_schedule_within_rpo(), "backup-schedule",
                    scheduleExpression="rate(2 hours)", state="DISABLED")
    assert out == Outcome([], "backup schedule is disabled (rto-rpo-objectives reports a stack "
                              "without an enabled one)")


# --- backup cadence: schedule period and the handler's CADENCE_MINUTES -----------------------

SNAPSHOT_RESTORE = {"failover-orchestrator": orch_env(**{Env.DB_STRATEGY: "snapshot-restore"}),
                    "replication-alarm": None}


def test_snapshot_restore_cadence_is_the_larger_of_schedule_and_cadence_minutes() -> None:
    slow = backup_env(**{Env.CADENCE_MINUTES: "120"})
    stack = dr_stack(**SNAPSHOT_RESTORE, **{"backup-orchestrator": slow})
    found = objectives(stack, rpoMinutes=240)
    assert found.rpo is not None and [t.seconds for t in found.rpo.terms] == [7200, 1800]
    assert found.rpo.terms[0].source == BACKUP_ORCH_URN
    assert found.missing == [(
        f"Backup schedule {BACKUP_URN} runs every 60 min but the backup orchestrator's "
        "CADENCE_MINUTES is 120; the handler's snapshot period comes from CADENCE_MINUTES, so "
        "the two must be equal.", BACKUP_ORCH_URN)]
    # ...and the other way round: the schedule is the slower one.
    stack = dr_stack(**SNAPSHOT_RESTORE, **{"backup-schedule": {"scheduleExpression": "rate(3 hours)"}})
    found = objectives(stack, rpoMinutes=240)
    assert found.rpo is not None and [t.seconds for t in found.rpo.terms] == [10800, 1800]
    assert found.rpo.terms[0].source == BACKUP_URN and len(found.missing) == 1


@pytest.mark.parametrize(("raw", "message"), [
    (None, "Backup orchestrator declares no CADENCE_MINUTES (an integer 5-1440, minutes)."),
    ("0", "Backup orchestrator's CADENCE_MINUTES '0' is invalid; allowed: an integer 5-1440, minutes."),
    ("hourly", "Backup orchestrator's CADENCE_MINUTES 'hourly' is invalid; allowed: an integer 5-1440, "
               "minutes."),
])
def test_missing_or_invalid_cadence_minutes_is_a_violation(raw: str | None, message: str) -> None:
    out = run_stack(POLICY, dr_stack(**{"backup-orchestrator": backup_env(**{Env.CADENCE_MINUTES: raw})}))
    assert out.violations == [(message, BACKUP_ORCH_URN)]


def test_unknown_cadence_minutes_is_not_applicable() -> None:
    out = run_stack(POLICY, dr_stack(**{"backup-orchestrator": backup_env(**{Env.CADENCE_MINUTES: UNKNOWN})}))
    assert out.violations == []
    assert out.not_applicable == (f"RTO/RPO can't be decided during preview: {BACKUP_ORCH_URN}: "
                                  "environment.variables.CADENCE_MINUTES")


def test_no_backup_orchestrator_is_a_violation() -> None:
    out = run_stack(POLICY, dr_stack(**{"backup-orchestrator": None}))
    assert out.messages == [
        "No backup orchestrator: declare a Lambda function tagged dr:role=backup-orchestrator; "
        "without it the backup schedule takes no snapshot."]


# --- replication alarm: it must be able to fire -----------------------------------------------



@pytest.mark.parametrize(("edit", "message"), [
    ({"actionsEnabled": False},
     "Replication alarm has actionsEnabled false, so it notifies no one when the lag passes its "
     "threshold; the RPO it bounds goes unwatched."),
    ({"alarmActions": None},
     "Replication alarm has no alarmActions, so it notifies no one when the lag passes its "
     "threshold; add the alert topic."),
    ({"alarmActions": []},
     "Replication alarm has no alarmActions, so it notifies no one when the lag passes its "
     "threshold; add the alert topic."),
    ({"comparisonOperator": "LessThanThreshold"},
     "Replication alarm's comparisonOperator is 'LessThanThreshold'; only GreaterThanThreshold or "
     "GreaterThanOrEqualToThreshold fire when the lag rises above the threshold."),
    ({"comparisonOperator": None},
     "Replication alarm's comparisonOperator is None; only GreaterThanThreshold or "
     "GreaterThanOrEqualToThreshold fire when the lag rises above the threshold."),
])
def test_replication_alarm_that_cannot_fire_is_a_violation(edit: dict, message: str) -> None:
    out = run_stack(POLICY, dr_stack(**{"replication-alarm": edit}))
    assert out.violations == [(message, LAG_URN)]


def test_replication_alarm_term_stays_the_threshold() -> None:
    rpo = objectives(dr_stack(**{"replication-alarm": {"comparisonOperator":
                                                       "GreaterThanOrEqualToThreshold",
                                                       "evaluationPeriods": 5}})).rpo
    assert rpo is not None and [t.seconds for t in rpo.terms] == [900]


@pytest.mark.parametrize("prop", ["actionsEnabled", "alarmActions", "comparisonOperator"])
def test_unknown_replication_alarm_input_is_not_applicable(prop: str) -> None:
    out = run_stack(POLICY, dr_stack(**{"replication-alarm": {prop: UNKNOWN}}))
    assert out.violations == []
    assert out.not_applicable == f"RTO/RPO can't be decided during preview: {LAG_URN}: {prop}"


def test_stack_own_stricter_targets_are_enforced() -> None:
    stack = dr_stack(**{"failover-orchestrator": orch_env(**{Env.RTO_SECONDS: "300",
                                                             Env.RPO_SECONDS: "600"})})
    found = objectives(stack)
    assert (found.rto.target_seconds, found.rpo.target_seconds) == (300, 600)
    assert "stack's own RTO_SECONDS" in found.targets
    messages = [m for m, _ in run_stack(POLICY, stack).violations]
    assert len(messages) == 2
    assert messages[0].startswith("RTO worst case 1140 s (19.0 min) vs target 300 s (5.0 min)")
    assert messages[1].startswith("RPO worst case 900 s (15.0 min) vs target 600 s (10.0 min)")


def test_looser_or_unknown_stack_targets_leave_the_packs_in_force() -> None:
    for value in ("999999", UNKNOWN, "not-a-number"):
        stack = dr_stack(**{"failover-orchestrator": orch_env(**{Env.RTO_SECONDS: value})})
        assert objectives(stack).rto.target_seconds == 240 * 60, value


# --- the orchestrators' variables come from their contract ------------------------------------

def test_computed_variables_map_is_not_applicable_not_a_list_of_missing_variables() -> None:
    stack = dr_stack(**{"failover-orchestrator": {"environment": {"variables": UNKNOWN}}})
    out = run_stack(POLICY, stack)
    assert out.violations == []
    assert out.not_applicable == (f"RTO/RPO can't be decided during preview: {ORCH_URN}: "
                                  "environment.variables")


def test_invalid_strategy_names_the_strategies_of_the_table() -> None:
    out = run_stack(POLICY, dr_stack(**{"failover-orchestrator": orch_env(**{Env.DB_STRATEGY: "aurora"})}))
    assert out.violations == [("Failover orchestrator's DB_STRATEGY 'aurora' is invalid; allowed: "
                               "one of read-replica, dms, snapshot-restore, aurora-global.", ORCH_URN)]


def test_step_budgets_are_the_handlers_parse_of_the_variable() -> None:
    # The handler fills steps a stack leaves out with their defaults; the RTO counts them too.
    edit = orch_env(**{Env.STEP_BUDGETS_SECONDS: json.dumps({"promote": 300})})
    rto = objectives(dr_stack(**{"failover-orchestrator": edit})).rto
    assert rto is not None
    steps = {t.name: t.seconds for t in rto.terms if t.name.startswith("step ")}
    assert steps == {f"step {k}": (300 if k == "promote" else v) for k, v in STEP_BUDGETS.items()}


def test_unknown_step_budgets_show_as_a_zero_second_term() -> None:
    edit = orch_env(**{Env.STEP_BUDGETS_SECONDS: UNKNOWN})
    rto = objectives(dr_stack(**{"failover-orchestrator": edit})).rto
    assert rto is not None
    assert [(t.name, t.seconds) for t in rto.terms if "step" in t.name] == [
        ("step budgets (computed; counted as 0 s)", 0.0)]


@pytest.mark.parametrize("key", ["watchdog-schedule", "backup-schedule"])
def test_schedule_without_expression_is_never_counted_as_zero_seconds(key: str) -> None:
    stack = dr_stack(**{key: {"scheduleExpression": None}, "health-alarm": None})
    out = run_stack(POLICY, stack)
    where = urn("aws:cloudwatch/eventRule:EventRule", key)
    assert out.violations == []
    assert out.not_applicable == ("RTO/RPO can't be decided during preview: "
                                  f"{where}: scheduleExpression None has no bounded period")
