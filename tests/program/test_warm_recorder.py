"""engine.warm: batches recorded by one warm subprocess give the plans a one-off recording
gives, the same errors, and survive a recorder that dies or hangs."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from engine import warm
from engine.paths import PROGRAM
from engine.plan import Plan, PlanConfigError, PlanError, PlanRequest, record_plans
from engine.warm import WarmRecorder, warm_recorder

P = "ecommerce-dr"


def _canon(x: Any) -> Any:
    """Plan JSON with every list sorted: the SDK registers resources and lists dependencies
    in no fixed order, in a one-off recording as well."""
    if isinstance(x, dict):
        return {k: _canon(v) for k, v in x.items()}
    if isinstance(x, list):
        return sorted((_canon(v) for v in x), key=lambda v: json.dumps(v, sort_keys=True))
    return x


def _plans(results: list[Any]) -> list[Any]:
    assert all(isinstance(r, Plan) for r in results), results
    return [_canon(json.loads(r.to_json())) for r in results]


@pytest.fixture
def one_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh interpreter per batch, whatever the session set up."""
    monkeypatch.setattr(warm, "ACTIVE", None)


REQUESTS = [PlanRequest("prod"), PlanRequest("prod", preview=False),
            PlanRequest("prod", config_overrides={f"{P}:rtoMinutes": "soon"})]


def test_warm_batches_record_what_one_off_batches_record(one_off: None) -> None:
    cold = record_plans(REQUESTS)
    with warm_recorder() as recorder:
        assert warm.ACTIVE is recorder
        hot = record_plans(REQUESTS)
        singly = [record_plans([r])[0] for r in REQUESTS]
    assert warm.ACTIVE is None
    assert _plans(hot[:2]) == _plans(cold[:2]) == _plans(singly[:2])
    assert len(_plans(cold[:2])[0]["resources"]) > 50
    for got in (cold[2], hot[2], singly[2]):
        assert isinstance(got, PlanConfigError)
        assert f"{P}:rtoMinutes" in str(got) and got.resources_declared == 0


def test_a_program_that_crashes_reports_its_traceback(one_off: None, tmp_path: Path) -> None:
    broken = tmp_path / "__main__.py"
    broken.write_text("import os\nprint('about to go')\nos._exit(7)\n")
    with warm_recorder():
        (got,) = record_plans([PlanRequest("prod")], program=broken)
        assert isinstance(got, PlanError)
        assert "about to go" in str(got)
        # the recorder itself is unharmed: the next batch records
        (ok,) = record_plans([PlanRequest("prod")], program=PROGRAM)
        assert isinstance(ok, Plan)


def test_a_killed_recorder_is_replaced_by_the_next_batch(one_off: None) -> None:
    with warm_recorder() as recorder:
        record_plans([PlanRequest("prod")])
        first = recorder._proc
        assert first is not None
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        (again,) = record_plans([PlanRequest("prod")])
        assert isinstance(again, Plan) and recorder._proc is not first


def test_a_hung_batch_times_out_its_job_is_killed_and_the_next_batch_records(
        one_off: None, tmp_path: Path) -> None:
    hung = tmp_path / "__main__.py"
    mark = tmp_path / "pid"
    hung.write_text(f"import os, time\nopen({str(mark)!r}, 'w').write(str(os.getpid()))\n"
                    "time.sleep(60)\n")
    with warm_recorder() as recorder:
        record_plans([PlanRequest("prod")])   # warm: the hung job starts at once
        with pytest.raises(subprocess.TimeoutExpired):
            record_plans([PlanRequest("prod")], program=hung, timeout=1)
        assert recorder._proc is None
        job = int(mark.read_text())
        with pytest.raises(ProcessLookupError):   # gone, not left asleep
            for _ in range(50):
                os.kill(job, 0)
                time.sleep(0.1)
        (ok,) = record_plans([PlanRequest("prod")])
        assert isinstance(ok, Plan)


def test_nested_use_keeps_the_outer_recorder(one_off: None) -> None:
    with warm_recorder() as outer:
        with warm_recorder() as inner:
            assert inner is outer
        assert warm.ACTIVE is outer
    assert warm.ACTIVE is None
    WarmRecorder().close()   # closing one never started is harmless


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(OSError):   # a zombie is gone for our purposes
        if "State:\tZ" in Path(f"/proc/{pid}/status").read_text():
            return False
    return True


