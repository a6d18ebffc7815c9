"""The failover works whatever the stack's Regions: the health-check alarm is read in
us-east-1 (where AWS/Route53 HealthCheckStatus exists), never in the primary Region."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from handlers.failover.app import default_clients, handle
from handlers.shared import aws
from tests.failover.world import HEALTH_REGION, World, context, manual

#: (primary, standby): reversed from the default, and neither being us-east-1.
REGIONS = {"reversed": ("us-west-2", "us-east-1"), "neither us-east-1": ("us-west-2", "eu-west-1")}


def _manual_failover(make_world: Callable[..., World], regions: tuple[str, str],
                     alarm_state: str) -> tuple[World, dict[str, Any], dict[str, Any]]:
    """A manual failover in a stack of ``regions`` whose primary answers 503 and whose
    health alarm is in ``alarm_state``: the world, the result, verify_failure's detail."""
    world = make_world("read-replica", primary_status=503, alarm_state=alarm_state,
                       regions=regions)
    result = handle(manual(), context(), clients=world.clients)
    return world, result, world.store().get("failover")["steps"]["verify_failure"]["detail"]


@pytest.mark.parametrize("regions", REGIONS.values(), ids=REGIONS.keys())
def test_alarm_ok_is_a_false_positive_whatever_the_regions(
        make_world: Callable[..., World], regions: tuple[str, str]) -> None:
    world, result, detail = _manual_failover(make_world, regions, "OK")
    assert result["status"] == "false-positive", result
    assert (detail["health_alarm"], detail["health_alarm_region"]) == ("OK", HEALTH_REGION)
    assert world.clients.by_region[f"{HEALTH_REGION}:cloudwatch.DescribeAlarms"] == 1
    assert world.clients.calls["cloudwatch.DescribeAlarms"] == 1
    assert world.promotions == []
    assert world.store().gate().tripped is False


@pytest.mark.parametrize("regions", REGIONS.values(), ids=REGIONS.keys())
def test_alarm_in_alarm_confirms_the_failure_whatever_the_regions(
        make_world: Callable[..., World], regions: tuple[str, str]) -> None:
    world, result, detail = _manual_failover(make_world, regions, "ALARM")
    assert result["status"] == "completed", result
    assert detail["health_alarm"] == "ALARM"
    assert detail["verdict"] == "primary failure confirmed"
    assert world.promotions == ["shop-standby"]
    assert world.standby_instance()["DBInstanceArn"].split(":")[3] == regions[1]


@pytest.mark.parametrize(("regions", "fast"), [
    (("us-east-1", "us-west-2"), {"us-east-1": True, "us-west-2": False}),
    (("us-west-2", "us-east-1"), {"us-west-2": True, "us-east-1": False}),
    (("us-west-2", "eu-west-1"), {"us-west-2": True, "eu-west-1": False, "us-east-1": True}),
])
def test_clients_fail_fast_in_regions_that_may_be_down(
        static_env: dict[str, str], regions: tuple[str, str], fast: dict[str, bool]) -> None:
    """The primary Region, and us-east-1 when it is a third Region (only the alarm is read
    there), get fast-fail clients; the standby Region, where the work happens, does not."""
    from handlers.failover.settings import load_settings
    from tests.failover.world import primary_arn
    key = static_env["STANDBY_KMS_KEY_ARN"].replace(":us-west-2:", f":{regions[1]}:")
    env = {**static_env, "PRIMARY_REGION": regions[0], "STANDBY_REGION": regions[1],
           "PRIMARY_DB_ARN": primary_arn(regions[0]), "STANDBY_KMS_KEY_ARN": key}
    factory = default_clients(load_settings(env))
    got = {region: factory("cloudwatch", region).meta.config.retries
           == aws.FAST_FAIL_CONFIG.retries for region in fast}
    assert got == fast


@pytest.mark.parametrize("variant", ["default", "EU", "STANDBY_US_EAST_1"])
def test_the_programs_iam_grants_the_alarm_read_where_the_step_reads_it(variant: str) -> None:
    """The program's failover role may DescribeAlarms on the health alarm in
    HEALTH_CHECK_METRIC_REGION only, the Region verify_failure reads it in (checked over the
    program's recorded plans: default Regions, neither Region us-east-1, standby us-east-1)."""
    from contract.env import Env
    from contract.names import Role
    from tests.program import variants
    p = variants.plan(**({} if variant == "default" else getattr(variants, variant)))
    (fn,) = p.by_role(Role.FAILOVER_ORCHESTRATOR)
    alarm = fn.inputs["environment"]["variables"][Env.HEALTH_ALARM_NAME]
    (pol,) = [x for x in p.by_type(variants.ROLE_POLICY) if "failover-function" in x.name]
    granted = [r for st in variants.policy_doc(pol)["Statement"]
               if "cloudwatch:DescribeAlarms" in st["Action"] for r in st["Resource"]
               if r.endswith(f":alarm:{alarm}")]
    assert [r.split(":")[3] for r in granted] == [HEALTH_REGION]
