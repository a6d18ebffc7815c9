"""The failover orchestrator's moto world: the emulator's failover site
(:func:`emulator.orchestrators.failover_site`) inside ``mock_aws``, the recording clients the
handler is given, and the events and context it is invoked with.

Emulator bridges (moto gaps) come from :mod:`emulator.bridges`: the conftest applies
``promote_read_replica`` to every world (counting promotions in ``World.promotions``);
the concurrency test adds ``atomic_dynamodb_writes``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from contract.names import GATE_METRIC, GATE_NAMESPACE, watchdog_rule_name
from emulator import ACCOUNT_ID as ACCOUNT
from emulator import events
from emulator.clients import RecordingClients, session_clients
from emulator.lambda_runtime import LambdaContext
from emulator.orchestrators import FailoverSite, Names, failover_site
from emulator.site import Database, SiteBuilder
from handlers.failover import clock
from handlers.failover.settings import FailoverSettings, load_settings
from handlers.failover.state import StateStore
from handlers.shared.aws import RETRY_CONFIG
from rto_rpo.figures import HEALTH_CHECK_METRIC_REGION as HEALTH_REGION

NAMES = Names()
PRIMARY, STANDBY = "us-east-1", "us-west-2"
STACK, TABLE, HEALTH_ALARM = NAMES.stack, NAMES.table, NAMES.health_alarm
PRIMARY_ID, STANDBY_ID = NAMES.primary_id, NAMES.standby_id
REVERSE_ID = f"{PRIMARY_ID}-reverse"
FUNCTION = "ecommerce-dr-failover"


def primary_arn(region: str = PRIMARY) -> str:
    """The primary database's ARN when the primary Region is ``region``."""
    return f"arn:aws:rds:{region}:{ACCOUNT}:db:{PRIMARY_ID}"


def context(**options: Any) -> LambdaContext:
    """The failover function's Lambda context, invoked now (``options``: those of
    :meth:`emulator.lambda_runtime.LambdaContext.for_function`, e.g. ``timeout_seconds``)."""
    return LambdaContext.for_function(FUNCTION, region=STANDBY, **options)


def scheduled_event() -> dict[str, Any]:
    """The watchdog schedule's tick, now on the handler's clock (which tests move)."""
    return events.scheduled_event(
        region=STANDBY, rule_arn=f"arn:aws:events:{STANDBY}:{ACCOUNT}:rule/{watchdog_rule_name(STACK)}",
        time=datetime.fromtimestamp(clock.now(), UTC))


def alarm_event(state: str = "ALARM", name: str = HEALTH_ALARM, *,
                age_seconds: float = 5.0, **top: Any) -> dict[str, Any]:
    """The health alarm's state change as EventBridge delivers it, sent ``age_seconds``
    before the handler's clock; ``top`` replaces top-level fields (``account``, ``region``,
    ``replay-name``, ...)."""
    sent = datetime.fromtimestamp(clock.now() - age_seconds, UTC)
    return {**events.alarm_state_change(alarm_name=name, region=HEALTH_REGION, state=state,
                                        reason="Threshold Crossed", time=sent), **top}


def manual(action: str = "failover", reason: str = "drill", force: bool = False) -> dict[str, Any]:
    """An operator's request."""
    return events.operator_request(action, reason, force=force)


def recording_clients(**options: Any) -> RecordingClients:
    """Recording clients with the handlers' retry config (``options``: those of
    :class:`emulator.clients.RecordingClients`, e.g. ``down_regions``)."""
    return RecordingClients(config=RETRY_CONFIG, **options)


@dataclass
class World:
    """One failover site and the clients the handler is given (``promotions``: instances the
    promote bridge promoted, in order). The site's parts read as the world's own:
    ``world.primary``, ``world.standby`` (endpoints), ``world.env``, ``world.strategy``."""

    site: FailoverSite
    builder: SiteBuilder
    clients: RecordingClients
    promotions: list[str] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.site, name)

    @property
    def settings(self) -> FailoverSettings:
        return load_settings(self.env)

    def client(self, service: str) -> Any:
        """The harness's own client of ``service`` in the standby Region."""
        return self.builder.clients(service, self.builder.standby_region)

    def store(self) -> StateStore:
        return StateStore(self.client("dynamodb"), TABLE)

    def messages(self) -> list[dict[str, Any]]:
        """Alert bodies delivered to the standby-Region queue since the last call."""
        return self.site.alerts.received(self.builder.clients)

    def gate_stats(self) -> dict[str, float]:
        """Min / Max / SampleCount of every gate value published in the last hour."""
        now = datetime.now(UTC)
        points = self.client("cloudwatch").get_metric_statistics(
            Namespace=GATE_NAMESPACE, MetricName=GATE_METRIC,
            Dimensions=[{"Name": "Stack", "Value": STACK}], StartTime=now - timedelta(hours=1),
            EndTime=now + timedelta(minutes=5), Period=7200,
            Statistics=["Minimum", "Maximum", "SampleCount"])["Datapoints"]
        if not points:
            return {"Minimum": float("nan"), "Maximum": float("nan"), "SampleCount": 0}
        return {k: points[0][k] for k in ("Minimum", "Maximum", "SampleCount")}

    def standby_instance(self) -> dict[str, Any]:
        return self.client("rds").describe_db_instances(
            DBInstanceIdentifier=STANDBY_ID)["DBInstances"][0]

    def reverse_replica(self) -> Database:
        """``shop-primary-reverse``: a read replica of the (promoted) standby in the primary
        Region, the reverse replication failback waits for."""
        b = self.builder
        return b.read_replica(REVERSE_ID, source=b.describe(STANDBY_ID, b.standby_region),
                              region=b.primary_region)

    def close(self) -> None:
        self.site.close()


def build_world(strategy: str, *, regions: tuple[str, str] = (PRIMARY, STANDBY),
                **site: Any) -> World:
    """The failover site of ``strategy`` inside an active ``mock_aws``, in the stack's
    ``regions`` (primary, standby); ``site``: options of
    :func:`emulator.orchestrators.failover_site` (``primary_status``, ``lag_seconds``,
    ``copy_age``, ``alarm_state``)."""
    builder = SiteBuilder(session_clients(), primary_region=regions[0], standby_region=regions[1])
    return World(failover_site(builder, strategy, **site), builder, recording_clients())


def emitted_metrics(stdout: str) -> dict[str, list[float]]:
    """Metric values in the EMF blobs Powertools printed to ``stdout``."""
    out: dict[str, list[float]] = {}
    for line in stdout.splitlines():
        if '"_aws"' not in line:
            continue
        blob = json.loads(line)
        for directive in blob["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                value = blob[metric["Name"]]
                out.setdefault(metric["Name"], []).extend(
                    value if isinstance(value, list) else [value])
    return out
