"""``--target aws``: the drill's steps against a real, non-production AWS account.

The same steps, with real clients and the deployed functions (see :func:`run_game_day`).
What the emulator drill bridges, AWS does for real here: alarm evaluation, health-check
status, promotion. Checking for Route 53 calls on the failover path is left to the
operator's CloudTrail; the alerts arrive by email.

Guards (:func:`guard`), in this order, all before any client but STS's is built:

* an explicit ``--confirm-non-production`` flag;
* a stack whose name says production (``prod``, ``production``, ``*-prod``...) is refused
  (an extra: names are easy to get wrong, so the account is what decides);
* the target account's id on the command line (``--account-id``, 12 digits), which must
  differ from the production stack's account (the account of ``database.primaryInstanceArn``
  in ``Pulumi.prod.yaml``, read through ``components.settings``; an unreadable production
  stack refuses too) and equal the account of the caller's credentials
  (``sts:GetCallerIdentity``). No usable credentials (none found, a missing profile, STS
  unreachable or refusing them) refuse with a one-line message.

Tested with stub clients and botocore's Stubber only (the tests never reach an account or
the network): they check each refusal and that nothing else is called before the guards pass.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from contract.env import Env
from contract.names import GATE_METRIC, GATE_NAMESPACE, backup_schedule_rule_name
from drill.options import DONE_STATUSES, DrillError, DrillOptions, drill_config
from emulator import events

_PROD = re.compile(r"(^|[-_.])prod(uction)?($|[-_.])", re.IGNORECASE)
_ACCOUNT_ID = re.compile(r"\d{12}")
#: The production stack whose account a game day must never target.
PRODUCTION_STACK = "prod"

Clients = Callable[[str, str], Any]


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


def production_account(stack: str = PRODUCTION_STACK, *, stack_file: Path | None = None) -> str:
    """The production stack's AWS account: that of its ``database.primaryInstanceArn``, read
    through ``components.settings`` (``Pulumi.<stack>.yaml``, or ``stack_file``).

    Raises:
        TargetRefused: the stack file is missing or invalid (without it nothing tells the
            production account apart).
    """
    try:
        settings, _ = drill_config(DrillOptions(stack=stack, stack_file=stack_file,
                                                reports_dir=None, policy_gate=False,
                                                progress=False))
    except DrillError as e:
        raise TargetRefused(f"refusing --target aws: cannot read the production account from "
                            f"stack {stack!r} ({_one_line(str(e))}); it is needed to refuse "
                            "the production account") from None
    return settings.database.account_id


def _one_line(text: str) -> str:
    return " ".join(text.split())


def caller_identity(clients: Clients, region: str, account_id: str) -> dict[str, Any]:
    """``sts:GetCallerIdentity`` in ``region``, building the STS client inside the guard
    (a missing profile fails while the client is built).

    Raises:
        TargetRefused: no usable credentials: none found, a missing profile, STS unreachable,
            or STS refusing them (one line, naming the error).
    """
    try:
        return dict(clients("sts", region).get_caller_identity())
    except (BotoCoreError, ClientError) as e:
        raise TargetRefused(f"cannot confirm the target account {account_id}: no usable AWS "
                            f"credentials (sts:GetCallerIdentity in {region}: "
                            f"{type(e).__name__}: {_one_line(str(e))}); configure credentials "
                            f"for account {account_id} and retry") from None


def check_account_id(account_id: str | None) -> str:
    """``account_id`` if it is a 12-digit AWS account id; else :class:`TargetRefused`."""
    if not account_id:
        raise TargetRefused("--target aws needs --account-id <the 12-digit id of the "
                            "non-production account to drill>: it must equal the caller's "
                            "account (sts:GetCallerIdentity)")
    if not _ACCOUNT_ID.fullmatch(account_id):
        raise TargetRefused(f"--account-id must be a 12-digit AWS account id, got {account_id!r}")
    return account_id


def guard(stack: str, *, confirmed: bool, account_id: str | None, region: str,
          clients: Clients, production_stack_file: Path | None = None) -> dict[str, Any]:
    """Every guard of a real-account drill, in the module docstring's order. Only the STS
    client is built, and only once the offline guards passed.

    Args:
        stack, confirmed: see :func:`check_target`.
        account_id: ``--account-id``.
        region: where STS is called (the standby Region).
        clients: ``(service, region) -> client``.
        production_stack_file: the production stack's file, instead of ``Pulumi.prod.yaml``.

    Returns:
        The caller identity (``sts:GetCallerIdentity``: ``Account``, ``Arn``, ``UserId``).

    Raises:
        TargetRefused: the message says which guard refused and what to pass.
    """
    check_target(stack, confirmed=confirmed)
    account = check_account_id(account_id)
    if account == production_account(stack_file=production_stack_file):
        raise TargetRefused(f"refusing --target aws: account {account} is the production "
                            f"stack's account (database.primaryInstanceArn of stack "
                            f"{PRODUCTION_STACK!r}); game days run in a non-production account")
    ident = caller_identity(clients, region, account)
    caller = str(ident.get("Account", ""))
    if caller != account:
        raise TargetRefused(f"refusing --target aws: the credentials are for account {caller} "
                            f"({ident.get('Arn', '?')}), not the target account {account} "
                            "given with --account-id")
    return ident


def boto3_clients(service: str, region: str) -> Any:
    """Real boto3 clients (the default credential chain)."""
    import boto3

    return boto3.client(service, region_name=region)


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


def _backup_schedule_event(lam: Any, backup_function: str, region: str,
                           account_id: str) -> dict[str, Any]:
    """The deployed backup schedule's own event, now: the backup orchestrator accepts only
    its stack's rule (``contract.names.backup_schedule_rule_name``) from its account."""
    env = lam.get_function_configuration(FunctionName=backup_function).get(
        "Environment", {}).get("Variables", {})
    rule = backup_schedule_rule_name(env[Env.STACK_NAME])
    return events.scheduled_event(region=region, account=account_id,
                                  rule_arn=f"arn:aws:events:{region}:{account_id}:rule/{rule}")


