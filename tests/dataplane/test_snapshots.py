"""snapshot-restore mechanics on real PostgreSQL: base backup, cross-Region copy, restore."""

from __future__ import annotations

import pytest

from dataplane.errors import DataPlaneError, LinkCutError
from dataplane.physical import PhysicalReplica
from dataplane.plane import DataPlane
from dataplane.schema import SHOP_DB, order_ids
from dataplane.snapshots import copy_snapshot, restore_snapshot, snapshot_store, take_snapshot


def _insert(server, n: int) -> None:
    with server.connect(SHOP_DB) as conn:
        for _ in range(n):
            conn.execute("INSERT INTO orders (customer, amount_cents, region) VALUES ('t', 1, 'us-east-1')")


def test_restore_from_a_cross_region_copy_holds_what_the_snapshot_held(
        stable_pair: PhysicalReplica, session_plane: DataPlane) -> None:
    primary = stable_pair.primary
    east, west = snapshot_store(session_plane, "us-east-1"), snapshot_store(session_plane, "us-west-2")
    _insert(primary, 3)
    before = order_ids(primary)
    snap = take_snapshot(primary, east, "snap-a")
    _insert(primary, 2)  # after the snapshot: must not be in a restore of it

    copy = copy_snapshot(snap, west, link=stable_pair.link)
    assert (copy.region, copy.copied_from, copy.completed_at) == ("us-west-2", "us-east-1", snap.completed_at)
    assert west.newest() == copy and west.get("snap-a") == copy
    restored = restore_snapshot(session_plane, copy, name="restored")
    try:
        assert restored.region == "us-west-2"
        assert order_ids(restored) == before
        assert not restored.is_in_recovery() and restored.timeline() == 1
        _insert(restored, 1)  # a writer
        assert len(order_ids(restored)) == len(before) + 1
    finally:
        restored.stop()


def test_copy_needs_the_link_and_names_are_unique(
        stable_pair: PhysicalReplica, session_plane: DataPlane) -> None:
    east, west = snapshot_store(session_plane, "us-east-1"), snapshot_store(session_plane, "us-west-2")
    snap = take_snapshot(stable_pair.primary, east, "snap-b")
    with pytest.raises(DataPlaneError, match="already exists"):
        take_snapshot(stable_pair.primary, east, "snap-b")
    stable_pair.link.cut()
    try:
        with pytest.raises(LinkCutError, match="is cut"):
            copy_snapshot(snap, west, link=stable_pair.link)
    finally:
        stable_pair.link.restore()
    assert [s.name for s in west.snapshots()].count("snap-b") == 0
    with pytest.raises(DataPlaneError, match="must match"):
        take_snapshot(stable_pair.primary, east, "Bad Name")
