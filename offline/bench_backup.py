"""Benchmark: AWS API calls and handler time of one backup run, for 1, 10 and 50 databases.

Runs ``handlers.backup.app.handler`` in-process on moto (``mock_aws``), each database with a
standby instance (the most calls per database: primary snapshot, standby snapshot, copy).
API calls are counted with a botocore ``before-parameter-build`` hook (one per operation,
retries not counted). Each size is measured on a steady-state run: a first run for period
T seeds the snapshots, then the run for T+1 cadence is the one counted.

Calls are split into per-database operations (CreateDBSnapshot, CopyDBSnapshot,
DeleteDBSnapshot) and per-run operations (paginated listings, metric read/publish,
run record, alerts). Growth is linear when per-database calls / databases is the same at
every size and per-run calls do not grow faster than listing pages (100 items a page).
Not exercised here: pruning, which adds one DeleteDBSnapshot per expired snapshot (in steady
state about one per database, kind and Region per run) - still linear.

    python -m offline.bench_backup
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import time
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from moto import mock_aws

import handlers.backup.app as app
from handlers.backup.events import scheduled_event
from handlers.backup.settings import get_settings
from handlers.shared.aws import RETRY_CONFIG
from offline.drill.runtime import LambdaContext

SIZES: tuple[int, ...] = (1, 10, 50)
PRIMARY, STANDBY = "us-east-1", "us-west-2"
PER_DATABASE_OPS = frozenset({"CreateDBSnapshot", "CopyDBSnapshot", "DeleteDBSnapshot"})
PERIOD = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


class CountingClients:
    """``(service, region) -> client`` factory counting API operations by name."""

    def __init__(self) -> None:
        self.session = boto3.session.Session()
        self.ops: Counter[str] = Counter()
        self._cache: dict[tuple[str, str], Any] = {}

    def __call__(self, service: str, region: str) -> Any:
        if (service, region) not in self._cache:
            c = self.session.client(service, region_name=region, config=RETRY_CONFIG)
            c.meta.events.register("before-parameter-build.*.*",
                                   lambda model, **_: self.ops.update([model.name]))
            self._cache[(service, region)] = c
        return self._cache[(service, region)]

    def split(self) -> tuple[int, int]:
        """``(per-database calls, per-run calls)``."""
        per_db = sum(n for op, n in self.ops.items() if op in PER_DATABASE_OPS)
        return per_db, sum(self.ops.values()) - per_db


def setup_world(n: int, session: boto3.session.Session) -> dict[str, str]:
    """``n`` primary databases with standby instances, KMS key, bucket, topics; the env."""
    rds_p = session.client("rds", region_name=PRIMARY)
    rds_s = session.client("rds", region_name=STANDBY)
    dbs = []
    for i in range(n):
        kw = {"Engine": "postgres", "DBInstanceClass": "db.t3.micro", "AllocatedStorage": 20,
              "MasterUsername": "admin1", "MasterUserPassword": "password1234"}
        arn = rds_p.create_db_instance(DBInstanceIdentifier=f"db-{i}", **kw)["DBInstance"][
            "DBInstanceArn"]
        rds_s.create_db_instance(DBInstanceIdentifier=f"db-{i}-standby", **kw)
        dbs.append({"primaryArn": arn, "standbyIdentifier": f"db-{i}-standby"})
    kms = session.client("kms", region_name=STANDBY).create_key()["KeyMetadata"]["Arn"]
    session.client("s3", region_name=STANDBY).create_bucket(
        Bucket="bench-meta", CreateBucketConfiguration={"LocationConstraint": STANDBY})
    topics = {r: session.client("sns", region_name=r).create_topic(Name="a")["TopicArn"]
              for r in (PRIMARY, STANDBY)}
    return {
        "PRIMARY_REGION": PRIMARY, "STANDBY_REGION": STANDBY, "STACK_NAME": "bench",
        "DB_STRATEGY": "read-replica", "RPO_SECONDS": "3600",
        "ALERT_TOPIC_ARNS": json.dumps(topics), "STANDBY_KMS_KEY_ARN": kms, "DMS_TASK_ARN": "",
        "PROTECTED_DATABASES": json.dumps(dbs), "METADATA_BUCKET": "bench-meta",
        "CADENCE_MINUTES": "60", "RETENTION_HOURS": "24", "KEEP_NEWEST": "3",
        "SNAPSHOT_QUOTA": "1000",
    }


def run_size(n: int) -> dict[str, Any]:
    """One steady-state handler run with ``n`` databases; counts and seconds."""
    amis = os.environ.get("MOTO_EC2_LOAD_DEFAULT_AMIS")
    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"    # RDS needs no EC2 AMIs; saves time
    try:
        return _run_size(n)
    finally:
        if amis is None:
            os.environ.pop("MOTO_EC2_LOAD_DEFAULT_AMIS", None)
        else:
            os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = amis


def _context() -> LambdaContext:
    """The Lambda context of one benchmarked invocation (900 s, the longest timeout)."""
    return LambdaContext(function_name="bench-backup", memory_limit_in_mb=256, timeout_seconds=900,
                         invoked_function_arn="arn:aws:lambda:us-west-2:123456789012:function:bench-backup")


def _run_size(n: int) -> dict[str, Any]:
    with mock_aws():
        clients = CountingClients()
        env = setup_world(n, clients.session)
        saved = {k: os.environ.get(k) for k in env}
        saved_factory = app.default_clients
        os.environ.update(env)
        os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
        get_settings.cache_clear()
        app.default_clients = lambda settings: clients
        level = app.logger.log_level
        app.logger.setLevel("WARNING")          # keep the table readable
        try:
            with contextlib.redirect_stdout(io.StringIO()):   # EMF metric lines
                warm = app.handler(scheduled_event(PERIOD), _context())
                clients.ops.clear()
                t0 = time.perf_counter()
                out = app.handler(scheduled_event(PERIOD + timedelta(hours=1)), _context())
                seconds = time.perf_counter() - t0
        finally:
            app.logger.setLevel(level)
            app.default_clients = saved_factory
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            get_settings.cache_clear()
    per_db, per_run = clients.split()
    return {"databases": n, "status": out["status"], "warm_status": warm["status"],
            "ops": dict(clients.ops), "calls": per_db + per_run, "per_database_calls": per_db,
            "per_run_calls": per_run, "seconds": seconds}


def measure(sizes: Iterable[int] = SIZES) -> list[dict[str, Any]]:
    """Rows ``{"benchmark": "backup", "databases", "metric", "value", "unit"}``."""
    rows: list[dict[str, Any]] = []
    for n in sizes:
        r = run_size(n)
        for metric, value, unit in (
            ("api_calls_per_database", r["calls"] / n, "calls/db/run"),
            ("per_database_api_calls_per_database", r["per_database_calls"] / n, "calls/db/run"),
            ("per_run_api_calls", r["per_run_calls"], "calls/run"),
            ("api_calls_total", r["calls"], "calls/run"),
            ("handler_time", r["seconds"], "s"),
            ("handler_time_per_database", r["seconds"] / n, "s/db"),
        ):
            rows.append({"benchmark": "backup", "databases": n, "metric": metric,
                         "value": round(value, 4), "unit": unit, "status": r["status"]})
    return rows


def is_linear(rows: list[dict[str, Any]]) -> bool:
    """Per-database calls per database identical at every size, per-run calls constant."""
    per_db = {r["value"] for r in rows if r["metric"] == "per_database_api_calls_per_database"}
    per_run = {r["value"] for r in rows if r["metric"] == "per_run_api_calls"}
    return len(per_db) == 1 and len(per_run) == 1


def main() -> None:
    from rich.console import Console
    from rich.table import Table

    rows = measure()
    table = Table(title="Backup orchestrator: one steady-state run on moto")
    for col in ("databases", "metric", "value", "unit", "status"):
        table.add_column(col, no_wrap=True)
    for r in rows:
        table.add_row(str(r["databases"]), r["metric"], f"{r['value']:g}", r["unit"], r["status"])
    console = Console(width=120)
    console.print(table)
    verdict = "LINEAR" if is_linear(rows) else "NOT LINEAR"
    console.print(f"Growth: {verdict} (per-database calls per database constant, per-run "
                  "calls constant). Handler time on moto is indicative only.")


if __name__ == "__main__":
    main()
