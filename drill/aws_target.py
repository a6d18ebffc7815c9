"""``--target aws``: the drill's steps against a real, non-production AWS account.

The same steps, with real clients and the deployed functions (see :func:`run_game_day`).
What the emulator drill bridges, AWS does for real here: alarm evaluation, health-check
status, promotion. Checking for Route 53 calls on the failover path is left to the
operator's CloudTrail; the alerts arrive by email.

Guards, checked before any client is built:

* an explicit ``--confirm-non-production`` flag;
* a stack whose name says production (``prod``, ``production``, ``*-prod``...) is refused.

Tested with stub clients only (the tests never reach an account or the network): they check the
refusals and that nothing is called without the flag.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

from contract.env import Env
from contract.names import GATE_METRIC, GATE_NAMESPACE
from drill.options import DONE_STATUSES
from emulator import events

_PROD = re.compile(r"(^|[-_.])prod(uction)?($|[-_.])", re.IGNORECASE)


class TargetRefused(Exception):  # noqa: N818 - a refusal, reported to the operator
    """The real-account drill refuses to run; the message says why and what to pass."""


def check_target(stack: str, *, confirmed: bool) -> None:
    """Raise :class:`TargetRefused` unless a real-account drill of ``stack`` is allowed."""
    if _PROD.search(stack):
        raise TargetRefused(f"refusing --target aws for stack {stack!r}: it names a production "
                            "stack; game days run in a non-production account and stack")
    if not confirmed:
        raise TargetRefused("--target aws acts on a real AWS account (it sets alarms and "
                            "fails the stack over); pass --confirm-non-production to go on")


class _Invoker:
    """Invokes deployed functions synchronously and times each call (measured)."""

    def __init__(self, lam: Any) -> None:
        self.lam = lam
        self.timeline: list[dict[str, Any]] = []

    def __call__(self, fn: str, payload: dict[str, Any], what: str) -> dict[str, Any]:
        t = time.perf_counter()
        out = self.lam.invoke(FunctionName=fn, Payload=json.dumps(payload).encode())
        body = json.loads(out["Payload"].read() or b"null")
        self.timeline.append({"step": what, "seconds": time.perf_counter() - t, "basis": "measured"})
        return body if isinstance(body, dict) else {"result": body}


def run_game_day(stack: str, *, confirmed: bool, failover_function: str, backup_function: str,
                 region: str, clients: Callable[[str, str], Any] | None = None,
                 force: bool = False, max_invocations: int = 20) -> dict[str, Any]:
    """Run the drill's steps in a real account through the deployed functions.

    Steps: back up (invoke the backup function), inject (health-check alarm to ALARM), fail
    over (invoke the failover function with the manual event until it completes), verify
    from outside (gate metric and gate alarm in the standby Region, the standby database no
    longer a replica). The orchestrator verifies the failure with its own probes: break the
    primary endpoint first (e.g. block it at its load balancer), or pass ``force``.

    Args:
        stack: stack name (never a production one).
        confirmed: the operator passed ``--confirm-non-production``.
        failover_function, backup_function: deployed function names (stack outputs).
        region: the standby Region, where both functions run.
        clients: ``(service, region) -> client``; default real boto3 clients.
        force: pass ``force: true`` in the manual failover event.
        max_invocations: failover invocations before giving up.

    Returns:
        ``{"stack", "target": "aws", "status", "verdict": "pass"|"fail", "checks": [...],
        "timeline": [...], "backup": {...}, "failover": [...]}``; ``timeline`` seconds are
        measured.

    Raises:
        TargetRefused: see :func:`check_target` (raised before any client exists).
    """
    check_target(stack, confirmed=confirmed)
    if clients is None:
        import boto3

        def clients(service: str, r: str) -> Any:
            return boto3.client(service, region_name=r)

    lam = clients("lambda", region)
    invoke = _Invoker(lam)
    env = lam.get_function_configuration(FunctionName=failover_function).get(
        "Environment", {}).get("Variables", {})
    primary, standby = env[Env.PRIMARY_REGION], env.get(Env.STANDBY_REGION, region)
    backup = invoke(backup_function, events.scheduled_event(
        region=region, rule_arn=f"arn:aws:events:{region}:000000000000:rule/game-day",
        account="000000000000"), "backup")
    clients("cloudwatch", primary).set_alarm_state(
        AlarmName=env[Env.HEALTH_ALARM_NAME], StateValue="ALARM",
        StateReason="game day: injected failure")
    status, results = "", []
    for _ in range(max_invocations):
        res = invoke(failover_function, events.manual_failover("game day drill", force=force),
                     "failover")
        results.append(res)
        status = res.get("status", "")
        if status in DONE_STATUSES:
            break
    checks = _verify(clients, env, standby)
    ok = status in DONE_STATUSES and all(c["passed"] for c in checks)
    return {"stack": stack, "target": "aws", "status": status, "verdict": "pass" if ok else "fail",
            "checks": checks, "backup": backup, "failover": results, "timeline": invoke.timeline}


def _verify(clients: Callable[[str, str], Any], env: dict[str, str],
            standby: str) -> list[dict[str, Any]]:
    """Outside checks with real clients (no Route 53 call: its API is us-east-1 only)."""
    import datetime as dt

    checks: list[dict[str, Any]] = []
    cw = clients("cloudwatch", standby)
    now = dt.datetime.now(dt.UTC)
    points = cw.get_metric_statistics(
        Namespace=GATE_NAMESPACE, MetricName=GATE_METRIC,
        Dimensions=[{"Name": "Stack", "Value": env.get(Env.STACK_NAME, "")}],
        StartTime=now - dt.timedelta(minutes=15), EndTime=now, Period=60,
        Statistics=["Maximum"]).get("Datapoints", [])
    top = max((p["Maximum"] for p in points), default=None)
    checks.append({"name": "gate metric published", "passed": top is not None and top >= 1,
                   "detail": f"max {top}"})
    gate = env.get(Env.GATE_ALARM_NAME)
    if gate:
        alarms = cw.describe_alarms(AlarmNames=[gate]).get("MetricAlarms", [])
        state = alarms[0]["StateValue"] if alarms else "missing"
        checks.append({"name": "gate alarm in ALARM (CloudWatch evaluates it; allow a minute)",
                       "passed": state == "ALARM", "detail": f"{standby}/{gate}: {state}"})
    ident = env.get(Env.STANDBY_DB_IDENTIFIER)
    if ident:
        dbs = clients("rds", standby).describe_db_instances(
            DBInstanceIdentifier=ident).get("DBInstances", [])
        db = dbs[0] if dbs else {}
        checks.append({"name": "standby database no longer a replica",
                       "passed": bool(db) and not db.get("ReadReplicaSourceDBInstanceIdentifier"),
                       "detail": f"{ident}: {db.get('DBInstanceStatus', 'missing')}"})
    return checks
