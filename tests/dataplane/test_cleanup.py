"""A run stops every server it started: on failure, on SIGTERM, even when SIGKILLed.
Nothing is written to the system temporary directory; two runs side by side do not collide."""

from __future__ import annotations

import json
import os
import pwd
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dataplane.customers import Customers
from dataplane.link import LinkProxy
from dataplane.shop import ShopApp

CHILD = Path(__file__).with_name("child_run.py")
Wait = Callable[..., float]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def _processes_under(directory: Path) -> list[int]:
    """PIDs whose command line mentions ``directory`` (a run's postmasters name their data dir)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if str(directory).encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _tmp_entries_owned_by(uid: int) -> list[str]:
    root = Path(tempfile.gettempdir())
    return sorted(p.name for p in root.iterdir() if p.lstat().st_uid == uid)


def _spawn(run_dir: Path, mode: str, user: str | None = None, umask: int = 0o022) -> subprocess.Popen[str]:
    run_dir.mkdir(parents=True, exist_ok=True)
    systmp = run_dir / "system-tmp"
    systmp.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(systmp)}
    argv = [sys.executable, "-X", "faulthandler", str(CHILD), str(run_dir), mode, *([user] if user else [])]
    return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            umask=umask)


def _finish(child: subprocess.Popen[str], timeout: float = 60) -> tuple[str, str]:
    """The child's output once it exits; a hung child is made to dump its stacks and fails the test."""
    try:
        return child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGABRT)  # faulthandler prints every thread's stack
        out, err = child.communicate(timeout=10)
        pytest.fail(f"child did not exit within {timeout:.0f} s:\n{err[-6000:]}")


def _assert_clean(run_dir: Path, wait_until: Wait) -> None:
    started = json.loads((run_dir / "started.json").read_text())
    wait_until(lambda: not any(_alive(pid) for pid in started["pids"]), 15, "servers stopped")
    assert _processes_under(run_dir) == []
    assert list((run_dir / "system-tmp").iterdir()) == [], "a process wrote to its TMPDIR"
    assert _tmp_entries_owned_by(started["uid"]) == [], "the server user wrote to the system temp dir"


def test_a_failed_run_stops_its_servers_and_leaves_no_temp_files(run_root: Path, wait_until: Wait) -> None:
    run_dir = run_root / "failed-run"
    child = _spawn(run_dir, "raise")
    _, err = _finish(child)
    assert child.returncode == 1 and "RuntimeError: drill step failed" in err
    _assert_clean(run_dir, wait_until)
    assert json.loads((run_dir / "closed.json").read_text()) == {"live": []}


def test_sigterm_unwinds_the_run_and_stops_servers_in_order(run_root: Path, wait_until: Wait) -> None:
    run_dir = run_root / "terminated-run"
    child = _spawn(run_dir, "wait")
    assert child.stdout is not None and child.stdout.readline().strip() == "READY"
    child.send_signal(signal.SIGTERM)
    _, err = _finish(child)
    assert child.returncode != 0 and "KeyboardInterrupt: signal SIGTERM" in err
    assert json.loads((run_dir / "closed.json").read_text()) == {"live": []}, "context managers did not run"
    _assert_clean(run_dir, wait_until)
    for name in ("primary", "standby"):
        log = (run_dir / "plane" / "pg" / name / "server.log").read_text()
        assert "received fast shutdown request" in log


def test_a_killed_run_cannot_leave_a_server_running(run_root: Path, wait_until: Wait) -> None:
    run_dir = run_root / "killed-run"
    child = _spawn(run_dir, "wait")
    assert child.stdout is not None and child.stdout.readline().strip() == "READY"
    child.kill()
    _finish(child)
    assert not (run_dir / "closed.json").exists()  # nothing in the process got to clean up
    _assert_clean(run_dir, wait_until)


@pytest.fixture
def fresh_user() -> Iterator[str]:
    """A service-user name nobody has; deleted afterwards."""
    name = f"edr-test-{uuid.uuid4().hex[:8]}"
    yield name
    with_user = [p for p in pwd.getpwall() if p.pw_name == name]
    if with_user:
        subprocess.run(["userdel", name], check=False, capture_output=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="creating the service user needs root")
def test_two_runs_in_parallel_directories_do_not_collide(run_root: Path, fresh_user: str,
                                                         wait_until: Wait) -> None:
    dirs = [run_root / "parallel-a", run_root / "parallel-b"]
    # Both race to create the user; a strict umask must not lock the server user out of its files.
    children = [_spawn(d, "ok", fresh_user, umask=0o077) for d in dirs]
    results = [_finish(c, 90) for c in children]
    for child, (out, err) in zip(children, results, strict=True):
        assert child.returncode == 0 and out.strip() == "OK", err[-2000:]
    started = [json.loads((d / "started.json").read_text()) for d in dirs]
    assert not set(started[0]["ports"]) & set(started[1]["ports"])
    assert not set(started[0]["data"]) & set(started[1]["data"])
    assert started[0]["uid"] == started[1]["uid"] == pwd.getpwnam(fresh_user).pw_uid != 0
    for d in dirs:
        _assert_clean(d, wait_until)


@pytest.mark.skipif(os.geteuid() != 0, reason="creating the service user needs root")
def test_racing_runs_create_one_service_user(fresh_user: str) -> None:
    code = f"from dataplane.sysuser import service_user; print(service_user({fresh_user!r}).uid)"
    racers = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
              for _ in range(4)]
    uids = {int(r.communicate(timeout=30)[0]) for r in racers}
    assert uids == {pwd.getpwnam(fresh_user).pw_uid}, "every run must see the same, surviving account"


def _blocked_signals(native_id: int) -> set[int] | None:
    """Signals the thread blocks, or ``None`` when it has just ended."""
    try:
        status = Path(f"/proc/self/task/{native_id}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):  # ended between open() and read()
        return None
    mask = int(next(x for x in status.splitlines() if x.startswith("SigBlk:")).split()[1], 16)
    return {n for n in range(1, 65) if mask & (1 << (n - 1))}


def test_helper_threads_leave_termination_signals_to_the_main_thread() -> None:
    # A SIGTERM taken by a helper thread would leave the main thread asleep, not unwinding.
    with LinkProxy("a->b", ("127.0.0.1", 9)) as link, ShopApp("us-east-1", None) as shop:
        customers = Customers("shop", lambda _n: (*shop.address, 60), rate_per_second=50).start()
        try:
            socket.create_connection(("127.0.0.1", link.port), timeout=5).close()
            ours = {t.name: _blocked_signals(t.native_id) for t in threading.enumerate()
                    if t.name.startswith(("link ", "shop ", "customers ")) and t.is_alive() and t.native_id}
            checked = {name: blocked for name, blocked in ours.items() if blocked is not None}
            assert {name.split()[0] for name in checked} == {"link", "shop", "customers"}
            for name, blocked in checked.items():
                assert {signal.SIGINT, signal.SIGTERM, signal.SIGHUP} <= blocked, name
            assert signal.SIGTERM not in (_blocked_signals(threading.main_thread().native_id or 0) or set())
        finally:
            customers.stop()
