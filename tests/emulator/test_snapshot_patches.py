"""The snapshot and copy patches of the data-plane bridges, on a stand-in of moto's RDS
backend: the hook gets the identifiers however moto's caller passes them (positionally or by
moto's keyword names), automated snapshots are left alone, and a refusal removes what moto
made and fails the request."""

from __future__ import annotations

from typing import Any

import pytest

from emulator import data_bridges as b
from emulator.bridges import BridgeLog


class Backend:
    """moto 5's signatures of the four bridged RDS methods (moto.rds.models.RDSBackend)."""

    region_name = "us-west-2"

    def __init__(self) -> None:
        self.database_snapshots: dict[str, str] = {}
        self.cluster_snapshots: dict[str, str] = {}

    def create_db_snapshot(self, db_instance_identifier: str, db_snapshot_identifier: str,
                           snapshot_type: str = "manual", tags: Any = None) -> str:
        self.database_snapshots[db_snapshot_identifier] = db_instance_identifier
        return db_snapshot_identifier

    def copy_db_snapshot(self, source_db_snapshot_identifier: str, target_db_snapshot_identifier: str,
                         kms_key_id: str | None = None, **_: Any) -> str:
        self.database_snapshots[target_db_snapshot_identifier] = source_db_snapshot_identifier
        return target_db_snapshot_identifier

    def create_db_cluster_snapshot(self, db_cluster_identifier: str, db_cluster_snapshot_identifier: str,
                                   snapshot_type: str = "manual", tags: Any = None) -> str:
        self.cluster_snapshots[db_cluster_snapshot_identifier] = db_cluster_identifier
        return db_cluster_snapshot_identifier

    def copy_db_cluster_snapshot(self, source_db_cluster_snapshot_identifier: str,
                                 target_db_cluster_snapshot_identifier: str, **_: Any) -> str:
        self.cluster_snapshots[target_db_cluster_snapshot_identifier] = source_db_cluster_snapshot_identifier
        return target_db_cluster_snapshot_identifier


class Hooks:
    def __init__(self, refuse: bool = False) -> None:
        self.calls: list[tuple[str, ...]] = []
        self.refuse = refuse

    def snapshot(self, region: str, source: str, snapshot: str) -> str:
        self.calls.append(("snapshot", region, source, snapshot))
        if self.refuse:
            raise b.BridgeRefused("no base backup")
        return "base backup taken"

    def copy(self, source_region: str, source: str, region: str, target: str) -> str:
        self.calls.append(("copy", source_region, source, region, target))
        if self.refuse:
            raise b.BridgeRefused("copy link down")
        return "copied"


def _patched(method: str, hooks: Hooks) -> tuple[Backend, Any]:
    (factory,) = [f for cls, name, f in b._PATCHES if name == method]
    return Backend(), factory(hooks, BridgeLog(), getattr(Backend, method))


@pytest.mark.parametrize(("method", "store", "kw"), [
    ("create_db_snapshot", "database_snapshots",
     {"db_instance_identifier": "shop-standby", "db_snapshot_identifier": "snap-1"}),
    ("create_db_cluster_snapshot", "cluster_snapshots",
     {"db_cluster_identifier": "shop-standby", "db_cluster_snapshot_identifier": "snap-1"}),
])
def test_snapshot_hook_gets_source_and_snapshot_and_skips_automated(method: str, store: str,
                                                                    kw: dict[str, str]) -> None:
    hooks = Hooks()
    backend, patch = _patched(method, hooks)
    assert patch(backend, *kw.values()) == "snap-1"                       # positionally
    assert patch(backend, **{**kw, list(kw)[1]: "snap-2"}) == "snap-2"     # by moto's names
    patch(backend, "shop-standby", "rds:auto-1", "automated")
    assert hooks.calls == [("snapshot", "us-west-2", "shop-standby", "snap-1"),
                           ("snapshot", "us-west-2", "shop-standby", "snap-2")]
    assert set(getattr(backend, store)) == {"snap-1", "snap-2", "rds:auto-1"}


@pytest.mark.parametrize(("method", "store"), [("copy_db_snapshot", "database_snapshots"),
                                               ("copy_db_cluster_snapshot", "cluster_snapshots")])
def test_copy_hook_reads_the_source_region_from_an_arn(method: str, store: str) -> None:
    hooks = Hooks()
    backend, patch = _patched(method, hooks)
    patch(backend, "arn:aws:rds:us-east-1:123456789012:snapshot:snap-1", "snap-1-copy")
    assert hooks.calls == [("copy", "us-east-1", "snap-1", "us-west-2", "snap-1-copy")]
    assert getattr(backend, store) == {"snap-1-copy": "arn:aws:rds:us-east-1:123456789012:snapshot:snap-1"}


@pytest.mark.parametrize(("method", "store", "args"), [
    ("create_db_snapshot", "database_snapshots", ("shop-standby", "snap-1")),
    ("create_db_cluster_snapshot", "cluster_snapshots", ("shop-standby", "snap-1")),
    ("copy_db_snapshot", "database_snapshots", ("snap-0", "snap-1")),
    ("copy_db_cluster_snapshot", "cluster_snapshots", ("snap-0", "snap-1")),
])
def test_a_refusal_removes_what_moto_made_and_fails_the_request(method: str, store: str,
                                                                args: tuple[str, str]) -> None:
    backend, patch = _patched(method, Hooks(refuse=True))
    with pytest.raises(b._DataPlaneError, match="snap-1: the data plane refused"):
        patch(backend, *args)
    assert getattr(backend, store) == {}
