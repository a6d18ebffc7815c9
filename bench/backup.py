"""Benchmark: AWS API calls and handler time of one backup run, for 1, 10 and 50 databases.

Runs ``handlers.backup.app.handler`` in-process on moto (``mock_aws``) through its Lambda
entry point, with its environment and a Lambda context, each database with a standby
instance (the most calls per database: primary snapshot, standby snapshot, copy). The site is
built by :func:`emulator.orchestrators.backup_site`. API calls are counted on the handler's own
clients (:func:`emulator.faults.instrumented_clients`: one per operation, retries not counted).
Each size is measured on a steady-state run: a first run for period T seeds the snapshots,
then the run for T+1 cadence is the one counted.

Calls are split into per-database operations (CreateDBSnapshot, CopyDBSnapshot,
DeleteDBSnapshot) and per-run operations (paginated listings, metric read/publish, run
record, alerts). Growth is linear when per-database calls / databases is the same at every
size and per-run calls do not grow faster than listing pages (100 items a page). Not
exercised here: pruning, which adds one DeleteDBSnapshot per expired snapshot (in steady
state about one per database, kind and Region per run) - still linear.

``python -m cli bench --only backup`` prints the rows.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from contract.env import Env
from emulator.clients import session_clients
from emulator.faults import instrumented_clients
from emulator.in_process import mocked_aws
from emulator.lambda_runtime import (
    LambdaContext,
    captured_output,
    clear_caches,
    lambda_environment,
)
from emulator.ledger import ClientLedger
from emulator.orchestrators import backup_site
from emulator.site import SiteBuilder

SIZES: tuple[int, ...] = (1, 10, 50)
PRIMARY, STANDBY = "us-east-1", "us-west-2"
PER_DATABASE_OPS = frozenset({"CreateDBSnapshot", "CopyDBSnapshot", "DeleteDBSnapshot"})
HANDLER = "handlers.backup.app.handler"
FUNCTION = "ecommerce-dr-backup"


def _invoke(at: datetime, env: dict[str, str]) -> dict[str, Any]:
    """One invocation by the stack's own backup schedule firing at ``at``, through the
    handler's entry point (it refuses events more than one cadence from its clock)."""
    from handlers.backup.app import handle
    from handlers.backup.events import scheduled_event
    from handlers.backup.settings import load_settings

    event = scheduled_event(at, settings=load_settings(env))
    return handle(event, LambdaContext.for_function(FUNCTION, region=STANDBY))


def _two_periods(cadence_minutes: int) -> tuple[datetime, datetime]:
    """Event times of two consecutive scheduled periods, both within one cadence of now:
    the last second of the previous period, and now (waiting out a period's last 10 s)."""
    from handlers.backup.events import period_start

    now = datetime.now(UTC)
    current = period_start(now, cadence_minutes)
    if (now - current).total_seconds() > cadence_minutes * 60 - 10:
        time.sleep((current + timedelta(minutes=cadence_minutes) - now).total_seconds() + 1)
        now = datetime.now(UTC)
        current = period_start(now, cadence_minutes)
    return current - timedelta(seconds=1), now


def _steady_state(env: dict[str, str], ledger: ClientLedger) -> tuple[dict[str, Any], dict[str, Any], float]:
    """``(warm-up summary, measured summary, measured seconds)``; calls of the measured run
    are labelled ``run`` in ``ledger``."""
    runtime_env = {**env, "AWS_REGION": STANDBY, "AWS_DEFAULT_REGION": STANDBY,
                   "AWS_LAMBDA_FUNCTION_NAME": FUNCTION, "POWERTOOLS_TRACE_DISABLED": "true"}
    with lambda_environment(runtime_env), captured_output(io.StringIO()), \
            instrumented_clients(ledger):
        clear_caches()      # a new container: settings parsed and clients built from here
        ledger.step = "warm-up"
        previous, current = _two_periods(int(env[Env.CADENCE_MINUTES]))
        warm = _invoke(previous, env)
        ledger.step = "run"
        t0 = time.perf_counter()
        out = _invoke(current, env)
        seconds = time.perf_counter() - t0
        ledger.step = "done"
    clear_caches()          # no client bound to this moto context survives it
    return warm, out, seconds


def run_size(n: int) -> dict[str, Any]:
    """One steady-state handler run with ``n`` databases.

    Returns:
        ``{"databases", "status", "warm_status", "ops": {operation: calls}, "calls",
        "per_database_calls", "per_run_calls", "seconds"}`` (seconds of the measured run).
    """
    with mocked_aws():
        builder = SiteBuilder(session_clients(), primary_region=PRIMARY, standby_region=STANDBY)
        site = backup_site(builder, n, quota=1000)
        ledger = ClientLedger()
        warm, out, seconds = _steady_state(site.env, ledger)
    ops = dict(ledger.operations("run"))
    per_db = sum(v for op, v in ops.items() if op in PER_DATABASE_OPS)
    per_run = sum(ops.values()) - per_db
    return {"databases": n, "status": out["status"], "warm_status": warm["status"], "ops": ops,
            "calls": per_db + per_run, "per_database_calls": per_db, "per_run_calls": per_run,
            "seconds": seconds}


def measure(sizes: Iterable[int] = SIZES) -> list[dict[str, Any]]:
    """Rows ``{"benchmark": "backup", "databases", "metric", "value", "unit", "status"}``
    (calls per database per run, calls per run, seconds)."""
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
