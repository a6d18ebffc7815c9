"""A data-plane run in a process of its own, for the cleanup and isolation tests.

Usage: ``python child_run.py RUN_DIR MODE [USER]``. It starts a primary, a streaming standby
through a link, a shop and customers, writes ``RUN_DIR/started.json`` (postmaster PIDs,
ports, data directories), then by MODE:

* ``ok``: checks an order replicated, prints ``OK``, exits 0;
* ``raise``: fails like a broken drill step (``RuntimeError``);
* ``wait``: prints ``READY`` and sleeps until signalled.

On the way out it writes ``RUN_DIR/closed.json`` with what the last-resort registry still held.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from dataplane import cleanup
from dataplane.customers import Customers
from dataplane.physical import PhysicalReplica
from dataplane.plane import DataPlane
from dataplane.schema import order_ids
from dataplane.shop import ShopApp
from dataplane.sysuser import DEFAULT_USER


def main(run_dir: Path, mode: str, user: str) -> None:
    try:
        with DataPlane(run_dir / "plane", user_name=user) as plane:
            primary = plane.new_primary("primary", "us-east-1")
            pair = PhysicalReplica.create(plane, primary, standby_region="us-west-2")
            shop = plane.own(ShopApp("us-east-1", primary).start())
            customers = plane.own(Customers("shop", lambda _n: (*shop.address, 60), rate_per_second=5))
            customers.start()
            servers = [primary, pair.standby]
            (run_dir / "started.json").write_text(json.dumps({
                "pids": [s.pid for s in servers], "ports": [s.port for s in servers] + [shop.port],
                "data": [str(s.data_dir) for s in servers], "uid": plane.user.uid if plane.user else None}))
            if mode == "raise":
                raise RuntimeError("drill step failed")
            if mode == "wait":
                print("READY", flush=True)
                time.sleep(120)
            while not customers.acks:
                time.sleep(0.02)
            pair.wait_replayed()
            assert customers.acks[0].order_id in order_ids(pair.standby)
            print("OK", flush=True)
    finally:
        (run_dir / "closed.json").write_text(json.dumps({"live": cleanup.live()}))


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else DEFAULT_USER)
