"""A small moto world for the failover orchestrator: two Regions, the state table, alert
topics read through SQS, the health alarm, a standby database per strategy, and HTTP
health endpoints on 127.0.0.1.

Emulator bridges (moto gaps) live here and are named where used:

* ``bridge_promote_read_replica`` - moto's ``promote_read_replica`` returns 200 but leaves
  the replica a replica; the bridge clears the source the way RDS does after promotion.
* ``bridge_atomic_dynamodb_writes`` - moto's in-process DynamoDB backend does not serialise
  concurrent writes from threads; DynamoDB conditional writes are atomic per item, so the
  bridge puts a lock around put_item / update_item for the concurrency test.
* Lag metrics (``AWS/RDS ReplicaLag``, ``AWS/DMS CDCLatencyTarget``) are seeded with
  put_metric_data, as moto never emits them.
"""

from __future__ import annotations

import http.server
import io
import json
import socket
import threading
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import moto.rds.models as rds_models
from botocore.config import Config

from contract.env import Env
from contract.names import (
    DEFAULT_STEP_BUDGETS_SECONDS,
    GATE_METRIC,
    GATE_NAMESPACE,
    MANAGED_BY_TAG,
    managed_by_value,
)
from handlers.backup import naming
from handlers.failover import clock
from handlers.failover.settings import FailoverSettings, load_settings
from handlers.failover.state import StateStore
from handlers.shared.aws import RETRY_CONFIG
from rto_rpo.figures import HEALTH_CHECK_METRIC_REGION

ACCOUNT = "123456789012"
PRIMARY = "us-east-1"
STANDBY = "us-west-2"
STACK = "prod"
PRIMARY_ID = "shop-primary"
STANDBY_ID = "shop-standby"
PRIMARY_ARN = f"arn:aws:rds:{PRIMARY}:{ACCOUNT}:db:{PRIMARY_ID}"
#: Where the health-check alarm lives whatever the stack's Regions (AWS/Route53 metrics).
HEALTH_REGION = HEALTH_CHECK_METRIC_REGION
TABLE = "ecommerce-dr-failover-state"
HEALTH_ALARM = "ecommerce-dr-primary-health"
WARM_FUNCTION = "shop-api-standby"
RPO_SECONDS = 3600
STRATEGIES = ("read-replica", "dms", "snapshot-restore")


class SimulatedCrash(BaseException):
    """A hard crash: not an ``Exception``, so the handler's clean-up never runs (like a
    killed Lambda sandbox)."""


