"""engine.warm: batches recorded by one warm subprocess give the plans a one-off recording
gives, the same errors, and survive a recorder that dies or hangs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
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