def run_game_day(stack: str, *, confirmed: bool, failover_function: str, backup_function: str,
                 region: str, account_id: str | None = None, clients: Clients | None = None,
                 force: bool = False, max_invocations: int = 20,
                 production_stack_file: Path | None = None) -> dict[str, Any]:
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
        account_id: the target account (``--account-id``); see :func:`guard`.
        clients: ``(service, region) -> client``; default real boto3 clients.
        force: pass ``force: true`` in the manual failover event.
        max_invocations: failover invocations before giving up.
        production_stack_file: the production stack's file, instead of ``Pulumi.prod.yaml``.

    Returns:
        ``{"stack", "target": "aws", "account", "caller", "status", "verdict": "pass"|"fail",
        "checks": [...], "timeline": [...], "backup": {...}, "failover": [...]}``;
        ``timeline`` seconds are measured.

    Raises:
        TargetRefused: see :func:`guard` (raised before any client but STS's exists).
    """
    clients = clients or boto3_clients
    ident = guard(stack, confirmed=confirmed, account_id=account_id, region=region,
                  clients=clients, production_stack_file=production_stack_file)
    lam = clients("lambda", region)
    invoke = _Invoker(lam)
    env = lam.get_function_configuration(FunctionName=failover_function).get(
        "Environment", {}).get("Variables", {})
    primary, standby = env[Env.PRIMARY_REGION], env.get(Env.STANDBY_REGION, region)
    backup = invoke(backup_function, _backup_schedule_event(lam, backup_function, region,
                                                            account_id), "backup")
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
    return {"stack": stack, "target": "aws", "account": account_id, "caller": ident.get("Arn"),
            "status": status, "verdict": "pass" if ok else "fail",
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
