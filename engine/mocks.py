"""Pulumi mocks that answer like AWS, and a monitor that records every resource registration.

Used inside the recorder subprocess (:mod:`engine.recorder`). :func:`mock_outputs` is also
importable on its own: tests check the shapes it gives.

Physical names: the ``name``/``identifier``/``bucket`` input if given, else the logical name
plus a stable 7-hex suffix (as Pulumi auto-naming would). ARNs carry the resource's Region
(taken from its explicit provider) and the account of ``database.primaryInstanceArn``.
"""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cost.plan import UNKNOWN, plain

PROVIDER_TYPE = "pulumi:providers:aws"
DEFAULT_ACCOUNT = "123456789012"


def short_hash(name: str) -> str:
    """A stable 7-hex suffix of ``name`` (CRC-32), as auto-named resources get one."""
    return f"{zlib.crc32(name.encode()) & 0xFFFFFFF:07x}"


@dataclass(frozen=True)
class _Ask:
    """What a per-type output builder gets."""

    name: str
    inputs: dict[str, Any]
    region: str
    account: str
    phys: str

    def arn(self, svc: str, rest: str) -> str:
        return f"arn:aws:{svc}:{self.region}:{self.account}:{rest}"


#: type token -> builder returning ``(id or None for the physical name, outputs to add)``.
_Builder = Callable[[_Ask], tuple[str | None, dict[str, Any]]]


def _kms_key(a: _Ask) -> tuple[str | None, dict[str, Any]]:
    rid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{a.region}/{a.name}"))
    return rid, {"arn": a.arn("kms", f"key/{rid}"), "keyId": rid}


def _sns_topic(a: _Ask) -> tuple[str | None, dict[str, Any]]:
    arn = a.arn("sns", a.phys)
    return arn, {"arn": arn, "name": a.phys}


def _subscription(a: _Ask) -> tuple[str | None, dict[str, Any]]:
    rid = f"{a.inputs.get('topic', '')}:{uuid.uuid5(uuid.NAMESPACE_URL, a.name)}"
    return rid, {"arn": rid}


def _function(a: _Ask) -> tuple[str | None, dict[str, Any]]:
    arn = a.arn("lambda", f"function:{a.phys}")
    return None, {"name": a.phys, "arn": arn, "qualifiedArn": f"{arn}:$LATEST",
                  "version": "$LATEST",
                  "invokeArn": f"arn:aws:apigateway:{a.region}:lambda:path/2015-03-31/"
                               f"functions/{arn}/invocations"}


def _iam_role(a: _Ask) -> tuple[str | None, dict[str, Any]]:
    return None, {"name": a.phys, "arn": f"arn:aws:iam::{a.account}:role/{a.phys}",
                  "uniqueId": f"AROA{short_hash(a.name).upper()}EXAMPLE"}


def _rds_instance(a: _Ask) -> tuple[str | None, dict[str, Any]]:
    port = 3306 if str(a.inputs.get("engine", "")).startswith("mysql") else 5432
    address = f"{a.phys}.c{short_hash(a.account)}xyz.{a.region}.rds.amazonaws.com"
    out: dict[str, Any] = {"identifier": a.phys, "arn": a.arn("rds", f"db:{a.phys}"),
                           "address": address, "endpoint": f"{address}:{port}", "port": port,
                           "resourceId": f"db-{short_hash(a.phys).upper()}EXAMPLE"}
    if a.inputs.get("manageMasterUserPassword"):
        out["masterUserSecrets"] = [{
            "secretArn": a.arn("secretsmanager", f"secret:rds!db-{a.phys}"),
            "secretStatus": "active", "kmsKeyId": a.inputs.get("masterUserSecretKmsKeyId", "")}]
    return None, out


def _global_cluster(a: _Ask) -> tuple[str | None, dict[str, Any]]:
    gid = a.inputs.get("globalClusterIdentifier") or a.phys
    res = short_hash(gid)
    return gid, {"arn": f"arn:aws:rds::{a.account}:global-cluster:{gid}",
                 "globalClusterResourceId": f"cluster-{res}",
                 "endpoint": f"{gid}.global-{res}.global.rds.amazonaws.com",
                 "engine": a.inputs.get("engine") or "aurora-postgresql"}


def _rds_cluster(a: _Ask) -> tuple[str | None, dict[str, Any]]:
    cid = a.inputs.get("clusterIdentifier") or a.phys
    port = 3306 if "mysql" in str(a.inputs.get("engine", "")) else 5432
    host = f"c{short_hash(a.account)}xyz.{a.region}.rds.amazonaws.com"
    return cid, {"arn": a.arn("rds", f"cluster:{cid}"), "clusterIdentifier": cid,
                 "endpoint": f"{cid}.cluster-{host}", "readerEndpoint": f"{cid}.cluster-ro-{host}",
                 "port": port, "clusterResourceId": f"cluster-{short_hash(cid).upper()}EXAMPLE"}


