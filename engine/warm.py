"""A warm plan recorder: one :mod:`engine.recorder` subprocess that imports Pulumi once and
records every batch asked of it while it runs.

A batch recorded by :func:`engine.plan.record_plans` otherwise starts a fresh interpreter,
and importing Pulumi and pulumi_aws costs about a second of it, more than a variant. The
drill's DR cycle records a batch per phase, the tier advisor several, a test session many;
inside :func:`warm_recorder` they all go to one subprocess. Each job still runs in a child
forked from that warmed-up process, as in a one-off batch, so a plan is the same either way.

Not used by the benchmarks: they time a recording as a one-off caller sees it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from engine.paths import ROOT


class RecorderEnded(OSError):
    """The warm recorder ended (killed, crashed) before it answered a batch; the jobs it had
    not written are lost, and the next batch starts a new recorder."""


class WarmRecorder:
    """The ``python -m engine.recorder --serve`` subprocess (started on first use), in a
    process group of its own with the jobs it forks, so that stopping it stops them too."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()

    def _started(self) -> subprocess.Popen[str]:
        if self._proc is None or self._proc.poll() is not None:
            self.close(kill=True)   # a dead one's jobs, if any, go with it
            # The child is the engine: it must not inherit a caller's Pulumi CLI settings.
            env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "engine.recorder", "--serve"], cwd=ROOT, env=env,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                text=True, bufsize=1, start_new_session=True)
        return self._proc

    def run(self, requests_path: Path, timeout: float) -> None:
        """Record the batch in ``requests_path``; each job's output goes to ``<out>.log``.

        Raises:
            subprocess.TimeoutExpired: no answer within ``timeout`` seconds (the recorder and
                its jobs are killed; the next batch starts a new one).
            RecorderEnded: the recorder ended before answering (its jobs are killed).
        """
        with self._lock:
            proc = self._started()
            assert proc.stdin is not None and proc.stdout is not None
            out = proc.stdout
            answer: list[str] = []
            try:
                proc.stdin.write(f"{requests_path}\n")
                proc.stdin.flush()
            except OSError as e:   # it died between batches
                self.close(kill=True)
                raise RecorderEnded(f"the warm plan recorder ended (exit {proc.poll()})") from e
            reader = threading.Thread(target=lambda: answer.append(out.readline()), daemon=True)
            reader.start()
            reader.join(timeout)
            if reader.is_alive():
                self.close(kill=True)
                raise subprocess.TimeoutExpired(proc.args, timeout)
            if answer != [f"done {requests_path}\n"]:
                self.close(kill=True)
                raise RecorderEnded(f"the warm plan recorder ended (exit {proc.poll()})")

    def close(self, *, kill: bool = False) -> None:
        """Stop the recorder: end of input, and a kill of its process group (it and its jobs)
        if it does not end within 10 s, or at once with ``kill`` (a hung or broken batch).
        Its pipes are closed."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError, ValueError):
            proc.stdin.close()   # type: ignore[union-attr]
        if not kill:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
        # The group outlives its leader while a job runs: kill it even if the leader is gone.
        kill_group(proc.pid)
        proc.wait()
        with contextlib.suppress(OSError, ValueError):
            proc.stdout.close()   # type: ignore[union-attr]


def kill_group(pgid: int) -> None:
    """SIGKILL every process of group ``pgid`` (none left: nothing to do)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


#: The recorder :func:`engine.plan.record_plans` uses, while :func:`warm_recorder` is active.
ACTIVE: WarmRecorder | None = None


@contextlib.contextmanager
def warm_recorder() -> Iterator[WarmRecorder]:
    """Route every :func:`engine.plan.record_plans` of the block to one warm recorder, and
    stop it afterwards. Nested use keeps the outer one."""
    global ACTIVE
    if ACTIVE is not None:
        yield ACTIVE
        return
    ACTIVE = WarmRecorder()
    try:
        yield ACTIVE
    finally:
        ACTIVE.close()
        ACTIVE = None
