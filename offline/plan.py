"""The plan recorder: run the Pulumi program under mocks and record every resource it declares.

No Pulumi CLI, no provider plugin, no AWS account. :func:`record_plan` runs ``__main__.py`` in a
fresh Python subprocess (mocks and config are process-global in the Pulumi SDK) with:

* the stack config of ``Pulumi.<stack>.yaml`` (fully qualified keys, delivered as the CLI's
  language host delivers them: strings, objects as JSON), optionally overridden key by key;
* ``pulumi.runtime.set_mocks(..., project="ecommerce-dr", stack=<stack>, preview=<preview>)``;
* a :class:`RecordingMonitor` (a ``MockMonitor`` subclass) that keeps every raw
  ``RegisterResource`` request: type, name, parent, provider, dependencies, property
  dependencies and the property Struct as it goes over the wire (camelCase names, unknowns as
  the ``UNKNOWN`` sentinel during preview);
* :class:`RealisticMocks` whose ``new_resource`` answers with outputs shaped like AWS's (ids,
  ARNs carrying the resource's Region - taken from its explicit provider - and the account of
  ``database.primaryInstanceArn``, RDS endpoints), so stack outputs resolve when
  ``preview=False``.

:func:`record_plans` records several variants in one subprocess (Pulumi imported once, a fork
per variant), for tests and benchmarks that need many.

The result is a :class:`Plan`: JSON-serialisable, read by the offline preview (policy checks over
the analyzer protocol), the DR drill (which builds the emulated account from it) and the
program's own tests.

Command line::

    python -m offline.plan --stack prod [--strategy dms] [--mode automatic] [--no-preview] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import uuid
import zlib
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "ecommerce-dr"

#: Pulumi's wire sentinel for a value not known during preview.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_SIG = "4dabf18193072939515e22adb298388d"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
PROVIDER_TYPE = "pulumi:providers:aws"
DEFAULT_ACCOUNT = "123456789012"

_CHILD_FLAG = "--_record-child"


class PlanConfigError(Exception):
    """The stack config is invalid; the message is the program's ``ConfigError`` text
    (fully qualified key and what is allowed). ``resources_declared`` counts the resources the
    program registered before stopping (0 when validation runs first, as it must)."""

    def __init__(self, message: str, resources_declared: int = 0) -> None:
        super().__init__(message)
        self.resources_declared = resources_declared


class PlanError(RuntimeError):
    """The program failed under mocks for a reason other than its config."""


@dataclass
class PlannedResource:
    """One ``RegisterResource`` request.

    Attributes:
        urn: the resource URN.
        type: Pulumi type token, e.g. ``aws:route53/healthCheck:HealthCheck``.
        name: logical name.
        custom: True for provider-managed resources, False for components.
        parent: parent URN (``None`` only for the stack itself, which is not recorded).
        provider: explicit provider URN without ``::<id>``; ``None`` means the default provider
            (for a custom resource) or none given (for a component).
        region: the provider's ``region`` input (for a provider resource: its own).
        inputs: the property Struct as plain JSON, camelCase as on the wire; unknown values are
            the :data:`UNKNOWN` sentinel string, resource references are replaced by their id
            (custom) or URN (component), secrets are unwrapped.
        dependencies: URNs this resource depends on.
        property_dependencies: input name -> URNs it depends on.
    """

    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None
    provider: str | None
    region: str | None
    inputs: dict[str, Any]
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)

    @property
    def tags(self) -> dict[str, Any]:
        tags = self.inputs.get("tags")
        return tags if isinstance(tags, dict) else {}

    @property
    def role(self) -> str | None:
        from contract.names import ROLE_TAG

        return self.tags.get(ROLE_TAG)


@dataclass
class Plan:
    """Everything the program declared for one stack, and its stack outputs.

    Attributes:
        stack: stack name.
        resources: in registration order (providers and components included).
        outputs: stack outputs; values not known (preview) are the :data:`UNKNOWN` sentinel,
            also inside nested values.
        preview: whether it was recorded as a preview (unknown outputs) or an update.
    """

    stack: str
    resources: list[PlannedResource]
    outputs: dict[str, Any]
    preview: bool = True

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=False)

    @classmethod
    def from_json(cls, s: str) -> Plan:
        d = json.loads(s)
        return cls(stack=d["stack"], outputs=d["outputs"], preview=d.get("preview", True),
                   resources=[PlannedResource(**r) for r in d["resources"]])

    def by_role(self, role: str) -> list[PlannedResource]:
        """Resources whose ``tags[contract.names.ROLE_TAG]`` equals ``role``."""
        return [r for r in self.resources if r.role == str(role)]

    def by_type(self, type_: str) -> list[PlannedResource]:
        return [r for r in self.resources if r.type == type_]

    def get(self, urn: str) -> PlannedResource:
        """The resource with this URN. Raises KeyError."""
        for r in self.resources:
            if r.urn == urn:
                return r
        raise KeyError(urn)

    def find(self, *, type_: str | None = None, name: str | None = None) -> PlannedResource:
        """The single resource with this type and/or logical name. Raises LookupError."""
        hits = [r for r in self.resources
                if (type_ is None or r.type == type_) and (name is None or r.name == name)]
        if len(hits) != 1:
            raise LookupError(f"expected one resource type={type_} name={name}, found {len(hits)}")
        return hits[0]

    @property
    def providers(self) -> list[PlannedResource]:
        return [r for r in self.resources if r.type.startswith("pulumi:providers:")]

    @property
    def custom_resources(self) -> list[PlannedResource]:
        """Provider-managed resources, providers themselves excluded."""
        return [r for r in self.resources if r.custom and not r.type.startswith("pulumi:providers:")]


# ---------------------------------------------------------------------------------------------
# Config: read the stack file the way the CLI hands config to a Python program.


def _config_string(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, int):
        return str(v)
    return json.dumps(v)


def stack_config(stack: str = "prod", *, stack_file: Path | None = None,
                 config_overrides: dict[str, object] | None = None) -> dict[str, str]:
    """The stack's config as the language host delivers it: fully qualified key -> string.

    ``config_overrides`` (fully qualified keys) replace the file's value of the same key;
    an override of ``None`` removes the key.
    """
    import yaml

    from components.settings import ConfigError, read_stack_file

    path = Path(stack_file or ROOT / f"Pulumi.{stack}.yaml")
    if not path.is_file():
        raise PlanConfigError(f"no stack file {path}: create Pulumi.{stack}.yaml (keys in "
                              "README.md, 'Config reference') or pass --stack-file")
    try:
        cfg: dict[str, Any] = read_stack_file(path)
    except (ConfigError, yaml.YAMLError) as e:
        raise PlanConfigError(str(e)) from None
    for k, v in (config_overrides or {}).items():
        if v is None:
            cfg.pop(k, None)
        else:
            cfg[k] = v
    return {k: _config_string(v) for k, v in cfg.items()}


# ---------------------------------------------------------------------------------------------
# Parent side


@dataclass
class PlanRequest:
    """One variant to record (see :func:`record_plan` for the fields)."""

    stack: str = "prod"
    stack_file: Path | None = None
    config_overrides: dict[str, object] | None = None
    preview: bool = True


def record_plan(stack: str = "prod", *, stack_file: Path | None = None,
                config_overrides: dict[str, object] | None = None, preview: bool = True,
                program: Path | None = None, timeout: float = 120.0) -> Plan:
    """Run the program under mocks in a fresh subprocess and return what it declared.

    Args:
        stack: stack name; config comes from ``Pulumi.<stack>.yaml`` unless ``stack_file``.
        stack_file: another stack config file.
        config_overrides: fully qualified key -> value (objects as dicts), merged over the file;
            ``None`` removes a key.
        preview: True for ``pulumi preview`` semantics (outputs of resources unknown), False
            for ``pulumi up`` semantics (mock outputs resolve).
        program: the program file, default ``__main__.py`` next to ``Pulumi.yaml``.
        timeout: seconds before the child is killed.

    Raises:
        PlanConfigError: the program rejected its config (message names the key).
        PlanError: the program failed otherwise (message holds the child's traceback).
    """
    (result,) = record_plans([PlanRequest(stack, stack_file, config_overrides, preview)],
                             program=program, timeout=timeout)
    if isinstance(result, Exception):
        raise result
    return result


def record_plans(requests: list[PlanRequest], *, program: Path | None = None,
                 timeout: float = 300.0) -> list[Plan | PlanConfigError | PlanError]:
    """Record several variants in ONE subprocess: Pulumi is imported once, then each variant
    runs in a forked child (mocks and config are process-global), which makes a variant cost
    a fraction of a fresh interpreter. Without ``os.fork`` each runs in its own subprocess.

    Returns:
        per request, its :class:`Plan`, or the :class:`PlanConfigError` / :class:`PlanError`
        it raised (returned, not raised, so one bad variant does not hide the others).
    """
    with tempfile.TemporaryDirectory(prefix="plan-") as tmp:
        batch = []
        unreadable: dict[int, PlanConfigError] = {}
        for i, r in enumerate(requests):
            try:
                config = stack_config(r.stack, stack_file=r.stack_file,
                                      config_overrides=r.config_overrides)
            except PlanConfigError as e:
                unreadable[i] = e
                continue
            batch.append({"stack": r.stack, "config": config, "preview": r.preview,
                          "program": str(program or ROOT / "__main__.py"),
                          "out": str(Path(tmp) / f"plan-{i}.json")})
        req = Path(tmp) / "requests.json"
        req.write_text(json.dumps(batch))
        env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        proc = subprocess.run([sys.executable, "-m", "offline.plan", _CHILD_FLAG, str(req)],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
        results: list[Plan | PlanConfigError | PlanError] = []
        for b in batch:
            while len(results) in unreadable:
                results.append(unreadable[len(results)])
            out = Path(b["out"])
            if not out.exists():
                results.append(PlanError(f"program failed under mocks (exit {proc.returncode}):"
                                         f"\n{proc.stderr[-6000:]}{proc.stdout[-2000:]}"))
                continue
            result = json.loads(out.read_text())
            if result["status"] == "config-error":
                results.append(PlanConfigError(result["message"], result["resources_declared"]))
            elif result["status"] != "ok":
                results.append(PlanError(f"program failed under mocks: {result['message']}"))
            else:
                results.append(Plan.from_json(json.dumps(result["plan"])))
        while len(results) in unreadable:
            results.append(unreadable[len(results)])
    return results


# ---------------------------------------------------------------------------------------------
# Child side: mocks, recording monitor, running the program.


def _short(name: str) -> str:
    return f"{zlib.crc32(name.encode()) & 0xFFFFFFF:07x}"


def _plain(value: Any) -> Any:
    """Wire JSON -> plain JSON: unwrap secrets, replace resource references by id or URN."""
    if isinstance(value, dict):
        sig = value.get(_SIG)
        if sig == _SECRET_SIG:
            return _plain(value.get("value"))
        if sig == _RESOURCE_SIG:
            rid = value.get("id")
            if rid not in (None, ""):
                return rid
            return value.get("urn")
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        # The SDK sends every number as a double; keep integers readable in the plan.
        return int(value)
    return value


def _make_mocks_and_monitor(account: str, preview: bool) -> tuple[Any, Any, list[PlannedResource]]:
    import pulumi
    from google.protobuf.json_format import MessageToDict
    from pulumi.runtime.mocks import MockMonitor

    regions: dict[str, str | None] = {}       # provider URN -> region
    records: list[PlannedResource] = []

    class RealisticMocks(pulumi.runtime.Mocks):
        """Answers like AWS would (update), or like a preview of a create (preview)."""

        def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
            region = regions.get((args.provider or "").rsplit("::", 1)[0]) or "us-east-1"
            if preview and args.typ != PROVIDER_TYPE:
                # As in a real preview of a create: inputs echo back, id and every computed
                # output (ARNs, endpoints) stay unknown.
                return "", dict(args.inputs)
            return mock_outputs(args.typ, args.name, dict(args.inputs), region, account)

        def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list | None]:
            region = regions.get((args.provider or "").rsplit("::", 1)[0]) or "us-east-1"
            if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
                return {"accountId": account, "arn": f"arn:aws:iam::{account}:root",
                        "userId": account, "id": account}, None
            if args.token == "aws:index/getRegion:getRegion":
                return {"name": region, "region": region, "id": region}, None
            if args.token == "aws:index/getPartition:getPartition":
                return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}, None
            return {}, None

    class RecordingMonitor(MockMonitor):
        """A MockMonitor that keeps each raw RegisterResource request as a PlannedResource."""

        def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
            resp = super().RegisterResource(request)
            if request.type == "pulumi:pulumi:Stack":
                return resp
            urn = resp.urn
            raw = MessageToDict(request.object, preserving_proto_field_name=True)
            inputs = _plain(raw)
            provider = request.provider.rsplit("::", 1)[0] if request.provider else None
            if request.type.startswith("pulumi:providers:"):
                region = inputs.get("region")
                regions[urn] = region
            else:
                region = regions.get(provider) if provider else None
            records.append(PlannedResource(
                urn=urn, type=request.type, name=request.name, custom=bool(request.custom),
                parent=request.parent or None, provider=provider, region=region, inputs=inputs,
                dependencies=list(request.dependencies),
                property_dependencies={k: list(v.urns)
                                       for k, v in request.propertyDependencies.items()}))
            return resp

    mocks = RealisticMocks()
    return mocks, RecordingMonitor(mocks), records


def mock_outputs(typ: str, name: str, inputs: dict[str, Any], region: str,
                 account: str = DEFAULT_ACCOUNT) -> tuple[str, dict[str, Any]]:
    """(id, state) for a resource, shaped like the AWS provider's outputs.

    Physical names: the ``name``/``identifier``/``bucket`` input if given, else the logical
    name plus a stable 7-hex suffix (as Pulumi auto-naming would). ARNs carry ``region`` and
    ``account``.
    """
    state = dict(inputs)
    phys = (inputs.get("name") or inputs.get("identifier") or inputs.get("bucket")
            or f"{name}-{_short(name)}")
    if not isinstance(phys, str) or phys == UNKNOWN:
        phys = f"{name}-{_short(name)}"
    svc_arn = f"arn:aws:{{svc}}:{region}:{account}:"
    rid = phys
    if typ == PROVIDER_TYPE:
        return f"{name}-provider-id", state
    if typ == "aws:kms/key:Key":
        rid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{region}/{name}"))
        state.update(arn=svc_arn.format(svc="kms") + f"key/{rid}", keyId=rid)
    elif typ == "aws:kms/alias:Alias":
        state.update(arn=svc_arn.format(svc="kms") + phys)
    elif typ == "aws:sns/topic:Topic":
        rid = svc_arn.format(svc="sns") + phys
        state.update(arn=rid, name=phys)
    elif typ == "aws:sns/topicSubscription:TopicSubscription":
        rid = f"{inputs.get('topic', '')}:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"
        state.update(arn=rid)
    elif typ == "aws:lambda/function:Function":
        arn = svc_arn.format(svc="lambda") + f"function:{phys}"
        state.update(name=phys, arn=arn, qualifiedArn=f"{arn}:$LATEST", version="$LATEST",
                     invokeArn=f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/"
                               f"{arn}/invocations")
    elif typ == "aws:iam/role:Role":
        state.update(name=phys, arn=f"arn:aws:iam::{account}:role/{phys}",
                     uniqueId=f"AROA{_short(name).upper()}EXAMPLE")
    elif typ == "aws:iam/policy:Policy":
        state.update(name=phys, arn=f"arn:aws:iam::{account}:policy/{phys}")
        rid = state["arn"]
    elif typ == "aws:dynamodb/table:Table":
        state.update(name=phys, arn=svc_arn.format(svc="dynamodb") + f"table/{phys}")
    elif typ == "aws:s3/bucket:Bucket":
        state.update(bucket=phys, arn=f"arn:aws:s3:::{phys}", region=region,
                     bucketDomainName=f"{phys}.s3.amazonaws.com",
                     bucketRegionalDomainName=f"{phys}.s3.{region}.amazonaws.com")
    elif typ == "aws:rds/instance:Instance":
        port = 3306 if str(inputs.get("engine", "")).startswith("mysql") else 5432
        address = f"{phys}.c{_short(account)}xyz.{region}.rds.amazonaws.com"
        state.update(identifier=phys, arn=svc_arn.format(svc="rds") + f"db:{phys}",
                     address=address, endpoint=f"{address}:{port}", port=port,
                     resourceId=f"db-{_short(phys).upper()}EXAMPLE")
        if inputs.get("manageMasterUserPassword"):
            state["masterUserSecrets"] = [{
                "secretArn": svc_arn.format(svc="secretsmanager") + f"secret:rds!db-{phys}",
                "secretStatus": "active", "kmsKeyId": inputs.get("masterUserSecretKmsKeyId", "")}]
    elif typ == "aws:route53/healthCheck:HealthCheck":
        rid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"hc/{name}"))
        state.update(arn=f"arn:aws:route53:::healthcheck/{rid}")
    elif typ == "aws:route53/record:Record":
        rid = f"{inputs.get('zoneId')}_{inputs.get('name')}_{inputs.get('type')}_" \
              f"{inputs.get('setIdentifier', '')}".rstrip("_")
        state.update(fqdn=inputs.get("name"))
    elif typ == "aws:cloudwatch/metricAlarm:MetricAlarm":
        state.update(arn=svc_arn.format(svc="cloudwatch") + f"alarm:{phys}", name=phys)
    elif typ == "aws:cloudwatch/dashboard:Dashboard":
        phys = inputs.get("dashboardName") or phys
        rid = phys
        state.update(dashboardArn=f"arn:aws:cloudwatch::{account}:dashboard/{phys}")
    elif typ == "aws:cloudwatch/eventBus:EventBus":
        state.update(name=phys, arn=svc_arn.format(svc="events") + f"event-bus/{phys}")
    elif typ == "aws:cloudwatch/eventRule:EventRule":
        bus = inputs.get("eventBusName")
        path = f"rule/{bus}/{phys}" if bus and bus != "default" else f"rule/{phys}"
        rid = f"{bus}/{phys}" if bus and bus != "default" else phys
        state.update(name=phys, arn=svc_arn.format(svc="events") + path)
    elif typ == "aws:cloudwatch/eventTarget:EventTarget":
        rid = f"{inputs.get('rule')}-{inputs.get('targetId') or _short(name)}"
    elif typ == "aws:cloudwatch/logGroup:LogGroup":
        state.update(name=phys, arn=svc_arn.format(svc="logs") + f"log-group:{phys}")
    elif typ == "aws:dms/replicationInstance:ReplicationInstance":
        rid = inputs.get("replicationInstanceId") or phys
        state.update(replicationInstanceArn=svc_arn.format(svc="dms")
                     + f"rep:{_short(rid).upper()}EXAMPLE",
                     replicationInstancePrivateIps=["10.0.0.10"])
    elif typ == "aws:dms/endpoint:Endpoint":
        rid = inputs.get("endpointId") or phys
        state.update(endpointArn=svc_arn.format(svc="dms") + f"endpoint:{_short(rid).upper()}EXAMPLE")
    elif typ == "aws:dms/replicationTask:ReplicationTask":
        rid = inputs.get("replicationTaskId") or phys
        res_id = inputs.get("resourceIdentifier") or f"{_short(rid).upper()}EXAMPLE"
        state.update(replicationTaskArn=svc_arn.format(svc="dms") + f"task:{res_id}",
                     status="ready")
    elif typ == "aws:dms/replicationSubnetGroup:ReplicationSubnetGroup":
        rid = inputs.get("replicationSubnetGroupId") or phys
    elif typ == "aws:lambda/permission:Permission":
        rid = inputs.get("statementId") or phys
    elif ":" in typ and "arn" not in state:
        svc = typ.split(":")[1].split("/")[0]
        state["arn"] = svc_arn.format(svc=svc) + f"{typ.split(':')[-1].lower()}/{phys}"
    state.setdefault("id", rid)
    return rid, state


def _resolve(value: Any) -> Any:
    """Resolve an exported value (Output, dict/list of Outputs, plain) to plain JSON."""
    import pulumi
    from pulumi.output import Unknown
    from pulumi.runtime.sync_await import _sync_await

    out = pulumi.Output.from_input(value)
    v = _sync_await(out.future(with_unknowns=True))
    known = _sync_await(out.is_known())

    def clean(x: Any) -> Any:
        if isinstance(x, Unknown):
            return UNKNOWN
        if isinstance(x, dict):
            return {k: clean(y) for k, y in x.items()}
        if isinstance(x, list | tuple):
            return [clean(y) for y in x]
        if isinstance(x, float) and x.is_integer():
            return int(x)
        return x

    if not known and v is None:
        return UNKNOWN
    return clean(v)


def _account_from_config(config: dict[str, str]) -> str:
    try:
        db = json.loads(config.get(f"{PROJECT}:database", "{}"))
        return str(db["primaryInstanceArn"]).split(":")[4] or DEFAULT_ACCOUNT
    except (ValueError, KeyError, IndexError, TypeError):
        return DEFAULT_ACCOUNT


#: pulumi_aws classes the program uses, imported before forking so each child starts warm
#: (pulumi_aws loads modules lazily, on first attribute access; importing them is most of
#: a recording's cost). A class missing here only costs time.
_PRELOAD = {
    "cloudwatch": ("MetricAlarm", "EventRule", "EventTarget", "EventBus", "LogGroup",
                   "Dashboard"),
    "dms": ("ReplicationInstance", "Endpoint", "ReplicationTask"),
    "dynamodb": ("Table",), "iam": ("Role", "RolePolicy"), "kms": ("Key", "Alias"),
    "lambda_": ("Function", "Permission"), "rds": ("Instance",),
    "route53": ("HealthCheck", "Record"),
    "s3": ("Bucket", "BucketVersioning", "BucketServerSideEncryptionConfiguration",
           "BucketPublicAccessBlock", "BucketPolicy", "BucketLifecycleConfiguration"),
    "sns": ("Topic", "TopicSubscription"),
}


def _child(request_path: str) -> int:
    """Run in the subprocess: each request in a forked child (or in-process if it is alone or
    the platform cannot fork)."""
    batch = json.loads(Path(request_path).read_text())
    if len(batch) == 1 or not hasattr(os, "fork"):
        if len(batch) > 1:
            for req in batch:
                subprocess.run([sys.executable, "-m", "offline.plan", _CHILD_FLAG,
                                _single(req, request_path)], check=False)
            return 0
        return _run_one(batch[0])
    import pulumi  # noqa: F401 - warm the interpreter before forking
    import pulumi_aws

    pulumi_aws.Provider  # noqa: B018 - import it now
    for module, classes in _PRELOAD.items():
        for cls in classes:
            getattr(getattr(pulumi_aws, module), cls, None)
    import components.settings  # noqa: F401
    for req in batch:
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = _run_one(req)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        os.waitpid(pid, 0)
    return 0


def _single(req: dict[str, Any], request_path: str) -> str:
    path = Path(request_path).with_name(Path(req["out"]).stem + "-request.json")
    path.write_text(json.dumps([req]))
    return str(path)


def _run_one(req: dict[str, Any]) -> int:
    """Mocks, config, program; write the result JSON to ``req["out"]``."""
    out = Path(req["out"])
    config: dict[str, str] = req["config"]
    # The CLI's Python language host hands config over in PULUMI_CONFIG and set_all_config;
    # components.settings.load_settings reads the former, pulumi.Config the latter.
    os.environ["PULUMI_CONFIG"] = json.dumps(config)

    import runpy

    import pulumi
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    pulumi.runtime.set_all_config(config)
    mocks, monitor, records = _make_mocks_and_monitor(_account_from_config(config),
                                                        bool(req["preview"]))
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=req["stack"], preview=req["preview"],
                             monitor=monitor)
    program = Path(req["program"])

    from components.settings import ConfigError

    def run() -> None:
        runpy.run_path(str(program), run_name="__main__")

    try:
        _sync_await(run_pulumi_func(run))
    except ConfigError as e:
        out.write_text(json.dumps({"status": "config-error", "message": str(e),
                                   "resources_declared": len(records)}))
        return 0
    except Exception as e:  # noqa: BLE001 - reported to the parent with its traceback
        import traceback

        out.write_text(json.dumps({"status": "error",
                                   "message": "".join(traceback.format_exception(e))}))
        return 0

    root = pulumi.runtime.get_root_resource()
    outputs = {k: _resolve(v) for k, v in (getattr(root, "outputs", None) or {}).items()}
    plan = Plan(stack=req["stack"], resources=records, outputs=outputs, preview=req["preview"])
    out.write_text(json.dumps({"status": "ok", "plan": asdict(plan)}))
    return 0


# ---------------------------------------------------------------------------------------------
# CLI


def summary(plan: Plan) -> str:
    """A human-readable summary: resources by Region and type, roles, outputs."""
    lines = [f"stack {plan.stack}: {len(plan.custom_resources)} resources, "
             f"{len(plan.providers)} providers, "
             f"{sum(1 for r in plan.resources if not r.custom)} components "
             f"({'preview' if plan.preview else 'update'} under mocks)"]
    by_region = Counter((r.region or "-", r.type) for r in plan.custom_resources)
    for (region, typ), n in sorted(by_region.items()):
        lines.append(f"  {region:<15} {n:>3} x {typ}")
    roles = Counter(r.role for r in plan.resources if r.role)
    if roles:
        lines.append("roles: " + ", ".join(f"{k}={v}" for k, v in sorted(roles.items())))
    lines.append("outputs:")
    for k, v in plan.outputs.items():
        shown = "(unknown until deployed)" if v == UNKNOWN else json.dumps(v)
        lines.append(f"  {k} = {shown}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == [_CHILD_FLAG]:
        return _child(argv[1])
    p = argparse.ArgumentParser(prog="python -m offline.plan", description=__doc__.split("\n")[0])
    p.add_argument("--stack", default="prod")
    p.add_argument("--stack-file", type=Path)
    p.add_argument("--strategy", help="override database.strategy")
    p.add_argument("--mode", help="override failover.mode (orchestrated | automatic)")
    p.add_argument("--no-preview", action="store_true",
                   help="record as an update: mock outputs resolve")
    p.add_argument("--json", action="store_true", help="print the plan as JSON")
    a = p.parse_args(argv)
    overrides: dict[str, object] = {}
    if a.strategy or a.mode:
        import yaml

        path = a.stack_file or ROOT / f"Pulumi.{a.stack}.yaml"
        cfg = (yaml.safe_load(Path(path).read_text()) or {}).get("config") or {}
        if a.strategy:
            db = dict(cfg.get(f"{PROJECT}:database") or {}, strategy=a.strategy)
            if a.strategy == "dms" and "dms" not in db:
                db["dms"] = {"sourceSecretArn": "arn:aws:secretsmanager:"
                             f"{cfg.get(f'{PROJECT}:primaryRegion', 'us-east-1')}:"
                             f"{DEFAULT_ACCOUNT}:secret:shop-dms-source"}
            overrides[f"{PROJECT}:database"] = db
        if a.mode:
            overrides[f"{PROJECT}:failover"] = dict(cfg.get(f"{PROJECT}:failover") or {}, mode=a.mode)
    try:
        plan = record_plan(a.stack, stack_file=a.stack_file, config_overrides=overrides,
                           preview=not a.no_preview)
    except PlanConfigError as e:
        print(e, file=sys.stderr)
        return 2
    print(plan.to_json() if a.json else summary(plan))
    return 0


if __name__ == "__main__":
    sys.exit(main())
