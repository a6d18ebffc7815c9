"""The game day's guards (``--target aws``): the target account on the command line must be
the caller's (``sts:GetCallerIdentity``) and not the production stack's; no usable
credentials is a one-line refusal (exit 2), never a traceback.

STS is botocore's Stubber over a real client, or a stub raising botocore's own errors; no
test reaches an account or the network.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from botocore.exceptions import EndpointConnectionError, NoCredentialsError, ProfileNotFound
from botocore.stub import Stubber

from cli import drill as cli
from drill.aws_target import TargetRefused, check_target, production_account, run_game_day
from engine.paths import ROOT

TARGET = "210987654321"
OTHER = "999999999999"
REGION = "us-west-2"


def _prod_account() -> str:
    """Read independently of the code under test: the account field of the ARN."""
    doc = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())
    return str(doc["config"]["ecommerce-dr:database"]["primaryInstanceArn"].split(":")[4])


PROD = _prod_account()


def _stubbed_sts(account: str, *, calls: int = 1) -> tuple[Any, Stubber]:
    sts = boto3.client("sts", region_name=REGION)
    stubber = Stubber(sts)
    for _ in range(calls):
        stubber.add_response("get_caller_identity", {
            "UserId": "AIDAGAMEDAY", "Account": account,
            "Arn": f"arn:aws:iam::{account}:user/game-day"}, {})
    stubber.activate()
    return sts, stubber


class _Account:
    """``(service, region) -> client``: STS as given, the deployed stack's other services
    answering as a successful game day would; records every client asked for."""

    def __init__(self, sts: Any) -> None:
        self.sts, self.built = sts, []

    def __call__(self, service: str, region: str) -> Any:
        self.built.append((service, region))
        return self.sts if service == "sts" else _Service(service)


class _Service:
    ANSWERS: dict[str, Any] = {
        "get_function_configuration": {"Environment": {"Variables": {
            "PRIMARY_REGION": "us-east-1", "STANDBY_REGION": REGION,
            "HEALTH_ALARM_NAME": "hc", "GATE_ALARM_NAME": "gate", "STACK_NAME": "staging",
            "STANDBY_DB_IDENTIFIER": "shop-standby"}}},
        "get_metric_statistics": {"Datapoints": [{"Maximum": 1.0}]},
        "describe_alarms": {"MetricAlarms": [{"StateValue": "ALARM"}]},
        "describe_db_instances": {"DBInstances": [{"DBInstanceStatus": "available"}]},
        "set_alarm_state": {},
    }

    def __init__(self, service: str) -> None:
        self.service = service

    def __getattr__(self, op: str) -> Callable[..., Any]:
        def call(**kw: Any) -> Any:
            if op == "invoke":
                body = {"status": "complete" if kw["FunctionName"] == "b" else "completed"}
                return {"Payload": io.BytesIO(json.dumps(body).encode())}
            return self.ANSWERS[op]
        return call


def _game_day(clients: Any, account_id: str | None = TARGET, stack: str = "staging",
              **kw: Any) -> dict[str, Any]:
    return run_game_day(stack, confirmed=True, failover_function="f", backup_function="b",
                        region=REGION, account_id=account_id, clients=clients, **kw)


# -- refused before any client is built ---------------------------------------------------------

def test_a_missing_account_id_is_refused_before_any_client() -> None:
    clients = _Account(sts=None)
    with pytest.raises(TargetRefused, match=r"--target aws needs --account-id <the 12-digit id"):
        _game_day(clients, account_id=None)
    assert clients.built == []


@pytest.mark.parametrize("bad", ["12345678901", "1234567890123", "12345678901a", " 210987654321",
                                 "210987654321\n"])
def test_a_malformed_account_id_is_refused(bad: str) -> None:
    clients = _Account(sts=None)
    with pytest.raises(TargetRefused, match="must be a 12-digit AWS account id, got"):
        _game_day(clients, account_id=bad)
    assert clients.built == []


@pytest.mark.parametrize("stack", ["prod1", "prd", "live", "myprod", "productionEU"])
def test_the_production_account_is_refused_whatever_the_stack_is_called(stack: str) -> None:
    check_target(stack, confirmed=True)   # the name guard lets these through...
    clients = _Account(sts=None)
    with pytest.raises(TargetRefused) as e:
        _game_day(clients, account_id=PROD, stack=stack)
    assert str(e.value) == (f"refusing --target aws: account {PROD} is the production stack's "
                            "account (database.primaryInstanceArn of stack 'prod'); game days "
                            "run in a non-production account")
    assert clients.built == []   # ...the account guard stops them before STS is asked


def test_the_production_account_comes_from_the_production_stack_file(tmp_path: Path) -> None:
    doc = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())
    db = doc["config"]["ecommerce-dr:database"]
    db["primaryInstanceArn"] = db["primaryInstanceArn"].replace(f":{PROD}:", f":{TARGET}:")
    db["primaryKmsKeyArn"] = db["primaryKmsKeyArn"].replace(f":{PROD}:", f":{TARGET}:")
    moved = tmp_path / "Pulumi.prod.yaml"
    moved.write_text(yaml.safe_dump(doc))
    assert production_account() == PROD
    assert production_account(stack_file=moved) == TARGET
    clients = _Account(sts=None)
    with pytest.raises(TargetRefused, match=f"account {TARGET} is the production stack's"):
        _game_day(clients, production_stack_file=moved)
    assert clients.built == []


def test_an_unreadable_production_stack_refuses(tmp_path: Path) -> None:
    clients = _Account(sts=None)
    with pytest.raises(TargetRefused, match=r"cannot read the production account from stack "
                                            r"'prod' \(no stack file"):
        _game_day(clients, production_stack_file=tmp_path / "missing.yaml")
    assert clients.built == []


# -- the caller's identity -----------------------------------------------------------------------

def test_credentials_of_another_account_are_refused() -> None:
    sts, stubber = _stubbed_sts(OTHER)
    clients = _Account(sts)
    with pytest.raises(TargetRefused) as e:
        _game_day(clients)
    assert str(e.value) == (f"refusing --target aws: the credentials are for account {OTHER} "
                            f"(arn:aws:iam::{OTHER}:user/game-day), not the target account "
                            f"{TARGET} given with --account-id")
    assert clients.built == [("sts", REGION)]
    stubber.assert_no_pending_responses()


def _raising(error: Exception, *, at_build: bool = False) -> Callable[[str, str], Any]:
    class Sts:
        def get_caller_identity(self) -> Any:
            raise error

    def clients(service: str, region: str) -> Any:
        assert service == "sts", f"{service} client built before the caller was confirmed"
        if at_build:
            raise error
        return Sts()
    return clients


@pytest.mark.parametrize(("clients", "error"), [
    (_raising(NoCredentialsError()), "NoCredentialsError: Unable to locate credentials"),
    (_raising(ProfileNotFound(profile="game-day"), at_build=True),
     "ProfileNotFound: The config profile (game-day) could not be found"),
    (_raising(EndpointConnectionError(endpoint_url="https://sts.us-west-2.amazonaws.com")),
     'EndpointConnectionError: Could not connect to the endpoint URL: '
     '"https://sts.us-west-2.amazonaws.com"'),
], ids=["no-credentials", "missing-profile", "sts-unreachable"])
def test_no_usable_credentials_is_a_one_line_refusal(clients: Any, error: str) -> None:
    with pytest.raises(TargetRefused) as e:
        _game_day(clients)
    assert str(e.value) == (f"cannot confirm the target account {TARGET}: no usable AWS "
                            f"credentials (sts:GetCallerIdentity in {REGION}: {error}); "
                            f"configure credentials for account {TARGET} and retry")


def test_credentials_sts_refuses_are_a_one_line_refusal() -> None:
    sts = boto3.client("sts", region_name=REGION)
    stubber = Stubber(sts)
    stubber.add_client_error("get_caller_identity", "ExpiredToken",
                             "The security token included in the request is expired",
                             http_status_code=403)
    with stubber, pytest.raises(TargetRefused) as e:
        _game_day(_Account(sts))
    assert "ClientError: An error occurred (ExpiredToken)" in str(e.value)
    assert "\n" not in str(e.value)


def test_the_callers_own_account_passes_and_sts_is_asked_first() -> None:
    sts, stubber = _stubbed_sts(TARGET)
    clients = _Account(sts)
    out = _game_day(clients)
    assert (out["verdict"], out["status"]) == ("pass", "completed")
    assert (out["account"], out["caller"]) == (TARGET, f"arn:aws:iam::{TARGET}:user/game-day")
    assert clients.built[0] == ("sts", REGION)
    assert clients.built.count(("sts", REGION)) == 1
    stubber.assert_no_pending_responses()


# -- the command's exit codes ---------------------------------------------------------------------

ARGS = ["--target", "aws", "--stack", "staging", "--confirm-non-production",
        "--failover-function", "f", "--backup-function", "b", "--no-policy-gate", "--quiet"]


@pytest.mark.parametrize(("account", "extra", "rc", "says"), [
    (TARGET, ["--account-id", TARGET], 0, None),
    (OTHER, ["--account-id", TARGET], 2, f"refused: refusing --target aws: the credentials are "
                                         f"for account {OTHER}"),
    (PROD, ["--account-id", PROD], 2, f"refused: refusing --target aws: account {PROD} is the "
                                      "production stack's account"),
    (TARGET, [], 2, "refused: --target aws needs --account-id"),
], ids=["callers-account", "other-account", "production-account", "missing-flag"])
def test_cli_exit_codes(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                        account: str, extra: list[str], rc: int, says: str | None) -> None:
    # the command checks before its policy gate, and the game day again before it acts
    sts, stubber = _stubbed_sts(account, calls=2 if rc == 0 else 1)
    monkeypatch.setattr("drill.aws_target.boto3_clients", _Account(sts))
    assert cli.main(ARGS + extra) == rc
    out = capsys.readouterr().out
    if says is None:
        assert json.loads(out)["verdict"] == "pass"
        stubber.assert_no_pending_responses()
    else:
        assert out.startswith(says) and out.count("\n") == 1, out


def test_cli_without_credentials_exits_2_with_one_line(tmp_path: Path) -> None:
    """The real command in a process with no credentials anywhere, then with a missing
    profile: the real boto3 credential chain, no stub."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
               AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_EC2_METADATA_DISABLED="true",
               COLUMNS="60")
    cmd = [sys.executable, "-m", "cli", "drill", *ARGS, "--account-id", TARGET]
    for extra_env, error in (({}, "NoCredentialsError: Unable to locate credentials"),
                             ({"AWS_PROFILE": "game-day"}, "ProfileNotFound: The config "
                                                           "profile (game-day) could not be found")):
        p = subprocess.run(cmd, cwd=ROOT, env=env | extra_env, capture_output=True, text=True,
                           timeout=60)
        assert p.returncode == 2, p.stdout + p.stderr
        assert "Traceback" not in p.stdout + p.stderr
        assert p.stdout.splitlines() == [
            f"refused: cannot confirm the target account {TARGET}: no usable AWS credentials "
            f"(sts:GetCallerIdentity in {REGION}: {error}); configure credentials for account "
            f"{TARGET} and retry"], p.stdout