def _sleeper(tmp: Path, seconds: int = 20) -> tuple[Path, Path]:
    tmp.mkdir(parents=True, exist_ok=True)
    prog, marks = tmp / "__main__.py", tmp / "pids"
    prog.write_text(f"import os, time\nopen({str(marks)!r}, 'a').write(f'{{os.getpid()}}\\n')\n"
                    f"time.sleep({seconds})\n")
    return prog, marks


def _pids(marks: Path) -> list[int]:
    return [int(p) for p in marks.read_text().split()] if marks.exists() else []


def _reap(pids: list[int]) -> None:
    for pid in pids:   # only the jobs this test started
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _kill_server_mid_batch(tmp: Path) -> tuple[Any, list[int]]:
    prog, marks = _sleeper(tmp)
    got: dict[str, Any] = {}
    with warm_recorder() as recorder:
        record_plans([PlanRequest("prod")])   # warm, so the job starts at once

        def batch() -> None:
            try:
                got["r"] = record_plans([PlanRequest("prod")], program=prog, timeout=60)
            except BaseException as e:   # noqa: BLE001 - what the caller sees
                got["r"] = e
        t = threading.Thread(target=batch)
        t.start()
        for _ in range(200):
            if _pids(marks):
                break
            time.sleep(0.05)
        server = recorder._proc
        assert server is not None and _pids(marks)
        os.kill(server.pid, signal.SIGKILL)   # the recorder dies (OOM killer, operator...)
        t.join(30)
    time.sleep(0.3)
    return got["r"], _pids(marks)


def test_a_recorder_killed_mid_batch_kills_its_job_and_returns_a_plan_error(
        one_off: None, tmp_path: Path) -> None:
    """The dead recorder's group is killed whether or not the recorder was reaped already (it
    used to be killed only while unreaped, which lost the race in 4 runs of 4), and
    record_plans returns each request's PlanError ("returned, not raised"), as a one-off
    recorder that dies does."""
    leaked: list[int] = []
    try:
        result, jobs = _kill_server_mid_batch(tmp_path)
        leaked += [p for p in jobs if _alive(p)]
        _reap([p for p in jobs if p not in leaked])
        assert isinstance(result, list) and isinstance(result[0], PlanError), repr(result)
        assert ("the warm plan recorder ended (exit -9) before it recorded this variant"
                in str(result[0]))
        assert leaked == [], "the killed recorder's job is still running"
    finally:
        _reap(leaked)


def test_a_timed_out_one_off_batch_leaves_no_job_running(one_off: None, tmp_path: Path) -> None:
    prog, marks = _sleeper(tmp_path)
    with pytest.raises(subprocess.TimeoutExpired):
        record_plans([PlanRequest("prod"), PlanRequest("prod")], program=prog, timeout=3)
    time.sleep(0.3)
    jobs = _pids(marks)
    try:
        assert jobs and [p for p in jobs if _alive(p)] == [], "forked job outlived the timeout"
    finally:
        _reap(jobs)


def test_a_warm_job_that_reads_stdin_does_not_hang_on_the_request_pipe(
        one_off: None, tmp_path: Path) -> None:
    """A job's stdin is /dev/null, not the server's request pipe (reading that would block
    until the batch timed out)."""
    prog = tmp_path / "__main__.py"
    prog.write_text("import sys\nsys.stdin.read(1)\n"
                    f"exec(compile(open({str(PROGRAM)!r}).read(), {str(PROGRAM)!r}, 'exec'))\n")
    with warm_recorder():
        record_plans([PlanRequest("prod")])
        try:
            (got,) = record_plans([PlanRequest("prod")], program=prog, timeout=8)
        except subprocess.TimeoutExpired as e:
            pytest.fail(f"the job hung on the server's stdin: {e}")
    assert isinstance(got, Plan)


def test_a_closed_warm_recorder_closes_its_answer_pipe(one_off: None) -> None:
    """close() closes both pipes (the answer pipe was left to the garbage collector)."""
    with warm_recorder() as recorder:
        record_plans([PlanRequest("prod")])
        proc = recorder._proc
    assert proc is not None and proc.poll() is not None
    assert proc.stdout is not None and proc.stdout.closed