# --------------------------------------------------------------------------- HTTP --
class HealthServer:
    """``/health`` (and any path) on 127.0.0.1:<free port>, answering ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.hits: Counter[str] = Counter()
        outer = self

        class _Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                outer.hits[self.path] += 1
                body = b'{"ok": true}' if outer.status < 400 else b'{"ok": false}'
                self.send_response(outer.status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()

    def url(self, path: str = "/health") -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---------------------------------------------------------------------- contexts --
@dataclass
class FakeContext:
    """The parts of the Lambda context the handler and Powertools read."""

    remaining_ms: int = 900_000
    function_name: str = "ecommerce-dr-failover"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = f"arn:aws:lambda:{STANDBY}:{ACCOUNT}:function:ecommerce-dr-failover"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/ecommerce-dr-failover"
    log_stream_name: str = "test"
    function_version: str = "$LATEST"

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def scheduled_event() -> dict[str, Any]:
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event",
            "source": "aws.events", "account": ACCOUNT, "time": "2026-11-29T12:00:00Z",
            "region": STANDBY, "resources": [f"arn:aws:events:{STANDBY}:{ACCOUNT}:rule/watchdog"],
            "detail": {}}


def alarm_event(state: str = "ALARM", name: str = HEALTH_ALARM, *,
                age_seconds: float = 5.0, **top: Any) -> dict[str, Any]:
    """The health alarm's "CloudWatch Alarm State Change" event as EventBridge delivers it
    (shape of the sample in the Amazon CloudWatch User Guide, "Alarm events and
    EventBridge"), sent ``age_seconds`` before the handler's clock; ``top`` replaces
    top-level fields (``account``, ``region``, ``replay-name``, ...)."""
    sent = datetime.fromtimestamp(clock.now() - age_seconds, UTC)
    return {"version": "0", "id": str(uuid.uuid4()),
            "detail-type": "CloudWatch Alarm State Change", "source": "aws.cloudwatch",
            "account": ACCOUNT, "time": sent.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": HEALTH_REGION,
            "resources": [f"arn:aws:cloudwatch:{HEALTH_REGION}:{ACCOUNT}:alarm:{name}"],
            "detail": {"alarmName": name,
                       "state": {"value": state, "reason": "Threshold Crossed",
                                 "timestamp": sent.strftime("%Y-%m-%dT%H:%M:%S.000+0000")},
                       "previousState": {"value": "OK", "reason": "", "timestamp": ""},
                       "configuration": {"description": ""}}, **top}


def manual(action: str = "failover", reason: str = "drill", force: bool = False) -> dict[str, Any]:
    return {"action": action, "reason": reason, "force": force}


# ------------------------------------------------------------------------- clients --
#: One session for every test client: a botocore session caches the service models it has
#: loaded, and loading them again per client dominated the test time.
_SESSION = boto3.session.Session()


class Clients:
    """Client factory ``(service, region) -> client`` that records every API call
    (``calls``: Counter of ``"<service>.<Operation>"``; ``regions``: per Region)."""

    def __init__(self, config: Config = RETRY_CONFIG,
                 endpoint_for: Callable[[str], str | None] = lambda region: None,
                 config_for: Callable[[str], Config] | None = None) -> None:
        self.calls: Counter[str] = Counter()
        self.by_region: Counter[str] = Counter()
        self.requested: list[tuple[str, str]] = []
        self._cache: dict[tuple[str, str], Any] = {}
        self._endpoint_for = endpoint_for
        self._config_for = config_for or (lambda region: config)
        self._lock = threading.Lock()

    def __call__(self, service: str, region: str) -> Any:
        with self._lock:
            self.requested.append((service, region))
            key = (service, region)
            if key not in self._cache:
                client = _SESSION.client(
                    service, region_name=region, config=self._config_for(region),
                    endpoint_url=self._endpoint_for(region))

                def record(model: Any, **_: Any) -> None:
                    name = f"{model.service_model.service_name}.{model.name}"
                    self.calls[name] += 1
                    self.by_region[f"{region}:{name}"] += 1

                client.meta.events.register("before-call.*.*", record)
                self._cache[key] = client
            return self._cache[key]


# --------------------------------------------------------------------------- world --
@dataclass
class World:
    strategy: str
    primary: HealthServer
    standby: HealthServer
    env: dict[str, str]
    queue_url: str
    clients: Clients
    promotions: list[str] = field(default_factory=list)
    primary_region: str = PRIMARY
    standby_region: str = STANDBY

    @property
    def settings(self) -> FailoverSettings:
        return load_settings(self.env)

    def store(self) -> StateStore:
        return StateStore(boto3.client("dynamodb", region_name=self.standby_region), TABLE)

    def messages(self) -> list[dict[str, Any]]:
        """Alert bodies delivered to the test queue (raw delivery), in arrival order."""
        sqs = boto3.client("sqs", region_name=self.standby_region)
        out = []
        while True:
            got = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10)
            if not got.get("Messages"):
                return out
            for m in got["Messages"]:
                out.append(json.loads(m["Body"]))
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"])

    def gate_stats(self) -> dict[str, float]:
        """Min / Max / SampleCount of every gate value published in the last hour."""
        cw = boto3.client("cloudwatch", region_name=self.standby_region)
        now = datetime.now(UTC)
        points = cw.get_metric_statistics(
            Namespace=GATE_NAMESPACE, MetricName=GATE_METRIC,
            Dimensions=[{"Name": "Stack", "Value": STACK}], StartTime=now - timedelta(hours=1),
            EndTime=now + timedelta(minutes=5), Period=7200,
            Statistics=["Minimum", "Maximum", "SampleCount"])["Datapoints"]
        if not points:
            return {"Minimum": float("nan"), "Maximum": float("nan"), "SampleCount": 0}
        return {k: points[0][k] for k in ("Minimum", "Maximum", "SampleCount")}

    def standby_instance(self) -> dict[str, Any]:
        rds = boto3.client("rds", region_name=self.standby_region)
        return rds.describe_db_instances(DBInstanceIdentifier=STANDBY_ID)["DBInstances"][0]

    def close(self) -> None:
        self.primary.close()
        self.standby.close()


def _env(strategy: str, primary: HealthServer, standby: HealthServer, topics: dict[str, str],
         dms_task_arn: str, kms_key_arn: str,
         regions: tuple[str, str] = (PRIMARY, STANDBY)) -> dict[str, str]:
    return {
        Env.PRIMARY_REGION: regions[0], Env.STANDBY_REGION: regions[1], Env.STACK_NAME: STACK,
        Env.DB_STRATEGY: strategy, Env.RPO_SECONDS: str(RPO_SECONDS),
        Env.ALERT_TOPIC_ARNS: json.dumps(topics), Env.STANDBY_KMS_KEY_ARN: kms_key_arn,
        Env.DMS_TASK_ARN: dms_task_arn, Env.STATE_TABLE_NAME: TABLE,
        Env.FAILOVER_MODE: "orchestrated", Env.PRIMARY_HEALTH_URL: primary.url(),
        Env.STANDBY_HEALTH_URL: standby.url(), Env.PROBE_TIMEOUT_SECONDS: "2",
        Env.CONSECUTIVE_FAILURES: "3", Env.PROBE_WINDOW_SECONDS: "240",
        Env.HEALTH_ALARM_NAME: HEALTH_ALARM, Env.GATE_ALARM_NAME: "ecommerce-dr-gate",
        Env.STEP_BUDGETS_SECONDS: json.dumps(DEFAULT_STEP_BUDGETS_SECONDS),
        Env.PROMOTION_SECONDS: "600", Env.PRIMARY_DB_ARN: primary_arn(regions[0]),
        Env.STANDBY_DB_IDENTIFIER: STANDBY_ID,
        Env.RESTORE_INSTANCE_CLASS: "db.r6g.large" if strategy == "snapshot-restore" else "",
        Env.WARM_URLS: json.dumps([standby.url("/warm")]),
        Env.WARM_FUNCTIONS: json.dumps([WARM_FUNCTION]),
    }


def primary_arn(region: str = PRIMARY) -> str:
    """The primary database's ARN when the primary Region is ``region``."""
    return f"arn:aws:rds:{region}:{ACCOUNT}:db:{PRIMARY_ID}"


def seed_metric(namespace: str, name: str, dimensions: dict[str, str], value: float,
                region: str = STANDBY) -> None:
    """Seed a lag metric moto never emits (moto gap)."""
    boto3.client("cloudwatch", region_name=region).put_metric_data(
        Namespace=namespace, MetricData=[{
            "MetricName": name, "Value": value, "Unit": "Seconds",
            "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()]}])


def _instance(rds: Any, identifier: str, **extra: Any) -> dict[str, Any]:
    return rds.create_db_instance(DBInstanceIdentifier=identifier, DBInstanceClass="db.r6g.large",
                                  Engine="postgres", MasterUsername="shop",
                                  MasterUserPassword="not-a-secret-1", AllocatedStorage=100,
                                  BackupRetentionPeriod=7, **extra)["DBInstance"]


def _read_replica(replica_lag: float, primary: str = PRIMARY, standby: str = STANDBY) -> None:
    _instance(boto3.client("rds", region_name=primary), PRIMARY_ID)
    boto3.client("rds", region_name=standby).create_db_instance_read_replica(
        DBInstanceIdentifier=STANDBY_ID, SourceDBInstanceIdentifier=primary_arn(primary),
        DBInstanceClass="db.r6g.large", SourceRegion=primary)
    seed_metric("AWS/RDS", "ReplicaLag", {"DBInstanceIdentifier": STANDBY_ID}, replica_lag,
                region=standby)


def _dms(cdc_latency: float, standby: str = STANDBY) -> str:
    _instance(boto3.client("rds", region_name=standby), STANDBY_ID)
    dms = boto3.client("dms", region_name=standby)
    inst = dms.create_replication_instance(
        ReplicationInstanceIdentifier="shop-dms", ReplicationInstanceClass="dms.t3.medium",
    )["ReplicationInstance"]
    src = dms.create_endpoint(EndpointIdentifier="shop-source", EndpointType="source",
                              EngineName="postgres", ServerName="primary.example.com",
                              Port=5432, DatabaseName="shop", Username="u", Password="p")
    tgt = dms.create_endpoint(EndpointIdentifier="shop-target", EndpointType="target",
                              EngineName="postgres", ServerName="standby.example.com",
                              Port=5432, DatabaseName="shop", Username="u", Password="p")
    task = dms.create_replication_task(
        ReplicationTaskIdentifier="shop-cdc", MigrationType="full-load-and-cdc",
        ReplicationInstanceArn=inst["ReplicationInstanceArn"],
        SourceEndpointArn=src["Endpoint"]["EndpointArn"],
        TargetEndpointArn=tgt["Endpoint"]["EndpointArn"],
        TableMappings=json.dumps({"rules": []}))["ReplicationTask"]
    dms.start_replication_task(ReplicationTaskArn=task["ReplicationTaskArn"],
                               StartReplicationTaskType="start-replication")
    seed_metric("AWS/DMS", "CDCLatencyTarget",
                {"ReplicationInstanceIdentifier": "shop-dms",
                 "ReplicationTaskIdentifier": task["ReplicationTaskArn"].rsplit(":", 1)[-1]},
                cdc_latency, region=standby)
    return str(task["ReplicationTaskArn"])


def seed_copy(db: str, *, kms_key_arn: str, age: timedelta, stack: str = STACK,
              tags: dict[str, str] | None = None,
              regions: tuple[str, str] = (PRIMARY, STANDBY)) -> str:
    """The backup orchestrator's cross-Region copy of database ``db``, made the way it makes
    one (handlers.backup.naming): snapshot ``<db>-dr-<stamp>`` in the primary Region, copied
    into the standby Region as ``<db>-dr-<stamp>-copy`` with STANDBY_KMS_KEY_ARN and the
    copy tags. ``age`` back-dates the copy's data (moto sets creation times to now);
    ``tags`` override the copy's tags; ``regions`` are (primary, standby). Returns the copy's
    identifier."""
    primary = boto3.client("rds", region_name=regions[0])
    try:
        primary.describe_db_instances(DBInstanceIdentifier=db)
    except primary.exceptions.DBInstanceNotFoundFault:
        _instance(primary, db, StorageEncrypted=True)
    period = (datetime.now(UTC) - age).replace(second=0, microsecond=0)
    source = primary.create_db_snapshot(DBInstanceIdentifier=db,
                                        DBSnapshotIdentifier=naming.snapshot_id(db, period))
    source_arn = source["DBSnapshot"]["DBSnapshotArn"]
    target = naming.copy_id(source["DBSnapshot"]["DBSnapshotIdentifier"])
    copy_tags = {MANAGED_BY_TAG: managed_by_value(stack), naming.STACK_TAG: stack,
                 naming.DATABASE_TAG: db, naming.KIND_TAG: naming.Kind.COPY.value,
                 naming.SOURCE_TAG: source_arn, **(tags or {})}
    boto3.client("rds", region_name=regions[1]).copy_db_snapshot(
        SourceDBSnapshotIdentifier=source_arn, TargetDBSnapshotIdentifier=target,
        SourceRegion=regions[0], KmsKeyId=kms_key_arn, CopyTags=False,
        Tags=naming.to_tag_list(copy_tags))
    if age:
        snap = rds_models.rds_backends[ACCOUNT][regions[1]].database_snapshots[target]
        snap.created = snap.original_snapshot_create_time = datetime.now(UTC) - age
    return target


def _warm_function(standby: str = STANDBY) -> None:
    iam = boto3.client("iam", region_name=standby)
    role = iam.create_role(RoleName="warm-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "lambda.amazonaws.com"}}]}))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return event\n")
    boto3.client("lambda", region_name=standby).create_function(
        FunctionName=WARM_FUNCTION, Runtime="python3.12", Role=role["Role"]["Arn"],
        Handler="index.handler", Code={"ZipFile": buf.getvalue()})


def build_world(strategy: str, *, primary_status: int = 503, lag: float | None = None,
                snapshot_age: timedelta = timedelta(minutes=20), alarm_state: str = "ALARM",
                clients: Clients | None = None,
                regions: tuple[str, str] = (PRIMARY, STANDBY)) -> World:
    """Everything the orchestrator needs, inside an active ``mock_aws``. ``regions`` are the
    stack's (primary, standby); the health-check alarm is in HEALTH_REGION whatever they are."""
    primary_region, standby_region = regions
    ddb = boto3.client("dynamodb", region_name=standby_region)
    ddb.create_table(TableName=TABLE, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    sqs = boto3.client("sqs", region_name=standby_region)
    queue_url = sqs.create_queue(QueueName="alerts")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    topics = {}
    for region in regions:
        sns = boto3.client("sns", region_name=region)
        arn = sns.create_topic(Name="ecommerce-dr-alerts")["TopicArn"]
        sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn,
                      Attributes={"RawMessageDelivery": "true"})
        topics[region] = arn
    cw = boto3.client("cloudwatch", region_name=HEALTH_REGION)
    cw.put_metric_alarm(AlarmName=HEALTH_ALARM, Namespace="AWS/Route53",
                        MetricName="HealthCheckStatus", Statistic="Minimum", Period=60,
                        EvaluationPeriods=1, Threshold=1, ComparisonOperator="LessThanThreshold",
                        Dimensions=[{"Name": "HealthCheckId", "Value": "hc-1"}])
    cw.set_alarm_state(AlarmName=HEALTH_ALARM, StateValue=alarm_state, StateReason="test")
    kms_key_arn = boto3.client("kms", region_name=standby_region).create_key(
        Description="standby")["KeyMetadata"]["Arn"]
    task_arn = ""
    if lag is None:
        lag = 2.0 if strategy == "dms" else 30.0
    if strategy == "read-replica":
        _read_replica(lag, primary_region, standby_region)
    elif strategy == "dms":
        task_arn = _dms(lag, standby_region)
    else:
        seed_copy(PRIMARY_ID, kms_key_arn=kms_key_arn, age=snapshot_age, regions=regions)
    _warm_function(standby_region)
    primary, standby = HealthServer(primary_status), HealthServer(200)
    return World(strategy, primary, standby,
                 _env(strategy, primary, standby, topics, task_arn, kms_key_arn, regions),
                 queue_url, clients or Clients(), primary_region=primary_region,
                 standby_region=standby_region)


# ------------------------------------------------------------------------ bridges --
@contextmanager
def bridge_promote_read_replica(world: World) -> Iterator[None]:
    """moto gap: promote_read_replica changes nothing. Bridge: clear the replica source
    (as RDS does once the promoted instance reboots) and count the promotion."""
    original = rds_models.RDSBackend.promote_read_replica

    def promote(self: Any, db_kwargs: dict[str, Any]) -> Any:
        db = original(self, db_kwargs)
        world.promotions.append(db_kwargs["db_instance_identifier"])
        source = db.source_db_instance_identifier
        if source:
            try:
                primary = self.find_db_from_id(source)
                for ref in (db.db_instance_arn, db.db_instance_identifier):
                    if ref in primary.replicas:
                        primary.replicas.remove(ref)
            except Exception:  # noqa: BLE001 - the source may live in a Region that is down
                pass
        db.source_db_instance_identifier = None
        return db

    rds_models.RDSBackend.promote_read_replica = promote  # type: ignore[method-assign]
    try:
        yield
    finally:
        rds_models.RDSBackend.promote_read_replica = original  # type: ignore[method-assign]


@contextmanager
def count_calls(cls: type, method: str, into: list[str]) -> Iterator[None]:
    """Record each call of a moto backend method (not a bridge: behaviour unchanged)."""
    original = getattr(cls, method)

    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        into.append(method)
        return original(self, *args, **kwargs)

    setattr(cls, method, wrapper)
    try:
        yield
    finally:
        setattr(cls, method, original)


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


@contextmanager
def bridge_atomic_dynamodb_writes() -> Iterator[None]:
    """moto gap: the in-process DynamoDB backend does not serialise writes from several
    threads, while DynamoDB applies each conditional write atomically. The bridge holds one
    lock around each write, so the test exercises our condition, not moto's race."""
    import moto.dynamodb.models as ddb_models

    lock = threading.Lock()
    originals = {m: getattr(ddb_models.DynamoDBBackend, m) for m in ("put_item", "update_item")}

    def guarded(method: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            with lock:
                return method(self, *args, **kwargs)
        return wrapper

    for name, method in originals.items():
        setattr(ddb_models.DynamoDBBackend, name, guarded(method))
    try:
        yield
    finally:
        for name, method in originals.items():
            setattr(ddb_models.DynamoDBBackend, name, method)