def _cluster_instance(a: _Ask) -> tuple[str | None, dict[str, Any]]:
    port = 3306 if "mysql" in str(a.inputs.get("engine", "")) else 5432
    return a.phys, {"arn": a.arn("rds", f"db:{a.phys}"), "identifier": a.phys, "port": port,
                    "endpoint": f"{a.phys}.c{short_hash(a.account)}xyz.{a.region}.rds.amazonaws.com"}


def _record(a: _Ask) -> tuple[str | None, dict[str, Any]]:
    i = a.inputs
    rid = f"{i.get('zoneId')}_{i.get('name')}_{i.get('type')}_{i.get('setIdentifier', '')}"
    return rid.rstrip("_"), {"fqdn": i.get("name")}


def _health_check(a: _Ask) -> tuple[str | None, dict[str, Any]]:
    rid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"hc/{a.name}"))
    return rid, {"arn": f"arn:aws:route53:::healthcheck/{rid}"}


def _dashboard(a: _Ask) -> tuple[str | None, dict[str, Any]]:
    phys = a.inputs.get("dashboardName") or a.phys
    return phys, {"dashboardArn": f"arn:aws:cloudwatch::{a.account}:dashboard/{phys}"}


def _event_rule(a: _Ask) -> tuple[str | None, dict[str, Any]]:
    bus = a.inputs.get("eventBusName")
    custom = bool(bus and bus != "default")
    path = f"rule/{bus}/{a.phys}" if custom else f"rule/{a.phys}"
    return (f"{bus}/{a.phys}" if custom else a.phys), {"name": a.phys, "arn": a.arn("events", path)}


def _dms(id_input: str, arn_output: str, kind: str, extra: dict[str, Any] | None = None
         ) -> _Builder:
    def build(a: _Ask) -> tuple[str | None, dict[str, Any]]:
        rid = a.inputs.get(id_input) or a.phys
        res = a.inputs.get("resourceIdentifier") if kind == "task" else None
        res = res or f"{short_hash(rid).upper()}EXAMPLE"
        return rid, {arn_output: a.arn("dms", f"{kind}:{res}"), **(extra or {})}
    return build


def _named(svc: str, path: str, *, id_is_arn: bool = False, name_key: str = "name") -> _Builder:
    """``{name, arn}`` outputs with ``arn:aws:<svc>:<region>:<account>:<path>``."""
    def build(a: _Ask) -> tuple[str | None, dict[str, Any]]:
        arn = (f"arn:aws:iam::{a.account}:{path.format(a.phys)}" if svc == "iam"
               else a.arn(svc, path.format(a.phys)))
        out = {name_key: a.phys, "arn": arn} if name_key else {"arn": arn}
        return (arn if id_is_arn else None), out
    return build


_BUILDERS: dict[str, _Builder] = {
    "aws:kms/key:Key": _kms_key,
    "aws:kms/alias:Alias": _named("kms", "{}", name_key=""),
    "aws:sns/topic:Topic": _sns_topic,
    "aws:sns/topicSubscription:TopicSubscription": _subscription,
    "aws:lambda/function:Function": _function,
    "aws:iam/role:Role": _iam_role,
    "aws:iam/policy:Policy": _named("iam", "policy/{}", id_is_arn=True),
    "aws:dynamodb/table:Table": _named("dynamodb", "table/{}"),
    "aws:s3/bucket:Bucket": lambda a: (None, {
        "bucket": a.phys, "arn": f"arn:aws:s3:::{a.phys}", "region": a.region,
        "bucketDomainName": f"{a.phys}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{a.phys}.s3.{a.region}.amazonaws.com"}),
    "aws:rds/instance:Instance": _rds_instance,
    "aws:rds/globalCluster:GlobalCluster": _global_cluster,
    "aws:rds/cluster:Cluster": _rds_cluster,
    "aws:rds/clusterInstance:ClusterInstance": _cluster_instance,
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": _named("rds", "cluster-pg:{}"),
    "aws:route53/healthCheck:HealthCheck": _health_check,
    "aws:route53/record:Record": _record,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _named("cloudwatch", "alarm:{}"),
    "aws:cloudwatch/dashboard:Dashboard": _dashboard,
    "aws:cloudwatch/eventBus:EventBus": _named("events", "event-bus/{}"),
    "aws:cloudwatch/eventRule:EventRule": _event_rule,
    "aws:cloudwatch/eventTarget:EventTarget": lambda a: (
        f"{a.inputs.get('rule')}-{a.inputs.get('targetId') or short_hash(a.name)}", {}),
    "aws:cloudwatch/logGroup:LogGroup": _named("logs", "log-group:{}"),
    "aws:dms/replicationInstance:ReplicationInstance": _dms(
        "replicationInstanceId", "replicationInstanceArn", "rep",
        {"replicationInstancePrivateIps": ["10.0.0.10"]}),
    "aws:dms/endpoint:Endpoint": _dms("endpointId", "endpointArn", "endpoint"),
    "aws:dms/replicationTask:ReplicationTask": _dms("replicationTaskId", "replicationTaskArn",
                                                    "task", {"status": "ready"}),
    "aws:dms/replicationSubnetGroup:ReplicationSubnetGroup": lambda a: (
        a.inputs.get("replicationSubnetGroupId") or a.phys, {}),
    "aws:lambda/permission:Permission": lambda a: (a.inputs.get("statementId") or a.phys, {}),
}


