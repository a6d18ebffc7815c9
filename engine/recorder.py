"""The recorder subprocess: run the program under mocks for each requested variant.

``python -m engine.recorder <requests.json>`` (started by :func:`engine.plan.record_plans`,
never by hand). The file holds a list of jobs ``{"stack", "config", "preview", "program",
"out"}``; each job writes ``{"status": "ok", "plan": {...}}``, ``{"status": "config-error",
"message", "resources_declared"}`` or ``{"status": "error", "message"}`` to its ``out`` path.
Several jobs share one interpreter: Pulumi and pulumi_aws are imported once, then each job
runs in a forked child (mocks and config are process-global in the Pulumi SDK).

``python -m engine.recorder --serve`` (started by :class:`engine.warm.WarmRecorder`) warms up
once and then serves batches: it reads one requests path per line on stdin, runs each job in
a forked child whose stdout and stderr go to ``<out>.log``, and answers ``done <path>`` on
stdout when the batch is written. End of input ends it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from components.settings import PROJECT
from engine.mocks import DEFAULT_ACCOUNT, UNKNOWN, mocks_and_monitor

#: pulumi_aws classes the program uses, imported before forking so each child starts warm
#: (pulumi_aws loads modules lazily, on first attribute access; importing them is most of
#: a recording's cost). A class missing here only costs time.
_PRELOAD = {
    "cloudwatch": ("MetricAlarm", "EventRule", "EventTarget", "EventBus", "LogGroup",
                   "Dashboard"),
    "dms": ("ReplicationInstance", "Endpoint", "ReplicationTask"),
    "dynamodb": ("Table",), "iam": ("Role", "RolePolicy"), "kms": ("Key", "Alias"),
    "lambda_": ("Function", "Permission"),
    "rds": ("Instance", "GlobalCluster", "Cluster", "ClusterInstance", "ClusterParameterGroup"),
    "route53": ("HealthCheck", "Record"),
    "s3": ("Bucket", "BucketVersioning", "BucketServerSideEncryptionConfiguration",
           "BucketPublicAccessBlock", "BucketPolicy", "BucketLifecycleConfiguration"),
    "sns": ("Topic", "TopicSubscription"),
}


def _resolve(value: Any) -> Any:
    """Resolve an exported value (Output, dict/list of Outputs, plain) to plain JSON, with
    :data:`engine.mocks.UNKNOWN` for what is not known."""
    import pulumi
    from pulumi.output import Unknown
    from pulumi.runtime.sync_await import _sync_await

    out = pulumi.Output.from_input(value)
    v = _sync_await(out.future(with_unknowns=True))
    known = _sync_await(out.is_known())

    def clean(x: Any) -> Any:
        if isinstance(x, Unknown):
            return UNKNOWN
        if isinstance(x, dict):
            return {k: clean(y) for k, y in x.items()}
        if isinstance(x, list | tuple):
            return [clean(y) for y in x]
        if isinstance(x, float) and x.is_integer():
            return int(x)
        return x

    if not known and v is None:
        return UNKNOWN
    return clean(v)


def _account_from_config(config: dict[str, str]) -> str:
    """The account of ``database.primaryInstanceArn`` or ``database.primaryClusterArn`` (ARNs
    in mock outputs carry it)."""
    # Read before the program validates its config: whatever shape ``database`` has, fall
    # back to the default, so the program's own validation is what reports a bad one.
    try:
        db = json.loads(config.get(f"{PROJECT}:database", "{}"))
    except ValueError:
        return DEFAULT_ACCOUNT
    arn = (db.get("primaryInstanceArn") or db.get("primaryClusterArn")
           if isinstance(db, dict) else None)
    parts = arn.split(":") if isinstance(arn, str) else []
    return parts[4] if len(parts) > 4 and parts[4] else DEFAULT_ACCOUNT


def _warm_up() -> None:
    """Import Pulumi, pulumi_aws's classes and the program's settings before forking."""
    import pulumi  # noqa: F401
    import pulumi_aws

    pulumi_aws.Provider  # noqa: B018 - import it now
    for module, classes in _PRELOAD.items():
        for cls in classes:
            getattr(getattr(pulumi_aws, module), cls, None)
    import components.settings  # noqa: F401


def _fork_each(batch: list[dict[str, Any]], *, own_log: bool = False) -> None:
    for job in batch:
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                if own_log:   # the server's stdout is its answer channel
                    _log_to(Path(job["out"] + ".log"))
                code = run_job(job)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        os.waitpid(pid, 0)


def _log_to(path: Path) -> None:
    """The job's output to ``path``, its input from /dev/null (the server's stdin carries
    requests: a job reading it would wait for the next one)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115 - fd 0, now /dev/null


def serve() -> int:
    """Serve batches read from stdin until it closes (see the module docstring)."""
    _warm_up()
    for line in sys.stdin:
        path = line.strip()
        if path:
            _fork_each(json.loads(Path(path).read_text()), own_log=True)
            print(f"done {path}", flush=True)
    return 0


def main(request_path: str) -> int:
    """Run every job of ``request_path``; each in a forked child, or in-process when it is
    alone, or in its own subprocess when the platform cannot fork."""
    batch = json.loads(Path(request_path).read_text())
    if len(batch) == 1:
        return run_job(batch[0])
    if not hasattr(os, "fork"):
        for job in batch:
            single = Path(request_path).with_name(Path(job["out"]).stem + "-request.json")
            single.write_text(json.dumps([job]))
            subprocess.run([sys.executable, "-m", "engine.recorder", str(single)], check=False)
        return 0
    _warm_up()
    _fork_each(batch)
    return 0


def _write(out: Path, **result: Any) -> int:
    out.write_text(json.dumps(result))
    return 0


def run_job(job: dict[str, Any]) -> int:
    """Mocks, config, program; write the result JSON to ``job["out"]``. Returns 0."""
    out = Path(job["out"])
    config: dict[str, str] = job["config"]
    # The CLI's Python language host hands config over in PULUMI_CONFIG and set_all_config;
    # components.settings.load_settings reads the former, pulumi.Config the latter.
    os.environ["PULUMI_CONFIG"] = json.dumps(config)

    import runpy

    import pulumi
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    from components.settings import ConfigError
    from engine.plan import Plan, PlannedResource

    pulumi.runtime.set_all_config(config)
    mocks, monitor, records = mocks_and_monitor(_account_from_config(config), bool(job["preview"]))
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=job["stack"], preview=job["preview"],
                             monitor=monitor)
    try:
        _sync_await(run_pulumi_func(lambda: runpy.run_path(job["program"], run_name="__main__")))
    except ConfigError as e:
        return _write(out, status="config-error", message=str(e), resources_declared=len(records))
    except Exception as e:  # noqa: BLE001 - reported to the parent with its traceback
        import traceback

        return _write(out, status="error", message="".join(traceback.format_exception(e)))
    root = pulumi.runtime.get_root_resource()
    outputs = {k: _resolve(v) for k, v in (getattr(root, "outputs", None) or {}).items()}
    plan = Plan(stack=job["stack"], resources=[PlannedResource(**r) for r in records],
                outputs=outputs, preview=job["preview"])
    return _write(out, status="ok", plan=asdict(plan))


if __name__ == "__main__":
    sys.exit(serve() if sys.argv[1] == "--serve" else main(sys.argv[1]))
