"""Program variants recorded once per test session with the plan recorder.

Every variant is the production stack file plus config overrides, recorded by
:func:`engine.plan.record_plan` (the same recorder and mocks the preview and the drill
use) in a fresh subprocess. A recording costs about a second (mostly importing Pulumi), so
the variants in :data:`KNOWN` (and those in :data:`PHASES`) are recorded in one batch
(:func:`engine.plan.record_plans`: one interpreter, one fork per variant) and shared between
xdist workers through
:data:`CACHE_DIR` (set by ``tests/conftest.py`` to the session's temp directory, for every
test area): the first worker
to need a plan records under a lock file, the other waits and reads the JSON.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from contract.strategies import SPECS, Standby, spec
from engine.config import strategy_database
from engine.paths import ROOT
from engine.plan import Plan, PlanRequest, record_plans

P = "ecommerce-dr"
STACK_FILE = ROOT / "Pulumi.prod.yaml"
BASE: dict[str, Any] = yaml.safe_load(STACK_FILE.read_text())["config"]

#: Every strategy of the table (aurora-global with the placeholders the tools use,
#: ``engine.config.strategy_database``).
STRATEGIES = tuple(str(s) for s in SPECS)
MODES = ("orchestrated", "automatic")
DMS_SOURCE_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-dms-source-AbCdEf"

PROVIDER = "pulumi:providers:aws"
HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck"
RECORD = "aws:route53/record:Record"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
FUNCTION = "aws:lambda/function:Function"
RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
BUS = "aws:cloudwatch/eventBus:EventBus"
DB = "aws:rds/instance:Instance"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
BUCKET = "aws:s3/bucket:Bucket"


def overrides(strategy: str = "read-replica", mode: str = "orchestrated",
              **top: Any) -> dict[str, object]:
    """Fully qualified config overrides for a variant; ``top`` replaces top-level keys."""
    db = dict(BASE[f"{P}:database"], strategy=strategy)
    if spec(strategy).standby is Standby.CLUSTER:
        db = strategy_database(BASE, strategy)
    if strategy == "dms":
        db["dms"] = {"sourceSecretArn": DMS_SOURCE_SECRET, "engine": "postgres"}
    out: dict[str, object] = {f"{P}:database": db,
                              f"{P}:failover": dict(BASE[f"{P}:failover"], mode=mode)}
    out.update({f"{P}:{k}": v for k, v in top.items()})
    return out


#: One variant that moves many knobs at once (each test reads its own).
CUSTOM: dict[str, Any] = {
    "healthCheck": {"path": "/ready", "port": 8443, "intervalSeconds": 30, "failureThreshold": 5},
    "dns": {"ttlSeconds": 120},
    "failover": {"watchdogRateMinutes": 5},
    "backup": {"cadenceMinutes": 15, "retentionHours": 6},
    "rpoMinutes": 120,
    # no replicationLagAlarmSeconds: the threshold defaults to a quarter of the RPO
    "database": {k: v for k, v in BASE[f"{P}:database"].items()
                 if k != "replicationLagAlarmSeconds"},
}
#: Neither Region is us-east-1: a third provider for the Route 53 health-check alarm.
EU: dict[str, Any] = {
    "primaryRegion": "eu-west-1", "standbyRegion": "eu-central-1",
    "database": {"strategy": "read-replica",
                 "primaryInstanceArn": "arn:aws:rds:eu-west-1:123456789012:db:shop-primary"}}
#: The standby is us-east-1: the alarm rule invokes the orchestrator directly.
STANDBY_US_EAST_1: dict[str, Any] = {
    "primaryRegion": "us-west-2", "standbyRegion": "us-east-1",
    "database": {"strategy": "read-replica",
                 "primaryInstanceArn": "arn:aws:rds:us-west-2:123456789012:db:shop-primary"}}

#: The standby instance in a configured subnet group and security groups.
NETWORKED: dict[str, Any] = {"database": {
    **BASE[f"{P}:database"], "standbySubnetGroupName": "dr-private",
    "standbySecurityGroupIds": ["sg-0123456789abcdef0"]}}

CACHE_DIR: Path | None = None
_WAIT_SECONDS = 300.0

#: Variants the tests use, recorded together in one batch (one interpreter, a fork each) by
#: whichever worker first needs any of them. Others are recorded on demand.
KNOWN: list[tuple[str, str, bool, dict[str, Any]]] = [
    *[(s, m, False, {}) for s in STRATEGIES for m in MODES],
    ("read-replica", "orchestrated", True, {}),
    ("snapshot-restore", "orchestrated", True, {}),
    ("read-replica", "orchestrated", False, CUSTOM),
    ("read-replica", "orchestrated", False, EU),
    ("read-replica", "orchestrated", False, STANDBY_US_EAST_1),
    ("read-replica", "orchestrated", False, NETWORKED),
]
#: Every strategy in each failover phase (``tests/policies/test_phase_rules.py``): a batch
#: of its own, recorded when any of them is first needed.
PHASES: list[tuple[str, str, bool, dict[str, Any]]] = [
    (s, "orchestrated", False, {"failover": dict(BASE[f"{P}:failover"], phase=phase)})
    for s in STRATEGIES for phase in ("normal", "failed-over", "reverse-replicating")]
BATCHES = (KNOWN, PHASES)


def _key(strategy: str, mode: str, preview: bool, extra_json: str) -> str:
    return hashlib.sha256(f"{strategy}|{mode}|{preview}|{extra_json}".encode()).hexdigest()[:20]


@contextlib.contextmanager
def _session_lock(path: Path) -> Iterator[None]:
    deadline = time.monotonic() + _WAIT_SECONDS
    while True:
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            break
        except FileExistsError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"another worker holds {path} for too long") from None
            time.sleep(0.05)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


@functools.cache
def _plan(strategy: str, mode: str, preview: bool, extra_json: str) -> Plan:
    wanted = (strategy, mode, preview, extra_json)
    if CACHE_DIR is None:
        return _record_batch([wanted])[0]
    done = CACHE_DIR / f"{_key(*wanted)}.json"
    if not done.exists():
        with _session_lock(CACHE_DIR / "record.lock"):
            if not done.exists():
                known = _batch_of(wanted)
                batch = [wanted] + [k for k in known if k != wanted
                                    and not (CACHE_DIR / f"{_key(*k)}.json").exists()]
                for k, result in zip(batch, _record_batch(batch), strict=True):
                    if isinstance(result, Plan):
                        tmp = CACHE_DIR / f"{_key(*k)}.{os.getpid()}.tmp"
                        tmp.write_text(result.to_json())
                        tmp.replace(CACHE_DIR / f"{_key(*k)}.json")
                    elif k == wanted:
                        raise result
    return Plan.from_json(done.read_text())


def _batch_of(wanted: tuple[str, str, bool, str]) -> list[tuple[str, str, bool, str]]:
    """The batch of :data:`BATCHES` holding ``wanted``, else :data:`KNOWN` (JSON-keyed)."""
    batches = [[(s, m, pv, json.dumps(x, sort_keys=True)) for s, m, pv, x in b] for b in BATCHES]
    return next((b for b in batches if wanted in b), batches[0])


def _record_batch(batch: list[tuple[str, str, bool, str]]) -> list[Any]:
    results = record_plans([PlanRequest("prod", None, overrides(s, m, **json.loads(x)), pv)
                            for s, m, pv, x in batch])
    first = results[0]
    if len(batch) == 1 and isinstance(first, Exception):
        raise first
    return results


def plan(strategy: str = "read-replica", mode: str = "orchestrated", *, preview: bool = False,
         **top: Any) -> Plan:
    """The recorded plan of a variant (cached for the session)."""
    return _plan(strategy, mode, preview, json.dumps(top, sort_keys=True))


def all_variants() -> list[tuple[str, str]]:
    return [(s, m) for s in STRATEGIES for m in MODES]


def policy_doc(r: Any) -> dict[str, Any]:
    """The policy document of a RolePolicy / BucketPolicy / Key as a dict."""
    return json.loads(r.inputs["policy"])
