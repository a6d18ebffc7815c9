"""Drive the policy pack the way the Pulumi CLI does, over the analyzer gRPC protocol.

The CLI starts a Python pack as ``python -u -m pulumi.policy <engine-address> <pack-dir>`` in
the pack's folder, reads the port from the first line of stdout, then calls
``GetAnalyzerInfo``, ``Configure`` (each policy's config with its schema defaults filled in,
which the SDK itself does not do), ``Analyze`` once per resource and ``AnalyzeStack`` once.
:class:`PackProcess` does exactly that with ``pulumi.runtime.proto.analyzer_pb2(_grpc)``.

Engine address: pulumi-policy 1.21 never dials the engine (it neither configures the runtime
with the address nor logs through it; it only reads the argument), so a placeholder address is
passed and no fake engine server is needed. If a future SDK starts logging to the engine the
pack's stderr (kept in :attr:`PackProcess.stderr`) will show the failed dial.

What this skips compared with a real preview: the provider's Check step, so provider defaults
are not filled in; rules treat a missing input as the AWS default or as absent.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from engine.paths import PACK_DIR

#: Never dialled by pulumi-policy 1.21 (see the module docstring).
ENGINE_PLACEHOLDER = "127.0.0.1:0"

LEVELS = {analyzer_pb2.ADVISORY: "advisory", analyzer_pb2.MANDATORY: "mandatory",
          analyzer_pb2.REMEDIATE: "remediate", analyzer_pb2.DISABLED: "disabled"}
_LEVEL_CODES = {v: k for k, v in LEVELS.items()}


class PackError(RuntimeError):
    """The pack did not start or a call failed; the message carries the pack's stderr."""


@dataclass(frozen=True)
class Violation:
    """One diagnostic: policy name, enforcement level, message and the resource URN ("" = stack)."""

    policy: str
    level: str
    message: str
    urn: str


@dataclass(frozen=True)
class NotApplicable:
    """A policy that could not decide for a resource (``urn``; "" = stack), and why."""

    policy: str
    reason: str
    urn: str


@dataclass
class Resource:
    """A resource as sent to the analyzer (the plan's shape, decoupled from engine.plan).

    ``provider`` is the provider resource (its inputs carry ``region``) or None.
    """

    urn: str
    type: str
    name: str
    inputs: Mapping[str, Any]
    parent: str | None = None
    provider: Resource | None = None
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    #: ``protect`` / ``ignoreChanges`` / ``deleteBeforeReplace`` as the program gave them
    #: (:attr:`engine.plan.PlannedResource.options`); sent in the analyzer's resource options.
    options: Mapping[str, Any] = field(default_factory=dict)

    def analyzer_options(self) -> Any:
        """The resource's ``AnalyzerResourceOptions`` (parent, protect, ignoreChanges,
        deleteBeforeReplace), as the engine sends them."""
        o = self.options
        return analyzer_pb2.AnalyzerResourceOptions(
            parent=self.parent or "", protect=bool(o.get("protect")),
            ignoreChanges=list(o.get("ignoreChanges", [])),
            deleteBeforeReplace=bool(o.get("deleteBeforeReplace")),
            deleteBeforeReplaceDefined="deleteBeforeReplace" in o)


@dataclass
class Report:
    """Everything the pack said about one set of resources."""

    violations: list[Violation] = field(default_factory=list)
    not_applicable: list[NotApplicable] = field(default_factory=list)
    policies: list[dict[str, Any]] = field(default_factory=list)
    analyze_calls: int = 0

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.level in ("mandatory", "remediate")]


def to_struct(d: Mapping[str, Any]) -> struct_pb2.Struct:
    """A protobuf Struct of a JSON-ready mapping."""
    s = struct_pb2.Struct()
    json_format.ParseDict(dict(d), s)
    return s


def _provider_msg(p: Resource | None) -> analyzer_pb2.AnalyzerProviderResource | None:
    if p is None:
        return None
    return analyzer_pb2.AnalyzerProviderResource(type=p.type, properties=to_struct(p.inputs),
                                                 urn=p.urn, name=p.name)


