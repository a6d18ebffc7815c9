"""The Aurora bridge's on_change hook: what stands behind the clusters moves with the roles,
and a hook that fails refuses the request with nothing changed."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from emulator.bridges import AuroraGlobalBridge, aurora_global
from emulator.clients import session_clients
from emulator.site import SiteBuilder


def _world(bridge: AuroraGlobalBridge) -> Any:
    site = SiteBuilder(session_clients())
    primary = site.aurora_cluster("shop-aurora")
    site.global_database("shop-global", source=primary)
    secondary = site.aurora_cluster("shop-aurora-usw2", region="us-west-2",
                                    global_cluster="shop-global")
    return primary, secondary


def _writer() -> str:
    (g,) = boto3.client("rds", region_name="us-west-2").describe_global_clusters()["GlobalClusters"]
    (arn,) = [m["DBClusterArn"] for m in g["GlobalClusterMembers"] if m["IsWriter"]]
    return str(arn)


def test_the_hook_sees_each_role_change_before_it_is_answered() -> None:
    calls: list[tuple[str, str, str, list[str]]] = []
    bridge = AuroraGlobalBridge(on_change=lambda *a: calls.append(a) or "moved")
    with mock_aws(), aurora_global(bridge):
        primary, secondary = _world(bridge)
        rds = boto3.client("rds", region_name="us-west-2")
        rds.failover_global_cluster(GlobalClusterIdentifier="shop-global",
                                    TargetDbClusterIdentifier=secondary.arn, AllowDataLoss=True)
        assert _writer() == secondary.arn
        bridge.region_recovers("shop-global", primary.arn)
        rds.switchover_global_cluster(GlobalClusterIdentifier="shop-global",
                                      TargetDbClusterIdentifier=primary.arn)
        assert _writer() == primary.arn
    assert calls == [("failover", "shop-global", secondary.arn, [primary.arn]),
                     ("switchover", "shop-global", primary.arn, [secondary.arn])]
    assert any(a.endswith("; moved") for a in bridge.log.actions)


def test_a_failing_hook_refuses_the_request_and_changes_nothing() -> None:
    def refuse(*_: Any) -> str:
        raise RuntimeError("the secondary's server is not running")

    bridge = AuroraGlobalBridge(on_change=refuse)
    with mock_aws(), aurora_global(bridge):
        primary, secondary = _world(bridge)
        rds = boto3.client("rds", region_name="us-west-2")
        with pytest.raises(ClientError) as e:
            rds.failover_global_cluster(GlobalClusterIdentifier="shop-global",
                                        TargetDbClusterIdentifier=secondary.arn, AllowDataLoss=True)
        assert e.value.response["Error"]["Code"] == "InvalidGlobalClusterStateFault"
        assert "not running" in e.value.response["Error"]["Message"]
        assert _writer() == primary.arn
        (g,) = rds.describe_global_clusters()["GlobalClusters"]
        assert g["Status"] == "available" and len(g["GlobalClusterMembers"]) == 2
        assert bridge.requests == [] and bridge.pending == []
