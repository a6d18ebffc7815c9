"""``--target aws``: the drill's steps against a real, non-production AWS account.

The same steps, with real clients and the deployed functions: invoke the backup
orchestrator, set the health-check alarm to ALARM (the injected failure), invoke the
failover orchestrator with the forwarded-alarm event until it completes, then verify from
outside (gate metric and alarm, the gate health check's status from Route 53, the standby
database, no Route 53 call in the failover's CloudTrail window is left to the operator).

Guards, checked before any client is built:

* an explicit ``--confirm-non-production`` flag;
* a stack whose name says production (``prod``, ``production``, ``*-prod``...) is refused.

Testable here only with stub clients (no account, no network): the tests check the
refusals and that nothing is called without the flag.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from rto_rpo.contract import Env

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


def run_game_day(stack: str, *, confirmed: bool, failover_function: str, backup_function: str,
                 region: str, clients: Callable[[str, str], Any] | None = None,
                 max_invocations: int = 20) -> dict[str, Any]:
    """Run the drill's steps in a real account through the deployed functions.

    Args:
        stack: stack name (never a production one).
        confirmed: the operator passed ``--confirm-non-production``.
        failover_function, backup_function: deployed function names (stack outputs).
        region: the standby Region, where both functions run.
        clients: ``(service, region) -> client``; default real boto3 clients.

    Raises:
        TargetRefused: see :func:`check_target` (raised before any client exists).
    """
    check_target(stack, confirmed=confirmed)
    if clients is None:
        import boto3

        def clients(service: str, r: str) -> Any:
            return boto3.client(service, region_name=r)

    lam = clients("lambda", region)
    timeline: list[dict[str, Any]] = []

    def invoke(fn: str, payload: dict[str, Any], what: str) -> dict[str, Any]:
        t = time.perf_counter()
        out = lam.invoke(FunctionName=fn, Payload=json.dumps(payload).encode())
        body = json.loads(out["Payload"].read() or b"null")
        timeline.append({"step": what, "seconds": time.perf_counter() - t, "basis": "measured"})
        return body if isinstance(body, dict) else {"result": body}

    cfg = lam.get_function_configuration(FunctionName=failover_function)
    env = cfg.get("Environment", {}).get("Variables", {})
    primary = env[Env.PRIMARY_REGION]
    alarm = env[Env.HEALTH_ALARM_NAME]
    backup = invoke(backup_function, {"version": "0", "id": str(uuid.uuid4()),
                                      "detail-type": "Scheduled Event", "source": "aws.events",
                                      "account": "000000000000", "region": region,
                                      "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                      "resources": [], "detail": {}}, "backup")
    clients("cloudwatch", primary).set_alarm_state(
        AlarmName=alarm, StateValue="ALARM", StateReason="game day: injected failure")
    status, results = "", []
    for _ in range(max_invocations):
        res = invoke(failover_function, {"action": "failover", "reason": "game day drill",
                                         "force": False}, "failover")
        results.append(res)
        status = res.get("status", "")
        if status in ("completed", "already-failed-over"):
            break
    return {"stack": stack, "target": "aws", "backup": backup, "failover": results,
            "status": status, "timeline": timeline}
