"""Measure how long each data-plane operation takes on this machine.

Usage: ``python -m dataplane.measure [--run-dir DIR] [--repeat N]``

Prints, per operation, the median, fastest and slowest wall-clock seconds over ``N`` rounds
(each round a fresh run directory, removed afterwards). Every figure is *measured* here, on
a machine whose cores may be shared: the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from dataplane.logical import LogicalReplication
from dataplane.physical import PhysicalReplica, clone_standby
from dataplane.plane import DataPlane
from dataplane.schema import SHOP_DB, install_shop_schema
from dataplane.snapshots import copy_snapshot, restore_snapshot, snapshot_store, take_snapshot

T = TypeVar("T")
Timings = dict[str, list[float]]

OPERATIONS = (
    ("initdb", "initdb of an empty cluster"),
    ("start", "primary start until it accepts connections"),
    ("basebackup", "pg_basebackup -R -X stream through the link"),
    ("standby start", "standby start until streaming"),
    ("promote", "pg_promote(wait => true)"),
    ("logical setup", "target initdb+start+schema, subscription, initial copy"),
    ("logical stop", "disable subscription, wait for apply worker, open target"),
    ("snapshot", "pg_basebackup into the snapshot store"),
    ("copy", "cross-Region copy of the snapshot"),
    ("restore", "new server from the copy, until it accepts writes"),
    ("stop", "fast shutdown of a primary"),
)


def _timed(timings: Timings, name: str, action: Callable[[], T]) -> T:
    started = time.perf_counter()
    result = action()
    timings[name].append(time.perf_counter() - started)
    return result


def one_round(run_dir: Path, timings: Timings) -> None:
    """Run every operation once in ``run_dir``, adding wall-clock seconds to ``timings``."""
    with DataPlane(run_dir) as plane:
        primary = plane.server("primary", "us-east-1")
        _timed(timings, "initdb", primary.init)
        _timed(timings, "start", primary.start)
        install_shop_schema(primary)
        with primary.connect(SHOP_DB) as conn:
            for _ in range(100):
                conn.execute("INSERT INTO orders (customer, amount_cents, region) VALUES ('m', 1, 'x')")
        link = plane.link("us-east-1->us-west-2", primary.address)
        standby, slot = _timed(timings, "basebackup", lambda: clone_standby(
            plane, primary, link, name="standby", region="us-west-2"))
        pair = PhysicalReplica(primary, standby, link, slot)
        _timed(timings, "standby start", lambda: (standby.start(), pair.wait_streaming()))
        task = _timed(timings, "logical setup",
                      lambda: LogicalReplication.create(plane, primary, target_region="us-west-2"))
        _timed(timings, "logical stop", task.stop)
        east, west = snapshot_store(plane, "us-east-1"), snapshot_store(plane, "us-west-2")
        snap = _timed(timings, "snapshot", lambda: take_snapshot(primary, east, "measure"))
        copy = _timed(timings, "copy", lambda: copy_snapshot(snap, west, link=link))
        restored = _timed(timings, "restore", lambda: restore_snapshot(plane, copy, name="restored"))
        restored.stop()
        _timed(timings, "promote", pair.promote)
        _timed(timings, "stop", primary.stop)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dataplane.measure", description=__doc__.splitlines()[0])
    parser.add_argument("--run-dir", type=Path, default=Path("reports") / "dataplane-measure",
                        help="where the rounds run (default: reports/dataplane-measure)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (default: 3)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    timings: Timings = defaultdict(list)
    load_before = os.getloadavg()[0]
    for index in range(args.repeat):
        run_dir = args.run_dir / f"round-{index + 1}"
        shutil.rmtree(run_dir, ignore_errors=True)
        try:
            one_round(run_dir, timings)
        finally:
            shutil.rmtree(run_dir, ignore_errors=True)
    with contextlib.suppress(OSError):  # only if empty: it may hold the caller's files
        args.run_dir.rmdir()
    print(f"Data-plane operations, measured on this machine: {os.cpu_count()} cores, "
          f"load average {load_before:.2f} before / {os.getloadavg()[0]:.2f} after, "
          f"{args.repeat} round(s); wall-clock seconds")
    print(f"{'operation':<15} {'median':>8} {'fastest':>8} {'slowest':>8}  what")
    for name, what in OPERATIONS:
        values = timings[name]
        print(f"{name:<15} {statistics.median(values):>8.3f} {min(values):>8.3f} {max(values):>8.3f}  {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
