"""The failover works while the primary Region's APIs are down and under throttling."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import botocore.retries.standard
import moto.awslambda_simple.models as lambda_simple
import moto.cloudwatch.models as cw_models
import moto.dms.models as dms_models
import moto.dynamodb.models as ddb_models
import moto.rds.models as rds_models
import moto.sns.models as sns_models
import pytest
from moto.awslambda.exceptions import LambdaClientError
from moto.cloudwatch.exceptions import CloudWatchException
from moto.dms.exceptions import DmsClientError
from moto.dynamodb.exceptions import DynamodbException
from moto.rds.exceptions import RDSClientError
from moto.sns.exceptions import SNSException

from contract.names import FAILOVER_STEPS
from emulator.clients import RecordingClients
from handlers.failover.app import handle
from tests.failover.world import PRIMARY, STANDBY, World, context, manual, recording_clients

#: moto warns that "Throttling" is not a modelled error shape; botocore still reads the code.
pytestmark = pytest.mark.filterwarnings("ignore:Exception.*does not match an error shape")


def _primary_down_clients() -> RecordingClients:
    """Primary-Region clients point at a closed loopback port: that Region is down."""
    return recording_clients(down_regions={PRIMARY}, down_attempts=2)


def test_failover_completes_with_primary_region_apis_unreachable(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    world = make_world("read-replica")
    world.clients = _primary_down_clients()
    result = handle(manual(), context(), clients=world.clients)

    assert result["status"] == "completed", result
    record = world.store().get("failover")
    alarm = record["steps"]["verify_failure"]["detail"]["health_alarm"]
    assert alarm.startswith("unreachable: EndpointConnectionError"), alarm
    assert record["alerts"][STANDBY] == "published"
    assert record["alerts"][PRIMARY].startswith("failed:")
    assert world.clients.by_region[f"{PRIMARY}:cloudwatch.DescribeAlarms"] == 1
    assert world.promotions == ["shop-standby"]
    assert len(world.messages()) == 1  # only the standby Region's topic was reachable


def _each(cls: type, error: Callable[[], Exception], *methods: str
          ) -> list[tuple[type, str, Callable[[], Exception]]]:
    return [(cls, method, error) for method in methods]


#: (backend class, method, error) for every AWS operation a failover can make. Each error
#: is the service's own moto exception with a throttling code botocore retries.
THROTTLED: list[tuple[type, str, Callable[[], Exception]]] = [
    *_each(rds_models.RDSBackend, lambda: RDSClientError("Throttling", "Rate exceeded"),
           "describe_db_instances", "promote_read_replica", "describe_db_snapshots",
           "restore_db_instance_from_db_snapshot"),
    *_each(cw_models.CloudWatchBackend, lambda: CloudWatchException("Throttling", "Rate exceeded"),
           "get_alarms_by_alarm_names",  # serves DescribeAlarms
           "get_metric_statistics", "list_metrics", "put_metric_data"),
    *_each(ddb_models.DynamoDBBackend,
           lambda: DynamodbException("ThrottlingException", "Rate exceeded"),
           "get_item", "put_item", "update_item"),
    *_each(sns_models.SNSBackend, lambda: SNSException("Throttling", "Rate exceeded"), "publish"),
    *_each(dms_models.DatabaseMigrationServiceBackend,
           lambda: DmsClientError("ThrottlingException", "Rate exceeded"),
           "describe_replication_tasks", "stop_replication_task", "describe_endpoints"),
    # With use_docker false moto serves Lambda from LambdaSimpleBackend.
    *_each(lambda_simple.LambdaSimpleBackend,
           lambda: LambdaClientError("TooManyRequestsException", "Rate exceeded"), "invoke"),
]


@contextmanager
def throttle_every_call(times: int, monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """Each backend method raises throttling on its first ``times`` calls, then works.

    botocore retries these for real (the request is sent again). Only its sleeps are
    shortened - ExponentialBackoff.delay_amount - so the
    test takes no wall time; the number of retries is unchanged.
    """
    raised: Counter[str] = Counter()
    for cls, method, error in THROTTLED:
        original = getattr(cls, method)

        def throttled(self: Any, *args: Any, _orig: Any = original, _name: str = method,
                      _error: Any = error, **kwargs: Any) -> Any:
            if raised[_name] < times:
                raised[_name] += 1
                raise _error()
            return _orig(self, *args, **kwargs)

        monkeypatch.setattr(cls, method, throttled)
    monkeypatch.setattr(botocore.retries.standard.ExponentialBackoff, "delay_amount",
                        lambda self, context: 0.001)
    yield raised


USED = {
    "read-replica": {"describe_db_instances", "promote_read_replica", "get_metric_statistics"},
    "dms": {"describe_replication_tasks", "stop_replication_task", "list_metrics",
            "describe_db_instances"},
    "snapshot-restore": {"describe_db_snapshots", "restore_db_instance_from_db_snapshot",
                         "describe_db_instances"},
}
COMMON = {"get_alarms_by_alarm_names", "put_metric_data", "get_item", "put_item", "update_item",
          "publish", "invoke"}


def test_failover_completes_under_throttling_of_every_call(
        aws: None, monkeypatch: pytest.MonkeyPatch, strategy: str,
        make_world: Callable[..., World]) -> None:
    world = make_world(strategy)
    with throttle_every_call(2, monkeypatch) as raised:
        result = handle(manual(), context(), clients=world.clients)

    assert result["status"] == "completed", result
    for method in USED[strategy] | COMMON:
        assert raised[method] == 2, f"{method} was not throttled"
    record = world.store().get("failover")
    assert [record["steps"][s]["over_budget"] for s in FAILOVER_STEPS] == [False] * 6
    assert world.clients.calls["rds.PromoteReadReplica"] == (strategy == "read-replica")
    assert len(world.promotions) == (strategy == "read-replica")
    assert len(world.messages()) == 2