def mock_outputs(typ: str, name: str, inputs: dict[str, Any], region: str,
                 account: str = DEFAULT_ACCOUNT) -> tuple[str, dict[str, Any]]:
    """``(id, state)`` for a resource, shaped like the AWS provider's outputs.

    Args:
        typ: type token, e.g. ``aws:rds/instance:Instance``.
        name: logical name.
        inputs: the resource's inputs (camelCase wire names).
        region, account: what ARNs carry.

    Returns:
        the physical id and the state: the inputs plus the computed outputs (``arn``,
        ``id``, endpoints...). A type without a builder gets a generic ARN.
    """
    state = dict(inputs)
    if typ == PROVIDER_TYPE:
        return f"{name}-provider-id", state
    phys = inputs.get("name") or inputs.get("identifier") or inputs.get("bucket")
    if not isinstance(phys, str) or not phys or phys == UNKNOWN:
        phys = f"{name}-{short_hash(name)}"
    ask = _Ask(name, inputs, region, account, phys)
    builder = _BUILDERS.get(typ)
    rid: str | None = None
    if builder is not None:
        rid, outputs = builder(ask)
        state.update(outputs)
    elif ":" in typ and "arn" not in state:
        svc = typ.split(":")[1].split("/")[0]
        state["arn"] = ask.arn(svc, f"{typ.split(':')[-1].lower()}/{phys}")
    rid = rid or phys
    state.setdefault("id", rid)
    return rid, state


def _call_result(token: str, region: str, account: str) -> dict[str, Any]:
    """Answers to the provider functions (invokes) the program calls."""
    if token == "aws:index/getCallerIdentity:getCallerIdentity":
        return {"accountId": account, "arn": f"arn:aws:iam::{account}:root",
                "userId": account, "id": account}
    if token == "aws:index/getRegion:getRegion":
        return {"name": region, "region": region, "id": region}
    if token == "aws:index/getPartition:getPartition":
        return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
    return {}


def resource_options(request: Any) -> dict[str, Any]:
    """The resource options a ``RegisterResource`` request carries that decide what a deploy
    may do to the resource: ``protect`` and ``retainOnDelete`` (only when set),
    ``ignoreChanges`` and ``replaceOnChanges`` (property paths, only when given) and
    ``deleteBeforeReplace`` (only when true)."""
    out: dict[str, Any] = {}
    for name in ("protect", "retainOnDelete"):
        if request.HasField(name):
            out[name] = bool(getattr(request, name))
    for name in ("ignoreChanges", "replaceOnChanges"):
        if getattr(request, name):
            out[name] = list(getattr(request, name))
    if request.deleteBeforeReplace:
        out["deleteBeforeReplace"] = True
    return out


def mocks_and_monitor(account: str, preview: bool) -> tuple[Any, Any, list[dict[str, Any]]]:
    """``(mocks, monitor, records)`` for ``pulumi.runtime.set_mocks``: the monitor appends the
    fields of an :class:`engine.plan.PlannedResource` to ``records`` per registration (the
    stack excluded).

    With ``preview`` the mocks answer as a real preview of a create does: inputs echo back,
    the id and every computed output stay unknown.
    """
    import pulumi
    from google.protobuf.json_format import MessageToDict
    from pulumi.runtime.mocks import MockMonitor

    regions: dict[str, str | None] = {}       # provider URN -> region
    records: list[dict[str, Any]] = []

    def region_of(provider: str | None) -> str:
        return regions.get((provider or "").rsplit("::", 1)[0]) or "us-east-1"

    class RealisticMocks(pulumi.runtime.Mocks):
        def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
            if preview and args.typ != PROVIDER_TYPE:
                return "", dict(args.inputs)
            return mock_outputs(args.typ, args.name, dict(args.inputs),
                                region_of(args.provider), account)

        def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list | None]:
            return _call_result(args.token, region_of(args.provider), account), None

    class RecordingMonitor(MockMonitor):
        def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
            resp = super().RegisterResource(request)
            if request.type == "pulumi:pulumi:Stack":
                return resp
            inputs = plain(MessageToDict(request.object, preserving_proto_field_name=True))
            provider = request.provider.rsplit("::", 1)[0] if request.provider else None
            if request.type.startswith("pulumi:providers:"):
                region = regions[resp.urn] = inputs.get("region")
            else:
                region = regions.get(provider) if provider else None
            records.append(dict(
                urn=resp.urn, type=request.type, name=request.name, custom=bool(request.custom),
                parent=request.parent or None, provider=provider, region=region, inputs=inputs,
                dependencies=list(request.dependencies),
                property_dependencies={k: list(v.urns)
                                       for k, v in request.propertyDependencies.items()},
                options=resource_options(request)))
            return resp

    mocks = RealisticMocks()
    return mocks, RecordingMonitor(mocks), records