class PackProcess:
    """The policy pack as a child process, and a gRPC client to it. Use as a context manager.

    Args:
        pack_dir: the pack folder (``policies/``).
        python: the interpreter (the CLI uses the pack's virtualenv; the tools use their own,
            which has the same pinned packages).
        start_timeout: seconds to wait for the port line.

    Raises:
        PackError: the pack exited or printed no port in time.
    """

    def __init__(self, pack_dir: Path = PACK_DIR, *, python: str = sys.executable,
                 start_timeout: float = 30.0) -> None:
        self.pack_dir = Path(pack_dir)
        self.python = python
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.stderr = ""
        self._stderr_chunks: list[bytes] = []
        self.channel: grpc.Channel | None = None
        self.stub: analyzer_pb2_grpc.AnalyzerStub | None = None
        self.port: int | None = None
        #: The effective policy config of the last :meth:`configure` (defaults filled in).
        self.last_config: dict[str, Any] = {}

    def __enter__(self) -> PackProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start the pack (``python -u -m pulumi.policy <engine> <pack dir>``) and connect.

        Raises:
            PackError: it exited or printed no port within ``start_timeout`` seconds."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
        self.proc = subprocess.Popen(
            [self.python, "-u", "-m", "pulumi.policy", ENGINE_PLACEHOLDER, str(self.pack_dir)],
            cwd=self.pack_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        line: list[bytes] = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()),  # type: ignore[union-attr]
                                  daemon=True)
        reader.start()
        reader.join(self.start_timeout)
        text = line[0].decode().strip() if line else ""
        if not text.isdigit():
            self.stop()
            raise PackError(f"policy pack printed no port (got {text!r}); stderr:\n{self.stderr}")
        self.port = int(text)
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.port}", options=[
            ("grpc.max_receive_message_length", 400 * 1024 * 1024),
            ("grpc.max_send_message_length", 400 * 1024 * 1024)])
        grpc.channel_ready_future(self.channel).result(timeout=self.start_timeout)
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)

    def _drain_stderr(self) -> None:
        assert self.proc and self.proc.stderr
        for chunk in iter(lambda: self.proc.stderr.read1(4096), b""):  # type: ignore[union-attr]
            self._stderr_chunks.append(chunk)
            self.stderr = b"".join(self._stderr_chunks).decode(errors="replace")

    def stop(self) -> None:
        """Close the channel and end the pack process (terminate, then kill after 5 s)."""
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None and self.proc.stdout:
            self.proc.stdout.close()
        self.proc = None

    # --- the protocol ------------------------------------------------------------------

    def _call(self, method: str, request: Any) -> Any:
        assert self.stub is not None, "pack not started"
        try:
            return getattr(self.stub, method)(request)
        except grpc.RpcError as e:
            time.sleep(0.05)  # let stderr catch up with the traceback
            raise PackError(f"{method} failed: {e.details() if hasattr(e, 'details') else e}\n"
                            f"pack stderr:\n{self.stderr[-4000:]}") from e

    def info(self) -> analyzer_pb2.AnalyzerInfo:
        """``GetAnalyzerInfo``: the pack's name and policies."""
        return self._call("GetAnalyzerInfo", empty_pb2.Empty())

    def policies(self) -> list[dict[str, Any]]:
        """Each policy's name, description, level, type and config schema (from GetAnalyzerInfo)."""
        out = []
        for p in self.info().policies:
            out.append({"name": p.name, "description": p.description,
                        "enforcementLevel": LEVELS.get(p.enforcementLevel, "advisory"),
                        "type": "stack" if p.policy_type == analyzer_pb2.POLICY_TYPE_STACK
                        else "resource",
                        "configSchema": json_format.MessageToDict(p.configSchema.properties)})
        return out

    def configure(self, config: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
        """Send Configure with every policy's schema defaults, overlaid with ``config``.

        Args:
            config: policy name -> {setting: value, "enforcementLevel": "advisory"|...}.

        Returns:
            The effective config sent: policy name -> {"enforcementLevel": ..., **settings}.

        Raises:
            PackError: ``config`` names a policy or setting the pack does not have.
        """
        config = dict(config or {})
        policies = {p["name"]: p for p in self.policies()}
        unknown = sorted(set(config) - set(policies))
        if unknown:
            raise PackError(f"policy config for unknown policies {unknown}; "
                            f"the pack has: {', '.join(policies)}")
        sent: dict[str, Any] = {}
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, p in policies.items():
            given = dict(config.get(name, {}))
            level = given.pop("enforcementLevel", p["enforcementLevel"])
            if level not in _LEVEL_CODES:
                raise PackError(f"{name}: enforcementLevel must be one of "
                                f"{', '.join(_LEVEL_CODES)}, got {level!r}")
            schema = p["configSchema"]
            bad = sorted(set(given) - set(schema))
            if bad:
                raise PackError(f"{name}: unknown setting(s) {bad}; allowed: "
                                f"{', '.join(schema) or 'none'}")
            props = {k: s["default"] for k, s in schema.items() if "default" in s}
            props.update(given)
            request.policyConfig[name].CopyFrom(analyzer_pb2.PolicyConfig(
                enforcementLevel=_LEVEL_CODES[level], properties=to_struct(props)))
            sent[name] = {"enforcementLevel": level, **props}
        self._call("Configure", request)
        self.last_config = sent
        return sent

    def analyze(self, r: Resource) -> analyzer_pb2.AnalyzeResponse:
        """``Analyze`` one resource. Raises PackError when the call fails."""
        req = analyzer_pb2.AnalyzeRequest(
            type=r.type, properties=to_struct(r.inputs), urn=r.urn, name=r.name,
            options=r.analyzer_options())
        prov = _provider_msg(r.provider)
        if prov is not None:
            req.provider.CopyFrom(prov)
        return self._call("Analyze", req)

    def analyze_stack(self, resources: Iterable[Resource]) -> analyzer_pb2.AnalyzeResponse:
        """``AnalyzeStack`` over every resource (parents, dependencies, providers).
        Raises PackError when the call fails."""
        req = analyzer_pb2.AnalyzeStackRequest()
        for r in resources:
            msg = analyzer_pb2.AnalyzerResource(
                type=r.type, properties=to_struct(r.inputs), urn=r.urn, name=r.name,
                options=r.analyzer_options(), parent=r.parent or "",
                dependencies=list(r.dependencies))
            prov = _provider_msg(r.provider)
            if prov is not None:
                msg.provider.CopyFrom(prov)
            for k, urns in r.property_dependencies.items():
                msg.propertyDependencies[k].urns.extend(urns)
            req.resources.append(msg)
        return self._call("AnalyzeStack", req)

    def evaluate(self, resources: list[Resource],
                 config: Mapping[str, Mapping[str, Any]] | None = None) -> Report:
        """Configure, Analyze each resource, AnalyzeStack; collect the diagnostics."""
        report = Report(policies=self.policies())
        self.configure(config)
        for r in resources:
            _collect(report, self.analyze(r), r.urn)
            report.analyze_calls += 1
        _collect(report, self.analyze_stack(resources), "")
        return report


def _collect(report: Report, resp: analyzer_pb2.AnalyzeResponse, urn: str) -> None:
    for d in resp.diagnostics:
        report.violations.append(Violation(d.policyName, LEVELS.get(d.enforcementLevel, "advisory"),
                                           d.message, d.urn or urn))
    for n in resp.not_applicable:
        report.not_applicable.append(NotApplicable(n.policy_name, n.reason, urn))


def resources_from_plan(plan: Any) -> list[Resource]:
    """The plan's custom resources (providers and components left out) as analyzer resources.

    Each keeps its provider resource (whose inputs carry ``region``), parent, dependencies
    and property dependencies, as the engine sends them.
    """
    by_urn = {r.urn: r for r in plan.resources}
    providers: dict[str, Resource] = {}
    for p in plan.resources:
        if p.type.startswith("pulumi:providers:"):
            providers[p.urn] = Resource(urn=p.urn, type=p.type, name=p.name, inputs=p.inputs)
    out = []
    for r in plan.resources:
        if not r.custom or r.type.startswith("pulumi:providers:"):
            continue
        prov = providers.get(r.provider) if r.provider else None
        if prov is None and r.provider and r.provider in by_urn:
            p = by_urn[r.provider]
            prov = Resource(urn=p.urn, type=p.type, name=p.name, inputs=p.inputs)
        out.append(Resource(urn=r.urn, type=r.type, name=r.name, inputs=r.inputs,
                            parent=r.parent, provider=prov, dependencies=list(r.dependencies),
                            property_dependencies=dict(r.property_dependencies),
                            options=dict(r.options)))
    return out


def policy_resources(resources: list[Resource]) -> list[Any]:
    """The same resources as ``pulumi_policy.PolicyResource`` objects, built as the SDK's
    AnalyzeStack builds them (unknown-checking proxies, provider, parent, dependencies).

    Used to run :func:`policies.rules.recovery.objectives` in-process for the preview's
    breakdown table; verdicts always come from the pack over gRPC.
    """
    from pulumi_policy import PolicyProviderResource, PolicyResource, PolicyResourceOptions
    from pulumi_policy.policy import PolicyCustomTimeouts
    from pulumi_policy.proxy import unknown_checking_proxy

    built: dict[str, Any] = {}
    for r in resources:
        prov = None
        if r.provider is not None:
            prov = PolicyProviderResource(r.provider.type, unknown_checking_proxy(dict(r.provider.inputs)),
                                          r.provider.urn, r.provider.name)
        o = r.options
        opts = PolicyResourceOptions(bool(o.get("protect")), list(o.get("ignoreChanges", [])),
                                     o.get("deleteBeforeReplace"), [], PolicyCustomTimeouts(0, 0, 0),
                                     [], r.parent)
        built[r.urn] = PolicyResource(r.type, unknown_checking_proxy(dict(r.inputs)), r.urn, r.name,
                                      opts, prov, None, [], {})
    for r in resources:
        pr = built[r.urn]
        pr.parent = built.get(r.parent or "")
        pr.dependencies = [built[d] for d in r.dependencies if d in built]
        pr.property_dependencies = {k: [built[d] for d in v if d in built]
                                    for k, v in r.property_dependencies.items()}
    return list(built.values())
